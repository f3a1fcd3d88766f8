"""The analytic store: Delta Lake tables under ``SAFERPLACES_DATA_DIR/store``.

One canonical table per source (street crime, outcomes, stop and search, ...).
Each load is one Delta commit whose commit metadata carries the load record
(files, checksums, row counts, partitions replaced), so the loads table is
read from the Delta log itself and can never disagree with the data.

Store versions: every load gets the next *load number* across the whole
store. ``as_of=N`` shows each table as it stood after load N; ``as_of`` a
date shows each table as it stood at that moment. Readers open a snapshot
and never block a load that is running.

Example:
    >>> import tempfile, pyarrow as pa
    >>> store = Store(tempfile.mkdtemp())
    >>> store.tables()
    []
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import TableNotFoundError

LOAD_KEY = "saferplaces.load"
AsOf = int | datetime | None


class StoreError(Exception):
    """A request the store cannot serve (unknown table, bad as-of, ...)."""


@dataclass(frozen=True)
class Load:
    """One load as recorded in a Delta commit."""

    number: int
    table: str
    delta_version: int
    at: datetime
    source: str
    files: list[dict[str, Any]]
    replaced: list[dict[str, Any]]
    saferplaces_version: str

    @property
    def rows_accepted(self) -> int:
        return sum(int(f["accepted"]) for f in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(int(f["rejected"]) for f in self.files)


class Store:
    """A folder of Delta tables, one per canonical source."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    # -- reading -----------------------------------------------------------

    def tables(self) -> list[str]:
        """Names of the tables that have had at least one load."""
        if not self.root.exists():
            return []
        return sorted(
            child.name
            for child in self.root.iterdir()
            if (child / "_delta_log").is_dir() and not child.name.startswith("_")
        )

    def _delta(self, table: str, version: int | None = None) -> DeltaTable:
        try:
            if version is None:
                return DeltaTable(str(self.root / table))
            return DeltaTable(str(self.root / table), version=version)
        except TableNotFoundError:
            raise StoreError(f"the store has no table {table!r} yet") from None

    def loads(self, table: str | None = None) -> list[Load]:
        """Every load, oldest first, read from the tables' Delta logs."""
        loads = []
        for name in [table] if table else self.tables():
            for entry in self._delta(name).history():
                record = entry.get(LOAD_KEY)
                if record is None:
                    continue
                meta = json.loads(record)
                loads.append(
                    Load(
                        number=int(meta["number"]),
                        table=name,
                        delta_version=int(entry["version"]),
                        at=datetime.fromtimestamp(entry["timestamp"] / 1000, UTC),
                        source=meta["source"],
                        files=meta["files"],
                        replaced=meta.get("replaced", []),
                        saferplaces_version=meta.get("saferplaces_version", ""),
                    )
                )
        return sorted(loads, key=lambda load: load.number)

    def last_load_number(self) -> int:
        loads = self.loads()
        return loads[-1].number if loads else 0

    def table_version(self, table: str, as_of: AsOf = None) -> int | None:
        """The Delta version of ``table`` as of a load number or a moment.

        ``None`` means the table did not exist then.
        """
        if as_of is None:
            return self._delta(table).version()
        history = [
            (load.number, load.at, load.delta_version) for load in self.loads(table)
        ]
        if isinstance(as_of, datetime):
            moment = as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)
            eligible = [version for _, at, version in history if at <= moment]
        else:
            if as_of < 0 or as_of > self.last_load_number():
                raise StoreError(
                    f"load {as_of} does not exist; the newest is "
                    f"{self.last_load_number()}"
                )
            eligible = [version for number, _, version in history if number <= as_of]
        return max(eligible) if eligible else None

    def file_uris(self, table: str, as_of: AsOf = None) -> list[str]:
        version = self.table_version(table, as_of)
        if version is None:
            return []
        return list(self._delta(table, version).file_uris())

    def connect(self, as_of: AsOf = None) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with one view per table, as of ``as_of``.

        The views read the Parquet files of one Delta snapshot, so a load
        committing meanwhile changes nothing the connection sees.
        """
        connection = duckdb.connect()
        for table in self.tables():
            files = self.file_uris(table, as_of)
            if files:
                connection.execute(
                    f"CREATE VIEW {table} AS SELECT * FROM read_parquet("
                    f"{files!r}, hive_partitioning = true, union_by_name = true)"
                )
        return connection

    def query(
        self, sql: str, params: Sequence[Any] | None = None, as_of: AsOf = None
    ) -> pa.Table:
        """Run SQL over the canonical views and return an Arrow table."""
        connection = self.connect(as_of)
        try:
            return connection.sql(sql, params=params or None).to_arrow_table()
        except duckdb.Error as error:
            raise StoreError(str(error).splitlines()[0]) from None
        finally:
            connection.close()

    def columns(self, table: str) -> list[str]:
        return [field.name for field in self._delta(table).schema().fields]

    def months(self, table: str, as_of: AsOf = None) -> list[str]:
        """The months (YYYY-MM) a table holds; [] for tables without months."""
        if not self.file_uris(table, as_of) or "month" not in self.columns(table):
            return []
        result = self.query(
            f"SELECT DISTINCT month FROM {table} ORDER BY month", as_of=as_of
        )
        return [str(month) for month in result.column("month").to_pylist()]

    # -- writing -----------------------------------------------------------

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """One load at a time: load numbers must not be handed out twice."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def commit(
        self,
        table: str,
        data: pa.Table,
        *,
        partition_by: list[str],
        replace_predicate: str | None,
        record: dict[str, Any],
    ) -> int:
        """Write ``data`` to ``table`` in one Delta commit carrying ``record``.

        With ``replace_predicate``, rows matching it are replaced by ``data``
        in the same commit (a corrected file for a force and month). Must be
        called inside ``writer_lock``. Returns the new Delta version.
        """
        path = self.root / table
        exists = (path / "_delta_log").is_dir()
        properties = CommitProperties(custom_metadata={LOAD_KEY: json.dumps(record)})
        if exists and replace_predicate:
            write_deltalake(
                str(path),
                data,
                mode="overwrite",
                predicate=replace_predicate,
                partition_by=partition_by,
                commit_properties=properties,
            )
        else:
            write_deltalake(
                str(path),
                data,
                mode="append",
                partition_by=partition_by,
                commit_properties=properties,
            )
        return self._delta(table).version()
