"""The publication lattice (docs/decisions/0007): the public sees whole
months, financial quarters and financial years, each its own perturbed
cell with the store's secret layout; nothing else."""

from __future__ import annotations

import numpy as np
import pytest

from saferplaces.analytics import results
from saferplaces.analytics.measures.areas import compare_areas
from saferplaces.analytics.perturbation import default_ptable
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from saferplaces.vocabulary import ETHNICITIES
from tests.analytics.sparse_crimes import (
    LSOAS,
    load_domestic_abuse,
    load_reoffending,
    with_secret,
)

MEASURE = "domestic-violence"
LSOA = "E01900001"
BUSY = "E01900003"
WARD = "E05900001"


@pytest.fixture(scope="module")
def sparse(tmp_path_factory) -> Store:
    folder = tmp_path_factory.mktemp("lattice")
    store = with_secret(Store(folder / "store"), "lattice-test-secret")
    # Two sparse LSOAs (most months withheld) and a busier one.
    load_domestic_abuse(
        store, folder / "files", mean={**dict.fromkeys(LSOAS, 4.0), BUSY: 20.0}
    )
    return store


def public(store: Store, **asked) -> list[results.Row]:
    area = asked.pop("area", LSOA)
    return results.series(store, MEASURE, area, audience="public", **asked).rows


def test_a_window_that_cuts_a_period_is_refused_to_the_public(sparse):
    # Today's fault: every run of months was a cell with noise of its own.
    with pytest.raises(results.RefusedQuestion) as refused:
        public(sparse, by="year", first="2021-05", last="2022-03")
    assert "financial year" in str(refused.value)
    assert "2021-04 to 2022-03" in str(refused.value)
    assert refused.value.allowed  # what one may ask instead
    with pytest.raises(results.RefusedQuestion):
        public(sparse, by="quarter", first="2021-04", last="2021-05")
    # Whole periods may be asked for, and give the same cells as the whole
    # series; partners may ask for any window.
    [year] = public(sparse, by="year", first="2021-04", last="2022-03")
    assert year == public(sparse, by="year")[0]
    assert results.series(
        sparse, MEASURE, LSOA, by="year", first="2021-05", last="2022-03"
    ).rows


def test_a_period_the_data_covers_in_part_is_withheld_from_the_public(tmp_path):
    store = with_secret(Store(tmp_path / "store"), "partial-test-secret")
    load_domestic_abuse(store, tmp_path / "files", first="2021-04", last="2021-08",
                        mean=30.0)  # fmt: skip
    [year] = public(store, by="year")
    assert year.withheld
    assert year.partial
    assert "whole" in year.words
    first, second = public(store, by="quarter")
    assert not first.withheld
    assert second.withheld
    # Partners see the months there are.
    [exact] = results.series(store, MEASURE, LSOA, by="year").rows
    assert exact.numerator
    assert exact.months == 5


def test_a_public_rolling_year_is_the_sum_of_its_four_published_quarters(sparse):
    quarters = public(sparse, by="quarter", area="E01900002")
    rolling = public(sparse, by="rolling12", area="E01900002")
    notes = results.series(
        sparse, MEASURE, "E01900002", by="rolling12", audience="public"
    ).notes
    assert results.ROLLING_FROM_QUARTERS in notes
    # Rolling years end with a quarter: 2022-03, 2022-06, ..., 2023-03.
    assert [row.period for row in rolling] == [
        "2022-03", "2022-06", "2022-09", "2022-12", "2023-03",
    ]  # fmt: skip
    for index, row in enumerate(rolling):
        four = quarters[index : index + 4]
        if any(quarter.withheld for quarter in four):
            assert row.withheld
        else:
            assert row.numerator == sum(q.numerator or 0 for q in four)
        assert row.signal is None


def test_the_perturbation_layout_is_the_stores_own_secret(sparse):
    # Today's fault: the layout's seed was in the code, so knowing the
    # method and the cell keys gave every cell's noise.
    cells = sparse.query(
        "SELECT month, count(*) AS n, sum(record_key) AS keys FROM local_crimes "
        "WHERE lsoa_code = ? AND domestic_abuse GROUP BY month ORDER BY month",
        [BUSY],
    ).to_pydict()
    documented = default_ptable()
    with_public_layout = documented.perturb(
        cells["n"], documented.cell_keys(cells["keys"])
    )
    own = results.Rules().ptable_for(sparse)
    with_own_layout = own.perturb(cells["n"], own.cell_keys(cells["keys"]))
    published = [
        np.nan if row.withheld else row.numerator for row in public(sparse, area=BUSY)
    ]
    np.testing.assert_array_equal(published, with_own_layout)
    assert not np.array_equal(published, with_public_layout, equal_nan=True)
    # Each row keeps its noise distribution; another secret, another layout.
    assert (np.sort(own.noise) == np.sort(documented.noise)).all()
    assert (own.noise != documented.with_secret_layout("another").noise).any()


def test_a_public_breakdown_lists_every_category_zero_or_not(sparse):
    # Today's fault: only groups with records were listed, so a missing
    # group read as an exact zero and a listed one as "at least one".
    rows = results.series(
        sparse, MEASURE, LSOA, by="year", group="victim_ethnicity",
        audience="public",
    ).rows  # fmt: skip
    for year in {row.period for row in rows}:
        groups = [row.group for row in rows if row.period == year]
        assert groups == [*ETHNICITIES, None]
        empty = [row for row in rows if row.period == year and row.group == "Black"]
        assert empty[0].withheld  # never shown as 0
    # Partners see the groups there are.
    exact = results.series(
        sparse, MEASURE, LSOA, by="year", group="victim_ethnicity"
    ).rows
    assert {row.group for row in exact} == {"White", "Asian"}


def test_a_published_ratio_does_not_give_away_its_total(tmp_path):
    # Today's fault: re-offences per offender divided the TRUE total by the
    # perturbed offenders, so the total was the one whole number that fits.
    store = with_secret(Store(tmp_path / "store"), "ratio-test-secret")
    truth = load_reoffending(store, tmp_path / "files")
    rows = results.series(
        store, "reoffences-per-offender", "E01900001", audience="public"
    ).rows
    published = [row for row in rows if not row.withheld]
    assert len(published) == len(truth)
    recovered = 0
    for row in published:
        _offenders, total = truth[row.period]
        assert row.numerator is not None
        assert row.denominator is not None
        assert row.value == round(row.numerator / row.denominator, 2)
        fits = [t for t in range(0, 200) if round(t / row.denominator, 2) == row.value]
        recovered += fits == [total]
    # With the total perturbed, about half the cells carry no noise: the
    # attacker cannot tell which (the fault gave all 12).
    assert recovered <= 8, f"{recovered} of {len(published)} totals recovered"


def test_the_cli_says_in_words_what_the_public_may_ask(sparse, monkeypatch):
    from click.testing import CliRunner
    from django.conf import settings

    from saferplaces.cli import main

    monkeypatch.setattr(settings, "DATA_DIR", sparse.root.parent)
    asked = ["measure", "show", MEASURE, "--area", LSOA, "--by", "quarter",
             "--from", "2021-05", "--public"]  # fmt: skip
    refused = CliRunner().invoke(main, asked)
    assert refused.exit_code == 1
    assert "2021-04 to 2021-06" in refused.output
    assert "You may ask for:" in refused.output
    assert "by year: from an April to a March" in refused.output
    assert "Traceback" not in refused.output


def test_a_ranking_withholds_a_period_not_yet_whole_from_the_public(tmp_path):
    store = with_secret(Store(tmp_path / "store"), "ranking-test-secret")
    load_domestic_abuse(store, tmp_path / "files", first="2021-04", last="2021-08",
                        mean=30.0)  # fmt: skip
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(
        "LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM\n"
        + "".join(
            f"{code},Anytown {code[-3:]},E05900001,Oak,E08900001,Anytown\n"
            for code in LSOAS
        )
    )
    run_load(store, get_source("geography"), [lookup])
    ptable = results.Rules().ptable_for(store)
    whole = compare_areas(store, MEASURE, "lsoa", WARD, "2021/22 Q1", by="quarter",
                          publishing=ptable)  # fmt: skip
    assert not whole[0].suppressed
    partial = compare_areas(store, MEASURE, "lsoa", WARD, "2021/22 Q2", by="quarter",
                            publishing=ptable)  # fmt: skip
    assert partial[0].suppressed
    assert partial[0].partial
