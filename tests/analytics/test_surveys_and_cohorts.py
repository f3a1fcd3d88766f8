"""Perceptions of safety, satisfaction, re-offending and road casualties:
loaded from hand-made fixtures and checked against hand-worked answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from scipy.stats import binomtest

from saferplaces.analytics.measures import measure_series
from saferplaces.analytics.measures.proportions import wilson_interval
from saferplaces.analytics.perturbation import default_ptable
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.reading import FileRefused
from saferplaces.ingest.sources import get_source
from saferplaces.ingest.surveys import QuestionsError, load_questions, with_questions
from tests.support import COHORT, QUESTIONS, SURVEY

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STATS19 = FIXTURES / "stats19"


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "store")


def load_survey(store: Store):
    source = with_questions(get_source("survey"), load_questions(QUESTIONS))
    return run_load(store, source, [SURVEY])


def test_survey_rows_are_loaded_per_answer_and_bad_rows_reported(store):
    report = load_survey(store)
    assert (report.rows_read, report.accepted, report.rejected) == (9, 6, 3)
    reasons = {(field, reason) for field, reason in report.reject_reasons}
    assert ("weight", "weight must be a positive number") in reasons
    assert ("date", "date must be a date written YYYY-MM-DD") in reasons
    assert any(f == "safe_after_dark" for f, _ in reasons)
    rejects = report.rejects_path.read_text()
    assert ',8,"weight","nine",' in rejects
    assert ',10,"safe_after_dark","Quite safe",' in rejects
    answered = store.query(
        "SELECT question, count(*) AS n FROM survey_responses GROUP BY ALL ORDER BY 1"
    ).to_pylist()
    assert answered == [
        {"question": "safe_after_dark", "n": 6},
        {"question": "satisfied_with_service", "n": 3},
    ]


def test_weighted_share_feeling_safe_with_a_kish_interval(store):
    load_survey(store)
    [year] = measure_series(store, "perceptions-of-safety", "E01009001", by="year")
    # R001 (w 1) and R002 (w 2) safe, R006 (w 1) unsafe, R005 "don't know"
    # left out: 3 / 4 = 75%; n_eff = 4^2 / (1 + 4 + 1) = 2.667.
    assert year.period == "2024/25"
    assert year.value == pytest.approx(75.0)
    assert (year.numerator, year.denominator) == (3.0, 4.0)
    assert year.lower == pytest.approx(23.8501877, abs=1e-6)
    assert year.upper == pytest.approx(96.6370222, abs=1e-6)
    assert not year.suppressed  # partners see every figure
    [published] = measure_series(
        store, "perceptions-of-safety", "E01009001", by="year",
        publishing=default_ptable(),
    )  # fmt: skip
    assert published.suppressed  # 4 respondents: under the survey rule's 30
    assert published.value is None


def test_unweighted_wilson_interval_matches_scipy():
    for successes, size in [(3, 4), (0, 7), (19, 20), (412, 1000)]:
        expected = binomtest(successes, size).proportion_ci(method="wilson")
        low, high = wilson_interval(successes / size, size)
        assert (low, high) == pytest.approx((expected.low, expected.high), abs=1e-9)


def test_satisfaction_by_service(store):
    load_survey(store)
    points = measure_series(
        store, "satisfaction", "E01009002", by="year", group="service"
    )
    assert [(p.group, p.value) for p in points] == [
        ("council", 100.0),
        ("police", 0.0),
    ]


def test_a_survey_needs_a_valid_questions_file(store, tmp_path):
    with pytest.raises(FileRefused, match="needs its questions file"):
        run_load(store, get_source("survey"), [SURVEY])
    bad = tmp_path / "questions.yaml"
    bad.write_text(
        "survey: s\nquestions:\n  - id: q\n    text: Q?\n    answers: [Yes, No]\n"
        "    positive: [Maybe]\n"
    )
    with pytest.raises(QuestionsError, match="question 1 \\(q\\): Maybe not among"):
        load_questions(bad)
    assert store.tables() == []


def test_a_survey_missing_a_question_column_is_refused_whole(store, tmp_path):
    short = tmp_path / "short.csv"
    short.write_text(SURVEY.read_text().replace(",satisfied_with_service", ",other"))
    source = with_questions(get_source("survey"), load_questions(QUESTIONS))
    with pytest.raises(FileRefused, match="missing satisfied_with_service"):
        run_load(store, source, [short])
    assert store.tables() == []


def test_reoffending_rates_on_a_hand_made_cohort(store):
    report = run_load(store, get_source("reoffending"), [COHORT])
    # A name instead of a pseudonym, and an unknown disposal with -1.
    assert (report.accepted, report.rejected) == (10, 2)
    assert "John Smith" not in report.rejects_path.read_text()
    # 10 offenders; 4 re-offended with 1 + 2 + 3 + 6 = 12 proven re-offences.
    [rate] = measure_series(store, "reoffending-rate", "E01009001", by="quarter")
    both = [
        measure_series(store, m, code, by="year")[0]
        for m in ("reoffending-rate", "reoffences-per-offender")
        for code in ("E01009001", "E01009002")
    ]
    assert rate.period == "2022/23 Q4"
    assert rate.value == pytest.approx(100 * 1 / 5)
    assert [p.numerator for p in both] == [1.0, 3.0, 1.0, 11.0]
    assert [p.denominator for p in both] == [5.0, 5.0, 5.0, 5.0]
    [per_reoffender] = measure_series(
        store, "reoffences-per-reoffender", "E01009002", by="year"
    )
    assert per_reoffender.value == pytest.approx(11 / 3)
    assert per_reoffender.lower < 11 / 3 < per_reoffender.upper


def test_killed_or_seriously_injured_road_casualties(store):
    collisions = run_load(store, get_source("stats19-collisions"), [STATS19])
    casualties = run_load(store, get_source("stats19-casualties"), [STATS19])
    # 31/02/2023 is no date; severity 5 is no DfT code.
    assert (collisions.accepted, collisions.rejected) == (4, 1)
    assert (casualties.accepted, casualties.rejected) == (4, 1)
    assert store.query(
        "SELECT collision_index FROM road_collisions WHERE collision_year = '2019'"
    ).to_pylist() == [{"collision_index": "2019200000009"}]
    one = measure_series(store, "road-casualties-ksi", "E01009001")
    two = measure_series(store, "road-casualties-ksi", "E01009002")
    by_month = {(p.area_code, p.period): p.numerator for p in one + two}
    # Serious driver in January at E01009001; the fatal pedestrian in February
    # at E01009002; the slight casualties are not KSI.
    assert by_month[("E01009001", "2023-01")] == 1
    assert by_month[("E01009001", "2023-02")] == 0
    assert by_month[("E01009002", "2023-02")] == 1


def test_ksi_needs_both_files(store):
    run_load(store, get_source("stats19-casualties"), [STATS19])
    with pytest.raises(Refused, match="needs the road_collisions table"):
        measure_series(store, "road-casualties-ksi", "E01009001")


def test_areas_are_ranked_on_a_proportion_with_intervals(store, tmp_path):
    from saferplaces.analytics.measures.areas import compare_areas

    lookup = tmp_path / "lookup.csv"
    lookup.write_text(
        "LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM\n"
        "E01009001,One,E05000001,North ward,E08000025,City\n"
        "E01009002,Two,E05000002,South ward,E08000025,City\n"
    )
    run_load(store, get_source("geography"), [lookup])
    load_survey(store)
    ranked = compare_areas(
        store, "perceptions-of-safety", "ward", "E08000025", "2024/25"
    )
    # More feeling safe ranks first (the measure's polarity is "up").
    assert [(r.rank, r.area_code, r.value) for r in ranked] == [
        (1, "E05000001", pytest.approx(75.0)),
        (2, "E05000002", 0.0),
    ]
    assert ranked[0].lower == pytest.approx(23.8501877, abs=1e-6)


def test_repeat_victimisation_of_domestic_abuse_victims(store, tmp_path):
    header = (
        "crime_reference,recorded_date,force,offence_code,ho_group,ho_subgroup,"
        "lsoa_code,location,domestic_abuse,hate_crime,hate_strands,"
        "victim_age_band,victim_sex,victim_ethnicity,victim_id\n"
    )
    violence = (
        "West Midlands Police,8N,Violence against the person,Violence with injury"
    )
    rows = [
        ("2024-01-10", "Y", "victim-0001"),  # first: not a repeat
        ("2024-06-01", "Y", "victim-0001"),  # within 365 days: a repeat
        ("2025-07-01", "Y", "victim-0001"),  # 395 days after the last: not
        ("2024-03-01", "Y", "victim-0002"),
        ("2024-03-02", "N", "victim-0002"),  # not domestic: not counted
    ]
    extract = tmp_path / "local-crimes.csv"
    extract.write_text(
        header
        + "".join(
            f"R/{n},{date},{violence},E01009001,Street,{flag},N,,25-34,female,"
            f"White,{victim}\n"
            for n, (date, flag, victim) in enumerate(rows)
        )
    )
    assert run_load(store, get_source("local-crimes"), [extract]).rejected == 0
    points = measure_series(
        store, "domestic-abuse-repeat-victimisation", "E01009001", by="year"
    )
    assert [(p.period, p.numerator, p.denominator) for p in points] == [
        ("2023/24", 0.0, 2.0),
        ("2024/25", 1.0, 1.0),
        ("2025/26", 0.0, 1.0),
    ]
