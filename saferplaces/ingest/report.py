"""Terminal output for loads and the store: progress, summaries, tables."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.csv as pacsv
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from saferplaces.analytics.store import Load, Store
from saferplaces.ingest.loader import LoadReport
from saferplaces.ingest.loader import Progress as ProgressCallback

# Lines are never wrapped (they are read by scripts and pasted into tickets);
# tables get room when the output is not a terminal.
console = Console(highlight=False, soft_wrap=True)
if not console.is_terminal:
    console = Console(highlight=False, soft_wrap=True, width=200)
REASONS_SHOWN = 10


@contextmanager
def progress_bar(quiet: bool) -> Iterator[ProgressCallback | None]:
    if quiet:
        yield None
        return
    with Progress(
        TextColumn("{task.description:<40}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("finding files", total=None)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage[:40], completed=done, total=total)

        yield update


def print_report(report: LoadReport, quiet: bool) -> None:
    skipped = [f for f in report.files if f.skipped_as_load is not None]
    if not report.files:
        console.print(f"No {report.source} files found.")
        return
    if not quiet:
        for result in report.files:
            if result.skipped_as_load is not None:
                console.print(
                    f"  {result.name}: already loaded (load "
                    f"{result.skipped_as_load}), skipped"
                )
                continue
            if result.duplicate_of is not None:
                console.print(
                    f"  {result.name}: the same as {result.duplicate_of}, loaded once"
                )
                continue
            console.print(
                f"  {result.name}: {result.rows_read:,} rows read, "
                f"{result.accepted:,} accepted, {result.rejected:,} rejected"
            )
            for note in result.notes:
                console.print(f"    note: {note}")
        for replaced in report.replaced:
            console.print(
                f"  replaced {replaced['rows']:,} stored rows for {_keys(replaced)}"
            )
        if report.reject_reasons:
            console.print("  Rejected rows by reason:")
            for (field, reason), count in report.reject_reasons.most_common(
                REASONS_SHOWN
            ):
                console.print(f"    {count:>8,}  {field}: {reason}")
    copies = [f for f in report.files if f.duplicate_of is not None]
    if copies:
        console.print(
            f"{len(copies)} input(s) the same as another of this load: each "
            "loaded once."
        )
    if report.number is None:
        if skipped and len(skipped) + len(copies) == len(report.files):
            console.print("Nothing to do: every file was already loaded.")
        else:
            console.print("No rows were accepted; nothing was written to the store.")
    else:
        console.print(
            f"Load {report.number}: {report.rows_read:,} rows read, "
            f"{report.accepted:,} accepted, {report.rejected:,} rejected into "
            f"{report.table} (Delta version {report.delta_version})."
        )
    if report.rejects_path:
        console.print(f"Rejected rows: {report.rejects_path}")


def _keys(replaced: dict[str, object]) -> str:
    """A partition and what it held: "west-midlands 2024-03 (1,000 rows)"."""
    key = " ".join(str(v) for k, v in replaced.items() if k != "rows")
    rows = replaced.get("rows")
    return f"{key} ({int(str(rows)):,} rows)" if rows is not None else key


def print_history(loads: list[Load]) -> None:
    if not loads:
        console.print("The store is empty: no loads yet.")
        return
    table = Table("load", "when (UTC)", "table", "version", "files", "read",
                  "accepted", "rejected", "replaced")  # fmt: skip
    for load in loads:
        table.add_row(
            str(load.number),
            f"{load.at:%Y-%m-%d %H:%M:%S}",
            load.table,
            str(load.delta_version),
            str(len(load.files)),
            f"{sum(int(f['rows_read']) for f in load.files):,}",
            f"{load.rows_accepted:,}",
            f"{load.rows_rejected:,}",
            ", ".join(_keys(r) for r in load.replaced) or "-",
        )
    console.print(table)


def print_table(result: pa.Table, as_csv: bool) -> None:
    if as_csv:
        sink = pa.BufferOutputStream()
        pacsv.write_csv(result, sink)
        sys.stdout.write(sink.getvalue().to_pybytes().decode())
        return
    table = Table(*result.column_names)
    for row in result.to_pylist():
        table.add_row(*("" if v is None else str(v) for v in row.values()))
    console.print(table)


def print_tables(store: Store) -> None:
    names = store.tables()
    if not names:
        console.print("The store is empty: no loads yet.")
        return
    table = Table("table", "rows", "months", "first", "last", "Delta version")
    for name in names:
        months = store.months(name)
        rows = store.query(f"SELECT count(*) AS n FROM {name}").column("n")[0].as_py()
        table.add_row(
            name,
            f"{rows:,}",
            str(len(months)),
            months[0] if months else "-",
            months[-1] if months else "-",
            str(store.table_version(name)),
        )
    console.print(table)
