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
import re
import secrets
import threading
import time
import urllib.parse
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import CommitProperties, DeltaTable
from deltalake import Schema as DeltaSchema
from deltalake.exceptions import DeltaError, TableNotFoundError
from deltalake.transaction import (
    AddAction,
    RemoveAction,
    create_table_with_add_actions,
)

from saferplaces.analytics.refusals import Refused

if TYPE_CHECKING:
    import duckdb

LOAD_KEY = "saferplaces.load"
AsOf = int | datetime | None
T = TypeVar("T")
LOADS_SCHEMA = pa.schema(
    [
        ("load", pa.int64()),
        ("loaded_at", pa.timestamp("ms", tz="UTC")),
        ("table_name", pa.string()),
        ("delta_version", pa.int64()),
        ("source", pa.string()),
        ("saferplaces_version", pa.string()),
        ("file", pa.string()),
        ("sha256", pa.string()),
        ("rows_read", pa.int64()),
        ("accepted", pa.int64()),
        ("rejected", pa.int64()),
    ]
)


class StoreError(Exception):
    """A request the store cannot serve (a failing query, unreadable files)."""


class NotInStore(StoreError, Refused):
    """A question about something the store does not hold: a table not
    loaded yet, a load that does not exist. The engine passes it on as a
    refusal; the message is fit to show."""


class TableNotLoaded(NotInStore):
    """SQL asked of a table no load has made yet; ``table`` names it, so the
    command line can say which source to load."""

    def __init__(self, table: str) -> None:
        super().__init__(f"the store has no table {table!r} yet")
        self.table = table


# DuckDB's words for a table it does not have (kept from the person).
_MISSING_TABLE = re.compile(r"Table with name (\w+) does not exist")


class UnreadableVersion(StoreError):
    """Upkeep refused: some version of a table cannot be read, so the files
    it names are not known and must not be taken for orphans."""


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

    MOST_CACHED = 2048

    def __init__(
        self, root: str | os.PathLike[str], *, recheck_seconds: float = 0.0
    ) -> None:
        """``recheck_seconds``: how long the tables' newest versions may be
        taken as read before looking at the logs again. 0 (the default)
        looks every time; a web server uses about a second, since a page
        may then show a load a second late but need not list every log
        folder on every request."""
        self.root = Path(root)
        self._snapshots: dict[Any, tuple[Any, duckdb.DuckDBPyConnection]] = {}
        self._snapshot_lock = threading.Lock()
        # Least recently used first; names can carry what a caller asked for
        # (an area code, a target), so the count is bounded.
        self._derived: OrderedDict[str, tuple[Any, Any]] = OrderedDict()
        self._recheck_seconds = recheck_seconds
        self._heads: tuple[float, tuple[tuple[str, int], ...]] | None = None
        # Set by ``steady``: the newest versions one answer reads, per thread.
        self._steady = threading.local()

    # -- reading -----------------------------------------------------------

    @contextmanager
    def steady(self) -> Iterator[None]:
        """Within it, this thread reads the store as it stood on entry: one
        answer (a ranking of 7,000 wards, each with its coverage) reads one
        version of each table, and the log folders are listed once, not at
        every cached lookup."""
        if getattr(self._steady, "heads", None) is not None:
            yield  # already steady: the outer answer's versions hold
            return
        self._steady.heads = self._read_log_heads()
        try:
            yield
        finally:
            self._steady.heads = None

    def tables(self) -> list[str]:
        """Names of the tables that have had at least one load (taken as
        read for ``recheck_seconds``, as the newest versions are)."""
        if self._recheck_seconds > 0 or getattr(self._steady, "heads", None):
            return [table for table, _version in self._log_heads()]
        return self._listed_tables()

    def _listed_tables(self) -> list[str]:
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
            raise NotInStore(f"the store has no table {table!r} yet") from None

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

    def sources(self) -> list[str]:
        """The ingest sources that have loaded data, e.g. police-uk-street."""
        return sorted({load.source for load in self.loads()})

    def loads_table(self) -> pa.Table:
        """One row per file per load: the loads table as Arrow."""
        rows = [
            {
                "load": load.number,
                "loaded_at": load.at,
                "table_name": load.table,
                "delta_version": load.delta_version,
                "source": load.source,
                "saferplaces_version": load.saferplaces_version,
                "file": file["name"],
                "sha256": file["sha256"],
                "rows_read": int(file["rows_read"]),
                "accepted": int(file["accepted"]),
                "rejected": int(file["rejected"]),
            }
            for load in self.loads()
            for file in load.files
        ]
        return pa.Table.from_pylist(rows, schema=LOADS_SCHEMA)

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
                raise NotInStore(
                    f"load {as_of} does not exist; the newest is "
                    f"{self.last_load_number()}"
                )
            eligible = [version for number, _, version in history if number <= as_of]
        return max(eligible) if eligible else None

    def held(self, table: str, as_of: AsOf = None) -> bool:
        """Whether ``table`` had been loaded as of ``as_of`` (now, if None):
        asked once per snapshot, as a comparison asks it for every area."""
        if table not in self.tables():
            return False
        if as_of is None:
            return True
        return self.cached(
            f"held:{table}:{as_of}",
            lambda: self.table_version(table, as_of) is not None,
        )

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
        import duckdb  # here, not at the top: a load need not pay for it

        connection = duckdb.connect()
        loads = self.loads_table()
        if isinstance(as_of, int):
            loads = loads.filter(pc.less_equal(loads.column("load"), as_of))
        # A table, not a registered Arrow object: cursors must see it too.
        connection.from_arrow(loads).create("loads")
        for table in self.tables():
            version = self.table_version(table, as_of)
            if version is None:
                continue
            # That version's own partition columns: a table whose layout
            # was upgraded since was kept by others then.
            delta = self._delta(table, version)
            files = list(delta.file_uris())
            if files:
                connection.execute(
                    f"CREATE VIEW {table} AS SELECT * FROM read_parquet({files!r}, "
                    f"hive_partitioning = true, hive_types = {self._hive_types(delta)},"
                    " union_by_name = true)"
                )
        return connection

    def _hive_types(self, delta: DeltaTable) -> dict[str, str]:
        """Partition columns' types, so '2019' stays text and years numbers."""
        types = {
            field.name: str(getattr(field.type, "type", "string"))
            for field in delta.schema().fields
        }
        duck = {"integer": "INTEGER", "long": "BIGINT", "short": "SMALLINT"}
        return {
            name: duck.get(types[name], "VARCHAR")
            for name in delta.metadata().partition_columns
        }

    def query(
        self, sql: str, params: Sequence[Any] | None = None, as_of: AsOf = None
    ) -> pa.Table:
        """Run SQL over the canonical views and return an Arrow table.

        The views are built once per snapshot and kept until a load commits
        (the newest Delta log entry of any table changes), so repeated
        queries cost only the query.
        """
        import duckdb

        cursor = self._snapshot(as_of).cursor()
        try:
            return cursor.sql(sql, params=params or None).to_arrow_table()
        except duckdb.CatalogException as error:
            missing = _MISSING_TABLE.search(str(error))
            if missing is None:
                raise StoreError(str(error).splitlines()[0]) from None
            raise TableNotLoaded(missing.group(1)) from None
        except duckdb.Error as error:
            raise StoreError(str(error).splitlines()[0]) from None
        finally:
            cursor.close()

    def cached(self, name: str, build: Callable[[], T]) -> T:
        """``build()``'s result, kept until the next load commits (at most
        ``MOST_CACHED`` results; the least recently used go first)."""
        key = self._log_heads()
        with self._snapshot_lock:
            entry = self._derived.get(name)
            if entry is not None:
                self._derived.move_to_end(name)
        if entry is None or entry[0] != key:
            entry = (key, build())
            with self._snapshot_lock:
                self._derived[name] = entry
                self._derived.move_to_end(name)
                while len(self._derived) > self.MOST_CACHED:
                    self._derived.popitem(last=False)
        return entry[1]

    def _snapshot(self, as_of: AsOf) -> duckdb.DuckDBPyConnection:
        key = (as_of, self._log_heads())
        with self._snapshot_lock:
            cached = self._snapshots.get(as_of)
            if cached is None or cached[0] != key:
                if cached is not None:
                    cached[1].close()
                cached = (key, self.connect(as_of))
                self._snapshots[as_of] = cached
            return cached[1]

    def table_versions(self) -> dict[str, int]:
        """Each table's newest Delta version: what a read now is as of."""
        return dict(self._log_heads())

    def _log_heads(self) -> tuple[tuple[str, int], ...]:
        """Each table's newest commit number, read from the log folder alone."""
        steady = getattr(self._steady, "heads", None)
        if steady is not None:
            return steady  # type: ignore[no-any-return]
        now = time.monotonic()
        remembered = self._heads
        if remembered is not None and now - remembered[0] < self._recheck_seconds:
            return remembered[1]
        heads = self._read_log_heads()
        self._heads = (now, heads)
        return heads

    def _read_log_heads(self) -> tuple[tuple[str, int], ...]:
        heads = []
        for table in self._listed_tables():
            names = os.listdir(self.root / table / "_delta_log")
            versions = [
                int(n[:-5]) for n in names if n.endswith(".json") and n[:-5].isdigit()
            ]
            heads.append((table, max(versions, default=-1)))
        return tuple(heads)

    def columns(self, table: str, as_of: AsOf = None) -> list[str]:
        """The table's column names ([] for a table not loaded)."""
        if table not in self.tables():
            return []

        def describe() -> list[str]:
            result = self.query(f"SELECT * FROM {table} LIMIT 0", as_of=as_of)
            return list(result.column_names)

        return self.cached(f"columns:{table}:{as_of}", describe)

    def unkeyed_rows(self, table: str, as_of: AsOf = None) -> int:
        """Rows loaded without a record key (before keys were kept)."""
        keyed = "record_key" in self.columns(table, as_of)
        where = "WHERE record_key IS NULL" if keyed else ""

        def count() -> int:
            result = self.query(
                f"SELECT count(*) AS n FROM {table} {where}", as_of=as_of
            )
            return int(result["n"][0].as_py())

        return self.cached(f"unkeyed:{table}:{as_of}", count)

    def months(self, table: str, as_of: AsOf = None) -> list[str]:
        """The months (YYYY-MM) a table holds; [] for tables without months."""
        if table not in self.tables():
            return []

        def distinct_months() -> list[str]:
            try:
                result = self.query(
                    f"SELECT DISTINCT month FROM {table} ORDER BY month", as_of=as_of
                )
            except StoreError:  # no month column, or no rows as of then
                return []
            return [str(month) for month in result.column("month").to_pylist()]

        return self.cached(f"months:{table}:{as_of}", distinct_months)

    def record_key_secret(self) -> str:
        """The secret that keys this store's record keys (made on first use).

        Record keys must not be guessable from a record's identity, or the
        noise of a published cell could be worked out; the secret stays
        with the store, readable only by its owner."""
        path = self.root / "_keys" / "record-key-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another load made it meanwhile
                pass
            else:
                with os.fdopen(handle, "w") as secret:
                    secret.write(secrets.token_hex(32))
        return path.read_text().strip()

    # -- upkeep ------------------------------------------------------------

    def _named_files(self, table: str) -> tuple[dict[str, int | None], list[str]]:
        """Every data file any version of ``table`` names, with the rows its
        add action records (None where the log gives no count); and one line
        per version whose log cannot be read (its files are then unknown).

        A version whose commit Delta's log clean-up took away behind a later
        checkpoint is gone by design (nothing can be read as of it), not
        unreadable: only the versions from the oldest one kept are read."""
        log = self.root / table / "_delta_log"
        commits = {
            int(name[:-5])
            for name in os.listdir(log)
            if name.endswith(".json") and name[:-5].isdigit()
        }
        checkpoints = {
            int(name.split(".", 1)[0])
            for name in os.listdir(log)
            if ".checkpoint" in name and name.split(".", 1)[0].isdigit()
        }
        newest = max(commits | checkpoints, default=-1)
        named: dict[str, int | None] = {}
        unreadable: list[str] = []
        for version in range(newest + 1):
            if version not in commits and any(c > version for c in checkpoints):
                continue  # expired behind a checkpoint
            try:
                delta = DeltaTable(str(self.root / table), version=version)
                actions = delta.get_add_actions(flatten=True)
            except DeltaError as error:  # TableNotFoundError too: a gap
                reason = str(error).strip().splitlines()[0] if str(error) else ""
                unreadable.append(
                    f"{table}: version {version} cannot be read"
                    + (f" ({reason})" if reason else "")
                )
                continue
            adds = pa.table(actions).select(["path", "num_records"]).to_pylist()
            for add in adds:
                rows = add["num_records"]
                named[str(add["path"])] = None if rows is None else int(rows)
        return named, unreadable

    def orphans(self, grace: timedelta) -> list[Path]:
        """Data files no version of any table names, older than ``grace``:
        what killed loads leave behind. Looked for under the writer lock, so
        no load can be writing (and about to commit) one of them.

        Raises ``UnreadableVersion`` (and finds nothing) while any version
        of any table cannot be read: the files only it names would look
        like orphans."""
        cutoff = time.time() - grace.total_seconds()
        found = []
        with self.writer_lock():
            named_by = {table: self._named_files(table) for table in self.tables()}
            unreadable = [line for _, lines in named_by.values() for line in lines]
            if unreadable:
                advice = (
                    "Nothing was removed: the files an unreadable version names "
                    "are not known, and could be taken for orphans. Restore its "
                    "log from a backup, check with `saferplaces store verify`, "
                    "then vacuum again."
                )
                raise UnreadableVersion("\n".join([*unreadable, advice]))
            for table, (paths, _) in named_by.items():
                folder = self.root / table
                # Partition values are quoted in folder names; the log may
                # give them either way.
                named = set(paths) | {urllib.parse.unquote(p) for p in paths}
                for path in sorted(folder.rglob("*.parquet")):
                    relative = path.relative_to(folder).as_posix()
                    if "_delta_log" in path.parts or relative in named:
                        continue
                    if path.stat().st_mtime < cutoff:
                        found.append(path)
        return found

    def vacuum(self, grace: timedelta, dry_run: bool = False) -> list[Path]:
        """Remove (or with ``dry_run`` only list) ``orphans(grace)``;
        refuses (``UnreadableVersion``) while any version cannot be read."""
        found = self.orphans(grace)
        if not dry_run:
            with self.writer_lock():
                for path in found:
                    path.unlink(missing_ok=True)
        return found

    def verify(self, unique: Mapping[str, str] | None = None) -> list[str]:
        """Problems with the stored files: a version whose log cannot be
        read, a file some version names that is missing, or whose rows
        differ from what the log says; and, for each
        ``unique`` table -> column, a partition holding a non-blank value of
        that column twice (a Crime ID counted twice). [] is healthy."""
        problems = self._verify_files()
        if problems:
            return problems  # the tables cannot be read to look further
        for table, column in (unique or {}).items():
            if table in self.tables():
                problems += self._repeated_ids(table, column)
        return problems

    def _repeated_ids(self, table: str, column: str) -> list[str]:
        """One line per partition holding a non-blank ``column`` value twice."""
        keys = list(self._delta(table).metadata().partition_columns)
        names = ", ".join(f'"{key}"' for key in keys)
        found = self.query(
            f"SELECT {names}, count(*) AS ids FROM (SELECT {names} FROM {table} "
            f'WHERE trim("{column}") <> \'\' GROUP BY {names}, "{column}" '
            f"HAVING count(*) > 1) GROUP BY {names} ORDER BY {names}"
        )
        return [
            f"{table}: {', '.join(f'{key}={row[key]}' for key in keys)} holds "
            f"{row['ids']:,} {column} values more than once"
            for row in found.to_pylist()
        ]

    def _verify_files(self) -> list[str]:
        problems = []
        for table in self.tables():
            folder = self.root / table
            named, unreadable = self._named_files(table)
            problems += unreadable
            for relative, rows in sorted(named.items()):
                path = folder / relative
                if not path.exists():
                    path = folder / urllib.parse.unquote(relative)
                if not path.exists():
                    problems.append(f"{table}: {relative} is missing")
                    continue
                found = pq.ParquetFile(path).metadata.num_rows
                if rows is not None and found != rows:
                    problems.append(
                        f"{table}: {relative} has {found:,} rows; the log says {rows:,}"
                    )
        return problems

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
        batches: pa.RecordBatchReader,
        *,
        partition_by: list[str],
        make_record: Callable[[Committed], dict[str, Any]],
    ) -> Committed | None:
        """Write ``batches`` to ``table`` and commit them in one Delta commit.

        The stored files of every partition the batches touch are removed in
        the same commit, so a load replaces what it covers (a corrected file
        for a force and month replaces that month). Files are streamed to
        Parquet as the batches arrive; until the commit they are invisible,
        so a killed load leaves the table at its previous version. Must be
        called inside ``writer_lock``. Returns None when there was no row.
        """
        path = self.root / table
        written = _write_parquet(path, batches, partition_by)
        if not written.adds:
            return None
        exists = (path / "_delta_log").is_dir()
        removes, replaced = (
            self._files_in(table, written.partitions, partition_by)
            if exists
            else ([], [])
        )
        rows: dict[tuple[str, ...], int] = {}
        for add in written.adds:
            key = tuple(str(add.partition_values[name]) for name in partition_by)
            rows[key] = rows.get(key, 0) + int(json.loads(add.stats)["numRecords"])
        committed = Committed(
            partitions=sorted(written.partitions), replaced=replaced, version=-1,
            rows=rows,
        )  # fmt: skip
        try:
            record = make_record(committed)
        except BaseException:
            # The caller decided not to commit: take the unseen files away.
            for add in written.adds:
                (path / add.path).unlink(missing_ok=True)
            raise
        properties = CommitProperties(custom_metadata={LOAD_KEY: json.dumps(record)})
        if exists:
            self._delta(table).create_write_transaction(
                [*written.adds, *removes],
                mode="append",
                schema=batches.schema,
                partition_by=partition_by,
                commit_properties=properties,
            )
        else:
            create_table_with_add_actions(
                str(path),
                DeltaSchema.from_arrow(batches.schema),
                written.adds,
                mode="error",
                partition_by=partition_by,
                commit_properties=properties,
            )
        committed.version = self._delta(table).version()
        self._heads = None  # this process's own load is seen at once
        return committed

    def _files_in(
        self, table: str, partitions: set[tuple[str, ...]], partition_by: list[str]
    ) -> tuple[list[RemoveAction], list[dict[str, Any]]]:
        """Remove actions for the stored files in ``partitions``, and how many
        rows each partition held."""
        actions = pa.table(self._delta(table).get_add_actions(flatten=True))
        now = int(time.time() * 1000)
        removes = []
        rows: dict[tuple[str, ...], int] = {}
        for file in actions.to_pylist():
            key = tuple(str(file[f"partition.{name}"]) for name in partition_by)
            if key not in partitions:
                continue
            removes.append(
                RemoveAction(
                    path=file["path"],
                    data_change=True,
                    deletion_timestamp=now,
                    size=file["size_bytes"],
                    partition_values=dict(zip(partition_by, key, strict=True)),
                )
            )
            rows[key] = rows.get(key, 0) + int(file["num_records"] or 0)
        replaced = [
            {**dict(zip(partition_by, key, strict=True)), "rows": count}
            for key, count in sorted(rows.items())
        ]
        return removes, replaced


@dataclass
class Committed:
    """What a commit wrote: partition keys, rows replaced, Delta version."""

    partitions: list[tuple[str, ...]]
    replaced: list[dict[str, Any]]
    version: int
    # Rows written per partition key (what each replaced partition becomes).
    rows: dict[tuple[str, ...], int] = field(default_factory=dict)


@dataclass
class _Written:
    adds: list[AddAction]
    partitions: set[tuple[str, ...]]


def _write_parquet(
    path: Path, batches: pa.RecordBatchReader, partition_by: list[str]
) -> _Written:
    """Stream batches into hive-partitioned Parquet files under ``path``.

    The caller's batches are checked on other threads while this one encodes
    Parquet (Arrow releases the GIL while it encodes), so reading, checking
    and writing overlap. Nothing here is visible until the caller commits;
    on failure the files written so far are removed.
    """
    writer = _PartitionedWriter(path, batches.schema, partition_by)
    try:
        for batch in batches:
            writer.write(batch)
        return writer.close()
    except BaseException:
        writer.abandon()
        raise


class _PartitionedWriter:
    """One Parquet file per partition, row groups of at least ``GROUP_ROWS``
    while no more than ``MOST_BUFFERED`` rows wait in all partitions."""

    GROUP_ROWS = 64_000
    # A load spread over many partitions (a year of every force: 516 force
    # and month partitions of 12,000 rows) would otherwise hold every row
    # until the end: memory grew with the load (2.1 million rows: 968 MiB
    # peak; bench/national.py). Past this, every partition writes what waits.
    MOST_BUFFERED = 1_000_000

    def __init__(self, root: Path, schema: pa.Schema, partition_by: list[str]):
        self.root = root
        self.partition_by = partition_by
        self.data_schema = pa.schema(
            [field for field in schema if field.name not in partition_by]
        )
        self.stem = f"part-{uuid.uuid4().hex}"
        self.files: dict[tuple[str, ...], _PartitionFile] = {}
        self.encoding: _Encoding | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        table = pa.Table.from_batches([batch])
        if self.encoding is None:
            self.encoding = _Encoding.judged_on(table.drop_columns(self.partition_by))
        keys = [table.column(name).cast(pa.string()) for name in self.partition_by]
        joined = (
            keys[0] if len(keys) == 1 else pc.binary_join_element_wise(*keys, "\x1f")
        )
        encoded = pc.dictionary_encode(joined).combine_chunks()
        data = table.drop_columns(self.partition_by)
        values = encoded.dictionary.to_pylist()
        if len(values) > 1:
            # One take groups the rows by partition; the groups are then
            # zero-copy slices (a filter per partition copies every column
            # once per partition).
            order = pc.sort_indices(encoded.indices)
            data = data.take(order)
            counts = pc.take(encoded.indices, order).value_counts()
            sizes = dict(
                zip(
                    counts.field("values").to_pylist(),
                    counts.field("counts").to_pylist(),
                    strict=True,
                )
            )
        else:
            sizes = {0: table.num_rows}
        start = 0
        for index in sorted(sizes):
            rows = data.slice(start, sizes[index])
            start += sizes[index]
            self._file(tuple(str(values[index]).split("\x1f"))).add(rows)
        if sum(file.pending_rows for file in self.files.values()) > self.MOST_BUFFERED:
            for file in self.files.values():
                file.flush()

    def _file(self, key: tuple[str, ...]) -> _PartitionFile:
        encoding = self.encoding
        assert encoding is not None  # judged on the first batch
        if key not in self.files:
            folder = "/".join(
                f"{name}={urllib.parse.quote(value, safe='')}"
                for name, value in zip(self.partition_by, key, strict=True)
            )
            relative = f"{folder}/{self.stem}.parquet"
            target = self.root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            self.files[key] = _PartitionFile(
                relative,
                pq.ParquetWriter(
                    target,
                    self.data_schema,
                    use_dictionary=encoding.dictionary,
                    compression=encoding.compression,
                ),
                self.GROUP_ROWS,
            )
        return self.files[key]

    def close(self) -> _Written:
        now = int(time.time() * 1000)
        adds = []
        for key, file in self.files.items():
            file.close()
            adds.append(
                AddAction(
                    path=file.relative,
                    size=(self.root / file.relative).stat().st_size,
                    partition_values=dict(zip(self.partition_by, key, strict=True)),
                    modification_time=now,
                    data_change=True,
                    stats=json.dumps({"numRecords": file.rows}),
                )
            )
        return _Written(adds, set(self.files))

    def abandon(self) -> None:
        for file in self.files.values():
            file.writer.close()
            (self.root / file.relative).unlink(missing_ok=True)


@dataclass
class _Encoding:
    """How each column is encoded, judged on the first rows written.

    A Parquet dictionary pays where values repeat (month, crime type, LSOA)
    and is wasted work where they rarely do (crime ids, line numbers): the
    writer hashes every value before giving up on it. Likewise Snappy
    shrinks text but not random-looking bytes such as hexadecimal ids.
    Measured on the street-crime benchmark, skipping both where they do not
    pay cut Parquet encoding by about 40%.
    """

    dictionary: list[str]
    compression: dict[str, str]

    @classmethod
    def judged_on(cls, sample: pa.Table) -> _Encoding:
        dictionary, compression = [], {}
        for name in sample.column_names:
            column = sample.column(name)
            if pa.types.is_nested(column.type):
                distinct = 0  # Parquet's defaults, as before any judging
            else:
                distinct = pc.count_distinct(column, mode="all").as_py()
            if distinct <= max(sample.num_rows // 2, 1000):
                dictionary.append(name)
                compression[name] = "snappy"
            else:
                compression[name] = "snappy" if _compresses(column) else "none"
        return cls(dictionary, compression)


def _compresses(column: pa.ChunkedArray, sample_bytes: int = 1 << 18) -> bool:
    """Whether Snappy saves at least a tenth on the column's first values."""
    values = column.combine_chunks().buffers()[-1]
    if values is None or values.size < 4096:
        return True
    head = values.slice(0, min(values.size, sample_bytes))
    packed = pa.compress(head, codec="snappy", asbytes=False)
    return bool(packed.size < 0.9 * head.size)


@dataclass
class _PartitionFile:
    relative: str
    writer: pq.ParquetWriter
    group_rows: int
    rows: int = 0
    pending: list[pa.Table] | None = None
    pending_rows: int = 0

    def add(self, rows: pa.Table) -> None:
        self.pending = [*(self.pending or []), rows]
        self.pending_rows += rows.num_rows
        if self.pending_rows >= self.group_rows:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            table = pa.concat_tables(self.pending)
            self.writer.write_table(table, row_group_size=max(table.num_rows, 1))
            self.rows += table.num_rows
        self.pending, self.pending_rows = None, 0

    def close(self) -> None:
        self.flush()
        self.writer.close()
