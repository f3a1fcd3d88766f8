"""The one results path: partners and the public, rules from the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics import results
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import EXTRACT, FEBRUARY, JANUARY, store_copied_from


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Two months of street crime and the local extract, loaded once for
    the module; each test has a copy."""
    store = Store(tmp_path_factory.mktemp("results") / "store")
    run_load(store, get_source("police-uk-street"), [JANUARY, FEBRUARY])
    run_load(store, get_source("local-crimes"), [EXTRACT])
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def test_a_year_with_two_months_of_data_is_marked_partial(store):
    [year] = results.series(store, "total-recorded-crime", "E01009002", by="year").rows
    assert (year.period, year.partial, year.months) == ("2023/24", True, 2)
    assert "partial: 2 of 12 months" in year.words
    answer = results.series(store, "total-recorded-crime", "E01009002", by="year")
    assert any("Partial periods" in note for note in answer.notes)
    [month] = results.series(store, "total-recorded-crime", "E01009002").rows[:1]
    assert not month.partial


def test_asking_for_one_month_alone_gives_the_same_published_figure(store):
    everything = results.series(
        store, "recorded-crime-local", "E01900001", audience="public"
    ).rows
    for row in everything:
        [alone] = results.series(
            store, "recorded-crime-local", "E01900001", first=row.period,
            last=row.period, audience="public",
        ).rows  # fmt: skip
        assert (alone.numerator, alone.withheld) == (row.numerator, row.withheld)


def test_what_the_registry_does_not_publish_is_refused_to_the_public(
    store, monkeypatch
):
    import dataclasses

    from saferplaces.analytics.measures import REGISTRY
    from saferplaces.analytics.measures.registry import Publication

    narrow = dataclasses.replace(
        REGISTRY["recorded-crime-local"],
        publication=Publication("perturbed", levels=("ward",), groups=()),
    )
    monkeypatch.setitem(REGISTRY, "recorded-crime-local", narrow)
    with pytest.raises(results.ResultError, match="not published for areas of level"):
        results.series(store, "recorded-crime-local", "E01900001", audience="public")
    with pytest.raises(results.ResultError, match="is not published by victim sex"):
        results.breakdown(
            store, "recorded-crime-local", "E05900001", "victim_sex",
            audience="public",
        )  # fmt: skip
    # Partners may ask for anything.
    assert results.series(store, "recorded-crime-local", "E01900001").rows


def test_errors_are_sentences_fit_to_show(store):
    with pytest.raises(results.ResultError) as error:
        results.series(store, "total-recorded-crime", "E05999999")
    assert str(error.value) == "No LSOAs are known for area 'E05999999'."
    with pytest.raises(results.ResultError, match="cannot be broken down by 'x'"):
        results.series(store, "total-recorded-crime", "E01009002", group="x")


def test_a_table_loaded_before_record_keys_is_not_published(store, monkeypatch):
    monkeypatch.setattr(Store, "unkeyed_rows", lambda self, table, as_of=None: 3)
    with pytest.raises(results.ResultError, match="Load its files again"):
        results.series(store, "recorded-crime-local", "E01900001", audience="public")
    # Open data needs no keys, and partners see everything.
    assert results.series(store, "total-recorded-crime", "E01009002", audience="public")
    assert results.series(store, "recorded-crime-local", "E01900001").rows


def test_the_public_sees_forces_regions_and_the_nation(store, tmp_path):
    """A national view's larger areas are published like a city's."""
    from saferplaces.analytics.measures.registry import DISTRICT_AND_LARGER

    lookup = tmp_path / "lookup.csv"
    lookup.write_text(
        "LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM,RGN22CD,RGN22NM\n"
        "E01900001,Anytown 001A,E05900001,Oak Ward,E08900001,Anytown,"
        "E12000005,West Midlands\n"
    )
    areas = tmp_path / "areas.yaml"
    areas.write_text(
        "areas:\n"
        "  - {code: SYN-F01, name: A force, level: force, contains: [E08900001]}\n"
        "  - {code: SYN-EW, name: The nation, level: nation, contains: [SYN-F01]}\n"
    )
    run_load(store, get_source("geography"), [lookup, areas])
    for code in ("SYN-F01", "E12000005", "SYN-EW"):
        rows = results.series(
            store, "recorded-crime-local", code, audience="public"
        ).rows
        assert rows, code
        assert {row.treatment for row in rows} == {"perturbed"}
    # Cases are published for districts and larger: a force, not an MSOA.
    assert {"force", "region", "nation"} <= set(DISTRICT_AND_LARGER)
    assert "msoa" not in DISTRICT_AND_LARGER


def test_a_row_as_a_dict_holds_every_field_of_its_kind(store):
    # as_dict became a shallow copy (the API's cost): the same as asdict.
    import dataclasses

    [row] = results.series(store, "total-recorded-crime", "E01009002", by="year").rows
    assert row.as_dict() == dataclasses.asdict(row)
    row = results.ComparisonRow(**row.as_dict(), rank=2, statement="below")
    assert row.as_dict() == dataclasses.asdict(row)
    assert list(row.as_dict())[-2:] == ["in_line_with_parent", "statement"]
