"""A count measure by IMD decile, with rates and the gap between the most and
least deprived (issue 29, finding 6: there was no IMD anywhere)."""

from __future__ import annotations

import csv
import doctest
import io
from pathlib import Path

import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.rates import test_poisson_2indep as poisson_2indep

from saferplaces.analytics import results
from saferplaces.analytics.measures import deprivation
from saferplaces.analytics.measures.deprivation import by_decile, rate_ratio
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import (
    ANYTOWN,
    load_crimes,
    load_deprived_anytown,
    store_copied_from,
    write_csv,
)

# The interval's bounds solve the exact conditional test at 2.5% each side.
TAIL_ATOL = 1e-6


@pytest.fixture(scope="module")
def anytown(tmp_path_factory) -> Path:
    """Anytown's store, loaded once for the module; each test has a copy."""
    folder = tmp_path_factory.mktemp("anytown")
    load_deprived_anytown(Store(folder / "store"), folder)
    return folder / "store"


@pytest.fixture
def store(anytown, tmp_path) -> Store:
    return store_copied_from(anytown, tmp_path)


def test_module_examples_run():
    assert doctest.testmod(deprivation).failed == 0


def test_counts_and_rates_by_decile_with_the_unplaced_counted(store):
    found = by_decile(store, "total-recorded-crime-rate", ANYTOWN)
    assert found.period == "2019/20"
    assert found.edition.name == "IMD 2019"
    figures = {f.decile: f for f in found.deciles}
    # 30 crimes among 1,000 residents: 30 per 1,000.
    assert (figures[1].count, figures[1].residents, figures[1].rate) == (30, 1000, 30)
    # 10 among 2,000: 5 per 1,000.
    assert (figures[10].count, figures[10].rate) == (10, 5)
    assert figures[5].lsoas == 0
    # 002A's 5 crimes are in no decile: a row of their own, and a note.
    assert (figures[None].count, figures[None].lsoas) == (5, 1)
    assert any("5 counted in 1 LSOA" in note for note in found.notes)
    assert sum(f.count for f in found.deciles) == 45
    # Poisson(30) exact 95%: 20.24 to 42.83, per 1,000 residents of 1,000.
    assert_allclose([figures[1].lower, figures[1].upper], [20.24, 42.83], atol=0.01)
    # The gap: (30 / 1,000) / (10 / 2,000) = 6.
    assert (found.gap.most, found.gap.least, found.gap.ratio) == (1, 10, 6.0)


@pytest.mark.parametrize(
    ("most", "people_most", "least", "people_least"),
    [(30, 1000.0, 10, 2000.0), (60, 5000.0, 20, 6000.0), (3, 800.0, 1, 900.0)],
)
def test_the_gap_interval_is_where_the_exact_conditional_test_gives_2_5_percent(
    most, people_most, least, people_least
):
    gap = rate_ratio(most, people_most, least, people_least)
    # statsmodels' exact conditional test of "ratio = bound" against the
    # other side: its p-value is 2.5% at each bound of a 95% interval.
    _, low_p = poisson_2indep(
        most, people_most, least, people_least, value=gap.lower,
        method="exact-cond", compare="ratio", alternative="larger",
    )  # fmt: skip
    _, high_p = poisson_2indep(
        most, people_most, least, people_least, value=gap.upper,
        method="exact-cond", compare="ratio", alternative="smaller",
    )  # fmt: skip
    assert_allclose([low_p, high_p], [0.025, 0.025], atol=TAIL_ATOL)


def test_the_gap_is_open_where_the_least_deprived_have_no_events():
    gap = rate_ratio(4, 1000.0, 0, 1000.0)
    assert (gap.ratio, gap.upper) == (None, None)
    assert gap.lower > 0


def test_counts_an_edition_does_not_rank_are_counted_apart_and_said(store, tmp_path):
    # IMD 2025 is on LSOA 2021 codes: it ranks 001A (its code unchanged) but
    # not 001B, which the geography knows by its 2011 code only.
    scores = write_csv(
        tmp_path / "imd2025.csv",
        "LSOA21CD,IMDSCORE\nE01900001,40.0\nE01990002,10.0\n",
    )
    run_load(store, get_source("imd"), [scores])
    load_crimes(
        store, tmp_path, [("2025-04", "E01900001", 7), ("2025-04", "E01900002", 4)]
    )
    found = by_decile(store, "total-recorded-crime", ANYTOWN, period="2025/26")
    assert found.edition.name == "IMD 2025"
    [unplaced] = [f for f in found.deciles if f.decile is None]
    assert (unplaced.count, unplaced.lsoas) == (4, 1)
    assert sum(f.count for f in found.deciles) == 11
    said = " ".join(found.notes)
    assert "4 counted in 1 LSOA that IMD 2025 does not rank" in said
    assert "geography knows only by LSOA 2011 codes" in said
    assert "ranks 2 of the 33,755 LSOAs" in said


def test_an_edition_ranking_none_of_the_area_gives_way_to_one_that_does(
    store, tmp_path
):
    scores = write_csv(tmp_path / "imd2025.csv", "LSOA21CD,IMDSCORE\nE01990001,40.0\n")
    run_load(store, get_source("imd"), [scores])
    load_crimes(store, tmp_path, [("2025-04", "E01900001", 7)])
    found = by_decile(store, "total-recorded-crime", ANYTOWN, period="2025/26")
    assert found.edition.name == "IMD 2019"
    assert "IMD 2025 as loaded ranks none of this area's LSOAs" in found.notes[0]


def test_a_period_before_every_edition_uses_the_earliest_and_says_so(store, tmp_path):
    load_crimes(store, tmp_path, [("2016-10", "E01900001", 3)])
    found = by_decile(store, "total-recorded-crime", ANYTOWN, period="2016/17")
    assert found.edition.name == "IMD 2019"
    assert any("earliest" in note for note in found.notes)
    assert any("partial" in note for note in found.notes)


def test_a_store_without_deprivation_is_told_what_to_load(tmp_path):
    store = Store(tmp_path / "store")
    load_crimes(store, tmp_path, [("2019-04", "E01900001", 3)])
    with pytest.raises(Refused, match="saferplaces ingest imd"):
        by_decile(store, "total-recorded-crime", "E01900001")


def test_the_results_path_gives_a_row_per_decile_and_the_gap(store):
    answer = results.by_deprivation(store, "total-recorded-crime", ANYTOWN)
    rows = {row.group: row for row in answer.rows}
    first = rows["decile 1 (most deprived)"]
    assert (first.numerator, first.denominator, first.value) == (30, 1000, 30)
    assert "crimes per 1,000 residents" in first.words
    assert rows["not placed in a decile"].numerator == 5
    gap = answer.rows[-1]
    assert gap.group == "rate ratio, decile 1 to decile 10"
    assert gap.value == 6.0
    assert "6.00 times the rate of decile 10" in gap.words
    assert any("IMD 2019" in note for note in answer.notes)


def test_the_public_sees_open_data_by_decile_exactly(store):
    answer = results.by_deprivation(
        store, "total-recorded-crime", ANYTOWN, audience="public"
    )
    assert {row.treatment for row in answer.rows} == {"open"}
    assert answer.rows[0].numerator == 30


def test_the_public_is_refused_a_perturbed_measure_by_decile(store):
    with pytest.raises(results.ResultError, match="by IMD decile"):
        results.by_deprivation(
            store, "violence-with-injury", ANYTOWN, audience="public"
        )


def test_the_cli_prints_the_deciles_and_the_gap(store, monkeypatch):
    from click.testing import CliRunner
    from django.conf import settings

    from saferplaces.cli import main

    monkeypatch.setattr(settings, "DATA_DIR", store.root.parent)
    asked = ["measure", "deprivation", "total-recorded-crime", "--area", ANYTOWN]
    shown = CliRunner().invoke(main, [*asked, "--format", "csv"])
    assert shown.exit_code == 0, shown.output
    rows = {r["group"]: r for r in csv.DictReader(io.StringIO(shown.output))}
    first = rows["decile 1 (most deprived)"]
    assert (first["numerator"], first["denominator"], first["value"]) == (
        "30",
        "1000",
        "30",
    )
    assert float(rows["rate ratio, decile 1 to decile 10"]["value"]) == 6.0
    table = CliRunner().invoke(main, asked)
    assert "Note: Deciles of IMD 2019" in table.output
    refused = CliRunner().invoke(
        main, ["measure", "deprivation", "violence-with-injury", "--area", ANYTOWN,
               "--public"],
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "by IMD decile" in refused.output
    assert "Traceback" not in refused.output


def test_a_wards_decile_is_that_of_its_median_resident(store):
    from saferplaces.analytics.measures.deprivation import area_deprivation

    # Oak Ward: 001A (decile 1, 1,000 residents) and 001B (decile 10, 2,000):
    # the 1,500th resident of 3,000 lives in decile 10.
    oak = area_deprivation(store, "E05900001")
    assert (oak.edition, oak.decile, oak.lsoas_by_decile) == (
        "IMD 2019",
        10,
        {1: 1, 10: 1},
    )
    assert "the median of its residents" in oak.words
    assert "1 in decile 1, 1 in decile 10" in oak.words
    lsoa = area_deprivation(store, "E01900001")
    assert lsoa.words.startswith("IMD 2019 decile 1 (decile 1 is the most deprived")
    # Elm Ward's one LSOA is not in the file: no decile, said so.
    elm = area_deprivation(store, "E05900002")
    assert elm.decile is None
    assert "ranks none" in elm.words


def test_a_decile_with_no_events_has_a_rate_of_0_and_its_interval(store):
    # April 2019 in Oak Ward: 30 crimes in decile 1, none in decile 10's
    # 2,000 residents: 0 per 1,000, up to 3.689 / 2 (Poisson upper bound
    # for 0, per 1,000 of 2,000).
    answer = results.by_deprivation(
        store, "total-recorded-crime", "E05900001", period="2019-04"
    )
    least = next(row for row in answer.rows if row.group.startswith("decile 10"))
    assert (least.value, least.lower) == (0.0, 0.0)
    assert_allclose(least.upper, 3.689 / 2, atol=1e-3)
    gap = answer.rows[-1]
    # No events in decile 10: no ratio and no upper bound, said in words.
    assert (gap.value, gap.upper) == (None, None)
    assert "no ratio" in gap.words
