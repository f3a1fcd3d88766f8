"""Oversized input is refused with file, line and reason, never a traceback,
and never read whole: long fields, zip bombs, big irregular files (issue 27,
finding 9)."""

from __future__ import annotations

import tracemalloc
import zipfile

import pytest

from saferplaces.ingest import reading
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.police_uk import STREET_COLUMNS
from saferplaces.ingest.reading import FileRefused, InputFile, iter_csv
from tests.support import ASB_ROW, STREET_HEADER, write_csv

LONG = 200_000  # past csv's field_size_limit of 131,072


def test_a_quoted_field_past_the_readers_limit_refuses_the_file(
    store, street, tmp_path
):
    long_row = ASB_ROW.replace("On or near Bristol Road", '"' + "x" * LONG + '"')
    text = f"{STREET_HEADER}\n{ASB_ROW}\n{long_row}\n{ASB_ROW}\n"
    path = write_csv(tmp_path / "2024-03-x-street.csv", text)
    with pytest.raises(FileRefused, match=r"line 3 has a field of more than 131,072"):
        run_load(store, street, [path])
    assert store.tables() == []


def test_an_unquoted_field_past_the_limit_is_refused_too(store, street, tmp_path):
    long_row = ASB_ROW.replace("On or near Bristol Road", "x" * LONG)
    text = f"{STREET_HEADER}\n{ASB_ROW}\n{long_row}\n"
    path = write_csv(tmp_path / "2024-03-x-street.csv", text)
    with pytest.raises(FileRefused, match=r"line 3 has a field of more than 131,072"):
        run_load(store, street, [path])
    assert store.tables() == []


def zipped(tmp_path, text: str):
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("2024-03/2024-03-x-street.csv", text)
    return archive


def test_a_zip_member_is_read_as_a_stream_not_whole(
    store, street, tmp_path, monkeypatch
):
    archive = zipped(tmp_path, f"{STREET_HEADER}\n{ASB_ROW}\n{ASB_ROW}\n")

    def whole(*_args, **_kwargs):
        raise AssertionError("a zip member was read whole")

    monkeypatch.setattr(zipfile.ZipFile, "read", whole)
    assert run_load(store, street, [archive]).accepted == 2
    # What was unpacked while loading is gone.
    assert [p.name for p in store.root.iterdir() if "unpack" in p.name] == []


def test_a_zip_member_past_the_compression_ratio_limit_is_refused(
    store, street, tmp_path
):
    # A zip bomb's shape: 20 MB of the same line deflates about 1,000 to 1.
    rows = 20_000_000 // len(ASB_ROW)
    archive = zipped(tmp_path, STREET_HEADER + "\n" + (ASB_ROW + "\n") * rows)
    with pytest.raises(FileRefused, match="compressed more than 100 to 1") as refused:
        run_load(store, street, [archive])
    assert "2024-03-x-street.csv" in str(refused.value)
    assert store.tables() == []


def test_a_zip_member_past_the_size_limit_is_refused(
    store, street, tmp_path, monkeypatch
):
    monkeypatch.setattr(reading, "MOST_MEMBER_BYTES", 1000)
    archive = zipped(tmp_path, STREET_HEADER + "\n" + (ASB_ROW + "\n") * 20)
    with pytest.raises(FileRefused, match="larger than 1,000 bytes"):
        run_load(store, street, [archive])
    assert store.tables() == []


def test_the_exact_reader_holds_a_batch_not_the_file(tmp_path, monkeypatch):
    # Quotes send a file to the exact reader; it used to hold about 12
    # times the file in Python lists of strings.
    monkeypatch.setattr(reading, "STREAM_ROWS", 1000)
    row = ASB_ROW.replace("On or near Bristol Road", '"On or near Bristol Road"')
    path = write_csv(
        tmp_path / "quoted.csv", STREET_HEADER + "\n" + (row + "\n") * 40_000
    )
    size = path.stat().st_size
    # Once before tracing: the first read's one-time allocations (Arrow's
    # kernels, about 23 MB) are not the reader's.
    small = write_csv(tmp_path / "small.csv", f"{STREET_HEADER}\n{row}\n")
    list(iter_csv(InputFile(str(small), small), STREET_COLUMNS))
    tracemalloc.start()
    try:
        rows = sum(
            batch.table.num_rows
            for batch in iter_csv(InputFile(str(path), path), STREET_COLUMNS)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 40_000
    assert peak < size / 2, f"peak {peak:,} bytes for a file of {size:,}"
