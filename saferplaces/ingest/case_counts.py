"""Cases opened, de-identified, for the measures engine (docs/cases.md).

One row per case: when it was opened, its type, its risk level and its area,
keyed by a pseudonym. No person, address, reference or free text: the
dashboard counts cases without seeing anyone. ``saferplaces cases publish``
writes the file from the case database and loads it; a partnership's rows
are replaced whole at each load (cases anonymised or deleted by retention
drop out).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.codes import PSEUDONYM
from saferplaces.ingest.reading import InputFile
from saferplaces.ingest.sources import Source, register
from saferplaces.ingest.validation import RowChecks, lsoa_or_null, provenance_columns
from saferplaces.vocabulary import CASE_TYPES, RISK_LEVELS

COLUMNS = [
    "case_id", "partnership", "opened_on", "case_type", "risk_level", "area_code",
]  # fmt: skip
# The values of saferplaces.cases.models.CaseType and RiskLevel (this layer
# cannot import Django models; a test holds the two lists together).
SLUG = r"^[A-Za-z0-9_-]{1,80}$"


def cases_opened(checks: RowChecks, source: InputFile) -> pa.Table:
    checks.withheld.add("case_id")
    checks.few_values("partnership", "case_type", "risk_level")
    checks.matches(
        "case_id",
        PSEUDONYM,
        "case_id must be a pseudonym (8 to 128 letters, digits, - or _)",
        optional=False,
    )
    checks.matches(
        "partnership", SLUG, "partnership must be a partnership's slug", optional=False
    )
    opened = checks.date("opened_on")
    checks.one_of("case_type", CASE_TYPES, optional=False)
    checks.one_of("risk_level", RISK_LEVELS, optional=False)
    area = checks.trimmed("area_code")
    return pa.table(
        {
            "case_id": checks.trimmed("case_id"),
            "partnership": checks.trimmed("partnership"),
            "opened_on": opened,
            "month": pc.strftime(opened, format="%Y-%m"),
            "case_type": checks.trimmed("case_type"),
            "risk_level": checks.trimmed("risk_level"),
            "area_code": area,
            "lsoa_code": lsoa_or_null(area),
            **provenance_columns(checks, source),
        }
    )


register(
    Source(
        name="cases-opened",
        table="cases_opened",
        title="Cases opened (de-identified)",
        description=(
            "One row per case with its month opened, type, risk level and area, "
            "and no one in it; written by `saferplaces cases publish` from the "
            "case database (docs/cases.md)."
        ),
        columns=COLUMNS,
        wanted=lambda name: name.lower().endswith(".csv"),
        transform=cases_opened,
        partition_by=("partnership",),
        record_id=("case_id",),
    )
)


OUTCOME_COLUMNS = [
    "referral_id", "partnership", "completed_on", "pathway", "outcome", "area_code",
]  # fmt: skip
# Pathways and outcomes are the partnership's own words (its routing rules).
LONGEST_WORDS = 120


def referral_outcomes(checks: RowChecks, source: InputFile) -> pa.Table:
    checks.withheld.add("referral_id")
    checks.few_values("partnership", "pathway", "outcome")
    checks.matches(
        "referral_id",
        PSEUDONYM,
        "referral_id must be a pseudonym (8 to 128 letters, digits, - or _)",
        optional=False,
    )
    checks.matches(
        "partnership", SLUG, "partnership must be a partnership's slug", optional=False
    )
    completed = checks.date("completed_on")
    for name in ("pathway", "outcome"):
        checks.matches(
            name,
            rf"^\S.{{0,{LONGEST_WORDS - 1}}}$",
            f"{name} must be given, in at most {LONGEST_WORDS} characters",
            optional=False,
        )
    pathway = checks.trimmed("pathway")
    area = checks.trimmed("area_code")
    return pa.table(
        {
            "referral_id": checks.trimmed("referral_id"),
            "partnership": checks.trimmed("partnership"),
            "completed_on": completed,
            "month": pc.strftime(completed, format="%Y-%m"),
            "pathway": pathway,
            # An outcome is read with its pathway ("Home fire safety visit:
            # No access"): the same words mean different things on two.
            "outcome": pc.binary_join_element_wise(
                pathway, checks.trimmed("outcome"), ": "
            ),
            "area_code": area,
            "lsoa_code": lsoa_or_null(area),
            **provenance_columns(checks, source),
        }
    )


register(
    Source(
        name="referral-outcomes",
        table="referral_outcomes",
        title="Referral outcomes (de-identified)",
        description=(
            "One row per completed referral with its month completed, pathway, "
            "outcome and the case's area, and no one in it; written by "
            "`saferplaces cases publish` from the case database (docs/cases.md)."
        ),
        columns=OUTCOME_COLUMNS,
        wanted=lambda name: name.lower().endswith(".csv"),
        transform=referral_outcomes,
        partition_by=("partnership",),
        record_id=("referral_id",),
    )
)
