"""data.police.uk bulk files: street crime, outcomes, stop and search.

Column names and vocabularies follow the archive's CSVs
(https://data.police.uk/about/#columns). Quirks handled here:

* Anti-social behaviour rows have no Crime ID (and no outcome): kept.
* "No location" rows have no coordinates and no LSOA: kept.
* LSOA codes are 2011 codes in older archives and 2021 codes in newer ones.
* Stop-and-search files name no force in any column: it comes from the file
  name (``2020-01-merseyside-stop-and-search.csv``).
"""

from __future__ import annotations

import re

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.codes import LSOA_CODE, MONTH, MONTH_TEXT, force_slug
from saferplaces.ingest.reading import FileRefused, InputFile
from saferplaces.ingest.sources import Source, register
from saferplaces.ingest.validation import RowChecks, blank_to_null, provenance_columns

CRIME_TYPES = [
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
]
ASB = "Anti-social behaviour"

STREET_COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
    "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category",
    "Context",
]  # fmt: skip
OUTCOME_COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
    "Location", "LSOA code", "LSOA name", "Outcome type",
]  # fmt: skip
STOP_SEARCH_COLUMNS = [
    "Type", "Date", "Part of a policing operation", "Policing operation",
    "Latitude", "Longitude", "Gender", "Age range", "Self-defined ethnicity",
    "Officer-defined ethnicity", "Legislation", "Object of search", "Outcome",
    "Outcome linked to object of search",
    "Removal of more than just outer clothing",
]  # fmt: skip

CRIME_ID = r"^[0-9a-f]{64}$"
NUMBER = r"^\s*-?\d+(\.\d+)?\s*$"
# Generous bounds around the UK (police.uk snaps points to map features).
LONGITUDE_RANGE = (-9.0, 2.5)
LATITUDE_RANGE = (49.0, 61.0)


def force_slugs(names: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """``force_slug`` of a column of force names, worked out once per name."""
    slugs = {name: force_slug(name) for name in pc.unique(names).to_pylist()}
    return pc.take(
        pa.array(list(slugs.values()), pa.string()),
        pc.index_in(names, value_set=pa.array(list(slugs), pa.string())),
    )


def coordinates(
    checks: RowChecks, longitude: str = "Longitude", latitude: str = "Latitude"
) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Both blank (a "No location" row) or both numbers inside the UK."""
    parsed = []
    for name, (low, high) in (
        (longitude, LONGITUDE_RANGE),
        (latitude, LATITUDE_RANGE),
    ):
        column = checks.column(name)
        blank = checks.blank(name)
        try:
            # Fast path: every non-blank value is already a plain number.
            value = pc.cast(pc.if_else(blank, None, column), pa.float64())
            numeric = pc.invert(blank)
        except pa.ArrowInvalid:
            numeric = pc.match_substring_regex(column, NUMBER)
            value = pc.cast(
                pc.if_else(numeric, pc.utf8_trim_whitespace(column), None),
                pa.float64(),
            )
        checks.rule(pc.or_kleene(numeric, blank), name, f"{name} is not a number")
        inside = pc.and_kleene(pc.greater_equal(value, low), pc.less_equal(value, high))
        checks.rule(
            pc.or_kleene(inside, pc.invert(numeric)),
            name,
            f"{name} is outside the UK ({low} to {high})",
        )
        parsed.append(value)
    checks.rule(
        pc.equal(checks.blank(longitude), checks.blank(latitude)),
        latitude,
        f"{longitude} and {latitude} must both be given or both be blank",
    )
    return parsed[0], parsed[1]


def _location_columns(checks: RowChecks) -> dict[str, pa.ChunkedArray]:
    checks.few_values("LSOA code")
    longitude, latitude = coordinates(checks)
    checks.matches(
        "LSOA code", LSOA_CODE, "LSOA code must look like E01012345", optional=True
    )
    return {
        "longitude": longitude,
        "latitude": latitude,
        "location": checks.text("Location"),
        "lsoa_code": checks.text("LSOA code"),
        "lsoa_name": checks.text("LSOA name"),
    }


def _force_columns(checks: RowChecks) -> dict[str, pa.ChunkedArray]:
    checks.few_values("Month", "Falls within", "Reported by")
    checks.matches("Month", MONTH, "Month must be YYYY-MM", optional=False)
    checks.required("Falls within")
    falls_within = checks.trimmed("Falls within")
    return {
        "month": checks.trimmed("Month"),
        "force": force_slugs(falls_within),
        "falls_within": falls_within,
        "reported_by": checks.trimmed("Reported by"),
    }


def _is_crime_id(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """64 lower-case hexadecimal characters (``CRIME_ID``).

    Length plus a search for any other character: the same test as the
    anchored pattern at half its cost, and this runs on every row.
    """
    return pc.and_(
        pc.equal(pc.binary_length(column), 64),
        pc.invert(pc.match_substring_regex(column, "[^0-9a-f]")),
    )


def street_crime(checks: RowChecks, source: InputFile) -> pa.Table:
    force = _force_columns(checks)
    checks.few_values("Crime type", "Last outcome category", "Context")
    checks.one_of("Crime type", CRIME_TYPES, optional=False)
    checks.rule(
        pc.or_kleene(_is_crime_id(checks.column("Crime ID")), checks.blank("Crime ID")),
        "Crime ID",
        "Crime ID must be 64 hexadecimal characters or blank",
    )
    crime_type = checks.trimmed("Crime type")
    return pa.table(
        {
            "crime_id": blank_to_null(checks.column("Crime ID")),
            **force,
            **_location_columns(checks),
            "crime_type": crime_type,
            "is_asb": pc.equal(crime_type, ASB),
            "last_outcome": checks.text("Last outcome category"),
            "context": checks.text("Context"),
            **provenance_columns(checks, source),
        }
    )


def outcomes(checks: RowChecks, source: InputFile) -> pa.Table:
    force = _force_columns(checks)
    checks.rule(
        _is_crime_id(checks.column("Crime ID")),
        "Crime ID",
        "Crime ID must be 64 hexadecimal characters",
    )
    checks.few_values("Outcome type")
    checks.required("Outcome type")
    return pa.table(
        {
            "crime_id": pc.utf8_trim_whitespace(checks.column("Crime ID")),
            **force,
            **_location_columns(checks),
            "outcome_type": checks.trimmed("Outcome type"),
            **provenance_columns(checks, source),
        }
    )


_STOP_SEARCH_NAME = re.compile(rf"({MONTH_TEXT})-(.+)-stop-and-search\.csv$", re.I)
SEARCH_TYPES = ["Person search", "Vehicle search", "Person and Vehicle search"]
AGE_RANGES = ["under 10", "10-17", "18-24", "25-34", "over 34"]
GENDERS = ["Male", "Female", "Other"]
ISO_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?$"


def stop_and_search(checks: RowChecks, source: InputFile) -> pa.Table:
    match = _STOP_SEARCH_NAME.search(source.name)
    if match is None:
        raise FileRefused(
            source.name,
            "cannot tell the force from the file name; police.uk names these "
            "files YYYY-MM-FORCE-stop-and-search.csv",
        )
    checks.one_of("Type", SEARCH_TYPES, optional=False)
    checks.matches(
        "Date", ISO_TIME, "Date must be an ISO 8601 date and time", optional=False
    )
    checks.one_of("Gender", GENDERS, optional=True)
    checks.one_of("Age range", AGE_RANGES, optional=True)
    longitude, latitude = coordinates(checks)
    date = checks.column("Date")
    searched_at = _timestamps(
        pc.if_else(pc.match_substring_regex(date, ISO_TIME), date, None)
    )
    text = {
        column: blank_to_null(checks.column(column))
        for column in STOP_SEARCH_COLUMNS
        if column not in {"Date", "Latitude", "Longitude"}
    }
    return pa.table(
        {
            "force": pa.repeat(
                pa.scalar(match.group(2).lower()), checks.table.num_rows
            ),
            "month": pc.utf8_slice_codeunits(date, 0, 7),
            "searched_at": searched_at,
            "longitude": longitude,
            "latitude": latitude,
            **{_snake(column): values for column, values in text.items()},
            **provenance_columns(checks, source),
        }
    )


def _timestamps(iso: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO 8601 strings (offset optional) to UTC timestamps."""
    no_fraction = pc.replace_substring_regex(iso, r"\.\d+", "")
    zulu = pc.replace_substring_regex(no_fraction, r"Z$", "+00:00")
    with_offset = pc.if_else(
        pc.match_substring_regex(zulu, r"[+-]\d{2}:\d{2}$"),
        zulu,
        pc.binary_join_element_wise(zulu, "+00:00", ""),
    )
    # Arrow's %z wants +0100, not +01:00.
    compact = pc.replace_substring_regex(with_offset, r"([+-]\d{2}):(\d{2})$", r"\1\2")
    return pc.strptime(compact, format="%Y-%m-%dT%H:%M:%S%z", unit="us")


def _snake(column: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", column.lower()).strip("_")


register(
    Source(
        name="police-uk-street",
        table="street_crime",
        title="police.uk street crime",
        description=(
            "Monthly street-level crime and anti-social behaviour from "
            "data.police.uk (YYYY-MM-FORCE-street.csv)."
        ),
        columns=STREET_COLUMNS,
        wanted=lambda name: name.endswith("-street.csv"),
        transform=street_crime,
        one_file_per_partition=True,
        named_by_month=True,
        newline_ended=True,
        unique_id=("crime_id", "Crime ID"),
        # Open data, published exactly: no record keys needed (nor paid for).
        record_id=None,
    )
)
register(
    Source(
        name="police-uk-outcomes",
        table="outcomes",
        title="police.uk outcomes",
        description=(
            "Outcomes of crimes, keyed by the month of the outcome, linked to "
            "street crime by Crime ID (YYYY-MM-FORCE-outcomes.csv)."
        ),
        columns=OUTCOME_COLUMNS,
        wanted=lambda name: name.endswith("-outcomes.csv"),
        transform=outcomes,
        one_file_per_partition=True,
        named_by_month=True,
        newline_ended=True,
        # No unique_id: a crime may have several outcomes in a month (the
        # real files repeat Crime IDs, whole rows even: two suspects charged).
        record_id=None,
    )
)
register(
    Source(
        name="police-uk-stop-search",
        table="stop_search",
        title="police.uk stop and search",
        description=(
            "Stop and search records with the subject's age range, gender and "
            "ethnicity (YYYY-MM-FORCE-stop-and-search.csv)."
        ),
        columns=STOP_SEARCH_COLUMNS,
        wanted=lambda name: name.endswith("-stop-and-search.csv"),
        transform=stop_and_search,
        one_file_per_partition=True,
        named_by_month=True,
        newline_ended=True,
        record_id=None,
    )
)
