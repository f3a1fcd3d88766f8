"""Road casualties: the Department for Transport's STATS19 collision and
casualty files (https://www.data.gov.uk/dataset/road-accidents-safety-data).

The files come in two namings: ``collision_index``/``lsoa_of_collision_location``
since 2023 and ``accident_index``/``lsoa_of_accident_location`` before; both
load. Only the columns the measures use are kept. Codes are turned into their
labels from the DfT road safety data guide (severity: 1 Fatal, 2 Serious,
3 Slight); ``-1`` and ``NULL`` mean "not known".

Killed or seriously injured (KSI) casualties use the police-reported
``casualty_severity``. Since 2016 many forces record injuries through CRASH,
and DfT publishes adjusted severities to make years comparable; those are
not used here, so a series that spans a force's move to CRASH should be read
with that in mind (docs/measures.md says so too).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.codes import LSOA_CODE
from saferplaces.ingest.police_uk import LATITUDE_RANGE, LONGITUDE_RANGE
from saferplaces.ingest.reading import (
    LINE,
    FileRefused,
    InputFile,
    ParsedFile,
    header_of,
    read_csv,
)
from saferplaces.ingest.sources import FileRead, Source, register
from saferplaces.ingest.validation import RowChecks, malformed_rejects, real_dates

SEVERITY = {"1": "Fatal", "2": "Serious", "3": "Slight"}
SEX = {"1": "male", "2": "female"}
CASUALTY_CLASS = {"1": "Driver or rider", "2": "Passenger", "3": "Pedestrian"}
AGE_BAND = {
    "1": "0-5", "2": "6-10", "3": "11-15", "4": "16-20", "5": "21-25",
    "6": "26-35", "7": "36-45", "8": "46-55", "9": "56-65", "10": "66-75",
    "11": "Over 75",
}  # fmt: skip
MISSING = ["", "-1", "NULL", "NA"]
YEAR = r"^(19|20)\d{2}$"
NUMBER = r"^\s*-?\d+(\.\d+)?\s*$"

# Canonical name -> the names it has had in DfT files, newest first.
COLLISION_COLUMNS = {
    "collision_index": ["collision_index", "accident_index"],
    "collision_year": ["collision_year", "accident_year"],
    "date": ["date"],
    "collision_severity": ["collision_severity", "accident_severity"],
    "lsoa": ["lsoa_of_collision_location", "lsoa_of_accident_location"],
    "longitude": ["longitude"],
    "latitude": ["latitude"],
    "police_force": ["police_force"],
}
CASUALTY_COLUMNS = {
    "collision_index": ["collision_index", "accident_index"],
    "collision_year": ["collision_year", "accident_year"],
    "vehicle_reference": ["vehicle_reference"],
    "casualty_reference": ["casualty_reference"],
    "casualty_severity": ["casualty_severity"],
    "casualty_class": ["casualty_class"],
    "sex": ["sex_of_casualty"],
    "age_band": ["age_band_of_casualty"],
}


def _columns(item: InputFile, wanted: dict[str, list[str]]) -> dict[str, str]:
    """Canonical name -> the file's column, refusing a file that lacks one."""
    header = {name.lower(): name for name in header_of(item)}
    found, missing = {}, []
    for canonical, names in wanted.items():
        column = next((header[n] for n in names if n in header), None)
        if column is None:
            missing.append(" or ".join(names))
        else:
            found[canonical] = column
    if missing:
        detail = "; ".join(missing)
        raise FileRefused(
            item.name, f"is not a STATS19 file of this kind: missing {detail}"
        )
    return found


def _labels(values: Any, codes: dict[str, str]) -> Any:
    """DfT codes to labels; unknown or missing codes become null."""
    return pc.take(
        pa.array([*codes.values(), None], pa.string()),
        pc.fill_null(pc.index_in(values, value_set=pa.array(list(codes))), len(codes)),
    )


def _known(checks: RowChecks, column: str, codes: dict[str, str]) -> None:
    allowed = pc.is_in(checks.trimmed(column), pa.array([*codes, *MISSING]))
    checks.rule(allowed, column, f"{column} must be one of the DfT codes or -1")


def _date(checks: RowChecks, column: str) -> Any:
    """DfT writes dd/mm/yyyy; some re-publications use ISO dates."""
    text = checks.trimmed(column)
    parsed = pc.coalesce(real_dates(text, "%d/%m/%Y"), real_dates(text, "%Y-%m-%d"))
    checks.rule(pc.is_valid(parsed), column, f"{column} must be a date (dd/mm/yyyy)")
    return parsed


def read_collisions(item: InputFile) -> FileRead:
    names = _columns(item, COLLISION_COLUMNS)
    parsed = read_csv(item, header_of(item))
    checks = RowChecks(item.name, parsed.table)
    checks.few_values(names["collision_year"], names["collision_severity"])
    checks.few_values(names["lsoa"], names["police_force"], names["date"])
    checks.required(names["collision_index"])
    checks.matches(names["collision_year"], YEAR, "must be a year", optional=False)
    _known(checks, names["collision_severity"], SEVERITY)
    lsoa = checks.trimmed(names["lsoa"])
    has_lsoa = pc.invert(pc.is_in(lsoa, pa.array(MISSING)))
    lsoa_ok = pc.match_substring_regex(lsoa, LSOA_CODE)
    checks.rule(
        pc.or_kleene(lsoa_ok, pc.invert(has_lsoa)),
        names["lsoa"],
        "must be an LSOA code like E01012345, or -1",
    )
    date = _date(checks, names["date"])
    coordinates = {
        "longitude": _coordinate(checks, names["longitude"], LONGITUDE_RANGE),
        "latitude": _coordinate(checks, names["latitude"], LATITUDE_RANGE),
    }
    table = pa.table(
        {
            "collision_index": checks.trimmed(names["collision_index"]),
            "collision_year": checks.trimmed(names["collision_year"]),
            "date": date,
            "month": pc.strftime(date, format="%Y-%m"),
            "collision_severity": _labels(
                checks.trimmed(names["collision_severity"]), SEVERITY
            ),
            "lsoa_code": pc.if_else(lsoa_ok, lsoa, pa.scalar(None, pa.string())),
            **coordinates,
            "police_force": checks.text(names["police_force"]),
            "source_file": pa.repeat(pa.scalar(item.name), parsed.table.num_rows),
            "source_line": parsed.table.column(LINE),
        }
    )
    return _result(item, parsed, checks, table)


def _coordinate(checks: RowChecks, column: str, bounds: tuple[float, float]) -> Any:
    text = checks.trimmed(column)
    missing = pc.is_in(text, pa.array(MISSING))
    numeric = pc.match_substring_regex(text, NUMBER)
    value = pc.cast(pc.if_else(numeric, text, None), pa.float64())
    inside = pc.and_kleene(
        pc.greater_equal(value, bounds[0]), pc.less_equal(value, bounds[1])
    )
    checks.rule(
        pc.or_kleene(inside, missing), column, f"{column} must be a number in the UK"
    )
    return pc.if_else(missing, None, value)


def read_casualties(item: InputFile) -> FileRead:
    names = _columns(item, CASUALTY_COLUMNS)
    parsed = read_csv(item, header_of(item))
    checks = RowChecks(item.name, parsed.table)
    checks.few_values(names["collision_year"], names["casualty_severity"])
    checks.few_values(names["casualty_class"], names["sex"], names["age_band"])
    checks.required(names["collision_index"])
    checks.matches(names["collision_year"], YEAR, "must be a year", optional=False)
    for key, codes in (
        ("casualty_severity", SEVERITY),
        ("casualty_class", CASUALTY_CLASS),
        ("sex", {**SEX, "9": "unknown"}),
        ("age_band", AGE_BAND),
    ):
        _known(checks, names[key], codes)
    checks.rule(
        pc.is_in(checks.trimmed(names["casualty_severity"]), pa.array(list(SEVERITY))),
        names["casualty_severity"],
        "casualty_severity must be 1 (fatal), 2 (serious) or 3 (slight)",
    )
    severity = _labels(checks.trimmed(names["casualty_severity"]), SEVERITY)
    table = pa.table(
        {
            "collision_index": checks.trimmed(names["collision_index"]),
            "collision_year": checks.trimmed(names["collision_year"]),
            "vehicle_reference": checks.text(names["vehicle_reference"]),
            "casualty_reference": checks.text(names["casualty_reference"]),
            "casualty_severity": severity,
            "killed_or_seriously_injured": pc.is_in(
                severity, pa.array(["Fatal", "Serious"])
            ),
            "casualty_class": _labels(
                checks.trimmed(names["casualty_class"]), CASUALTY_CLASS
            ),
            "sex": _labels(checks.trimmed(names["sex"]), SEX),
            "age_band": _labels(checks.trimmed(names["age_band"]), AGE_BAND),
            "source_file": pa.repeat(pa.scalar(item.name), parsed.table.num_rows),
            "source_line": parsed.table.column(LINE),
        }
    )
    return _result(item, parsed, checks, table)


def _result(
    item: InputFile, parsed: ParsedFile, checks: RowChecks, table: pa.Table
) -> FileRead:
    rejects = pa.concat_tables(
        [checks.rejects(), malformed_rejects(item.name, parsed.malformed)]
    )
    return FileRead(
        table.filter(checks.accepted()),
        rejects,
        parsed.table.num_rows + len(parsed.malformed),
        parsed.notes,
    )


def _kind_of(name: str) -> str | None:
    """Which STATS19 file a name is, from DfT's namings over the years
    (dft-road-casualty-statistics-collision-2023.csv, Accidents0515.csv)."""
    rest = name.lower().replace("road-casualty-statistics", "")
    if not rest.endswith(".csv"):
        return None
    if "casualt" in rest:
        return "casualties"
    if "collision" in rest or "accident" in rest:
        return "collisions"
    return None


register(
    Source(
        name="stats19-collisions",
        table="road_collisions",
        title="Road collisions (STATS19)",
        description=(
            "DfT STATS19 collision file: where and when each injury collision "
            "happened (LSOA, coordinates, severity)."
        ),
        wanted=lambda name: _kind_of(name) == "collisions",
        reader=read_collisions,
        partition_by=("collision_year",),
        record_id=None,  # open data (DfT), published exactly
    )
)
register(
    Source(
        name="stats19-casualties",
        table="road_casualties",
        title="Road casualties (STATS19)",
        description=(
            "DfT STATS19 casualty file: each casualty's severity, class, sex and "
            "age band, linked to its collision by collision_index."
        ),
        wanted=lambda name: _kind_of(name) == "casualties",
        reader=read_casualties,
        partition_by=("collision_year",),
        record_id=None,  # open data (DfT), published exactly
    )
)
