"""Every verdict plain and agreeing with itself (issue 30, fault 7): an
evaluation read "+153% against the comparison's ... the interval excludes
no change" for a measure the plan aims to reduce, without saying that is
worse; a card read "no real change yet", "hit and miss" beside a value
above its target, without saying so."""

from __future__ import annotations

import pytest

from saferplaces.analytics import evaluation
from saferplaces.analytics.cards import against_target
from saferplaces.analytics.evaluation import Window, evaluate

YEAR_BEFORE, YEAR_AFTER = Window("2023-01", "2023-12"), Window("2024-01", "2024-12")


@pytest.fixture
def totals(monkeypatch):
    """Each area's count in each window, set by the test; every month held."""
    counts: dict[tuple[str, str], int] = {}
    monkeypatch.setattr(
        evaluation, "_total", lambda _s, _m, area, window: counts[(area, window.first)]
    )
    monkeypatch.setattr(evaluation, "name_of", lambda _store, code: f"area {code}")
    every_month = [f"{y}-{m:02d}" for y in (2023, 2024) for m in range(1, 13)]
    monkeypatch.setattr(evaluation, "measure_months", lambda *_: every_month)
    return counts


def test_a_rise_against_the_comparison_is_worse_when_the_plan_aims_to_reduce(totals):
    # Target: 100 then 200 (rate ratio 2); comparison: 100 then 90 (0.9).
    # Ratio of ratios 2 / 0.9 = 2.2222; SE of its log
    # sqrt(1/200 + 1/100 + 1/90 + 1/100) = 0.190029; 95% interval
    # 2.2222 x exp(-/+ 1.959964 x 0.190029) = 1.5312 to 3.2250.
    totals.update({("T", "2023-01"): 100, ("T", "2024-01"): 200,
                   ("C", "2023-01"): 100, ("C", "2024-01"): 90})  # fmt: skip
    result = evaluate(None, "total-recorded-crime", "T", YEAR_BEFORE, YEAR_AFTER, "C")  # type: ignore[arg-type]
    assert result.estimate == pytest.approx(2 / 0.9)
    assert result.lower == pytest.approx(1.5312, abs=1e-4)
    assert result.upper == pytest.approx(3.2250, abs=1e-4)
    assert result.significant
    # The change against the comparison in words, never a bare "+122%".
    assert result.statement == (
        "area T changed by +100% and area C by -10%: area T's change was 122% "
        "higher than area C's (95% interval 53% to 223% higher)."
    )
    assert result.verdict("down") == (
        "Worse than the comparison area: the plan aims to reduce this measure, "
        "and it rose against area C by more than chance explains."
    )
    assert result.verdict("up").startswith("Better than the comparison area")
    # Watched, or a measure with no polarity: said without a judgement.
    assert result.verdict("neither").startswith("Higher than the comparison area")


def test_a_change_within_chance_is_no_clear_difference_whichever_the_aim(totals):
    # The hand-worked example of tests/partnership/test_rules.py: the ratio
    # 2/3 with an interval 0.4343 to 1.0232 that holds no change (1).
    totals.update({("T", "2023-01"): 100, ("T", "2024-01"): 60,
                   ("C", "2023-01"): 100, ("C", "2024-01"): 90})  # fmt: skip
    result = evaluate(None, "total-recorded-crime", "T", YEAR_BEFORE, YEAR_AFTER, "C")  # type: ignore[arg-type]
    assert "33% lower than area C's" in result.statement
    for aim in ("down", "up", "neither"):
        assert result.verdict(aim).startswith(
            "No clear difference from the comparison area"
        )


def test_before_and_after_is_judged_against_before(totals):
    # 200 then 100 in the target alone: ratio 0.5, interval 0.39 to 0.64.
    totals.update({("T", "2023-01"): 200, ("T", "2024-01"): 100})
    result = evaluate(None, "total-recorded-crime", "T", YEAR_BEFORE, YEAR_AFTER)  # type: ignore[arg-type]
    assert result.verdict("down").startswith("Better than before:")
    assert result.verdict("up").startswith("Worse than before:")


@pytest.mark.parametrize(
    ("value", "target", "direction", "said"),
    [
        # The demo's confidence to report: aims up; 78.2 against 73.0.
        (78.2, 73.0, "up",
         "Latest value above target (78.2 against 73): where the plan wants it."),
        (5.0, 4.0, "down",
         "Latest value above target (5 against 4): not yet where the plan wants it."),
        (3.0, 4.0, "down",
         "Latest value below target (3 against 4): where the plan wants it."),
        (4.0, 4.0, "down", "Latest value on target (4)."),
        (4.0, None, "down", ""),
    ],
)  # fmt: skip
def test_the_latest_value_against_the_target_in_words(value, target, direction, said):
    assert against_target(value, target, direction) == said
