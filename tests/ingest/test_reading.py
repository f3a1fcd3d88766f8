"""Reading awkward CSVs: line endings, BOMs, quotes, blank lines, encodings."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.police_uk import STREET_COLUMNS
from saferplaces.ingest.reading import FileRefused, InputFile, discover, read_csv
from tests.support import ASB_ROW, FEBRUARY, JANUARY, STREET_HEADER, write_csv


def lines_of(parsed):
    return parsed.table.column("_line").to_pylist()


def test_windows_line_endings_and_a_bom_are_read(tmp_path):
    path = write_csv(
        tmp_path / "x-street.csv", f"\ufeff{STREET_HEADER}\r\n{ASB_ROW}\r\n"
    )
    parsed = read_csv(InputFile(str(path), path), STREET_COLUMNS)
    assert parsed.table.column("Month").to_pylist() == ["2024-03"]
    assert parsed.table.column("Context").to_pylist() == [""]


def test_blank_lines_are_skipped_and_line_numbers_stay_true(tmp_path):
    text = f"{STREET_HEADER}\n{ASB_ROW}\n\n\n{ASB_ROW}\n\n"
    path = write_csv(tmp_path / "x-street.csv", text)
    parsed = read_csv(InputFile(str(path), path), STREET_COLUMNS)
    assert lines_of(parsed) == [2, 5]


def test_quoted_fields_with_commas_and_newlines(tmp_path):
    quoted = ASB_ROW.replace(
        "On or near Bristol Road", '"On or near Bristol Road, north\nside"'
    )
    text = f"{STREET_HEADER}\n{quoted}\n{ASB_ROW}\n"
    path = write_csv(tmp_path / "x-street.csv", text)
    parsed = read_csv(InputFile(str(path), path), STREET_COLUMNS)
    assert parsed.table.column("Location").to_pylist()[0] == (
        "On or near Bristol Road, north\nside"
    )
    assert lines_of(parsed) == [2, 4]


def test_stray_quote_inside_a_field_is_kept(tmp_path):
    stray = ASB_ROW.replace("Bristol Road", 'The "Bull Ring')
    path = write_csv(tmp_path / "x-street.csv", f"{STREET_HEADER}\n{stray}\n")
    parsed = read_csv(InputFile(str(path), path), STREET_COLUMNS)
    assert parsed.table.column("Location").to_pylist() == ['On or near The "Bull Ring']


def test_row_with_wrong_number_of_fields_is_reported_with_its_line(tmp_path):
    text = f"{STREET_HEADER}\n{ASB_ROW}\n,2024-03,too,few\n{ASB_ROW}\n"
    path = write_csv(tmp_path / "x-street.csv", text)
    parsed = read_csv(InputFile(str(path), path), STREET_COLUMNS)
    assert parsed.malformed == [(3, "expected 12 fields, found 4")]
    assert lines_of(parsed) == [2, 4]


def test_windows_1252_bytes_are_read_with_a_note(tmp_path):
    row = ASB_ROW.replace("Bristol Road", "Caf\u00e9 Square")
    path = write_csv(tmp_path / "x-street.csv", f"{STREET_HEADER}\n{row}\n", "cp1252")
    parsed = read_csv(InputFile(str(path), path), STREET_COLUMNS)
    assert parsed.table.column("Location").to_pylist() == [
        "On or near Caf\u00e9 Square"
    ]
    assert "line 2" in parsed.notes[0]
    assert "Windows-1252" in parsed.notes[0]


def test_wrong_header_refuses_the_file_naming_the_columns(tmp_path):
    path = write_csv(
        tmp_path / "x-street.csv",
        STREET_HEADER.replace("Crime type", "Offence") + "\n" + ASB_ROW + "\n",
    )
    with pytest.raises(FileRefused, match="missing Crime type; unexpected Offence"):
        read_csv(InputFile(str(path), path), STREET_COLUMNS)


def test_utf16_file_is_refused(tmp_path):
    path = write_csv(
        tmp_path / "x-street.csv", f"{STREET_HEADER}\n{ASB_ROW}\n", "utf-16"
    )
    with pytest.raises(FileRefused, match="UTF-16"):
        read_csv(InputFile(str(path), path), STREET_COLUMNS)


def test_empty_file_is_refused(tmp_path):
    path = write_csv(tmp_path / "x-street.csv", "")
    with pytest.raises(FileRefused, match="is empty"):
        read_csv(InputFile(str(path), path), STREET_COLUMNS)


def test_folders_and_zip_archives_are_searched_for_matching_names(tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(JANUARY, "2024-01/2024-01-west-midlands-street.csv")
        zipped.writestr("2024-01/2024-01-west-midlands-outcomes.csv", "ignored")
    folder = tmp_path / "folder"
    (folder / "2024-02").mkdir(parents=True)
    (folder / "2024-02" / FEBRUARY.name).write_bytes(FEBRUARY.read_bytes())
    (folder / "notes.txt").write_text("not a CSV")
    found = discover([archive, folder], lambda name: name.endswith("-street.csv"))
    assert [f.name for f in found] == [
        f"{archive}!2024-01/2024-01-west-midlands-street.csv",
        str(folder / "2024-02" / FEBRUARY.name),
    ]
    assert found[0].sha256() == InputFile(str(JANUARY), JANUARY).sha256()


def test_loading_a_zip_archive(store, street, tmp_path):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.write(FEBRUARY, FEBRUARY.name)
    report = run_load(store, street, [archive])
    assert report.accepted == 3


def test_a_file_that_only_looks_regular_falls_back_and_leaves_no_orphans(
    store, street, tmp_path
):
    # No quotes, so it starts on the fast reader; the short row on line 3
    # sends the whole load to the exact reader.
    text = f"{STREET_HEADER}\n{ASB_ROW}\n,2024-03,too,few\n{ASB_ROW}\n"
    path = write_csv(tmp_path / "2024-03-x-street.csv", text)
    report = run_load(store, street, [path])
    assert (report.accepted, report.rejected) == (2, 1)
    assert report.reject_reasons == {("", "expected 12 fields, found 4"): 1}
    written = {p.name for p in (store.root / "street_crime").rglob("*.parquet")}
    stored = {Path(uri).name for uri in store.file_uris("street_crime")}
    assert written == stored


def test_a_header_of_a_million_columns_gets_a_short_message(tmp_path):
    from saferplaces.ingest.reading import check_header
    from saferplaces.ingest.sources import get_source

    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"column{n}" for n in range(1_000_000)) + "\n")
    source = get_source("police-uk-street")
    with pytest.raises(FileRefused) as refused:
        check_header(InputFile(str(path), path), source.columns)
    message = str(refused.value)
    assert len(message) < 2_000
    assert "and 999,990 more" in message
