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
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from saferplaces import __version__
from saferplaces.analytics.store import Load, Store
from saferplaces.ingest.reading import InputFile, discover, read_csv
from saferplaces.ingest.sources import FileRead, Source
from saferplaces.ingest.validation import REJECT_SCHEMA, RowChecks, malformed_rejects

Progress = Callable[[str, int, int], None]


@dataclass
class FileResult:
    name: str
    sha256: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    partitions: list[list[str]] = field(default_factory=list)
    skipped_as_load: int | None = None
    notes: list[str] = field(default_factory=list)

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

    @property
    def loaded(self) -> list[FileResult]:
        return [f for f in self.files if f.skipped_as_load is None]

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
) -> LoadReport:
    """Load ``paths`` (files, folders, zips) as ``source``; see module docs."""
    inputs = discover(paths, source.wanted)
    report = LoadReport(source.name, source.table, [])
    if not inputs:
        return report
    tell = progress or (lambda _stage, _done, _total: None)
    history = store.loads(source.table) if source.table in store.tables() else []
    known_lsoas = _known_lsoas(store)

    accepted_parts: list[pa.Table] = []
    reject_parts: list[pa.Table] = []
    for index, item in enumerate(inputs):
        tell(f"reading {Path(item.name).name}", index, len(inputs))
        result = FileResult(item.name, item.sha256())
        report.files.append(result)
        result.skipped_as_load = _already_loaded(result.sha256, history)
        if result.skipped_as_load is not None:
            continue
        accepted, rejects = _read_file(item, source, result, known_lsoas)
        accepted_parts.append(accepted)
        reject_parts.append(rejects)
    tell("committing", len(inputs), len(inputs))

    rejects = (
        pa.concat_tables(reject_parts) if reject_parts else REJECT_SCHEMA.empty_table()
    )
    for row in rejects.group_by(["field", "reason"]).aggregate([]).to_pylist():
        count = pc.sum(
            pc.and_(
                pc.equal(rejects.column("field"), row["field"]),
                pc.equal(rejects.column("reason"), row["reason"]),
            )
        ).as_py()
        report.reject_reasons[(row["field"], row["reason"])] = int(count)
    data = (
        pa.concat_tables(accepted_parts, promote_options="default")
        if accepted_parts
        else None
    )
    if data is not None and source.combine is not None:
        data = source.combine(data)
    if data is None or data.num_rows == 0:
        if rejects.num_rows:
            report.rejects_path = _write_rejects(
                store, rejects, f"unloaded-{source.name}"
            )
        return report

    with store.writer_lock():
        number = store.last_load_number() + 1
        predicate, partitions = _replace_predicate(data, source.replace_keys)
        report.replaced = _rows_replaced(store, source, predicate)
        if rejects.num_rows:
            report.rejects_path = _write_rejects(
                store, rejects, f"load-{number:05d}-{source.name}"
            )
        record = {
            "number": number,
            "source": source.name,
            "saferplaces_version": __version__,
            "files": [f.record() for f in report.loaded],
            "replaced": report.replaced,
            "partitions": partitions,
            "rejects_file": report.rejects_path.name if report.rejects_path else None,
        }
        report.delta_version = store.commit(
            source.table,
            data,
            partition_by=list(source.partition_by),
            replace_predicate=predicate,
            record=record,
        )
        report.number = number
    return report


def _read_file(
    item: InputFile,
    source: Source,
    result: FileResult,
    known_lsoas: pa.Array | None,
) -> tuple[pa.Table, pa.Table]:
    read = source.reader(item) if source.reader else _read_csv_rows(item, source)
    accepted = read.accepted
    if known_lsoas is not None and "lsoa_code" in accepted.column_names:
        lsoa = accepted.column("lsoa_code")
        # Kept and flagged, never dropped: the geography may be incomplete.
        flag = pc.if_else(pc.is_null(lsoa), None, pc.is_in(lsoa, value_set=known_lsoas))
        accepted = accepted.append_column("lsoa_known", flag)
    result.notes += read.notes
    result.rows_read = read.rows_read
    lines = accepted.num_rows if read.lines_accepted is None else read.lines_accepted
    result.accepted = lines
    result.rejected = read.rows_read - lines
    keys = list(source.replace_keys)
    groups = accepted.select(keys).group_by(keys).aggregate([]).to_pylist()
    result.partitions = sorted([str(row[k]) for k in keys] for row in groups)
    return accepted, read.rejects


def _read_csv_rows(item: InputFile, source: Source) -> FileRead:
    """The usual path: a fixed CSV layout checked by the source's rules."""
    assert source.columns is not None
    assert source.transform is not None
    parsed = read_csv(item, source.columns)
    checks = RowChecks(item.name, parsed.table)
    canonical = source.transform(checks, item)
    keep = checks.accepted()
    # Most real files are clean; filtering 2M rows for nothing costs a second.
    accepted = canonical if pc.all(keep).as_py() else canonical.filter(keep)
    rejects = pa.concat_tables(
        [checks.rejects(), malformed_rejects(item.name, parsed.malformed)]
    )
    rows_read = parsed.table.num_rows + len(parsed.malformed)
    return FileRead(accepted, rejects, rows_read, parsed.notes)


def _already_loaded(sha256: str, history: list[Load]) -> int | None:
    """The load that holds this exact file still, if any."""
    for position in range(len(history) - 1, -1, -1):
        load = history[position]
        files = [f for f in load.files if f["sha256"] == sha256]
        if not files:
            continue
        mine = {tuple(p) for f in files for p in f["partitions"]}
        for later in history[position + 1 :]:
            theirs = {tuple(p) for f in later.files for p in f["partitions"]}
            if mine & theirs:
                return None  # since replaced: loading it again restores it
        return load.number
    return None


def _replace_predicate(
    data: pa.Table, keys: tuple[str, ...]
) -> tuple[str, list[list[str]]]:
    """A Delta predicate matching every key combination in ``data``.

    Grouped on all keys but the last, which becomes an IN list:
    ``(force = 'x' AND month IN ('2024-01', '2024-02')) OR ...``.
    """
    names = list(keys)
    combos = sorted(
        tuple(str(row[k]) for k in names)
        for row in data.select(names).group_by(names).aggregate([]).to_pylist()
    )
    grouped: dict[tuple[str, ...], list[str]] = {}
    for combo in combos:
        grouped.setdefault(combo[:-1], []).append(combo[-1])
    clauses = []
    for prefix, lasts in grouped.items():
        parts = [f"{k} = {_quote(v)}" for k, v in zip(names, prefix, strict=False)]
        parts.append(f"{names[-1]} IN ({', '.join(_quote(v) for v in lasts)})")
        clauses.append("(" + " AND ".join(parts) + ")")
    return " OR ".join(clauses), [list(combo) for combo in combos]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _rows_replaced(
    store: Store, source: Source, predicate: str
) -> list[dict[str, Any]]:
    if source.table not in store.tables():
        return []
    keys = ", ".join(source.replace_keys)
    rows = store.query(
        f"SELECT {keys}, count(*) AS rows FROM {source.table} "
        f"WHERE {predicate} GROUP BY {keys} ORDER BY {keys}"
    )
    replaced: list[dict[str, Any]] = rows.to_pylist()
    return replaced


def _known_lsoas(store: Store) -> pa.Array | None:
    if "geography" not in store.tables():
        return None
    codes = store.query("SELECT code FROM geography WHERE level = 'lsoa'")
    return codes.column("code").combine_chunks()


def _write_rejects(store: Store, rejects: pa.Table, stem: str) -> Path:
    folder = store.root / "_rejects"
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{stem}.csv"
    partial = folder / f".{stem}.csv.partial"
    pacsv.write_csv(rejects, partial)
    os.replace(partial, final)
    return final
