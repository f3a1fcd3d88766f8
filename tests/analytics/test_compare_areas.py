"""Ranking areas inside a parent: best and worst, change, in line or not."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics.measures.areas import compare_areas
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import GEOGRAPHY, store_copied_from

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
)
# (month, LSOA, crimes): Oak Ward is E01900001-2, Elm Ward is E01900003.
CRIMES = [
    ("2023-05", "E01900001", 100),
    ("2023-05", "E01900003", 100),
    ("2024-05", "E01900001", 50),
    ("2024-05", "E01900002", 50),
    ("2024-05", "E01900003", 300),
]


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Loaded once for the module; each test has a copy."""
    tmp_path = tmp_path_factory.mktemp("compare-areas")
    store = Store(tmp_path / "store")
    run_load(
        store, get_source("geography"), [GEOGRAPHY / "lookup-lsoa11-wd19-lad19.csv"]
    )
    lines = []
    serial = 0
    for month, lsoa, count in CRIMES:
        for _ in range(count):
            serial += 1
            lines.append(
                f"{serial:064x},{month},WMP,WMP,-1.9,52.4,Road,{lsoa},X,Burglary,,\n"
            )
    path = tmp_path / "crimes-street.csv"
    path.write_text(HEADER + "".join(lines))
    run_load(store, get_source("police-uk-street"), [path])
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def test_wards_ranked_best_first_with_their_change(store):
    oak, elm = compare_areas(
        store, "total-recorded-crime", "ward", "E08900001", "2024/25"
    )
    # Oak: 100 crimes, the same as 2023/24; Elm: 300, three times its 100.
    assert (oak.name, oak.rank, oak.numerator, oak.previous_numerator) == (
        "Oak Ward",
        1,
        100,
        100,
    )
    assert (elm.name, elm.rank, elm.numerator) == ("Elm Ward", 2, 300)
    assert elm.change.ratio == pytest.approx(3.0)
    assert elm.change.significant
    # The parent went from 200 to 400 (x2). Oak's x1 against it: 0.5, with
    # log standard error sqrt(1/100 + 1/100 + 1/400 + 1/200) = 0.166, so the
    # interval 0.36 to 0.69 misses 1; Elm's 1.5 (1.13 to 1.99) misses it too.
    assert oak.in_line_with_parent is False
    assert elm.in_line_with_parent is False
    assert elm.previous_period == "2023/24"
    parent = oak.statement.rsplit("with ", 1)[1]
    assert (
        oak.statement
        == f"Oak Ward: lowest of 2 wards; change not in line with {parent}"
    )
    assert elm.statement.startswith("Elm Ward: highest of 2 wards;")


def test_a_period_without_data_is_a_clear_error(store):
    with pytest.raises(Refused, match="no data for 2030/31"):
        compare_areas(store, "total-recorded-crime", "ward", "E08900001", "2030/31")


def test_a_level_with_nothing_inside_is_a_clear_error(store):
    with pytest.raises(Refused, match="no district areas are loaded inside"):
        compare_areas(store, "total-recorded-crime", "district", "E08900001", "2024/25")


def test_cli_ranks_areas_as_json(store, monkeypatch):
    import json

    from click.testing import CliRunner
    from django.conf import settings

    from saferplaces.cli import main

    monkeypatch.setattr(settings, "DATA_DIR", store.root.parent)
    result = CliRunner().invoke(
        main,
        [
            "measure",
            "compare",
            "total-recorded-crime",
            "--level",
            "ward",
            "--within",
            "E08900001",
            "--period",
            "2024/25",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.output)["rows"]
    assert [(r["rank"], r["area_name"], r["numerator"]) for r in ranked] == [
        (1, "Oak Ward", 100),
        (2, "Elm Ward", 300),
    ]


def test_counts_are_ranked_as_rates_on_each_wards_residents(store, tmp_path):
    # Oak Ward: E01900001 and E01900002; Elm Ward: E01900003. The 2024
    # figures are used for 2024/25; Elm's earlier year is not.
    population = tmp_path / "population.csv"
    population.write_text(
        "area_code,year,age_band,sex,population\n"
        "E01900001,2024,all,all,1000\nE01900002,2024,all,all,1500\n"
        "E01900002,2024,female,all,700\nE01900003,2023,all,all,9000\n"
        "E01900003,2024,all,all,2000\n"
    )
    run_load(store, get_source("population"), [population])
    ranked = compare_areas(
        store, "total-recorded-crime", "ward", "E08900001", "2024/25"
    )
    by_name = {row.name: row for row in ranked}
    assert by_name["Oak Ward"].denominator == 2500
    assert by_name["Oak Ward"].value == pytest.approx(100 * 1000 / 2500)
    assert by_name["Elm Ward"].denominator == 2000
    assert by_name["Elm Ward"].value == pytest.approx(300 * 1000 / 2000)
    assert [row.name for row in ranked] == ["Oak Ward", "Elm Ward"]
