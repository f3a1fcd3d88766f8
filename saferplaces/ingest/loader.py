"""Run one load: files in, validated rows committed in one Delta commit.

The rules:

* A file already loaded (same SHA-256) whose partitions no later load has
  replaced is skipped: loading the same file twice changes nothing.
* A file refused whole (wrong header or encoding) stops the load before
  anything is written.
* The accepted rows of every file go into one commit that replaces the
  stored rows of each (force, month) the load covers. A corrected file for a
  force and month therefore replaces that partition, and the load record
  says how many rows it replaced.
* Rejected rows go to ``store/_rejects/load-NNNNN-SOURCE.csv`` with file,
  line, field, value and reason.
* Nothing is counted twice (issue 27): identical inputs in one load are
  loaded once (by SHA-256); where a partition is one file's (a police.uk
  force-month), two files covering it are refused, a file named for a month
  must hold that month, and a repeated record id (a Crime ID) is rejected.
* A load that would shrink a partition by more than ``MOST_SHRINK`` needs
  ``allow_shrink``.
"""

from __future__ import annotations

import collections
import functools
import itertools
import json
import os
import queue
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from deltalake import CommitProperties, DeltaTable, write_deltalake
from deltalake.exceptions import DeltaError

from saferplaces import __version__
from saferplaces.analytics.perturbation import STORED_KEY_RANGE
from saferplaces.analytics.store import LOAD_KEY, Committed, Load, Store
from saferplaces.codes import MONTH_TEXT
from saferplaces.ingest.geography import areas_by_file, population_in_breakdowns
from saferplaces.ingest.reading import (
    FileRefused,
    InputFile,
    NeedsExactReader,
    ParsedBatch,
    check_header,
    discover,
    iter_csv,
    unpack,
)
from saferplaces.ingest.sources import FileRead, Source
from saferplaces.ingest.validation import REJECT_SCHEMA, RowChecks, malformed_rejects

Progress = Callable[[str, int, int], None]
CHECK_THREADS = 2
# A load that would take more than this share of the rows a partition holds
# away is refused unless allowed (docs/data/README.md): a file cut at a line
# boundary must not replace a month. police.uk's re-publications of a month
# move it by a percent or so; a cut file loses far more.
MOST_SHRINK = 0.05
# police.uk names files YYYY-MM-FORCE-KIND.csv: the month a file holds.
_NAMED_MONTH = re.compile(rf"^({MONTH_TEXT})-")
# Stored layouts a load upgrades by itself, by table and the partition
# columns it was kept by: its stored rows in today's layout. A table kept
# any other way than its source says is refused (_refuse_another_layout).
LAYOUT_UPGRADES: dict[tuple[str, tuple[str, ...]], Callable[[pa.Table], pa.Table]] = {
    # Before each breakdown was a partition of its own (issue 26, fault 6).
    ("population", ("year",)): population_in_breakdowns,
    # Before each file's areas were a partition of their own (issue 29).
    ("geography", ("level", "vintage")): areas_by_file,
}


class LoadShrinks(FileRefused):
    """The load would replace partitions with far fewer rows."""


class CoveredTwice(FileRefused):
    """Two files of one load cover one partition (it would count twice)."""


@dataclass
class FileResult:
    name: str
    checksum: Future[str] | None = None
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    partitions: list[list[str]] = field(default_factory=list)
    skipped_as_load: int | None = None
    # An identical input earlier in the same load: this one is not loaded.
    duplicate_of: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        assert self.checksum is not None
        return self.checksum.result()

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "sha256": self.sha256,
            "rows_read": self.rows_read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "partitions": self.partitions,
        }


@dataclass
class LoadReport:
    source: str
    table: str
    files: list[FileResult]
    number: int | None = None
    delta_version: int | None = None
    replaced: list[dict[str, Any]] = field(default_factory=list)
    rejects_path: Path | None = None
    reject_reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    # What upgrading the table's layout did before this load, if it did.
    upgraded: str | None = None

    @property
    def loaded(self) -> list[FileResult]:
        return [
            f
            for f in self.files
            if f.skipped_as_load is None and f.duplicate_of is None
        ]

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.loaded)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.loaded)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.loaded)


def run_load(
    store: Store,
    source: Source,
    paths: Iterable[Path],
    progress: Progress | None = None,
    *,
    allow_shrink: bool = False,
) -> LoadReport:
    """Load ``paths`` (files, folders, zips) as ``source``; see module docs."""
    inputs = discover(paths, source.wanted)
    if all(item.member is None for item in inputs):
        return _run_load(store, source, inputs, progress, allow_shrink)
    # Zip members are unpacked, streamed and judged (reading.unpack), beside
    # the store, where there is room; removed when the load ends.
    store.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".unpacked-", dir=store.root) as folder:
        unpacked = []
        for item in inputs:
            if progress is not None:
                progress(f"unpacking {Path(item.name).name}", 0, len(inputs))
            unpacked.append(unpack(item, Path(folder)))
        return _run_load(store, source, unpacked, progress, allow_shrink)


def _run_load(
    store: Store,
    source: Source,
    inputs: list[InputFile],
    progress: Progress | None,
    allow_shrink: bool,
) -> LoadReport:
    report = LoadReport(source.name, source.table, [])
    if not inputs:
        return report
    tell = progress or (lambda _stage, _done, _total: None)
    history = store.loads(source.table) if source.table in store.tables() else []
    seen_names = {Path(f["name"]).name for load in history for f in load.files}
    pending: list[tuple[InputFile, FileResult]] = []
    copies = _identical_inputs(inputs)
    with ThreadPoolExecutor(max_workers=1) as hasher:
        for position, item in enumerate(inputs):
            tell(f"checking {Path(item.name).name}", 0, len(inputs))
            result = FileResult(item.name)
            report.files.append(result)
            if position in copies:
                # Named twice, or a file beside a zip of it: loaded once.
                result.duplicate_of, checksum = copies[position]
                result.checksum = _done(checksum)
                continue
            if Path(item.name).name in seen_names:
                # Probably a file loaded before: settle that before any work.
                result.checksum = _done(item.sha256())
                result.skipped_as_load = _already_loaded(
                    result.sha256, history, source.one_file_per_partition
                )
            else:
                # A new name: checksum it while it loads, and look again
                # before committing (it may be a renamed copy).
                result.checksum = hasher.submit(item.sha256)
            if result.skipped_as_load is None:
                pending.append((item, result))
        if pending:
            # Files already loaded are skipped as before, whatever the layout.
            _refuse_another_layout(store, source)
        if source.columns is not None:
            # Refuse a bad file before anything is written, not halfway through.
            for item, _ in pending:
                check_header(
                    item,
                    source.columns_for(item),
                    newline_ended=source.newline_ended,
                )
        upgraded = _upgrade_layout(store, source) if pending else None
        while True:
            try:
                report = _load_either_way(
                    store, source, pending, report, tell, history, allow_shrink
                )
                break
            except _RenamedCopies as copies:
                pending = [
                    (item, result)
                    for item, result in pending
                    if all(result is not copy for copy in copies.results)
                ]
                report = _fresh(report)
            except FileRefused as refused:
                if upgraded is None:
                    raise
                # The upgrade is a commit of its own, and stays: say so.
                raise type(refused)(
                    refused.name,
                    f"{refused.reason} (before this, {upgraded}; nothing of "
                    "this load was written)",
                ) from refused
    report.upgraded = upgraded
    if upgraded is not None and report.loaded:
        # Said where the terminal report says what came of each file.
        report.loaded[0].notes.insert(0, upgraded)
    return report


def _identical_inputs(inputs: list[InputFile]) -> dict[int, tuple[str, str]]:
    """Inputs identical to an earlier one of the same load, by position:
    (the earlier input's name, SHA-256). Only inputs that share a size are
    hashed here; the others are hashed while they load, as before."""
    by_size: dict[int, list[int]] = collections.defaultdict(list)
    for position, item in enumerate(inputs):
        by_size[item.size()].append(position)
    copies: dict[int, tuple[str, str]] = {}
    for same_size in by_size.values():
        if len(same_size) < 2:
            continue
        first_of: dict[str, str] = {}
        for position in same_size:
            checksum = inputs[position].sha256()
            if checksum in first_of:
                copies[position] = (first_of[checksum], checksum)
            else:
                first_of[checksum] = inputs[position].name
    return copies


def _stored_layout(store: Store, source: Source) -> tuple[str, ...] | None:
    """The partition columns the store keeps the table by (None: no table)."""
    if source.table not in store.tables():
        return None
    delta = DeltaTable(str(store.root / source.table))
    return tuple(delta.metadata().partition_columns)


def _refuse_another_layout(store: Store, source: Source) -> None:
    """A table stored under other partition columns cannot take a load (its
    stored partitions would not be found to replace) unless LAYOUT_UPGRADES
    knows how to rewrite it: say what to do."""
    stored = _stored_layout(store, source)
    if stored is None or stored == source.partition_by:
        return
    if (source.table, stored) not in LAYOUT_UPGRADES:
        path = store.root / source.table
        raise FileRefused(
            source.table,
            f"the store keeps this table by {', '.join(stored) or 'nothing'}, and "
            f"this version by {', '.join(source.partition_by)}: move {path} "
            f"aside and load the {source.name} files again",
        )


def _upgrade_layout(store: Store, source: Source) -> str | None:
    """Rewrite a table kept by an older layout (LAYOUT_UPGRADES) into its
    source's, in one Delta commit recorded as a load with no files, so
    ``store history`` shows it; the versions before it stay in the log as
    they were. Says what it did; None when nothing was needed.

    Under the writer lock, so another load cannot write between the rows
    read and the rewrite (or upgrade the table first: then nothing is left
    to do). A failed rewrite commits nothing: the table is as it was."""
    with store.writer_lock():
        stored = _stored_layout(store, source)
        if stored is None or stored == source.partition_by:
            return None
        _refuse_another_layout(store, source)
        was, now = _columns_in_words(stored), _columns_in_words(source.partition_by)
        delta = DeltaTable(str(store.root / source.table))
        before = delta.to_pyarrow_table()
        rows = LAYOUT_UPGRADES[(source.table, stored)](before)
        lost = [name for name in before.column_names if name not in rows.column_names]
        if lost:
            # A column this version does not know would be dropped: refuse.
            raise FileRefused(
                source.table,
                f"is kept by {was} with columns this version does not know "
                f"({', '.join(lost)}): move {store.root / source.table} aside "
                f"and load the {source.name} files again",
            )
        number = store.last_load_number() + 1
        keys = list(source.partition_by)
        layout = f"kept by {was}, now by {now}"
        record = {
            "number": number,
            "source": source.name,
            "saferplaces_version": __version__,
            "files": [],
            # store history shows what a load replaced: here, every row.
            "replaced": [{"layout": layout, "rows": rows.num_rows}],
            "partitions": sorted(
                [str(row[k]) for k in keys]
                for row in rows.select(keys).group_by(keys).aggregate([]).to_pylist()
            ),
            "upgrade": {"was": list(stored), "now": keys, "rows": rows.num_rows},
            "rejects_file": None,
        }
        try:
            write_deltalake(
                delta,
                rows,
                mode="overwrite",
                # Changing the partition columns needs the schema replaced too.
                schema_mode="overwrite",
                partition_by=keys,
                commit_properties=CommitProperties(
                    custom_metadata={LOAD_KEY: json.dumps(record)}
                ),
            )
        except (DeltaError, OSError) as error:
            raise FileRefused(
                source.table,
                f"is kept by {was}, as an older version of saferplaces wrote "
                f"it, and could not be rewritten by {now}: it is as it was and "
                "nothing was loaded. Check that the store can be written to "
                "(space, permissions) and load again",
            ) from error
    return (
        f"the store's {source.table} table was {layout}: upgraded in place as "
        f"load {number}, keeping its {rows.num_rows:,} rows"
    )


def _columns_in_words(columns: Iterable[str]) -> str:
    """("year",) -> "year alone"; ("year", "breakdown") -> "year and breakdown"."""
    names = list(columns)
    if len(names) == 1:
        return f"{names[0]} alone"
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _load_either_way(
    store: Store,
    source: Source,
    pending: list[tuple[InputFile, FileResult]],
    report: LoadReport,
    tell: Progress,
    history: list[Load],
    allow_shrink: bool,
) -> LoadReport:
    try:
        return _load(store, source, pending, report, tell, history,
                     exact=False, allow_shrink=allow_shrink)  # fmt: skip
    except NeedsExactReader:
        # A file that looked regular was not; read every file exactly.
        return _load(store, source, pending, _fresh(report), tell, history,
                     exact=True, allow_shrink=allow_shrink)  # fmt: skip


class _RenamedCopies(Exception):
    """Files that turned out to be copies of loaded ones; marked skipped."""

    def __init__(self, results: list[FileResult]) -> None:
        super().__init__(", ".join(result.name for result in results))
        self.results = results


def _done(value: str) -> Future[str]:
    future: Future[str] = Future()
    future.set_result(value)
    return future


def _settle_checksums(
    files: list[FileResult], history: list[Load], one_file_per_partition: bool
) -> None:
    """Wait for the checksums; stop the commit if a file was loaded before."""
    copies = []
    for result in files:
        loaded_as = _already_loaded(result.sha256, history, one_file_per_partition)
        if loaded_as is not None:
            result.skipped_as_load = loaded_as
            copies.append(result)
    if copies:
        raise _RenamedCopies(copies)


def _refuse_shrinking(committed: Committed, partition_by: list[str]) -> None:
    """Stop the commit if a partition would lose more than MOST_SHRINK of
    its rows (raised before the commit, so nothing of the load is kept)."""
    shrinking = []
    for replaced in committed.replaced:
        key = tuple(str(replaced[name]) for name in partition_by)
        before, after = int(replaced["rows"]), committed.rows.get(key, 0)
        if after < (1 - MOST_SHRINK) * before:
            shrinking.append(f"{' '.join(key)}: {before:,} rows would become {after:,}")
    if shrinking:
        raise LoadShrinks(
            "the load",
            f"would take more than {MOST_SHRINK:.0%} of the rows stored away ("
            + "; ".join(shrinking)
            + "). A cut-off or damaged file does this; if the smaller file is "
            "right, load it again with --allow-shrink",
        )


def _fresh(report: LoadReport) -> LoadReport:
    for result in report.loaded:
        result.rows_read = result.accepted = result.rejected = 0
        result.partitions, result.notes = [], []
    return LoadReport(report.source, report.table, report.files)


def _load(
    store: Store,
    source: Source,
    pending: list[tuple[InputFile, FileResult]],
    report: LoadReport,
    tell: Progress,
    history: list[Load],
    exact: bool,
    allow_shrink: bool,
) -> LoadReport:
    known_lsoas = _known_lsoas(store)
    rejects: list[pa.Table] = []
    record_keys = RecordKeys(store.record_key_secret(), source.record_id)
    batches = _batches(source, pending, known_lsoas, record_keys, rejects, tell, exact)
    if source.combine is not None:
        everything = list(batches)
        if everything:
            combined = source.combine(pa.Table.from_batches(everything))
            batches = iter(combined.to_batches())
    batches = _prefetched(batches)
    first = next(batches, None)
    with store.writer_lock():
        number = store.last_load_number() + 1

        def record(committed: Committed) -> dict[str, Any]:
            _settle_checksums(
                [result for _, result in pending],
                history,
                source.one_file_per_partition,
            )
            if not allow_shrink:
                _refuse_shrinking(committed, list(source.partition_by))
            report.rejects_path = _write_rejects(
                store, rejects, f"load-{number:05d}-{source.name}"
            )
            report.replaced = committed.replaced
            return {
                "number": number,
                "source": source.name,
                "saferplaces_version": __version__,
                "files": [f.record() for f in report.loaded],
                "replaced": committed.replaced,
                "partitions": [list(key) for key in committed.partitions],
                "rejects_file": report.rejects_path.name
                if report.rejects_path
                else None,
            }

        committed = None
        if first is not None:
            reader = pa.RecordBatchReader.from_batches(
                first.schema, itertools.chain([first], batches)
            )
            committed = store.commit(
                source.table,
                reader,
                partition_by=list(source.partition_by),
                make_record=record,
            )
    if committed is None:
        report.rejects_path = _write_rejects(store, rejects, f"unloaded-{source.name}")
    else:
        report.number, report.delta_version = number, committed.version
    _count_reasons(report, rejects)
    tell("done", 1, 1)
    return report


def _batches(
    source: Source,
    pending: list[tuple[InputFile, FileResult]],
    known_lsoas: pa.Array | None,
    record_keys: RecordKeys,
    rejects: list[pa.Table],
    tell: Progress,
    exact: bool,
) -> Iterator[pa.RecordBatch]:
    """Accepted rows, batch by batch, with each file's counts kept up to date."""
    owners: dict[tuple[str, ...], str] = {}
    keys = list(source.partition_by)
    for index, (item, result) in enumerate(pending):
        tell(f"loading {Path(item.name).name}", index, len(pending))
        partitions: set[tuple[str, ...]] = set()
        repeats = _Repeats(source, item.name)
        for read in _reads(item, source, exact, record_keys):
            accepted = _flag_lsoas(read.accepted, known_lsoas)
            if source.named_by_month:
                _refuse_another_month(item.name, accepted)
            lines = (
                accepted.num_rows
                if read.lines_accepted is None
                else read.lines_accepted
            )
            accepted, repeated = repeats.split(accepted)
            result.notes += read.notes
            result.rows_read += read.rows_read
            result.accepted += lines - repeated.num_rows
            result.rejected += read.rows_read - lines + repeated.num_rows
            rejects += [read.rejects, repeated]
            for row in accepted.select(keys).group_by(keys).aggregate([]).to_pylist():
                partitions.add(tuple(str(row[k]) for k in keys))
            if source.one_file_per_partition:
                _claim(owners, partitions, item.name)
            yield from accepted.to_batches()
        result.partitions = sorted(list(key) for key in partitions)


def _claim(
    owners: dict[tuple[str, ...], str], partitions: set[tuple[str, ...]], name: str
) -> None:
    """Refuse a second file of a partition: both would be loaded, and the
    partition counted twice (a month's file and its copy under another
    name, or two downloads of one force-month)."""
    for key in sorted(partitions):
        owner = owners.setdefault(key, name)
        if owner != name:
            raise CoveredTwice(
                name,
                f"holds {' '.join(key)}, as {owner} does: a load takes one file "
                "of each, or the month would be counted twice. Load the one "
                "that is right (nothing of this load was written)",
            )


def _refuse_another_month(name: str, accepted: pa.Table) -> None:
    """A file named for a month (2024-05-...) holds that month alone: one
    whose rows say another would replace that other month unseen."""
    named = _NAMED_MONTH.match(Path(name).name)
    if named is None or accepted.num_rows == 0:
        return
    other = pc.not_equal(accepted.column("month"), named.group(1))
    if not pc.any(other).as_py():
        return
    first = accepted.filter(other).slice(0, 1).to_pylist()[0]
    raise FileRefused(
        name,
        f"is named for {named.group(1)} but line {first['source_line']} is of "
        f"{first['month']}: a file holds the month its name gives, or it would "
        "replace another month. Rename it or fetch the right file (nothing of "
        "this load was written)",
    )


class _Repeats:
    """Rows whose record id (``Source.unique_id``) an earlier row of the same
    file and partition had: rejected, so the record is counted once.

    Blank ids (anti-social behaviour has no Crime ID) never repeat. The ids
    seen are kept for one file, which is its partitions' only one."""

    def __init__(self, source: Source, file: str) -> None:
        self.file = file
        self.keys = list(source.partition_by)
        self.unique = source.unique_id
        self.seen: dict[tuple[str, ...], set[str]] = {}

    def split(self, rows: pa.Table) -> tuple[pa.Table, pa.Table]:
        """(rows to keep, rejects for the repeats)."""
        if self.unique is None or rows.num_rows == 0:
            return rows, REJECT_SCHEMA.empty_table()
        repeats = [
            mine.filter(self._repeated(key, mine))
            for key, mine in self._by_partition(rows)
        ]
        gone = pa.concat_tables(repeats)
        if gone.num_rows == 0:
            return rows, REJECT_SCHEMA.empty_table()
        keep = pc.invert(
            pc.is_in(rows.column("source_line"), value_set=gone.column("source_line"))
        )
        return rows.filter(keep), self._rejects(gone)

    def _by_partition(self, rows: pa.Table) -> list[tuple[tuple[str, ...], pa.Table]]:
        """The rows of each partition (a file's batch is mostly one: no copy)."""
        if all(pc.count_distinct(rows.column(k)).as_py() == 1 for k in self.keys):
            return [(tuple(str(rows.column(k)[0]) for k in self.keys), rows)]
        found = rows.select(self.keys).group_by(self.keys).aggregate([]).to_pylist()
        parts = []
        for row in found:
            mask = functools.reduce(
                pc.and_, [pc.equal(rows.column(k), row[k]) for k in self.keys]
            )
            parts.append((tuple(str(row[k]) for k in self.keys), rows.filter(mask)))
        return parts

    def _repeated(self, key: tuple[str, ...], rows: pa.Table) -> pa.Array:
        """True for each row whose id an earlier row of its partition had."""
        column = rows.column(self.unique[0] if self.unique else "")
        ids = column.to_pylist()
        seen = self.seen.setdefault(key, set())
        batch = set(ids)
        batch.discard(None)
        if len(batch) == len(ids) - column.null_count and seen.isdisjoint(batch):
            seen |= batch  # no repeat, as in most batches: all at C speed
            return pa.repeat(pa.scalar(False), rows.num_rows)
        repeated = []
        for value in ids:
            repeated.append(value is not None and value in seen)
            seen.add(value)
        return pa.array(repeated, pa.bool_())

    def _rejects(self, gone: pa.Table) -> pa.Table:
        column, label = self.unique or ("", "")
        reason = f"{label} is on an earlier line of the same month; counted once"
        count = gone.num_rows
        return pa.table(
            {
                "file": pa.repeat(pa.scalar(self.file), count),
                "line": gone.column("source_line").cast(pa.int32()),
                "field": pa.repeat(pa.scalar(label), count),
                "value": gone.column(column),
                "reason": pa.repeat(pa.scalar(reason), count),
            },
            schema=REJECT_SCHEMA,
        )


def _prefetched(
    batches: Iterator[pa.RecordBatch], depth: int = 2
) -> Iterator[pa.RecordBatch]:
    """Run the producer (read + check) on its own thread, ``depth`` ahead.

    Arrow's writer pulls batches on its thread; with the checks on another,
    reading, checking and writing use both cores instead of taking turns.
    Arrow's kernels release the GIL, so the threads really run together.
    """
    slots: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)

    def produce() -> None:
        try:
            for batch in batches:
                slots.put(("batch", batch))
            slots.put(("end", None))
        # Not swallowed: handed to the consumer, which re-raises it on the
        # load's own thread (a worker thread's exception would be lost).
        except BaseException as error:  # noqa: BLE001
            slots.put(("error", error))

    worker = threading.Thread(target=produce, name="saferplaces-check", daemon=True)
    worker.start()
    while True:
        kind, value = slots.get()
        if kind == "end":
            return
        if kind == "error":
            raise value
        yield value


def _reads(
    item: InputFile, source: Source, exact: bool, record_keys: RecordKeys
) -> Iterator[FileRead]:
    if source.reader is not None:
        read = source.reader(item)
        read.accepted = record_keys.added_to(read.accepted)
        yield read
        return
    assert source.columns is not None
    transform = source.transform
    assert transform is not None

    def check(parsed: ParsedBatch) -> FileRead:
        table = parsed.table
        for name in source.optional_columns:
            if name not in table.column_names:
                # Blank, as an empty cell in a file that has the column.
                table = table.append_column(name, pa.repeat(pa.scalar(""), len(table)))
        checks = RowChecks(item.name, table)
        canonical = transform(checks, item)
        keep = checks.accepted()
        # Most real files are clean; filtering every batch for nothing is slow.
        accepted = canonical if pc.all(keep).as_py() else canonical.filter(keep)
        # Here, on the checking threads, so keys are hashed two at a time.
        accepted = record_keys.added_to(accepted)
        rejects = pa.concat_tables(
            [checks.rejects(), malformed_rejects(item.name, parsed.malformed)]
        )
        rows_read = parsed.table.num_rows + len(parsed.malformed)
        # One contiguous batch: the writer splits it by partition, and many
        # small chunks would multiply that work (done here, on a worker).
        return FileRead(accepted.combine_chunks(), rejects, rows_read, parsed.notes)

    # Batches are independent, so two are checked at once (Arrow's kernels
    # release the GIL); results come back in file order.
    with ThreadPoolExecutor(max_workers=CHECK_THREADS) as pool:
        in_flight: collections.deque[Future[FileRead]] = collections.deque()
        for parsed in iter_csv(item, source.columns_for(item), exact=exact):
            in_flight.append(pool.submit(check, parsed))
            if len(in_flight) > CHECK_THREADS:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


class RecordKeys:
    """Gives each row its record key for cell key perturbation.

    The key is a hash of the store's secret and the record's identity (the
    source's ``record_id`` columns, else the row's content), modulo 65,536:
    the same record always gets the same key, so loading a corrected file
    again does not draw fresh noise for the cells it did not change (an
    attacker polling after each load could otherwise average it away).
    DuckDB hashes about 2 million rows in 40 ms; Python would take seconds.
    """

    VOLATILE = frozenset({"source_file", "source_line", "lsoa_known", "record_key"})

    def __init__(self, secret: str, record_id: tuple[str, ...] | None) -> None:
        self.secret = secret
        self.record_id = record_id
        # One DuckDB connection per checking thread.
        self._local = threading.local()

    def added_to(self, rows: pa.Table) -> pa.Table:
        if self.record_id is None or rows.num_rows == 0:
            return rows
        connection = getattr(self._local, "connection", None)
        if connection is None:
            import duckdb  # only loads of records pay for it

            # One DuckDB thread each: the checking threads are the parallelism.
            connection = self._local.connection = duckdb.connect(config={"threads": 1})
        content = [c for c in rows.column_names if c not in self.VOLATILE]
        whole = _hash_of(content)
        if self.record_id:
            first = _quoted(self.record_id[0])
            key = f"CASE WHEN {first} IS NULL THEN {whole} "
            key += f"ELSE {_hash_of(list(self.record_id))} END"
        else:
            key = whole
        connection.register("keyed_rows", rows)
        try:
            keyed = connection.sql(
                f"SELECT ({key} % {STORED_KEY_RANGE})::USMALLINT AS record_key "
                "FROM keyed_rows",
                params={"secret": self.secret},
            ).to_arrow_table()
        finally:
            connection.unregister("keyed_rows")
        return rows.append_column("record_key", keyed.column("record_key"))


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _hash_of(columns: list[str]) -> str:
    return f"hash($secret, {', '.join(_quoted(c) for c in columns)})"


def _flag_lsoas(accepted: pa.Table, known_lsoas: pa.Array | None) -> pa.Table:
    """Rows whose LSOA the loaded geography lacks are kept and flagged.

    The column is always there (null without a geography) so every load of a
    table has the same schema.
    """
    if "lsoa_code" not in accepted.column_names:
        return accepted
    lsoa = accepted.column("lsoa_code")
    if known_lsoas is None:
        flag = pa.nulls(accepted.num_rows, pa.bool_())
    else:
        flag = pc.if_else(pc.is_null(lsoa), None, pc.is_in(lsoa, value_set=known_lsoas))
    return accepted.append_column("lsoa_known", flag)


def _count_reasons(report: LoadReport, rejects: list[pa.Table]) -> None:
    if not rejects:
        return
    table = pa.concat_tables(rejects)
    counts = table.group_by(["field", "reason"]).aggregate([("line", "count")])
    for row in counts.to_pylist():
        report.reject_reasons[(row["field"], row["reason"])] = int(row["line_count"])


def _already_loaded(
    sha256: str, history: list[Load], one_file_per_partition: bool = False
) -> int | None:
    """The load that holds this exact file still, if any. Where a partition
    is one file's, a load that took another file of the same partition too
    (as loads before issue 27 did) holds it doubled: not "already loaded",
    so loading the file again repairs the month."""
    for position in range(len(history) - 1, -1, -1):
        load = history[position]
        files = [f for f in load.files if f["sha256"] == sha256]
        if not files:
            continue
        mine = {tuple(p) for f in files for p in f["partitions"]}
        beside = {
            tuple(p) for f in load.files if f["sha256"] != sha256
            for p in f["partitions"]
        }  # fmt: skip
        if one_file_per_partition and mine & beside:
            return None
        for later in history[position + 1 :]:
            theirs = {tuple(p) for f in later.files for p in f["partitions"]}
            if mine & theirs:
                return None  # since replaced: loading it again restores it
        return load.number
    return None


def _known_lsoas(store: Store) -> pa.Array | None:
    if "geography" not in store.tables():
        return None
    codes = store.query("SELECT code FROM geography WHERE level = 'lsoa'")
    return codes.column("code").combine_chunks()


def _write_rejects(store: Store, parts: list[pa.Table], stem: str) -> Path | None:
    """The rejected rows, or None when there were none."""
    rejects = pa.concat_tables(parts) if parts else REJECT_SCHEMA.empty_table()
    if rejects.num_rows == 0:
        return None
    rejects = rejects.sort_by([("file", "ascending"), ("line", "ascending")])
    folder = store.root / "_rejects"
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{stem}.csv"
    partial = folder / f".{stem}.csv.partial"
    pacsv.write_csv(rejects, partial)
    os.replace(partial, final)
    return final
