"""Postcodes: which LSOA each postcode lies in, so a resident can type their
postcode on the neighbourhood page.

Canonical table ``postcodes``: ``postcode`` (upper case, one space before the
inward code: "B29 6AA"), ``area_code`` (the LSOA), ``vintage`` (the LSOA's
census year, "2021" or "2011"), ``terminated`` (Royal Mail no longer uses it;
people still type old postcodes, so they are kept), ``postcode_area`` (the
letters it starts with, "B": a new file for an area replaces that area).

Read from the ONS Postcode Directory or the National Statistics Postcode
Lookup (columns ``pcds``, ``doterm``, ``lsoa21`` or ``lsoa11``; the newer
LSOA where both are given), from files derived from them that name the
columns ``Postcode``, ``Postcode Status`` and ``LSOA Code``, or from
saferplaces' own ``postcode,area_code[,terminated]``.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.codes import ONS_CODE, POSTCODE, POSTCODE_INWARD
from saferplaces.ingest.deprivation import left_for_imd
from saferplaces.ingest.reading import LINE, FileRefused, InputFile, header_of, read_csv
from saferplaces.ingest.sources import FileRead, Source, register
from saferplaces.ingest.validation import RowChecks, malformed_rejects

# Column names, lower case, each layout uses: the first found is read.
POSTCODE_COLUMNS = ("pcds", "postcode", "pcd")
# The 2021 LSOA first: it is the vintage current data is published on.
AREA_COLUMNS = (
    ("lsoa21", "2021"), ("lsoa21cd", "2021"), ("lsoa11", "2011"),
    ("lsoa11cd", "2011"), ("lsoa code", "2011"), ("area_code", ""),
)  # fmt: skip
TERMINATED_COLUMNS = ("doterm", "postcode status", "terminated")

POSTCODES_SCHEMA = pa.schema(
    [
        ("postcode", pa.string()),
        ("area_code", pa.string()),
        ("vintage", pa.string()),
        ("terminated", pa.bool_()),
        ("postcode_area", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
    ]
)


def _pick(header: list[str], names: tuple[str, ...]) -> str | None:
    lower = {column.strip().lower(): column for column in header}
    return next((lower[name] for name in names if name in lower), None)


def read_postcodes(item: InputFile) -> FileRead:
    header = header_of(item)
    postcode_column = _pick(header, POSTCODE_COLUMNS)
    areas = [
        (column, vintage)
        for name, vintage in AREA_COLUMNS
        if (column := _pick(header, (name,))) is not None
    ]
    if postcode_column is None or not areas:
        raise FileRefused(
            item.name,
            "is not a postcode lookup: it needs a postcode column (pcds or "
            "postcode) and an LSOA column (lsoa21, lsoa11, LSOA Code or area_code)",
        )
    parsed = read_csv(item, header)
    table = parsed.table.rename_columns([*header, LINE])
    checks = RowChecks(item.name, table)
    postcodes = pc.utf8_upper(pc.utf8_trim_whitespace(table.column(postcode_column)))
    # One space, wherever the file put it (ONSPD's pcd pads to seven).
    compact = pc.replace_substring_regex(postcodes, r"\s+", "")
    spaced = pc.replace_substring_regex(compact, POSTCODE_INWARD, r" \1")
    checks.rule(
        pc.match_substring_regex(spaced, POSTCODE),
        postcode_column,
        f"{postcode_column} must be a UK postcode, like B29 6AA",
    )
    area_code, vintage = _newest_area(table, areas)
    checks.rule(
        pc.match_substring_regex(area_code, ONS_CODE),
        areas[0][0],
        "must be a 9-character ONS LSOA code",
    )
    terminated = _terminated(table, _pick(header, TERMINATED_COLUMNS))
    count = table.num_rows
    canonical = pa.table(
        {
            "postcode": spaced,
            "area_code": area_code,
            "vintage": vintage,
            "terminated": terminated,
            "postcode_area": pc.replace_substring_regex(spaced, r"^([A-Z]+).*$", r"\1"),
            "source_file": pa.repeat(pa.scalar(item.name), count),
            "source_line": table.column(LINE),
        }
    )
    accepted = canonical.filter(checks.accepted()).cast(POSTCODES_SCHEMA)
    rejects = pa.concat_tables(
        [checks.rejects(), malformed_rejects(item.name, parsed.malformed)]
    )
    notes = [*parsed.notes, *left_for_imd(header)]
    return FileRead(accepted, rejects, count + len(parsed.malformed), notes)


def _newest_area(
    table: pa.Table, areas: list[tuple[str, str]]
) -> tuple[pa.ChunkedArray | pa.Array, pa.ChunkedArray | pa.Array]:
    """Each row's LSOA from the first area column not blank on it (2021
    before 2011: postcodes ended before 2021 have no 2021 LSOA), and its
    census year."""
    code: pa.ChunkedArray | pa.Array = pa.nulls(table.num_rows, pa.string())
    vintage: pa.ChunkedArray | pa.Array = pa.nulls(table.num_rows, pa.string())
    for column, year in reversed(areas):
        value = pc.utf8_trim_whitespace(table.column(column))
        given = pc.not_equal(value, "")
        code = pc.if_else(given, value, code)
        vintage = pc.if_else(given, pa.scalar(year or None, pa.string()), vintage)
    return code, vintage


def _terminated(table: pa.Table, column: str | None) -> pa.ChunkedArray | pa.Array:
    """ONSPD's ``doterm`` holds the month it ended (blank if live); derived
    files say "Terminated" or "Live"; ours says true or false."""
    if column is None:
        return pa.repeat(pa.scalar(False), table.num_rows)
    values = pc.utf8_lower(pc.utf8_trim_whitespace(table.column(column)))
    if column.strip().lower() == "doterm":
        return pc.invert(pc.equal(values, ""))
    return pc.is_in(values, value_set=pa.array(["terminated", "true", "yes", "1"]))


def _wanted(name: str) -> bool:
    return name.lower().endswith(".csv")


register(
    Source(
        name="postcodes",
        table="postcodes",
        title="Postcodes and their LSOAs",
        description=(
            "The ONS Postcode Directory or National Statistics Postcode Lookup "
            "(pcds, doterm, lsoa21/lsoa11), files derived from them (Postcode, "
            "Postcode Status, LSOA Code), or postcode,area_code[,terminated]: "
            "residents find their neighbourhood by postcode."
        ),
        wanted=_wanted,
        reader=read_postcodes,
        partition_by=("postcode_area",),
        record_id=None,
    )
)
