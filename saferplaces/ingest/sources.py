"""The registry of ingest sources: what each accepts and where it lands.

Each source registers itself here with its metadata; the CLI and the docs are
generated from the registry, and a test fails if a source lacks a description.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from saferplaces.ingest.reading import InputFile
from saferplaces.ingest.validation import RowChecks

# Adds its rules to the checks and returns the canonical table (every row;
# the loader keeps the accepted ones).
Transform = Callable[[RowChecks, InputFile], pa.Table]


@dataclass(frozen=True)
class Source:
    name: str
    table: str
    title: str
    description: str
    columns: list[str]
    wanted: Callable[[str], bool]
    transform: Transform
    partition_by: tuple[str, ...] = ("month",)
    # A new load replaces the stored rows that share these keys.
    replace_keys: tuple[str, ...] = ("force", "month")


SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    if source.name in SOURCES:
        raise ValueError(f"source {source.name!r} is registered twice")
    SOURCES[source.name] = source
    return source


def get_source(name: str) -> Source:
    # Importing the modules registers their sources.
    from saferplaces.ingest import police_uk  # noqa: F401

    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise KeyError(f"unknown source {name!r}; known sources: {known}") from None


def all_sources() -> list[Source]:
    from saferplaces.ingest import police_uk  # noqa: F401

    return [SOURCES[name] for name in sorted(SOURCES)]
