"""Measures: definitions, periods, rates, intervals and the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from saferplaces.analytics.measures import REGISTRY, measure_series
from saferplaces.analytics.measures.docs import measures_markdown
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.codes import financial_quarter, financial_year
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import FEBRUARY, GEOGRAPHY, JANUARY, SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
SHARED = SHARED_DATA / "police-uk"


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("police-uk-street"), [JANUARY, FEBRUARY])
    return store


@pytest.mark.parametrize("measure", sorted(REGISTRY))
def test_every_measure_is_defined_and_documented(measure):
    item = REGISTRY[measure]
    assert len(item.definition) > 40
    assert item.polarity in ("up", "down", "neither")
    assert f"(`{measure}`)" in (ROOT / "docs" / "measures.md").read_text()


def test_the_documentation_is_what_the_registry_generates():
    assert (ROOT / "docs" / "measures.md").read_text() == measures_markdown(), (
        "run: saferplaces measure docs"
    )


@pytest.mark.parametrize(
    ("month", "year", "quarter"),
    [
        ("2024-03", "2023/24", "2023/24 Q4"),
        ("2024-04", "2024/25", "2024/25 Q1"),
        ("2024-09", "2024/25", "2024/25 Q2"),
        ("2024-12", "2024/25", "2024/25 Q3"),
        ("2025-01", "2024/25", "2024/25 Q4"),
        ("1999-12", "1999/00", "1999/00 Q3"),
    ],
)
def test_financial_years_run_april_to_march(month, year, quarter):
    assert (financial_year(month), financial_quarter(month)) == (year, quarter)


def test_recorded_crime_leaves_anti_social_behaviour_out(store):
    # January: 4 accepted rows, one ASB; February: 3 rows, one ASB.
    points = measure_series(store, "total-recorded-crime", "E01009002")
    assert [(p.period, p.numerator) for p in points] == [("2024-01", 1), ("2024-02", 2)]
    asb = measure_series(store, "anti-social-behaviour", "E01009001")
    assert [p.numerator for p in asb] == [1, 1]


def test_counts_carry_exact_poisson_intervals(store):
    [jan, _] = measure_series(store, "total-recorded-crime", "E01009002")
    # Garwood interval for a count of 1: 0.0253 to 5.5716.
    assert (jan.lower, jan.upper) == (
        pytest.approx(0.0253, abs=1e-4),
        pytest.approx(5.5716, abs=1e-4),
    )
    assert not jan.suppressed  # partners see every count


def test_a_partnership_area_adds_up_its_lsoas(tmp_path):
    store = Store(tmp_path / "store")
    run_load(
        store,
        get_source("geography"),
        [
            GEOGRAPHY / "lookup-lsoa11-wd19-lad19.csv",
            GEOGRAPHY / "partnership-areas.yaml",
        ],
    )
    rows = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
        "LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
        + "".join(
            f"{n:064x},2024-05,WMP,WMP,-1.9,52.4,Road,{lsoa},X,Burglary,,\n"
            for n, lsoa in enumerate(
                ["E01900001", "E01900002", "E01900003", "E01999999"]
            )
        )
    )
    path = tmp_path / "2024-05-wmp-street.csv"
    path.write_text(rows)
    run_load(store, get_source("police-uk-street"), [path])
    # The policing unit holds the north district, which holds both wards:
    # three of the four LSOAs.
    [point] = measure_series(store, "total-recorded-crime", "ANY-LPU")
    assert point.numerator == 3


def test_rates_divide_by_the_population_of_that_year(store, tmp_path):
    population = tmp_path / "population.csv"
    population.write_text(
        "area_code,year,age_band,sex,population\nE01009002,2024,all,all,2000\n"
    )
    run_load(store, get_source("population"), [population])
    points = measure_series(store, "total-recorded-crime-rate", "E01009002")
    assert [p.value for p in points] == [pytest.approx(0.5), pytest.approx(1.0)]
    assert points[0].denominator == 2000


def test_unknown_measure_area_and_group_are_clear_errors(store):
    with pytest.raises(KeyError, match="unknown measure 'nope'"):
        measure_series(store, "nope", "E01009002")
    with pytest.raises(Refused, match="no LSOAs are known for area 'E05999999'"):
        measure_series(store, "total-recorded-crime", "E05999999")
    with pytest.raises(Refused, match="cannot be broken down by 'victim_sex'"):
        measure_series(store, "total-recorded-crime", "E01009002", group="victim_sex")


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/data/police-uk")
def test_recorded_crime_equals_a_count_of_the_raw_csv_rows(tmp_path):
    store = Store(tmp_path / "store")
    run_load(store, get_source("police-uk-street"), [SHARED])
    expected: dict[tuple[str, str], int] = {}
    for path in SHARED.rglob("*-street.csv"):
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                if row["Crime type"] != "Anti-social behaviour" and row["LSOA code"]:
                    key = (row["LSOA code"], row["Month"])
                    expected[key] = expected.get(key, 0) + 1
    lsoa = max(
        {k[0] for k in expected},
        key=lambda c: sum(v for k, v in expected.items() if k[0] == c),
    )
    points = measure_series(store, "total-recorded-crime", lsoa)
    assert {p.period: p.numerator for p in points} == {
        month: count for (code, month), count in expected.items() if code == lsoa
    }


def test_cli_shows_a_series_as_csv(store, monkeypatch, tmp_path):
    from django.conf import settings

    from saferplaces.cli import main

    monkeypatch.setattr(settings, "DATA_DIR", store.root.parent)
    result = CliRunner().invoke(
        main,
        [
            "measure",
            "show",
            "total-recorded-crime",
            "--area",
            "E01009002",
            "--format",
            "csv",
            "--public",
        ],
    )
    assert result.exit_code == 0, result.output
    # What the figures cannot count goes to stderr: the CSV stays parseable.
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:4] == ["measure", "area_code", "area_name", "period"]
    # police.uk street crime is open data: published exactly, as the source.
    assert rows[0]["value"] == "1"
    assert rows[0]["treatment"] == "open"


def test_cli_unknown_measure_exits_non_zero(store, monkeypatch):
    from django.conf import settings

    from saferplaces.cli import main

    monkeypatch.setattr(settings, "DATA_DIR", store.root.parent)
    result = CliRunner().invoke(
        main, ["measure", "show", "nope", "--area", "E01009002"]
    )
    assert result.exit_code == 1
    assert "There is no measure called 'nope'." in result.output


def test_the_spc_chart_shows_limits_icons_and_trial_warning(store, monkeypatch):
    from django.conf import settings

    from saferplaces.cli import main

    monkeypatch.setattr(settings, "DATA_DIR", store.root.parent)
    args = ["measure", "spc", "total-recorded-crime", "--area", "E01009002"]
    result = CliRunner().invoke(main, [*args, "--target", "10"])
    assert result.exit_code == 0, result.output
    assert "Variation: common cause: no special cause seen" in result.output
    # Two months, both under the target of 10 with a falling polarity.
    assert "Assurance: " in result.output
    assert "trial limits until there are 12" in result.output
    # As NHSRplotthedots: a rebase period not in the data does nothing.
    rebased = CliRunner().invoke(main, [*args, "--rebase-at", "2030-01"])
    assert rebased.exit_code == 0
    assert "Warning: rebase at 2030-01 ignored: no such period" in rebased.output


def test_every_measure_published_with_noise_reads_records_that_carry_keys():
    """Perturbation needs record keys: a perturbed or survey measure must
    read a table whose source gives its records keys; open data needs none."""
    from saferplaces.ingest.sources import all_sources

    keyed = {s.table for s in all_sources() if s.record_id is not None}
    for measure in REGISTRY.values():
        if measure.publication.method != "open":
            assert {measure.table, *measure.also_needs} <= keyed, measure.id
