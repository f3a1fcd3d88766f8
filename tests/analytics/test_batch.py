"""`saferplaces measure batch`: every measure for every area and period,
written as a Delta table for publication or a BI tool."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from deltalake import DeltaTable

from saferplaces.analytics import batch, results
from saferplaces.analytics.store import Store
from saferplaces.cli import main
from tests.analytics.cases_opened import load_cases_opened


@pytest.fixture(scope="module")
def store(demo_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    shutil.copytree(demo_data / "store", folder / "store")
    load_cases_opened(Store(folder / "store"), folder)
    return Store(folder / "store")


def test_every_area_period_and_breakdown_is_a_row_matching_the_series(store):
    table, report = batch.compute_results(
        store, measures=["recorded-crime-local"], levels=["ward"], periods=["year"]
    )
    wards = {row["area_code"] for row in table.select(["area_code"]).to_pylist()}
    assert len(wards) == 30  # every ward of the demo
    breakdowns = {row["breakdown"] for row in table.select(["breakdown"]).to_pylist()}
    assert breakdowns == {None, "ho_group", "ho_subgroup", "victim_age_band",
                          "victim_sex", "victim_ethnicity"}  # fmt: skip
    assert report.series == 30 * 6
    assert report.refused == 0
    ward = min(wards)
    expected = results.series(store, "recorded-crime-local", ward, by="year")
    rows = [
        row
        for row in table.to_pylist()
        if row["area_code"] == ward and row["breakdown"] is None
    ]
    assert [(r["period"], r["numerator"], r["value"]) for r in rows] == [
        (r.period, r.numerator, r.value) for r in expected.rows
    ]


def test_the_public_batch_holds_only_what_the_public_may_see(store):
    table, report = batch.compute_results(
        store, measures=["cases-opened"], levels=["ward", "district"],
        periods=["year"], audience="public",
    )  # fmt: skip
    rows = table.to_pylist()
    # Cases by ward, and by risk level anywhere, are not published.
    assert {(row["level"], row["breakdown"]) for row in rows} == {
        ("district", None), ("district", "case_type"),
    }  # fmt: skip
    assert report.refused == 30 * 3 + 9
    assert {(row["audience"], row["treatment"]) for row in rows} == {
        ("public", "perturbed")
    }


def test_a_measure_without_its_data_is_named_and_left_out(demo_data):
    table, report = batch.compute_results(
        Store(demo_data / "store"), measures=["cases-opened"], levels=["ward"]
    )
    assert table.num_rows == 0
    assert report.skipped == {
        "cases-opened": "needs cases_opened: load the partnership's casework "
        "(saferplaces cases publish)"
    }


def test_the_command_writes_a_delta_version_per_run_with_its_provenance(
    store, tmp_path, monkeypatch
):
    from django.conf import settings

    monkeypatch.setattr(settings, "DATA_DIR", store.root.parent)
    out = tmp_path / "results"
    asked = ["measure", "batch", "--out", str(out), "--level", "district",
             "--by", "year", "--measure", "anti-social-behaviour"]  # fmt: skip
    first = CliRunner().invoke(main, asked)
    assert first.exit_code == 0, first.output
    assert "Delta version 0, on duckdb" in first.output
    again = CliRunner().invoke(main, asked)
    assert "Delta version 1" in again.output
    written = DeltaTable(str(out))
    assert written.metadata().partition_columns == ["measure"]
    rows = written.to_pyarrow_table().to_pylist()
    assert len(rows) == 9 * len(
        results.series(
            store, "anti-social-behaviour", rows[0]["area_code"], by="year"
        ).rows
    )
    provenance = json.loads(written.history(1)[0]["saferplaces_results"])
    assert provenance["engine"] == "duckdb"
    assert provenance["store_versions"]["street_crime"] >= 0


def test_the_command_names_an_unknown_measure(store, tmp_path, monkeypatch):
    from django.conf import settings

    monkeypatch.setattr(settings, "DATA_DIR", store.root.parent)
    result = CliRunner().invoke(
        main, ["measure", "batch", "--out", str(tmp_path / "r"), "--measure", "nope"]
    )
    assert result.exit_code == 1
    assert "There is no measure called 'nope'" in result.output
    assert not (tmp_path / "r").exists()
