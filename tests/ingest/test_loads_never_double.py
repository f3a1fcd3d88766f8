"""A load never counts a month twice: identical inputs load once, two files
of one force-month are refused, a file named for one month must hold that
month, and a Crime ID is counted once in its month (issue 27, finding 3)."""

from __future__ import annotations

import dataclasses
import shutil
import zipfile

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from saferplaces.ingest.loader import run_load
from saferplaces.ingest.reading import FileRefused
from tests.support import ASB_ROW, FEBRUARY, JANUARY, STREET_HEADER

ROW = (
    "{id:064x},{month},West Midlands Police,West Midlands Police,-1.93,52.44,"
    "On or near Bristol Road,E01009001,Birmingham 100A,Burglary,,"
)


REPEATED = "Crime ID is on an earlier line of the same month; counted once"


def month_file(folder, name, ids, month="2024-03", extra=()):
    path = folder / name
    lines = [STREET_HEADER, *(ROW.format(id=n, month=month) for n in ids), *extra]
    path.write_text("\n".join(lines) + "\n")
    return path


def everything_in(store) -> dict[str, bytes]:
    """Every file of the store and its content: a refused load changes none."""
    return {
        str(path.relative_to(store.root)): path.read_bytes()
        for path in sorted(store.root.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


def rows(store, where="TRUE"):
    sql = f"SELECT count(*) AS n FROM street_crime WHERE {where}"
    return store.query(sql)["n"][0].as_py()


def test_the_same_file_named_twice_is_loaded_once_and_reported(store, street):
    report = run_load(store, street, [JANUARY, JANUARY])
    assert rows(store) == 4
    assert report.files[1].duplicate_of == str(JANUARY)
    assert [f["name"] for f in store.loads()[-1].files] == [str(JANUARY)]


def test_a_folder_holding_a_file_and_a_zip_of_it_loads_it_once(store, street, tmp_path):
    folder = tmp_path / "download"
    folder.mkdir()
    shutil.copy(FEBRUARY, folder / FEBRUARY.name)
    with zipfile.ZipFile(folder / "2024-02.zip", "w") as archive:
        archive.write(FEBRUARY, f"2024-02/{FEBRUARY.name}")
    report = run_load(store, street, [folder])
    assert rows(store) == 3
    assert [f.duplicate_of is None for f in report.files] == [True, False]
    assert report.accepted == 3


def test_two_files_of_one_force_month_are_refused_naming_both(store, street, tmp_path):
    run_load(store, street, [JANUARY])
    first = month_file(tmp_path, "2024-03-west-midlands-street.csv", range(1, 6))
    second = month_file(tmp_path, "2024-03-west-midlands-street (1).csv", [9])
    before = everything_in(store)
    with pytest.raises(FileRefused) as refused:
        run_load(store, street, [first, second])
    assert everything_in(store) == before
    message = str(refused.value)
    assert str(first) in message
    assert str(second) in message
    assert "west-midlands 2024-03" in message
    # Nothing is remembered as loaded: the right file then loads.
    assert run_load(store, street, [first]).accepted == 5
    assert rows(store, "month = '2024-03'") == 5


def test_a_file_named_for_one_month_whose_rows_say_another_is_refused(
    store, street, tmp_path
):
    june = month_file(tmp_path, "2024-06-west-midlands-street.csv", [1, 2], "2024-06")
    run_load(store, street, [june])
    (tmp_path / "may").mkdir()
    misnamed = month_file(
        tmp_path / "may", "2024-05-west-midlands-street.csv", [7], "2024-06"
    )
    before = everything_in(store)
    with pytest.raises(FileRefused) as refused:
        run_load(store, street, [misnamed])
    assert everything_in(store) == before
    assert "named for 2024-05" in str(refused.value)
    assert "line 2 is of 2024-06" in str(refused.value)
    assert rows(store, "month = '2024-06'") == 2
    assert len(store.loads()) == 1


def test_a_repeated_crime_id_in_a_month_is_counted_once_and_reported(
    store, street, tmp_path
):
    path = month_file(tmp_path, "2024-03-x-street.csv", [1, 2, 1, 3, 2])
    report = run_load(store, street, [path])
    assert (report.accepted, report.rejected) == (3, 2)
    assert rows(store) == 3
    assert report.reject_reasons == {("Crime ID", REPEATED): 2}
    text = pacsv.ConvertOptions(column_types={"value": pa.string()})
    rejects = pacsv.read_csv(report.rejects_path, convert_options=text).to_pylist()
    assert [(r["line"], r["value"]) for r in rejects] == [
        (4, f"{1:064x}"),
        (6, f"{2:064x}"),
    ]


def test_a_repeat_far_apart_in_a_large_file_is_found(store, street, tmp_path):
    # More than one 1 MiB block, so the repeat is in another batch.
    ids = [*range(1, 9001), 5]
    report = run_load(store, street, [month_file(tmp_path, "big.csv", ids)])
    assert (report.accepted, report.rejected) == (9000, 1)
    assert report.reject_reasons == {("Crime ID", REPEATED): 1}


def test_the_same_crime_id_in_two_months_is_two_crimes(store, street, tmp_path):
    march = month_file(tmp_path, "march.csv", [1])
    april = month_file(tmp_path, "april.csv", [1], "2024-04")
    assert run_load(store, street, [march, april]).accepted == 2


def test_asb_rows_have_no_crime_id_and_never_repeat(store, street, tmp_path):
    path = month_file(tmp_path, "asb.csv", [], extra=[ASB_ROW] * 3)
    assert run_load(store, street, [path]).accepted == 3


def test_verify_notices_a_month_holding_a_crime_id_twice(store, street, tmp_path):
    run_load(store, street, [month_file(tmp_path, "a.csv", [1, 2])])
    assert store.verify(unique={"street_crime": "crime_id"}) == []
    doubled = store.query("SELECT * FROM street_crime").drop_columns(["force", "month"])
    keys = {"force": "west-midlands", "month": "2024-03"}
    table = pa.concat_tables([doubled, doubled])
    for name, value in keys.items():
        table = table.append_column(name, pa.array([value] * len(table)))
    with store.writer_lock():
        store.commit(
            "street_crime",
            pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
            partition_by=["force", "month"],
            make_record=lambda _: {"number": 2, "source": "test", "files": []},
        )
    problems = store.verify(unique={"street_crime": "crime_id"})
    assert problems == [
        "street_crime: force=west-midlands, month=2024-03 holds 2 crime_id "
        "values more than once"
    ]


def test_a_month_doubled_before_these_checks_is_repaired_by_its_right_file(
    store, street, tmp_path
):
    # How a load before issue 27 left a month: two files of it, both kept.
    old_rules = dataclasses.replace(
        street, one_file_per_partition=False, unique_id=None
    )
    right = month_file(tmp_path, "2024-03-west-midlands-street.csv", range(1, 41))
    copy = month_file(tmp_path, "copy.csv", range(1, 41))
    copy.write_text(copy.read_text() + ASB_ROW + "\n")  # not byte-identical
    run_load(store, old_rules, [right, copy])
    assert rows(store) == 81
    assert store.verify(unique={"street_crime": "crime_id"}) != []
    # The right file is not "already loaded": its load doubled its month.
    report = run_load(store, street, [right], allow_shrink=True)
    assert report.files[0].skipped_as_load is None
    assert rows(store) == 40
    assert store.verify(unique={"street_crime": "crime_id"}) == []
