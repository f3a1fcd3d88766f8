"""Community concerns and local incidents (docs/data/local-concerns.md):
what residents, councillors and officers report that is not a crime, such
as fly-tipping, graffiti, dog fouling, abandoned vehicles, school parking
and speeding. The environmental and road safety tasking groups work from
them (issue 15). One row per report, with a location.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.codes import LSOA_CODE
from saferplaces.ingest.police_uk import coordinates
from saferplaces.ingest.reading import InputFile
from saferplaces.ingest.sources import Source, register
from saferplaces.ingest.validation import RowChecks, blank_to_null, provenance_columns
from saferplaces.vocabulary import CONCERN_CATEGORIES, CONCERN_REPORTERS

COLUMNS = [
    "concern_reference",
    "reported_date",
    "category",
    "longitude",
    "latitude",
    "lsoa_code",
    "location",
    "reported_by",
]
CATEGORIES = CONCERN_CATEGORIES
REPORTERS = CONCERN_REPORTERS


def local_concerns(checks: RowChecks, source: InputFile) -> pa.Table:
    checks.required("concern_reference")
    date = checks.date("reported_date")
    checks.few_values("category", "reported_by")
    checks.one_of("category", CATEGORIES, optional=False)
    checks.one_of("reported_by", REPORTERS, optional=True)
    checks.matches(
        "lsoa_code", LSOA_CODE, "lsoa_code must look like E01012345", optional=True
    )
    longitude, latitude = coordinates(checks, "longitude", "latitude")
    return pa.table(
        {
            "concern_reference": pc.utf8_trim_whitespace(
                checks.column("concern_reference")
            ),
            "reported_date": date,
            "month": pc.strftime(date, format="%Y-%m"),
            "category": checks.trimmed("category"),
            "longitude": longitude,
            "latitude": latitude,
            "lsoa_code": blank_to_null(checks.column("lsoa_code")),
            "location": blank_to_null(checks.column("location")),
            "reported_by": blank_to_null(checks.column("reported_by")),
            **provenance_columns(checks, source),
        }
    )


register(
    Source(
        name="local-concerns",
        table="local_concerns",
        title="Community concerns and local incidents",
        description=(
            "Reports that are not crimes (fly-tipping, graffiti, dog fouling, "
            "abandoned vehicles, school parking, speeding, ...) with their "
            "place, for the tasking groups (docs/data/local-concerns.md)."
        ),
        columns=COLUMNS,
        wanted=lambda name: name.lower().endswith(".csv"),
        transform=local_concerns,
        partition_by=("month",),
        record_id=("concern_reference",),
    )
)
