"""The registry of ingest sources: what each accepts and where it lands.

Each source registers itself here with its metadata; the CLI and the docs are
generated from the registry, and a test fails if a source lacks a description.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from saferplaces.ingest.reading import InputFile, header_of
from saferplaces.ingest.validation import RowChecks

# Adds its rules to the checks and returns the canonical table (every row;
# the loader keeps the accepted ones).
Transform = Callable[[RowChecks, InputFile], pa.Table]


@dataclass
class FileRead:
    """What a source made of one file."""

    accepted: pa.Table
    rejects: pa.Table
    rows_read: int
    notes: list[str]
    # Lines accepted, when a line yields several rows (a lookup row names an
    # LSOA, its ward and its local authority); defaults to accepted rows.
    lines_accepted: int | None = None


# For sources that are not one fixed CSV layout (GeoJSON, YAML, lookups
# whose columns name their vintage): reads a file into canonical rows.
Reader = Callable[[InputFile], FileRead]


@dataclass(frozen=True)
class Source:
    name: str
    table: str
    title: str
    description: str
    wanted: Callable[[str], bool]
    columns: list[str] | None = None
    transform: Transform | None = None
    reader: Reader | None = None
    # Partition columns; a new load replaces the stored partitions it covers
    # (for crime: a corrected file for a force and month replaces that month).
    partition_by: tuple[str, ...] = ("force", "month")
    # How the rows are combined inside one load (e.g. de-duplicated areas).
    combine: Callable[[pa.Table], pa.Table] | None = None
    # The columns that say which record a row is, for its record key (cell
    # key perturbation, saferplaces.analytics.perturbation). () keys a row
    # by its whole content; None gives reference data (areas, population)
    # no record keys.
    record_id: tuple[str, ...] | None = ()
    # Columns a file may add after ``columns`` (read as blank when absent),
    # so a documented layout can grow without refusing older files.
    optional_columns: tuple[str, ...] = ()
    # Each partition comes from one file (police.uk's force-months): two
    # files covering one partition in a load are refused, as loading both
    # would count it twice (issue 27, finding 3).
    one_file_per_partition: bool = False
    # Files named YYYY-MM-... (police.uk's names) hold that month only: a
    # file whose rows say another month is refused, as it would replace it.
    named_by_month: bool = False
    # (canonical column, the file's field) naming one record per non-blank
    # value within a partition, such as a Crime ID: a repeat is rejected
    # and reported, so the record is counted once. Needs
    # ``one_file_per_partition``, as repeats are looked for file by file.
    unique_id: tuple[str, str] | None = None
    # The publisher ends every line with a newline (police.uk): a last line
    # without one that ends in a comma was cut right after it, and the file
    # is refused (reading.check_header).
    newline_ended: bool = False

    def __post_init__(self) -> None:
        if self.unique_id is not None and not self.one_file_per_partition:
            raise ValueError(f"{self.name}: unique_id needs one_file_per_partition")

    def columns_for(self, item: InputFile) -> list[str]:
        """The header ``item`` must have: with the optional columns if it
        has them all, else ``columns``."""
        assert self.columns is not None
        longer = [*self.columns, *self.optional_columns]
        if self.optional_columns and header_of(item) == longer:
            return longer
        return list(self.columns)


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    if source.name in SOURCES:
        raise ValueError(f"source {source.name!r} is registered twice")
    SOURCES[source.name] = source
    return source


def _register_all() -> None:
    # Importing the modules registers their sources.
    from saferplaces.ingest import (  # noqa: F401
        case_counts,
        deprivation,
        geography,
        local_asb,
        local_concerns,
        local_extract,
        police_uk,
        postcodes,
        reoffending,
        stats19,
        surveys,
    )


def get_source(name: str) -> Source:
    _register_all()

    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise KeyError(f"unknown source {name!r}; known sources: {known}") from None


def all_sources() -> list[Source]:
    _register_all()

    return [SOURCES[name] for name in sorted(SOURCES)]


def load_first(table: str) -> str:
    """What to load for ``table``, from the sources that write it: "load
    street crime first (`saferplaces ingest police-uk-street ...`)"."""
    commands = [
        f"`saferplaces ingest {s.name} ...`" for s in all_sources() if s.table == table
    ]
    what = table.replace("_", " ")
    if not commands:
        return f"no source loads {what}"
    return f"load {what} first ({' or '.join(commands)})"
