"""The store's Python API: tables, sources, months, loads, SQL as of a load."""

from __future__ import annotations

from pathlib import Path

import pytest

from saferplaces.analytics.store import Store, StoreError
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
from tests.support import CORRECTED_JANUARY, FEBRUARY, JANUARY, store_copied_from


@pytest.fixture(scope="module")
def loaded_once(tmp_path_factory) -> Path:
    """Loaded once for the module; each test has a copy."""
    tmp_path = tmp_path_factory.mktemp("store")
    store = Store(tmp_path / "store")
    street = get_source("police-uk-street")
    run_load(store, street, [JANUARY, FEBRUARY])
    run_load(store, street, [CORRECTED_JANUARY], allow_shrink=True)
    return store.root


@pytest.fixture
def store(loaded_once, tmp_path) -> Store:
    return store_copied_from(loaded_once, tmp_path)


def test_an_empty_store_has_nothing(tmp_path):
    empty = Store(tmp_path / "nothing")
    assert (empty.tables(), empty.loads(), empty.sources()) == ([], [], [])


def test_lists_tables_sources_and_months(store):
    assert store.tables() == ["street_crime"]
    assert store.sources() == ["police-uk-street"]
    assert store.months("street_crime") == ["2024-01", "2024-02"]


def test_the_loads_table_is_queryable_with_sql(store):
    rows = store.query(
        "SELECT load, file, accepted, rejected FROM loads ORDER BY load, file"
    ).to_pylist()
    assert [(r["load"], r["accepted"], r["rejected"]) for r in rows] == [
        (1, 4, 4),
        (1, 3, 0),
        (2, 3, 0),
    ]


def test_loads_view_follows_as_of(store):
    assert store.query("SELECT max(load) AS n FROM loads", as_of=1).to_pylist() == [
        {"n": 1}
    ]


def test_sql_errors_are_store_errors_with_one_line(store):
    with pytest.raises(StoreError, match="no_such_table"):
        store.query("SELECT * FROM no_such_table")


def test_unknown_table_is_a_clear_error(store):
    with pytest.raises(StoreError, match="no table 'outcomes'"):
        store.table_version("outcomes")


def test_parquet_dictionaries_and_compression_only_where_they_pay():
    import hashlib

    import pyarrow as pa

    from saferplaces.analytics.store import _Encoding

    rows = 20_000
    sample = pa.table(
        {
            "crime_id": [
                hashlib.sha256(str(n).encode()).hexdigest() for n in range(rows)
            ],
            "crime_type": ["Burglary", "Drugs"] * (rows // 2),
            "location": [f"On or near {n % 50} Street" for n in range(rows)],
            "line": list(range(rows)),
        }
    )
    encoding = _Encoding.judged_on(sample)
    assert encoding.dictionary == ["crime_type", "location"]
    assert encoding.compression["crime_id"] == "none"  # hex does not shrink
    assert encoding.compression["crime_type"] == "snappy"


def test_cached_results_are_bounded_least_recently_used_first(tmp_path):
    store = Store(tmp_path / "store")
    store.MOST_CACHED = 3
    built = []

    def build(name):
        return lambda: built.append(name) or name

    for name in ("a", "b", "c"):
        store.cached(name, build(name))
    store.cached("a", build("a"))  # used again: now the most recent
    store.cached("d", build("d"))  # pushes out "b", the least recent
    assert built == ["a", "b", "c", "d"]
    store.cached("a", build("a"))
    store.cached("b", build("b"))  # built again
    assert built == ["a", "b", "c", "d", "b"]


def test_a_load_over_many_partitions_writes_as_it_goes(tmp_path, monkeypatch):
    """Rows waiting in every partition are written once too many wait, so a
    load's memory does not grow with the load (each file then holds more
    than one row group), and every row is kept."""
    import dataclasses

    import pyarrow.parquet as pq

    from saferplaces.analytics import store as store_module

    monkeypatch.setattr(store_module._PartitionedWriter, "MOST_BUFFERED", 10)
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
        "LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
    )
    paths = []
    for part in range(2):
        lines = [
            f"{part * 1000 + n:064x},2024-0{n % 3 + 1},WMP,WMP,-1.9,52.4,Road,"
            f"E01009001,X,Burglary,,\n"
            for n in range(30)
        ]
        path = tmp_path / f"2024-0{part + 1}-part{part}-street.csv"
        path.write_text(header + "".join(lines))
        paths.append(path)
    store = Store(tmp_path / "store")
    # The writer is tested here, so two files add rows to each partition,
    # which police.uk's own rule (one file per force-month) would refuse.
    several_files = dataclasses.replace(
        get_source("police-uk-street"),
        one_file_per_partition=False,
        unique_id=None,
        named_by_month=False,
    )
    run_load(store, several_files, paths)

    assert store.query("SELECT count(*) AS n FROM street_crime").to_pylist() == [
        {"n": 60}
    ]
    files = store.file_uris("street_crime")
    assert len(files) == 3
    assert all(
        pq.ParquetFile(f.removeprefix("file://")).num_row_groups > 1 for f in files
    )


def test_a_steady_answer_reads_one_version_and_lists_the_logs_once(
    tmp_path, monkeypatch
):
    """Within ``steady`` a load that commits meanwhile is not half seen, and
    cached lookups do not list every table's log folder again (a national
    ranking made 92,772 such listings: 14 s of its 15)."""
    store = Store(tmp_path / "store")
    run_load(store, get_source("police-uk-street"), [JANUARY])
    count = lambda: store.cached("rows", lambda: store.query(  # noqa: E731
        "SELECT count(*) AS n FROM street_crime").to_pylist()[0]["n"])  # fmt: skip
    listings = []
    real = Store._read_log_heads
    monkeypatch.setattr(
        Store, "_read_log_heads", lambda self: listings.append(1) or real(self)
    )
    with store.steady():
        before = count()
        run_load(Store(tmp_path / "store"), get_source("police-uk-street"), [FEBRUARY])
        assert count() == before  # the version the answer began on
        for _ in range(100):
            store.tables()
    assert len(listings) == 1
    assert count() > before  # outside, the new load is read
