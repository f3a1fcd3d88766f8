"""`saferplaces store query --csv` writes list and struct columns as JSON
text (issue 26): the geography table's `parents` is a list."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from saferplaces.analytics.store import Store
from saferplaces.cli import main
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source

LOOKUP = (
    Path(__file__).resolve().parent
    / "fixtures"
    / "geography"
    / "lookup-lsoa11-wd19-lad19.csv"
)


def query_csv(sql: str):
    result = CliRunner().invoke(main, ["store", "query", sql, "--csv"])
    assert result.exception is None, result.output
    assert result.exit_code == 0
    return list(csv.DictReader(io.StringIO(result.output)))


def test_list_columns_are_written_as_json_text(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    run_load(Store(tmp_path / "store"), get_source("geography"), [LOOKUP])
    rows = query_csv(
        "SELECT code, parents FROM geography WHERE code = 'E01900001' LIMIT 1"
    )
    assert rows[0]["code"] == "E01900001"
    assert json.loads(rows[0]["parents"]) == ["E05900001", "E08900001"]


def test_struct_columns_and_empty_values_are_written_as_json_text(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    run_load(Store(tmp_path / "store"), get_source("geography"), [LOOKUP])
    rows = query_csv(
        "SELECT {'ward': 'Oak', 'lsoas': [1, 2]} AS area, "
        "CAST(NULL AS VARCHAR[]) AS nothing, 3 AS n"
    )
    assert json.loads(rows[0]["area"]) == {"ward": "Oak", "lsoas": [1, 2]}
    assert rows[0]["nothing"] == ""  # a null stays empty, as in any column
    assert rows[0]["n"] == "3"
