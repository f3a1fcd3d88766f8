"""DASH scoring, the ASB risk assessment and the MARAC criteria on
hand-made histories (no database)."""

from __future__ import annotations

import datetime

import pytest

from saferplaces.cases import risk

TODAY = datetime.date(2026, 11, 27)


def yes(count: int) -> dict[int, str]:
    return {n: "yes" if n <= count else "no" for n in range(1, 25)}


def test_dash_has_the_24_questions():
    assert len(risk.DASH_QUESTIONS) == 24


@pytest.mark.parametrize(
    ("yes_answers", "level"),
    [(0, "standard"), (13, "standard"), (14, "high"), (24, "high")],
)
def test_dash_14_or_more_yes_is_high_risk(yes_answers, level):
    scored = risk.dash(yes(yes_answers))
    assert (scored.score, scored.level) == (yes_answers, level)


def test_judgement_raises_the_level_with_a_reason():
    scored = risk.dash(yes(9), judged="high", reason="Threats to kill last night")
    assert (scored.scored_level, scored.level) == ("standard", "high")
    assert scored.judgement_reason == "Threats to kill last night"


def test_judgement_never_lowers_the_level():
    with pytest.raises(risk.RiskError, match="never lower"):
        risk.dash(yes(16), judged="medium", reason="She seemed calm")
    with pytest.raises(risk.RiskError, match="never lower"):
        risk.dash(yes(16), judged="standard", reason="x")


def test_raising_without_a_reason_is_refused():
    with pytest.raises(risk.RiskError, match="Say why"):
        risk.dash(yes(3), judged="medium", reason="  ")


def test_dash_refuses_unknown_questions():
    with pytest.raises(risk.RiskError, match="not 25"):
        risk.dash({25: "yes"})


def test_asb_scores_weights_against_the_partnerships_thresholds():
    weights = {1: 3, 2: 2, 3: 1}
    assert risk.asb({1: "no", 2: "no", 3: "yes"}, weights, 3, 5).level == "standard"
    assert risk.asb({1: "yes"}, weights, 3, 5).level == "medium"
    assert risk.asb({1: "yes", 2: "yes"}, weights, 3, 5).level == "high"
    assert risk.asb({1: "yes"}, weights, 3, 5, "high", "Elderly, alone").level == "high"
    with pytest.raises(risk.RiskError, match="never lower"):
        risk.asb({1: "yes", 2: "yes"}, weights, 3, 5, "medium", "x")


def days_ago(*days: int) -> list[datetime.date]:
    return [TODAY - datetime.timedelta(days=d) for d in days]


def test_marac_visible_high_risk():
    assert risk.marac_criteria("high", False, [], [], TODAY) == [
        "Visible high risk: 14 or more yes answers on the DASH checklist."
    ]


def test_marac_professional_judgement():
    met = risk.marac_criteria("high", True, [], [], TODAY)
    assert met == ["Professional judgement: the worker judged the risk high."]


def test_marac_potential_escalation_counts_incidents_in_the_window():
    assert risk.marac_criteria("standard", False, days_ago(10, 200), [], TODAY) == []
    # The third incident in 12 months meets it; one 366 days ago does not count.
    assert (
        risk.marac_criteria("standard", False, days_ago(10, 200, 366), [], TODAY) == []
    )
    assert risk.marac_criteria(
        "standard", False, days_ago(10, 200, 364), [], TODAY
    ) == ["Potential escalation: 3 incidents in the last 12 months."]
    fewer = risk.MaracThresholds(escalation_incidents=2, window_days=365)
    assert risk.marac_criteria("standard", False, days_ago(1, 2), [], TODAY, fewer)


def test_marac_repeat_referral_within_12_months():
    assert risk.marac_criteria("standard", False, [], days_ago(400), TODAY) == []
    assert risk.marac_criteria("standard", False, [], days_ago(300), TODAY) == [
        "Repeat referral: referred to MARAC in the last 12 months."
    ]


def test_marac_criteria_add_up():
    met = risk.marac_criteria("high", False, days_ago(1, 2, 3), days_ago(30), TODAY)
    assert len(met) == 3
