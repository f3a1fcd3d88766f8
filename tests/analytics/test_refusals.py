"""Only a refused question becomes a message: the engine raises ``Refused``
on purpose, the results path turns that (and nothing else) into the sentence
people see, and any other exception is a bug that propagates."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics import cards, results
from saferplaces.analytics.measures import measure_series
from saferplaces.analytics.measures import series as series_engine
from saferplaces.analytics.measures.areas import compare_areas
from saferplaces.analytics.measures.lattice import OffLattice
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import FEBRUARY, JANUARY, store_copied_from

AREA = "E01009002"  # an LSOA of the street crime fixtures


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Two months of street crime, loaded once for the module; each test
    has a copy."""
    store = Store(tmp_path_factory.mktemp("refusals") / "store")
    run_load(store, get_source("police-uk-street"), [JANUARY, FEBRUARY])
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def plant(monkeypatch, error: Exception) -> None:
    """A bug in the series engine: counting the months raises ``error``."""

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(series_engine, "_monthly_counts", broken)


def test_the_engine_refuses_with_refused(store):
    with pytest.raises(Refused, match="no LSOAs are known for area 'E05999999'"):
        measure_series(store, "total-recorded-crime", "E05999999")
    assert issubclass(OffLattice, Refused)
    assert issubclass(results.ResultError, Refused)


def test_a_refusal_reaches_people_as_a_sentence(store):
    with pytest.raises(results.ResultError) as refused:
        results.series(store, "total-recorded-crime", "E05999999")
    assert str(refused.value) == "No LSOAs are known for area 'E05999999'."


@pytest.mark.parametrize("error", [KeyError("planted"), ValueError("planted")])
def test_a_bug_in_the_series_engine_propagates(store, monkeypatch, error):
    plant(monkeypatch, error)
    with pytest.raises(type(error), match="planted"):
        results.series(store, "total-recorded-crime", AREA)
    with pytest.raises(type(error), match="planted"):
        results.chart(store, "total-recorded-crime", AREA)


@pytest.mark.parametrize("error", [KeyError("planted"), ValueError("planted")])
def test_a_bug_under_an_overview_card_propagates(store, monkeypatch, error):
    plant(monkeypatch, error)
    with pytest.raises(type(error), match="planted"):
        cards.card(store, "total-recorded-crime", AREA)


def test_a_card_says_why_the_engine_refused(store):
    card = cards.card(store, "total-recorded-crime", "E05999999")
    assert card.problem == "no LSOAs are known for area 'E05999999'"


def test_a_comparison_of_a_measure_not_loaded_is_refused_in_words(tmp_path):
    """The API's fuzz compared cases-opened in a store without its table:
    DuckDB's catalog error reached the person as a server error."""
    store = Store(tmp_path / "store")
    with pytest.raises(Refused, match="cases-opened needs the cases_opened table"):
        compare_areas(store, "cases-opened", "district", "SYN-D01", "2014/15")


def test_a_rolling_year_with_fewer_than_twelve_months_says_so(store):
    """`measure show --by rolling12` on two months printed nothing, not even
    a header, and exited 0 (issue 29, finding 5)."""
    with pytest.raises(Refused, match=r"needs 12 months.*has 2 \(2024-01 to 2024-02\)"):
        measure_series(store, "total-recorded-crime", AREA, by="rolling12")


def test_the_command_line_says_a_rolling_year_needs_twelve_months(
    store, tmp_path, settings
):
    from click.testing import CliRunner

    from saferplaces.cli import main

    settings.DATA_DIR = tmp_path  # where the store fixture loaded
    command = ["measure", "show", "total-recorded-crime", "--area", AREA]
    result = CliRunner().invoke(main, [*command, "--by", "rolling12"])
    assert result.exit_code != 0
    assert "needs 12 months" in result.output
