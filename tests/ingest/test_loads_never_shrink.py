"""A load never shrinks data by accident: damaged or cut-off files are
refused whole, and a load that would replace a month with far fewer rows is
refused unless asked for."""

from __future__ import annotations

import pytest

from saferplaces.ingest.loader import MOST_SHRINK, LoadShrinks, run_load
from saferplaces.ingest.reading import FileRefused
from saferplaces.ingest.sources import get_source
from tests.support import STREET_HEADER

ROW = (
    "{id:064x},2024-03,West Midlands Police,West Midlands Police,-1.93,52.44,"
    "On or near Bristol Road,E01009001,Birmingham 100A,Burglary,,"
)


def month_file(tmp_path, name: str, rows: int) -> object:
    path = tmp_path / name
    lines = [STREET_HEADER, *(ROW.format(id=n + 1) for n in range(rows))]
    path.write_text("\n".join(lines) + "\n")
    return path


def street_rows(store) -> int:
    return store.query("SELECT count(*) AS n FROM street_crime")["n"][0].as_py()


def test_a_nul_byte_deep_in_the_file_refuses_it_whole(store, tmp_path):
    run_load(
        store, get_source("police-uk-street"), [month_file(tmp_path, "a.csv", 1000)]
    )
    damaged = month_file(tmp_path, "b.csv", 1000)
    data = damaged.read_bytes()
    position = 100_000  # well past the first 64 KiB
    damaged.write_bytes(data[:position] + b"\x00" + data[position + 1 :])
    with pytest.raises(FileRefused, match="NUL byte on line"):
        run_load(store, get_source("police-uk-street"), [damaged])
    assert street_rows(store) == 1000


def test_a_file_cut_off_mid_line_is_refused_whole(store, tmp_path):
    run_load(
        store, get_source("police-uk-street"), [month_file(tmp_path, "a.csv", 900)]
    )
    cut = month_file(tmp_path, "b.csv", 900)
    data = cut.read_bytes()
    cut.write_bytes(data[: len(data) // 3])  # stops in the middle of a row
    with pytest.raises(FileRefused, match="ends in the middle of line"):
        run_load(store, get_source("police-uk-street"), [cut])
    assert street_rows(store) == 900


def test_a_last_line_without_a_newline_but_whole_is_fine(store, tmp_path):
    # Its last field is there: a line ending in a comma could be cut there.
    path = month_file(tmp_path, "a.csv", 5)
    path.write_text(path.read_text().rstrip("\n") + "Burglary reported")
    assert run_load(store, get_source("police-uk-street"), [path]).accepted == 5


def test_a_last_line_cut_right_after_its_last_comma_is_refused(store, tmp_path):
    path = month_file(tmp_path, "a.csv", 5)
    whole = path.read_text().rstrip("\n") + "Burglary reported\n"
    path.write_text(whole[: whole.rindex(",") + 1])  # 12 fields, the last gone
    with pytest.raises(FileRefused, match=r"middle of line 6 \(right after a comma"):
        run_load(store, get_source("police-uk-street"), [path])
    assert store.tables() == []


def test_a_last_line_cut_inside_a_quoted_field_is_refused(store, tmp_path):
    path = month_file(tmp_path, "a.csv", 5)
    path.write_text(path.read_text().rstrip("\n") + '"Burglary, repo')
    with pytest.raises(FileRefused, match=r"middle of line 6 \(inside a quoted field"):
        run_load(store, get_source("police-uk-street"), [path])
    assert store.tables() == []


def test_a_short_line_inside_the_file_is_a_malformed_row(store, tmp_path):
    path = month_file(tmp_path, "a.csv", 5)
    lines = path.read_text().splitlines()
    lines[3] = lines[3][:-1]  # 11 fields: cut right after its last comma
    path.write_text("\n".join(lines) + "\n")
    report = run_load(store, get_source("police-uk-street"), [path])
    assert (report.accepted, report.rejected) == (4, 1)
    assert report.reject_reasons == {("", "expected 12 fields, found 11"): 1}


def test_a_file_cut_at_a_line_boundary_is_refused_though_most_rows_are_there(
    store, tmp_path
):
    street = get_source("police-uk-street")
    run_load(store, street, [month_file(tmp_path, "a.csv", 1000)])
    # The finding: 40% of a month lost, exit 0.
    cut = month_file(tmp_path, "b.csv", 600)
    with pytest.raises(LoadShrinks, match="1,000 rows would become 600"):
        run_load(store, street, [cut])
    # A few percent less is a correction, not a cut.
    fewer = int(1000 * (1 - MOST_SHRINK))
    with pytest.raises(LoadShrinks):
        run_load(store, street, [month_file(tmp_path, "c.csv", fewer - 1)])
    run_load(store, street, [month_file(tmp_path, "d.csv", fewer)])
    assert street_rows(store) == fewer


def test_a_load_that_would_shrink_a_month_is_refused_unless_allowed(store, tmp_path):
    run_load(
        store, get_source("police-uk-street"), [month_file(tmp_path, "a.csv", 1000)]
    )
    smaller = month_file(tmp_path, "b.csv", 300)
    with pytest.raises(LoadShrinks) as refused:
        run_load(store, get_source("police-uk-street"), [smaller])
    assert "west-midlands 2024-03: 1,000 rows would become 300" in str(refused.value)
    assert "--allow-shrink" in str(refused.value)
    assert street_rows(store) == 1000
    # Nothing the refused load wrote is left behind.
    report = run_load(
        store, get_source("police-uk-street"), [smaller], allow_shrink=True
    )
    assert report.replaced == [
        {"force": "west-midlands", "month": "2024-03", "rows": 1000}
    ]
    assert street_rows(store) == 300


def test_a_corrected_file_of_about_the_same_size_replaces_its_month(store, tmp_path):
    run_load(
        store, get_source("police-uk-street"), [month_file(tmp_path, "a.csv", 1000)]
    )
    run_load(
        store, get_source("police-uk-street"), [month_file(tmp_path, "b.csv", 990)]
    )
    assert street_rows(store) == 990  # 1% fewer: within MOST_SHRINK
