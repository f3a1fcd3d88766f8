"""The local anti-social behaviour incidents extract
(docs/data/local-asb-extract.md).

Police.uk publishes ASB incidents without saying what they were about; the
force's own incident log (shared like the crime extract) says whether an
incident was youth-related or on the public transport network, which the
plan's measures need. One row per incident.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.codes import DATE, LSOA_CODE
from saferplaces.ingest.local_extract import qualifier_lists
from saferplaces.ingest.police_uk import force_slugs
from saferplaces.ingest.reading import InputFile
from saferplaces.ingest.sources import Source, register
from saferplaces.ingest.validation import RowChecks, blank_to_null, provenance_columns
from saferplaces.vocabulary import ASB_CATEGORIES

COLUMNS = [
    "incident_reference",
    "reported_date",
    "force",
    "asb_category",
    "lsoa_code",
    "location",
    "qualifiers",
]
# The National Standard for Incident Recording's three ASB categories.
CATEGORIES = ASB_CATEGORIES


def local_asb(checks: RowChecks, source: InputFile) -> pa.Table:
    checks.required("incident_reference")
    checks.matches(
        "reported_date", DATE, "reported_date must be YYYY-MM-DD", optional=False
    )
    checks.required("force")
    checks.one_of("asb_category", CATEGORIES, optional=False)
    checks.matches(
        "lsoa_code", LSOA_CODE, "lsoa_code must look like E01012345", optional=True
    )
    qualifiers = qualifier_lists(checks)
    date = pc.utf8_trim_whitespace(checks.column("reported_date"))
    return pa.table(
        {
            "incident_reference": pc.utf8_trim_whitespace(
                checks.column("incident_reference")
            ),
            "reported_date": date,
            "month": pc.utf8_slice_codeunits(date, 0, 7),
            "force": force_slugs(pc.utf8_trim_whitespace(checks.column("force"))),
            "asb_category": pc.utf8_trim_whitespace(checks.column("asb_category")),
            "lsoa_code": blank_to_null(checks.column("lsoa_code")),
            "location": blank_to_null(checks.column("location")),
            "qualifiers": qualifiers,
            **provenance_columns(checks, source),
        }
    )


register(
    Source(
        name="local-asb",
        table="local_asb",
        title="Local anti-social behaviour incidents",
        description=(
            "ASB incidents from the force's incident log with their category "
            "and qualifiers (youth-related, public transport), shared under an "
            "information-sharing agreement (docs/data/local-asb-extract.md)."
        ),
        columns=COLUMNS,
        wanted=lambda name: name.lower().endswith(".csv"),
        transform=local_asb,
        record_id=("incident_reference",),
    )
)
