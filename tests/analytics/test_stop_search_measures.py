"""Stop and search at force level: volumes, outcomes and disproportionality
by ethnic group against the residents of the force's area."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from scipy.stats import binomtest
from statsmodels.stats import rates as poisson_rates
from statsmodels.stats.proportion import proportion_confint

from saferplaces.analytics import results
from saferplaces.analytics.measures.areas import compare_areas
from saferplaces.analytics.measures.deprivation import by_decile
from saferplaces.analytics.measures.registry import REGISTRY
from saferplaces.analytics.measures.series import measure_series
from saferplaces.analytics.measures.stop_search import (
    ethnic_group,
    search_disproportionality,
)
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.cli import main
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.police_uk import STOP_SEARCH_COLUMNS
from saferplaces.ingest.sources import get_source
from tests.support import TS021, store_copied_from, write_csv

# The TS021 fixture's first LSOA: 300 Asian, 100 Black, 50 Mixed, 500 White
# and 50 Other residents.
RESIDENTS = "E01900001"
# Interval limits agree with scipy's and statsmodels' to this relative tolerance.
RTOL = 1e-6
WHITE = "White - English/Welsh/Scottish/Northern Irish/British"
BLACK = "Black/African/Caribbean/Black British - Caribbean"
ASIAN = "Asian/Asian British - Indian"
OTHER = "Other ethnic group - Any other ethnic group"
NOT_STATED = "Other ethnic group - Not stated"


def search(
    day: str, self_defined: str, officer: str, outcome: str, found="Controlled drugs"
) -> str:
    return (
        f"Person search,{day}T10:00:00+00:00,,,51.51,-0.09,Male,18-24,"
        f"{self_defined},{officer},Misuse of Drugs Act 1971 (section 23),"
        f"{found},{outcome},,"
    )


def write_searches(folder, name: str, rows: list[str]):
    return write_csv(
        folder / name, ",".join(STOP_SEARCH_COLUMNS) + "\n" + "\n".join(rows) + "\n"
    )


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """City of London, 2020-01: White 10 (one by the officer's view: not
    stated), Black 8, Asian 3, Mixed 0, Other 1, unknown 2; four arrests.
    Derbyshire has 2020-02 only. Loaded once for the module; each test has
    a copy."""
    rows = (
        [search("2020-01-02", WHITE, "White", "Arrest")] * 2
        + [search("2020-01-03", WHITE, "White", "A no further action disposal")] * 7
        + [search("2020-01-04", NOT_STATED, "White", "Community resolution")]
        + [search("2020-01-05", BLACK, "White", "Arrest")] * 2
        + [search("2020-01-06", BLACK, "Black", "A no further action disposal")] * 6
        + [search("2020-01-07", ASIAN, "Asian", "", "Offensive weapons")] * 3
        + [search("2020-01-08", OTHER, "Other", "A no further action disposal")]
        + [search("2020-01-09", "", "", "A no further action disposal")] * 2
    )
    files = tmp_path_factory.mktemp("searches")
    store = Store(files.parent / f"{files.name}-store")
    write_searches(files, "2020-01-city-of-london-stop-and-search.csv", rows)
    write_searches(
        files,
        "2020-02-derbyshire-stop-and-search.csv",
        [search("2020-02-01", WHITE, "White", "Arrest")],
    )
    run_load(store, get_source("police-uk-stop-search"), [files])
    run_load(store, get_source("population"), [TS021])
    return store.root


@pytest.mark.parametrize(
    ("self_defined", "officer", "group"),
    [
        (WHITE, "Black", "White"),
        ("White - Roma", None, "White"),
        (BLACK, "White", "Black"),
        (ASIAN, None, "Asian"),
        ("Asian/Asian British - Chinese", None, "Asian"),
        ("Mixed/Multiple ethnic groups - White and Black African", None, "Mixed"),
        ("Other ethnic group - Arab", None, "Other"),
        (NOT_STATED, "Asian", "Asian"),
        (None, "Mixed", "Mixed"),
        (None, None, "Unknown"),
        (NOT_STATED, None, "Unknown"),
    ],
)
def test_self_defined_ethnicity_else_officer_defined(self_defined, officer, group):
    assert ethnic_group(self_defined, officer) == group


def test_sql_groups_every_row_as_the_documented_rule_does(store):
    table = store.query(
        "SELECT self_defined_ethnicity, officer_defined_ethnicity FROM stop_search"
    ).to_pylist()
    grouped = store.query(
        f"SELECT ethnic_group FROM {REGISTRY['stop-searches'].from_sql}"
    ).column("ethnic_group")
    assert sorted(grouped.to_pylist()) == sorted(
        ethnic_group(r["self_defined_ethnicity"], r["officer_defined_ethnicity"])
        for r in table
    )


def test_volume_is_counted_for_the_whole_force(store):
    [january] = measure_series(store, "stop-searches", "city-of-london")
    assert (january.period, january.numerator) == ("2020-01", 24)


def test_another_forces_month_is_no_data_not_zero(store):
    [february] = measure_series(store, "stop-searches", "derbyshire")
    assert february.period == "2020-02"


def test_volume_by_object_of_search(store):
    by_object = {
        p.group: p.numerator
        for p in measure_series(
            store, "stop-searches", "city-of-london", group="object_of_search"
        )
    }
    assert by_object == {"Controlled drugs": 21, "Offensive weapons": 3}


def test_a_ward_is_refused_naming_the_forces_loaded(store):
    with pytest.raises(Refused, match="city-of-london, derbyshire"):
        measure_series(store, "stop-searches", "E05011119")


def test_share_leading_to_arrest_leaves_out_searches_with_no_outcome(store):
    [point] = measure_series(store, "stop-search-arrest", "city-of-london")
    # Four arrests of 21 searches with an outcome (3 have none).
    assert (point.numerator, point.denominator) == (4, 21)
    low, high = proportion_confint(4, 21, method="wilson")
    assert point.lower == pytest.approx(100 * low, rel=RTOL)
    assert point.upper == pytest.approx(100 * high, rel=RTOL)
    [further] = measure_series(store, "stop-search-further-action", "city-of-london")
    # Arrests and the community resolution.
    assert (further.numerator, further.denominator) == (5, 21)


def test_stop_search_is_published_exactly_for_forces():
    for measure_id in ("stop-searches", "stop-search-arrest"):
        publication = REGISTRY[measure_id].publication
        assert publication.method == "open"
        assert REGISTRY[measure_id].counted_at == "force"


def test_rates_per_1000_residents_against_the_white_groups(store):
    answer = search_disproportionality(
        store, "city-of-london", "2020-01", residents_area=RESIDENTS
    )
    rates = {rate.group: rate for rate in answer.rates}
    # White: 10 / 500 residents = 20 per 1,000; Black 8 / 100 = 80.
    assert rates["White"].per_1000 == pytest.approx(20.0)
    assert rates["White"].against_white is None
    assert rates["Black"].per_1000 == pytest.approx(80.0)
    assert rates["Black"].against_white.ratio == pytest.approx(4.0)
    assert rates["Asian"].against_white.ratio == pytest.approx(0.5)  # 10 / 20
    assert rates["Other"].against_white.ratio == pytest.approx(1.0)  # 20 / 20
    assert rates["Mixed"].searches == 0
    assert rates["Mixed"].against_white.lower == 0.0
    assert answer.unknown == 2
    assert answer.population_year == 2021


def test_ratio_interval_is_the_exact_conditional_one(store):
    answer = search_disproportionality(
        store, "city-of-london", "2020-01", residents_area=RESIDENTS
    )
    black = next(r for r in answer.rates if r.group == "Black").against_white
    # Given 18 searches of Black or White people, the Black share is binomial;
    # scipy's Clopper-Pearson limits, as odds, times 500 / 100 residents.
    ci = binomtest(8, 18).proportion_ci(confidence_level=0.95, method="exact")
    assert black.lower == pytest.approx(ci.low / (1 - ci.low) * 5, rel=RTOL)
    assert black.upper == pytest.approx(ci.high / (1 - ci.high) * 5, rel=RTOL)
    # statsmodels' exact conditional test puts each limit at p = 0.025.
    for limit, side in ((black.lower, "larger"), (black.upper, "smaller")):
        test = poisson_rates.test_poisson_2indep(
            8, 100, 10, 500, value=limit, method="exact-cond", alternative=side
        )
        assert test.pvalue == pytest.approx(0.025, rel=1e-4)
    assert not math.isinf(black.upper)


def test_no_residents_loaded_is_said_in_words_never_divided_by(tmp_path):
    store = Store(tmp_path / "store")
    write_searches(
        tmp_path,
        "2020-01-city-of-london-stop-and-search.csv",
        [search("2020-01-02", WHITE, "White", "Arrest")],
    )
    run_load(store, get_source("police-uk-stop-search"), [tmp_path])
    with pytest.raises(Refused, match="residents of city-of-london's area"):
        search_disproportionality(store, "city-of-london", "2020-01")


def test_the_api_path_gives_force_series_to_the_public(store):
    answer = results.series(store, "stop-searches", "city-of-london", audience="public")
    assert [row.numerator for row in answer.rows] == [24]
    assert answer.rows[0].treatment == "open"


def test_areas_are_not_ranked_on_a_force_level_measure(store):
    with pytest.raises(Refused, match="counted for a whole police force only"):
        compare_areas(store, "stop-searches", "ward", "city-of-london", "2019/20")


def test_the_cli_gives_the_rates_and_says_what_it_leaves_out(store, settings):
    settings.DATA_DIR = store.root.parent
    result = CliRunner().invoke(
        main,
        ["measure", "search-rates", "city-of-london", "--period", "2020-01",
         f"--residents-area={RESIDENTS}", "--format=csv"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    black = next(row for row in rows if row["group"] == "Black")
    assert (black["searches"], float(black["ratio"])) == ("8", 4.0)


def test_the_cli_says_when_no_residents_are_loaded(store, settings):
    settings.DATA_DIR = store.root.parent
    result = CliRunner().invoke(
        main, ["measure", "search-rates", "city-of-london", "--period", "2020-01"]
    )
    assert result.exit_code == 1
    assert "no rate is given without residents" in result.output
    assert "Traceback" not in result.output


def test_every_force_level_measure_is_open_data():
    # A force's counts are never perturbed (force_level keeps no record
    # keys), so only open data may be counted at force level.
    force_level = [m for m in REGISTRY.values() if m.counted_at == "force"]
    assert force_level
    assert {m.publication.method for m in force_level} == {"open"}


def test_residents_loaded_for_part_of_the_area_are_said(store, tmp_path):
    # E01900001 has residents by ethnic group, E01900099 none.
    areas = tmp_path / "areas.yaml"
    areas.write_text(
        "areas:\n- code: city-of-london\n  name: City of London Police\n"
        "  level: force\n  contains: [E01900001, E01900099]\n"
    )
    run_load(store, get_source("geography"), [areas])
    answer = search_disproportionality(store, "city-of-london", "2020-01")
    assert "loaded for 1 of its 2 LSOAs only" in answer.note


def test_a_force_level_measure_has_no_imd_decile(store):
    with pytest.raises(Refused, match="counted for a whole police force only"):
        by_decile(store, "stop-searches", "city-of-london")
