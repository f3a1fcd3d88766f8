"""A standard Nomis TS001 download ends in 3 blank rows and a 4-line
disclosure-control note in its second column: recognised as the download's
footer, the file loads with exit 0 and a note naming the lines, while a
malformed row is still rejected with its file, line and reason (issue 29,
finding 10: every such download exited 3)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from saferplaces.codes import LSOA_CODE
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import GEOGRAPHY, SHARED_DATA, write_csv

# Four hand-made areas, then the footer exactly as Nomis writes it.
NOMIS_TS001 = GEOGRAPHY / "census-2021-ts001-nomis.csv"
REAL_TS001 = SHARED_DATA / "population" / "TS001_usual_residents_LSOA2021.csv"


def data_rows(path: Path) -> int:
    """The file's rows that name an LSOA, counted from the file itself."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    return sum(1 for row in rows if len(row) == 3 and re.match(LSOA_CODE, row[2]))


def lines_of(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_the_nomis_footer_is_recognised_and_the_file_loads_whole(store):
    report = run_load(store, get_source("population"), [NOMIS_TS001])
    assert report.rejected == 0, report.reject_reasons
    assert report.accepted == data_rows(NOMIS_TS001) == 4
    last = lines_of(NOMIS_TS001)
    notes = " ".join(report.files[0].notes)
    assert f"lines {last - 6} to {last}" in notes
    assert "Nomis" in notes
    loaded = store.query("SELECT count(*) AS n FROM population").to_pylist()[0]["n"]
    assert loaded == 4


def test_a_malformed_row_is_still_rejected_with_file_line_and_reason(store, tmp_path):
    text = NOMIS_TS001.read_text(encoding="utf-8")
    bad = text.replace("1344,Hand-made 001B,E01900002", "lots,Hand-made 001B,E01900002")
    path = write_csv(tmp_path / "ts001.csv", bad)
    report = run_load(store, get_source("population"), [path])
    assert report.rejected == 1
    assert report.accepted == 3
    reasons = str(report.reject_reasons)
    assert "total" in reasons
    assert "must be a whole number" in reasons


def test_text_at_the_end_that_is_no_known_footer_is_rejected(store, tmp_path):
    """Only the footers the service knows are passed over: other trailing
    text is a row like any other, and refused as one."""
    text = NOMIS_TS001.read_text(encoding="utf-8")
    odd = text.replace("In order to protect against disclosure", "Something else")
    path = write_csv(tmp_path / "ts001.csv", odd)
    report = run_load(store, get_source("population"), [path])
    assert report.rejected == 7
    assert report.accepted == 4


@pytest.mark.skipif(
    not REAL_TS001.is_file(),
    reason=f"the real Nomis TS001 file is not here ({REAL_TS001.resolve()}); "
    "it is never committed, so this test runs only beside ../shared/data",
)
def test_the_real_nomis_download_loads_whole(store):
    report = run_load(store, get_source("population"), [REAL_TS001])
    assert report.rejected == 0, report.reject_reasons
    expected = data_rows(REAL_TS001)
    assert report.accepted == expected
    areas = store.query(
        "SELECT count(DISTINCT area_code) AS n FROM population"
    ).to_pylist()[0]["n"]
    assert areas == expected
    assert any("footer" in note for note in report.files[0].notes)


@pytest.mark.django_db
def test_the_command_line_exits_0_and_names_the_footer(settings, tmp_path):
    from click.testing import CliRunner

    from saferplaces.cli import main

    settings.DATA_DIR = tmp_path
    result = CliRunner().invoke(main, ["ingest", "population", str(NOMIS_TS001)])
    assert result.exit_code == 0, result.output
    assert "the download's footer (Nomis's disclosure-control note)" in result.output


@pytest.mark.parametrize(
    ("footer", "whose"),
    [
        (["", "Source: Office for National Statistics"], "ONS's source line"),
        (["© Crown copyright 2023"], "a Crown copyright notice"),
        (["", ""], "blank rows"),
    ],
)
def test_each_known_footer_is_named(footer, whose):
    import pyarrow as pa

    from saferplaces.ingest.footers import without_footer

    names = ["Anytown 001A", "Anytown 001B", *footer]
    table = pa.table(
        {
            "total": ["10", "12", *[""] * len(footer)],
            "name": names,
            "_line": list(range(2, 2 + len(names))),
        }
    )
    data, note = without_footer(table, "_line")
    assert data.num_rows == 2
    assert note == (
        f"lines 4 to {3 + len(footer)} are the download's footer ({whose}), not data"
    )
