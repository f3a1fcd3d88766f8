"""Geography: ONS lookups, the partnership's own areas, boundaries, population.

Canonical tables:

* ``geography``: one row per area and vintage: ``code``, ``name``, ``level``
  (lsoa, msoa, ward, constituency, local_authority, region, or a level the
  partnership defines such as district or policing_unit), ``vintage`` (the
  year in the ONS column name, e.g. 2011 for LSOA11CD, or "partnership"),
  ``parents`` (codes of the areas it nests in, from lookups) and ``members``
  (codes of the areas a partnership area is made of).
* ``boundaries``: GeoJSON geometry with its centroid, by code and level.
* ``population``: residents by area, year, age band and sex.

ONS lookups are recognised by their column names (``LSOA11CD``,
``WD19NM``, ``LAD19CD``, ``LA24CD``, ...), so the Open Geography Portal's many
lookup files load without a schema each. Real lookups are best fit: an LSOA is
assigned to one ward even when it straddles two.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml

from saferplaces.codes import LSOA_CODE, ONS_CODE, ONS_COLUMN, ONS_COLUMN_PREFIXES
from saferplaces.ingest.deprivation import left_for_imd
from saferplaces.ingest.footers import without_footer
from saferplaces.ingest.reading import LINE, FileRefused, InputFile, header_of, read_csv
from saferplaces.ingest.sources import FileRead, Source, register
from saferplaces.ingest.validation import REJECT_SCHEMA, RowChecks, malformed_rejects
from saferplaces.vocabulary import ETHNIC_GROUPS, KNOWN_SEXES

# Which coarser levels each level nests in (so a row's codes become parents).
NESTS_IN = {
    "lsoa": ["msoa", "ward", "constituency", "local_authority", "region"],
    "msoa": ["local_authority", "region"],
    "ward": ["local_authority", "region"],
    "constituency": ["region"],
    "local_authority": ["county", "region", "force"],
    "county": ["region"],
    "region": [],
    "force": [],
}

GEOGRAPHY_SCHEMA = pa.schema(
    [
        ("code", pa.string()),
        ("name", pa.string()),
        ("level", pa.string()),
        ("vintage", pa.string()),
        ("parents", pa.list_(pa.string())),
        ("successors", pa.list_(pa.string())),
        ("members", pa.list_(pa.string())),
        ("source_file", pa.string()),
        # The file's own name, without its folder: a file replaces what a
        # file of that name loaded before (GEOGRAPHY_PARTITIONS).
        ("file_name", pa.string()),
    ]
)


GEOGRAPHY_PARTITIONS = ("level", "vintage", "file_name")
# The ONS "LSOA (2011) to LSOA (2021) to Local Authority District (2022)"
# lookup says how each 2011 LSOA changed (its successors then say into
# what; saferplaces.analytics.geography.LsoaChanges counts records by them).
CHANGE_COLUMN = "CHGIND"
LSOA_CHANGES = {
    "U": "unchanged",
    "S": "split into several 2021 LSOAs",
    "M": "merged with others into one 2021 LSOA",
    "X": "redrawn (an irregular change)",
}


def file_name(source_file: str) -> str:
    """A loaded file's name without its folder (or its zip archive).

    >>> file_name("/data/lookups.zip!LSOA11_WD19_LAD19_EW_LU.csv")
    'LSOA11_WD19_LAD19_EW_LU.csv'
    """
    return re.split(r"[/\\!]", source_file)[-1]


def areas_by_file(stored: pa.Table) -> pa.Table:
    """Rows of a geography table kept by level and vintage alone (before a
    file's areas were a partition of their own) in today's layout: the same
    rows, each with its file's name."""
    names = [file_name(str(path or "")) for path in stored.column("source_file")]
    return stored.append_column("file_name", pa.array(names, pa.string()))


def _ons_levels(header: list[str]) -> dict[tuple[str, str], dict[str, str]]:
    """{(level, vintage): {"CD": column, "NM": column}} from a header.

    A lookup between vintages (LSOA11CD and LSOA21CD) has one level twice.
    """
    levels: dict[tuple[str, str], dict[str, str]] = {}
    for column in header:
        match = ONS_COLUMN.match(column.strip().upper())
        if match is None:
            continue
        prefix, year, kind = match.groups()
        levels.setdefault((ONS_COLUMN_PREFIXES[prefix], f"20{year}"), {})[kind] = column
    return {key: entry for key, entry in levels.items() if "CD" in entry}


def read_lookup(item: InputFile) -> FileRead:
    """An ONS lookup CSV: every code column becomes an area row."""
    header = header_of(item)
    levels = _ons_levels(header)
    if not levels:
        raise FileRefused(
            item.name,
            "is not an ONS lookup: no column is named like LSOA11CD, WD19CD or LAD19CD",
        )
    parsed = read_csv(item, header)
    checks = RowChecks(item.name, parsed.table)
    for entry in levels.values():
        checks.matches(
            entry["CD"], ONS_CODE, "must be a 9-character ONS code", optional=False
        )
    if CHANGE_COLUMN in header:
        # ONS's LSOA (2011) to LSOA (2021) lookup: each row's change.
        checks.one_of(CHANGE_COLUMN, list(LSOA_CHANGES), optional=False)
    accepted = parsed.table.filter(checks.accepted())
    parts = []
    for (level, vintage), entry in levels.items():
        codes = pc.utf8_trim_whitespace(accepted.column(entry["CD"]))
        names = (
            pc.utf8_trim_whitespace(accepted.column(entry["NM"]))
            if "NM" in entry
            else pa.nulls(accepted.num_rows, pa.string())
        )
        parents = _row_lists(
            [
                pc.utf8_trim_whitespace(accepted.column(other["CD"]))
                for (other_level, _), other in levels.items()
                if other_level in NESTS_IN[level]
            ],
            accepted.num_rows,
        )
        # The same level in a later vintage: the areas that replaced this one.
        successors = _row_lists(
            [
                pc.utf8_trim_whitespace(accepted.column(other["CD"]))
                for (other_level, other_vintage), other in levels.items()
                if other_level == level and other_vintage > vintage
            ],
            accepted.num_rows,
        )
        parts.append(
            pa.table(
                {
                    "code": codes,
                    "name": names,
                    "level": pa.repeat(pa.scalar(level), accepted.num_rows),
                    "vintage": pa.repeat(pa.scalar(vintage), accepted.num_rows),
                    "parents": parents,
                    "successors": successors,
                    "members": pa.nulls(accepted.num_rows, pa.list_(pa.string())),
                    "source_file": pa.repeat(pa.scalar(item.name), accepted.num_rows),
                    "file_name": pa.repeat(
                        pa.scalar(file_name(item.name)), accepted.num_rows
                    ),
                },
                schema=GEOGRAPHY_SCHEMA,
            )
        )
    rejects = pa.concat_tables(
        [checks.rejects(), malformed_rejects(item.name, parsed.malformed)]
    )
    rows_read = parsed.table.num_rows + len(parsed.malformed)
    return FileRead(
        pa.concat_tables(parts),
        rejects,
        rows_read,
        [*parsed.notes, *left_for_imd(header)],
        lines_accepted=accepted.num_rows,
    )


def _row_lists(columns: list[pa.ChunkedArray], rows: int) -> pa.Array:
    """Combine several string columns into one list<string> per row."""
    if not columns:
        return pa.array([[] for _ in range(rows)], pa.list_(pa.string()))
    flat = [column.combine_chunks() for column in columns]
    interleaved = pa.concat_arrays(flat).take(
        pa.array(
            [c * rows + r for r in range(rows) for c in range(len(flat))], pa.int64()
        )
    )
    offsets = pa.array(range(0, rows * len(flat) + 1, len(flat)), pa.int32())
    return pa.ListArray.from_arrays(offsets, interleaved)


def read_partnership_areas(item: InputFile) -> FileRead:
    """The partnership's own areas from YAML.

    ```yaml
    areas:
      - code: BSOUTH-EDG
        name: Edgbaston district
        level: district
        contains: [E05011119, E05011123]   # wards, LSOAs or other areas
    ```
    """
    text = item.read_bytes().decode("utf-8-sig")
    try:
        document = yaml.compose(text)
    except yaml.YAMLError as error:
        raise FileRefused(item.name, f"is not valid YAML: {error}") from None
    areas = _mapping_value(document, "areas")
    if not isinstance(areas, yaml.SequenceNode):
        raise FileRefused(item.name, "must have a list called 'areas'")
    rows: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    for node in areas.value:
        line = node.start_mark.line + 1
        area = yaml.safe_load(yaml.serialize(node)) if node is not None else None
        problem = _area_problem(area)
        if problem:
            field, value, reason = problem
            rejects.append(_reject(item, line, field, value, reason))
            continue
        assert isinstance(area, dict)
        rows.append(
            {
                "code": str(area["code"]),
                "name": str(area["name"]),
                "level": str(area["level"]),
                "vintage": "partnership",
                "parents": [],
                "successors": [],
                "members": [str(code) for code in area.get("contains", [])],
                "source_file": item.name,
                "file_name": file_name(item.name),
            }
        )
    return FileRead(
        pa.Table.from_pylist(rows, schema=GEOGRAPHY_SCHEMA),
        pa.Table.from_pylist(rejects, schema=REJECT_SCHEMA),
        len(areas.value),
        [],
    )


def _reject(
    item: InputFile, line: int, field: str, value: str, reason: str
) -> dict[str, Any]:
    return {
        "file": item.name,
        "line": line,
        "field": field,
        "value": value,
        "reason": reason,
    }


def _mapping_value(document: Any, key: str) -> Any:
    if not isinstance(document, yaml.MappingNode):
        return None
    for key_node, value_node in document.value:
        if key_node.value == key:
            return value_node
    return None


def _area_problem(area: Any) -> tuple[str, str, str] | None:
    if not isinstance(area, dict):
        return "", str(area), "each area must be a mapping with code, name, level"
    for field in ("code", "name", "level"):
        if not str(area.get(field) or "").strip():
            return field, "", f"{field} is required"
    if not re.fullmatch(r"[a-z_]+", str(area["level"])):
        return "level", str(area["level"]), "level must be lower_case_words"
    contains = area.get("contains", [])
    if not isinstance(contains, list) or not contains:
        return "contains", str(contains), "contains must list at least one area code"
    return None


def read_geography(item: InputFile) -> FileRead:
    if item.name.lower().endswith((".yaml", ".yml")):
        return read_partnership_areas(item)
    return read_lookup(item)


def combine_areas(data: pa.Table) -> pa.Table:
    """One row per (code, level, vintage) of each file of one load (the
    readers merge a code's rows across files and vintages: see
    ``saferplaces.analytics.geography.named_areas``)."""
    import duckdb

    connection = duckdb.connect()
    connection.register("areas", data)
    combined = connection.sql(
        """
        SELECT code,
               first(name ORDER BY name NULLS LAST) AS name,
               level, vintage,
               list_sort(list_distinct(flatten(list(coalesce(parents, [])))))
                   AS parents,
               list_sort(list_distinct(flatten(list(coalesce(successors, [])))))
                   AS successors,
               list_sort(list_distinct(flatten(list(coalesce(members, [])))))
                   AS members,
               first(source_file) AS source_file, file_name
        FROM areas GROUP BY code, level, vintage, file_name
        ORDER BY level, code
        """
    ).to_arrow_table()
    connection.close()
    return combined.cast(GEOGRAPHY_SCHEMA)


register(
    Source(
        name="geography",
        table="geography",
        title="Areas and how they nest",
        description=(
            "ONS lookup CSVs (LSOA to ward to local authority, any vintage, "
            "recognised by column names such as LSOA11CD and WD19NM; the LSOA "
            "2011 to 2021 lookup with CHGIND too; ONS's local authority to "
            "police force area lookup, LAD23CD to PFA23CD, says which force's "
            "files cover which area) and the partnership's own areas from YAML "
            "(districts, policing units)."
        ),
        wanted=lambda name: name.lower().endswith((".csv", ".yaml", ".yml")),
        reader=read_geography,
        # A file replaces what a file of its name loaded before, and adds to
        # what other files loaded: the UK ward lookup and the LSOA to ward
        # lookup both name 2019 wards, and neither may take the other's away
        # (issue 29, fault 3).
        partition_by=GEOGRAPHY_PARTITIONS,
        combine=combine_areas,
        record_id=None,
    )
)


BOUNDARY_SCHEMA = pa.schema(
    [
        ("code", pa.string()),
        ("name", pa.string()),
        ("level", pa.string()),
        ("vintage", pa.string()),
        ("geometry", pa.string()),
        ("centroid_longitude", pa.float64()),
        ("centroid_latitude", pa.float64()),
        ("source_file", pa.string()),
    ]
)


def read_boundaries(item: InputFile) -> FileRead:
    """GeoJSON boundaries in WGS84 whose properties carry an ONS code column."""
    from shapely.geometry import shape

    try:
        collection = json.loads(item.read_bytes().decode("utf-8-sig"))
        features = collection["features"]
    except (ValueError, KeyError, TypeError):
        raise FileRefused(item.name, "is not a GeoJSON FeatureCollection") from None
    rows: list[dict[str, Any]] = []
    rejects: list[dict[str, Any]] = []
    for number, feature in enumerate(features, start=1):
        properties = {
            key.upper(): value
            for key, value in (feature.get("properties") or {}).items()
        }
        levels = _ons_levels(list(properties))
        if len(levels) != 1:
            reason = "needs exactly one ONS code property such as LSOA21CD"
            rejects.append(
                _reject(item, number, "properties", ",".join(properties), reason)
            )
            continue
        [((level, vintage), entry)] = levels.items()
        try:
            geometry = shape(feature["geometry"])
            centroid = geometry.representative_point()
        # The geometry is the file's data, not our code: shapely raises
        # several types (and a malformed feature others) for a bad shape, and
        # any of them rejects the row with the reason.
        except Exception as error:  # noqa: BLE001
            reason = f"unreadable geometry: {error}"
            rejects.append(_reject(item, number, "geometry", "", reason))
            continue
        rows.append(
            {
                "code": str(properties[entry["CD"].upper()]),
                "name": str(properties.get(entry.get("NM", "").upper()) or "") or None,
                "level": level,
                "vintage": vintage,
                "geometry": json.dumps(feature["geometry"], separators=(",", ":")),
                "centroid_longitude": centroid.x,
                "centroid_latitude": centroid.y,
                "source_file": item.name,
            }
        )
    return FileRead(
        pa.Table.from_pylist(rows, schema=BOUNDARY_SCHEMA),
        pa.Table.from_pylist(rejects, schema=REJECT_SCHEMA),
        len(features),
        ["line numbers in this file's rejects are feature numbers"] if rejects else [],
    )


register(
    Source(
        name="boundaries",
        table="boundaries",
        title="Area boundaries",
        description=(
            "GeoJSON boundaries (WGS84) for LSOAs, wards or other ONS areas; "
            "the code is read from a property such as lsoa21cd or wd19cd."
        ),
        wanted=lambda name: name.lower().endswith((".geojson", ".json")),
        reader=read_boundaries,
        partition_by=("level", "vintage"),
        record_id=None,
    )
)


POPULATION_COLUMNS = ["area_code", "year", "age_band", "sex", "population"]
# The same with an ethnic group (ONS 2021 high-level groups, or "all").
POPULATION_ETHNICITY_COLUMNS = [*POPULATION_COLUMNS[:4], "ethnicity", "population"]
CENSUS_TS001 = ["total", "2021 super output area - lower layer", "mnemonic"]
# Census 2021 TS021 (ethnic group) from Nomis' bulk files: these columns of
# the high-level groups, by the victim_ethnicity value each counts towards.
TS021_GROUPS = {
    "Ethnic group: Asian, Asian British or Asian Welsh": "Asian",
    "Ethnic group: Black, Black British, Black Welsh, Caribbean or African": "Black",
    "Ethnic group: Mixed or Multiple ethnic groups": "Mixed",
    "Ethnic group: White": "White",
    "Ethnic group: Other ethnic group": "Other",
}
TS021_CODE = "geography code"
POPULATION_SCHEMA = pa.schema(
    [
        ("area_code", pa.string()),
        ("year", pa.int32()),
        ("age_band", pa.string()),
        ("sex", pa.string()),
        ("ethnicity", pa.string()),
        ("population", pa.int64()),
        ("source_file", pa.string()),
        ("source_line", pa.int32()),
        ("breakdown", pa.string()),
    ]
)
# What a row breaks residents down by, from which of these columns are not
# "all": "all" (all residents, e.g. Census TS001), "age_sex", "ethnicity"
# (TS021), ... Each breakdown of a year is a partition of its own, so a load
# replaces only the breakdowns it brings: all residents never replace the
# residents by ethnic group, age or sex, nor the reverse.
BREAKDOWN_COLUMNS = {"age_band": "age", "sex": "sex", "ethnicity": "ethnicity"}


def with_breakdown(rows: pa.Table) -> pa.Table:
    """``rows`` with their ``breakdown`` column set (see BREAKDOWN_COLUMNS)."""
    names = ["all"]
    code = pa.repeat(pa.scalar(0, pa.int8()), rows.num_rows)
    for bit, (column, name) in enumerate(BREAKDOWN_COLUMNS.items()):
        names = [*names, *(f"{n}_{name}".removeprefix("all_") for n in names)]
        broken = pc.cast(pc.not_equal(rows.column(column), "all"), pa.int8())
        code = pc.add(code, pc.multiply(broken, pa.scalar(1 << bit, pa.int8())))
    return rows.set_column(
        rows.schema.get_field_index("breakdown"),
        "breakdown",
        pc.take(pa.array(names), code),
    )


def population_in_breakdowns(stored: pa.Table) -> pa.Table:
    """Rows of a population table kept by year alone (as loads wrote it
    before each breakdown was a partition of its own) in today's layout,
    each with its breakdown by the rule new rows get (``with_breakdown``).
    A column older loads lacked is what ``read_population`` gives a file
    without it: "all" for a breakdown column (ethnicity), else blank."""
    columns = {
        field.name: stored.column(field.name)
        if field.name in stored.column_names
        else pa.repeat(pa.scalar("all"), stored.num_rows)
        if field.name in BREAKDOWN_COLUMNS
        else pa.nulls(stored.num_rows, field.type)
        for field in POPULATION_SCHEMA
    }
    return with_breakdown(pa.table(columns).cast(POPULATION_SCHEMA))


def read_population(item: InputFile) -> FileRead:
    """Population by area: saferplaces' documented CSV, or Census 2021 TS001
    (usual residents) or TS021 (ethnic group).

    Documented layout: ``area_code,year,age_band,sex,population`` where
    age_band is "all" or a band such as "10-17", and sex is "all", "female"
    or "male"; optionally with an ``ethnicity`` column before population
    ("all" or an ONS 2021 high-level group: Asian, Black, Mixed, White,
    Other).
    """
    header = [h.lower() for h in header_of(item)]
    if TS021_CODE in header and any(h.startswith("ethnic group:") for h in header):
        return _read_ts021(item)
    census = header == CENSUS_TS001
    with_ethnicity = header == POPULATION_ETHNICITY_COLUMNS
    columns = (
        CENSUS_TS001
        if census
        else POPULATION_ETHNICITY_COLUMNS
        if with_ethnicity
        else POPULATION_COLUMNS
    )
    parsed = read_csv(item, header_of(item) if census else columns)
    table = parsed.table.rename_columns([*columns, LINE])
    notes = list(parsed.notes)
    if census:  # a Nomis download: its footer is not data
        table, footer = without_footer(table, LINE)
        notes += [footer] if footer else []
    checks = RowChecks(item.name, table)
    if census:
        checks.matches("mnemonic", LSOA_CODE, "is not an LSOA code", optional=False)
        checks.matches("total", r"^\d+$", "must be a whole number", optional=False)
        count = table.num_rows
        canonical = {
            "area_code": table.column("mnemonic"),
            "year": pa.repeat(pa.scalar(2021, pa.int32()), count),
            "age_band": pa.repeat(pa.scalar("all"), count),
            "sex": pa.repeat(pa.scalar("all"), count),
            "ethnicity": pa.repeat(pa.scalar("all"), count),
            "population": table.column("total"),
        }
    else:
        checks.matches(
            "area_code", ONS_CODE, "must be a 9-character ONS code", optional=False
        )
        checks.matches("year", r"^(19|20)\d{2}$", "must be a year", optional=False)
        checks.matches("population", r"^\d+$", "must be a whole number", optional=False)
        checks.one_of("sex", ["all", *KNOWN_SEXES], optional=False)
        checks.required("age_band")
        canonical = {name: table.column(name) for name in POPULATION_COLUMNS}
        canonical["ethnicity"] = pa.repeat(pa.scalar("all"), table.num_rows)
        if with_ethnicity:
            checks.one_of("ethnicity", ["all", *ETHNIC_GROUPS], optional=False)
            canonical["ethnicity"] = table.column("ethnicity")
    keep = checks.accepted()
    accepted = pa.table(
        {
            **canonical,
            "source_file": pa.repeat(pa.scalar(item.name), table.num_rows),
            "source_line": table.column(LINE),
            "breakdown": pa.nulls(table.num_rows, pa.string()),
        }
    ).filter(keep)
    accepted = with_breakdown(
        accepted.select(POPULATION_SCHEMA.names).cast(POPULATION_SCHEMA)
    )
    rejects = pa.concat_tables(
        [checks.rejects(), malformed_rejects(item.name, parsed.malformed)]
    )
    return FileRead(accepted, rejects, table.num_rows + len(parsed.malformed), notes)


def _read_ts021(item: InputFile) -> FileRead:
    """Census 2021 TS021: one row per area, a column per ethnic group; kept
    as one population row per area and high-level group."""
    header = header_of(item)
    missing = [name for name in (TS021_CODE, *TS021_GROUPS) if name not in header]
    if missing:
        raise FileRefused(item.name, f"is TS021 without the column {missing[0]!r}")
    parsed = read_csv(item, header)
    table, footer = without_footer(parsed.table, LINE)
    checks = RowChecks(item.name, table)
    checks.matches(TS021_CODE, ONS_CODE, "must be a 9-character ONS code",
                   optional=False)  # fmt: skip
    for column in TS021_GROUPS:
        checks.matches(column, r"^\d+$", "must be a whole number", optional=False)
    keep = checks.accepted()
    kept = table.filter(keep)
    parts = []
    for column, group in TS021_GROUPS.items():
        count = kept.num_rows
        parts.append(
            pa.table(
                {
                    "area_code": kept.column(TS021_CODE),
                    "year": pa.repeat(pa.scalar(2021, pa.int32()), count),
                    "age_band": pa.repeat(pa.scalar("all"), count),
                    "sex": pa.repeat(pa.scalar("all"), count),
                    "ethnicity": pa.repeat(pa.scalar(group), count),
                    "population": kept.column(column),
                    "source_file": pa.repeat(pa.scalar(item.name), count),
                    "source_line": kept.column(LINE),
                    "breakdown": pa.repeat(pa.scalar("ethnicity"), count),
                }
            ).cast(POPULATION_SCHEMA)
        )
    rejects = pa.concat_tables(
        [checks.rejects(), malformed_rejects(item.name, parsed.malformed)]
    )
    return FileRead(
        pa.concat_tables(parts),
        rejects,
        table.num_rows + len(parsed.malformed),
        [*parsed.notes, *([footer] if footer else [])],
        lines_accepted=kept.num_rows,
    )


register(
    Source(
        name="population",
        table="population",
        title="Population by area",
        description=(
            "Residents by area, year, age band, sex and ethnic group: saferplaces' "
            "CSV (area_code,year,age_band,sex[,ethnicity],population) or Census "
            "2021 TS001 (usual residents) or TS021 (ethnic group)."
        ),
        wanted=lambda name: name.lower().endswith(".csv"),
        reader=read_population,
        # A load replaces the years and breakdowns it brings (BREAKDOWN_COLUMNS).
        partition_by=("year", "breakdown"),
        record_id=None,
    )
)
