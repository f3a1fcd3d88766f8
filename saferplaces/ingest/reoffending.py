"""Re-offending cohorts, following the Ministry of Justice's proven
re-offending definitions (docs/data/reoffending.md).

A cohort file has one row per offender in a cohort: the offenders released
from custody, given a non-custodial conviction at court, or cautioned in a
period, with the number of proven re-offences committed in the 12-month
follow-up from their index date (and proven by court or caution in that
period or a further 6 months). The partnership gets it from probation or the
police under an information-sharing agreement; the offender id must already
be pseudonymised.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.codes import CALENDAR_QUARTER, ONS_CODE, PSEUDONYM
from saferplaces.ingest.reading import InputFile
from saferplaces.ingest.sources import Source, register
from saferplaces.ingest.validation import RowChecks, lsoa_or_null, provenance_columns
from saferplaces.vocabulary import AGE_BANDS, DISPOSALS, ETHNICITIES, SEXES

COLUMNS = [
    "offender_id",
    "cohort",
    "index_date",
    "index_disposal",
    "age_band",
    "sex",
    "ethnicity",
    "area_code",
    "proven_reoffences",
]
COHORT = CALENDAR_QUARTER
COUNT = r"^\s*\d{1,4}\s*$"


def cohort(checks: RowChecks, source: InputFile) -> pa.Table:
    checks.withheld.add("offender_id")
    checks.few_values("cohort", "index_disposal", "age_band", "sex", "ethnicity")
    checks.few_values("area_code", "proven_reoffences")
    checks.matches(
        "offender_id",
        PSEUDONYM,
        "offender_id must be a pseudonym (8 to 128 letters, digits, - or _)",
        optional=False,
    )
    checks.matches(
        "cohort", COHORT, "cohort must be a calendar quarter, e.g. 2023-Q1",
        optional=False,
    )  # fmt: skip
    checks.one_of("index_disposal", DISPOSALS, optional=False)
    checks.one_of("age_band", AGE_BANDS, optional=True)
    checks.one_of("sex", SEXES, optional=True)
    checks.one_of("ethnicity", ETHNICITIES, optional=True)
    checks.matches(
        "area_code", ONS_CODE, "area_code must be an ONS code", optional=False
    )
    checks.matches(
        "proven_reoffences",
        COUNT,
        "proven_reoffences must be a whole number, 0 or more",
        optional=False,
    )
    counts = checks.trimmed("proven_reoffences")
    valid = pc.match_substring_regex(counts, r"^\d+$")
    reoffences = pc.cast(pc.if_else(valid, counts, "0"), pa.int32())
    date = checks.trimmed("index_date")
    area = checks.trimmed("area_code")
    return pa.table(
        {
            "offender_id": checks.trimmed("offender_id"),
            "cohort": checks.trimmed("cohort"),
            "index_date": checks.date("index_date"),
            "month": pc.utf8_slice_codeunits(date, 0, 7),
            "index_disposal": checks.trimmed("index_disposal"),
            "age_band": checks.text("age_band"),
            "sex": checks.text("sex"),
            "ethnicity": checks.text("ethnicity"),
            "area_code": area,
            "lsoa_code": lsoa_or_null(area),
            "proven_reoffences": reoffences,
            "reoffended": pc.greater(reoffences, 0),
            **provenance_columns(checks, source),
        }
    )


register(
    Source(
        name="reoffending",
        table="reoffending",
        title="Re-offending cohorts",
        description=(
            "Offender cohorts with proven re-offences in the 12-month follow-up, "
            "Ministry of Justice definitions (docs/data/reoffending.md)."
        ),
        columns=COLUMNS,
        wanted=lambda name: "reoffending" in name and name.endswith(".csv"),
        transform=cohort,
        partition_by=("cohort",),
        record_id=("offender_id", "index_date"),
    )
)
