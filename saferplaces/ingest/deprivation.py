"""Indices of deprivation by LSOA: the English IMD and the Welsh WIMD.

Canonical table ``deprivation``: one row per LSOA and edition:
``lsoa_code``, ``edition`` ("IMD 2019", "IMD 2025", "WIMD 2019"),
``vintage`` (the census year of the LSOA codes the edition is published on:
"2011" for IMD 2019 and WIMD 2019, "2021" for IMD 2025), ``score`` (blank
where the file gives none), ``rank`` (1 is the most deprived), ``decile``
(1 is the most deprived tenth), ``ranked_here`` (true where saferplaces
ranked the scores itself), ``lsoas_ranked`` (how many LSOAs the rank is
among), ``source_file`` and ``source_line``. A load replaces the editions it
brings.

Layouts, recognised by their header:

* a lookup with scores only (``LSOA21CD``/``LSOA11CD`` and ``IMDSCORE``, as
  Birmingham's imd_lookups.csv): the edition is the one published on that
  vintage (LSOA 2021: IMD 2025; LSOA 2011: IMD 2019). Ranks and deciles are
  made here by ranking the scores across every English LSOA of the file, 1
  the highest score; equal scores share the better rank, so a tie never
  splits across deciles; the decile of rank r among n LSOAs is
  ceil(10 r / n), as MHCLG's own deciles are (every IMD 2019 decile of
  Birmingham's 639 LSOAs is that of its published rank).
* MHCLG's files (File 1, File 7): ``LSOA code (2011)`` and ``Index of
  Multiple Deprivation (IMD) Score / Rank / Decile``, with or without "(where
  1 is most deprived ...)"; the edition from the year of its ``Local
  Authority District code (YYYY)`` column, else from the LSOA vintage.
* postcode lists with IMD 2019 (``Postcode``, ``LSOA Code``, ``Index of
  Multiple Deprivation Rank``, ``... Decile``): the ranks and deciles
  repeat for every postcode of an LSOA and are taken once per LSOA.
* the Welsh index (``LSOA code`` and ``WIMD YYYY``, its rank): deciles made
  from the rank across the Welsh LSOAs of the file, as above.

An LSOA given twice in a file with the same figures is taken once; with
different figures, the later line is rejected, naming the line it
contradicts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.ingest.reading import LINE, FileRefused, InputFile, header_of, read_csv
from saferplaces.ingest.sources import FileRead, Source, register
from saferplaces.ingest.validation import (
    REJECT_SCHEMA,
    RowChecks,
    malformed_rejects,
)

DEPRIVATION_SCHEMA = pa.schema(
    [
        ("lsoa_code", pa.string()),
        ("edition", pa.string()),
        ("vintage", pa.string()),
        ("score", pa.float64()),
        ("rank", pa.int64()),
        ("decile", pa.int32()),
        ("ranked_here", pa.bool_()),
        ("lsoas_ranked", pa.int64()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
    ]
)

# The IMD published on each LSOA vintage (scores-only lookups name no year).
EDITION_ON_VINTAGE = {"2011": "IMD 2019", "2021": "IMD 2025"}
# MHCLG's files name their local authorities' year: which IMD that is.
EDITION_OF_DISTRICT_YEAR = {"2013": "IMD 2015", "2019": "IMD 2019", "2024": "IMD 2025"}
IMD_ENGLAND = r"^E01\d{6}$"
WIMD_WALES = r"^W01\d{6}$"
NUMBER = r"^-?\d+(\.\d+)?$"
WHOLE = r"^\d+$"
DECILE = r"^([1-9]|10)$"

_MHCLG_LSOA = re.compile(r"^lsoa code \((\d{4})\)$")
_MHCLG_DISTRICT = re.compile(r"^local authority district code \((\d{4})\)$")
_WIMD_RANK = re.compile(r"^wimd (\d{4})$")
_SCORES_LSOA = re.compile(r"^lsoa(\d{2})cd$")
_MHCLG_IMD = "index of multiple deprivation (imd) "
_POSTCODE_IMD = "index of multiple deprivation "


@dataclass(frozen=True)
class _Layout:
    """Where one file's figures are: column names (None if absent)."""

    edition: str
    vintage: str
    code: str
    score: str | None = None
    rank: str | None = None
    decile: str | None = None
    country: str = IMD_ENGLAND
    postcodes: bool = False


# Columns by their lower-case names, for recognising a layout.
Columns = dict[str, str]


def _layout(name: str, header: list[str]) -> _Layout:
    """The layout ``header`` is in; a file in none is refused whole."""
    lower = {column.strip().lower(): column for column in header}
    for recognise in (_scores_only, _mhclg, _postcode_list, _welsh):
        found = recognise(lower)
        if found is not None:
            return found
    raise FileRefused(
        name,
        "is not an index of deprivation: it needs an LSOA code column and the "
        "IMD score (IMDSCORE), rank or decile (MHCLG's 'Index of Multiple "
        "Deprivation (IMD) Rank'), or the Welsh 'WIMD 2019' rank",
    )


def _scores_only(lower: Columns) -> _Layout | None:
    """An ONS-style lookup with IMDSCORE: the edition of its LSOA vintage."""
    if "imdscore" not in lower:
        return None
    for key, column in lower.items():
        found = _SCORES_LSOA.match(key)
        vintage = f"20{found.group(1)}" if found else ""
        if vintage in EDITION_ON_VINTAGE:
            edition = EDITION_ON_VINTAGE[vintage]
            return _Layout(edition, vintage, column, score=lower["imdscore"])
    return None


def _mhclg(lower: Columns) -> _Layout | None:
    """MHCLG's File 1 or File 7: the edition from its districts' year."""
    code = next(
        ((m.group(1), c) for k, c in lower.items() if (m := _MHCLG_LSOA.match(k))),
        None,
    )
    rank = _starting(lower, _MHCLG_IMD + "rank")
    if code is None or rank is None:
        return None
    vintage, column = code
    district = next((m.group(1) for k in lower if (m := _MHCLG_DISTRICT.match(k))), "")
    edition = EDITION_OF_DISTRICT_YEAR.get(
        district, EDITION_ON_VINTAGE.get(vintage, "")
    )
    if not edition:
        return None
    return _Layout(
        edition, vintage, column, score=_starting(lower, _MHCLG_IMD + "score"),
        rank=rank, decile=_starting(lower, _MHCLG_IMD + "decile"),
    )  # fmt: skip


def _postcode_list(lower: Columns) -> _Layout | None:
    """A postcode list with IMD 2019's rank and decile, keyed to LSOA 2011."""
    rank = lower.get(_POSTCODE_IMD + "rank")
    if "lsoa code" not in lower or "postcode" not in lower or rank is None:
        return None
    return _Layout(
        "IMD 2019", "2011", lower["lsoa code"], rank=rank,
        decile=lower.get(_POSTCODE_IMD + "decile"), postcodes=True,
    )  # fmt: skip


def _welsh(lower: Columns) -> _Layout | None:
    """WIMD's ranks (WIMD before 2025 is on LSOA 2011 codes)."""
    year = next((m.group(1) for k in lower if (m := _WIMD_RANK.match(k))), None)
    if "lsoa code" not in lower or year is None:
        return None
    vintage = "2011" if int(year) < 2025 else "2021"
    return _Layout(
        f"WIMD {year}", vintage, lower["lsoa code"], rank=lower[f"wimd {year}"],
        country=WIMD_WALES,
    )  # fmt: skip


def _starting(lower: Columns, prefix: str) -> str | None:
    """The first column whose lower-case name starts with ``prefix``."""
    return next((col for key, col in lower.items() if key.startswith(prefix)), None)


def read_deprivation(item: InputFile) -> FileRead:
    header = header_of(item)
    layout = _layout(item.name, header)
    parsed = read_csv(item, header)
    table = parsed.table
    checks = RowChecks(item.name, table)
    nation = "English" if layout.country == IMD_ENGLAND else "Welsh"
    checks.rule(
        pc.match_substring_regex(checks.trimmed(layout.code), layout.country),
        layout.code,
        f"{layout.edition} covers {nation} LSOAs only: must be a 9-character "
        f"{nation} LSOA code",
    )
    if layout.score:
        checks.matches(layout.score, NUMBER, "must be a number", optional=False)
    if layout.rank:
        checks.matches(layout.rank, WHOLE, "must be a whole number", optional=False)
    if layout.decile:
        checks.matches(
            layout.decile, DECILE, "must be a decile, 1 to 10", optional=False
        )
    keep = checks.accepted()
    kept = table.filter(keep)
    canonical = _canonical(item, layout, kept)
    once, conflicts = _once_per_lsoa(item, canonical)
    ranked = _with_ranks(once, layout)
    rejects = pa.concat_tables(
        [checks.rejects(), conflicts, malformed_rejects(item.name, parsed.malformed)]
    ).sort_by([("line", "ascending")])
    notes = list(parsed.notes)
    if layout.postcodes:
        notes.append(
            f"{kept.num_rows:,} postcode rows give {ranked.num_rows:,} LSOAs' "
            f"{layout.edition} rank and decile"
        )
    if layout.rank is None:
        notes.append(
            f"{layout.edition} ranks and deciles made here from the scores, "
            f"across the {ranked.num_rows:,} {nation} LSOAs of this file"
        )
    rows_read = table.num_rows + len(parsed.malformed)
    return FileRead(
        ranked,
        rejects,
        rows_read,
        notes,
        lines_accepted=kept.num_rows - conflicts.num_rows,
    )


def _canonical(item: InputFile, layout: _Layout, kept: pa.Table) -> pa.Table:
    count = kept.num_rows

    def column(name: str | None, kind: pa.DataType) -> pa.Array | pa.ChunkedArray:
        if name is None:
            return pa.nulls(count, kind)
        return pc.cast(pc.utf8_trim_whitespace(kept.column(name)), kind)

    return pa.table(
        {
            "lsoa_code": pc.utf8_trim_whitespace(kept.column(layout.code)),
            "edition": pa.repeat(pa.scalar(layout.edition), count),
            "vintage": pa.repeat(pa.scalar(layout.vintage), count),
            "score": column(layout.score, pa.float64()),
            "rank": column(layout.rank, pa.int64()),
            "decile": column(layout.decile, pa.int32()),
            "ranked_here": pa.repeat(pa.scalar(False), count),
            "lsoas_ranked": pa.nulls(count, pa.int64()),
            "source_file": pa.repeat(pa.scalar(item.name), count),
            "source_line": pc.cast(kept.column(LINE), pa.int64()),
        },
        schema=DEPRIVATION_SCHEMA,
    )


def _once_per_lsoa(item: InputFile, rows: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Each LSOA's first line; a later line giving other figures is a reject
    naming the first (a postcode list repeats its LSOA's figures)."""
    connection = duckdb.connect()
    connection.register("rows", rows)
    first = connection.sql(
        "SELECT * FROM rows QUALIFY row_number() OVER "
        "(PARTITION BY lsoa_code ORDER BY source_line) = 1"
    ).to_arrow_table()
    connection.register("firsts", first)
    conflicts = connection.sql(
        """
        SELECT ?::VARCHAR AS file, r.source_line::INTEGER AS line,
               'lsoa_code' AS field, r.lsoa_code AS value,
               'gives ' || r.lsoa_code || ' score ' || coalesce(r.score::VARCHAR, '-')
               || ', rank ' || coalesce(r.rank::VARCHAR, '-') || ', decile '
               || coalesce(r.decile::VARCHAR, '-') || ' where line '
               || f.source_line || ' gave score '
               || coalesce(f.score::VARCHAR, '-') || ', rank '
               || coalesce(f.rank::VARCHAR, '-') || ', decile '
               || coalesce(f.decile::VARCHAR, '-') AS reason
        FROM rows r JOIN firsts f USING (lsoa_code)
        WHERE r.source_line <> f.source_line
          AND (r.score IS DISTINCT FROM f.score OR r.rank IS DISTINCT FROM f.rank
               OR r.decile IS DISTINCT FROM f.decile)
        ORDER BY line
        """,
        params=[item.name],
    ).to_arrow_table()
    connection.close()
    return first.cast(DEPRIVATION_SCHEMA), conflicts.cast(REJECT_SCHEMA)


def _with_ranks(rows: pa.Table, layout: _Layout) -> pa.Table:
    """Ranks from scores where the file has none (1 the highest score, ties
    sharing the better rank), deciles from ranks where it has none, and how
    many LSOAs each is ranked among."""
    count = rows.num_rows
    ranked_here = layout.rank is None
    rank = rows.column("rank")
    if ranked_here:
        rank = pc.rank(rows.column("score"), sort_keys="descending", tiebreaker="min")
    among = pa.scalar(
        count if ranked_here or layout.decile is None else None, pa.int64()
    )
    decile = rows.column("decile")
    if layout.decile is None:
        # ceil(10 r / n) in whole numbers: (10 r + n - 1) // n.
        tenths = pc.add(pc.multiply(pc.cast(rank, pa.int64()), 10), count - 1)
        decile = pc.cast(pc.divide(tenths, max(count, 1)), pa.int32())
    return (
        rows.set_column(rows.schema.get_field_index("rank"), "rank",
                        pc.cast(rank, pa.int64()))
        .set_column(rows.schema.get_field_index("decile"), "decile", decile)
        .set_column(rows.schema.get_field_index("ranked_here"), "ranked_here",
                    pa.repeat(pa.scalar(ranked_here), count))
        .set_column(rows.schema.get_field_index("lsoas_ranked"), "lsoas_ranked",
                    pa.repeat(among, count))
    )  # fmt: skip


def left_for_imd(header: list[str]) -> list[str]:
    """A note for a load of another source (geography, postcodes) whose file
    also has deprivation columns: which ones it leaves, and how to load them,
    so no figure is dropped without a word. Empty if it has none."""
    columns = [
        column
        for column in header
        if column.strip().lower() == "imdscore"
        or column.strip().lower().startswith((_POSTCODE_IMD, "wimd "))
    ]
    if not columns:
        return []
    return [
        f"{', '.join(columns)} not loaded here: deprivation is its own table, "
        "loaded from this same file by `saferplaces ingest imd FILE`"
    ]


def _wanted(name: str) -> bool:
    return name.lower().endswith(".csv")


register(
    Source(
        name="imd",
        table="deprivation",
        title="Indices of deprivation by LSOA",
        description=(
            "The English Index of Multiple Deprivation (MHCLG's File 1 or File 7, "
            "an LSOA lookup with IMDSCORE such as imd_lookups.csv, or a postcode "
            "list with IMD rank and decile) and the Welsh WIMD: score, rank and "
            "decile by LSOA and edition."
        ),
        wanted=_wanted,
        reader=read_deprivation,
        partition_by=("edition",),
        record_id=None,
    )
)
