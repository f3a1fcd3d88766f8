"""The local force crime extract: the richer record shared under an
information-sharing agreement (schema in docs/data/local-crime-extract.md).

It carries what police.uk leaves out: the Home Office offence code and its
place in the crime tree, domestic abuse and hate crime flags, victim age band,
sex and ethnicity, and a pseudonymised victim id for repeat victimisation.
That is what lets the measures keep domestic and non-domestic violence apart
and break trends down by demographic group.

The victim id must already be pseudonymised by the force (a keyed hash); the
loader refuses values that look like names, dates of birth or e-mail
addresses rather than store them.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from saferplaces.codes import DATE, LSOA_CODE, PSEUDONYM
from saferplaces.ingest.police_uk import force_slugs
from saferplaces.ingest.reading import InputFile
from saferplaces.ingest.sources import Source, register
from saferplaces.ingest.validation import RowChecks, blank_to_null, provenance_columns
from saferplaces.vocabulary import (
    AGE_BANDS,
    CRIME_TREE,
    ETHNICITIES,
    HATE_STRANDS,
    SEXES,
)

COLUMNS = [
    "crime_reference",
    "recorded_date",
    "force",
    "offence_code",
    "ho_group",
    "ho_subgroup",
    "lsoa_code",
    "location",
    "domestic_abuse",
    "hate_crime",
    "hate_strands",
    "victim_age_band",
    "victim_sex",
    "victim_ethnicity",
    "victim_id",
]

TREE_PAIRS = [f"{group} > {sub}" for group, subs in CRIME_TREE.items() for sub in subs]
# What a force's qualifiers (flags on a record) may say, for the plan's
# measures: youth-related, on the public transport network, against a
# business, cannabis cultivation.
QUALIFIERS = ["youth", "transport", "business", "cannabis_cultivation"]
QUALIFIER_LIST = (
    r"^\s*(" + "|".join(QUALIFIERS) + r")(\s*;\s*(" + "|".join(QUALIFIERS) + r"))*\s*$"
)
YES_NO = ["Y", "N"]
OFFENCE_CODE = r"^\d{1,3}[A-Z]?(/\d{1,2})?$"
_STRAND = "(" + "|".join(HATE_STRANDS) + ")"
STRANDS = rf"^\s*{_STRAND}(\s*;\s*{_STRAND})*\s*$"


def local_crimes(checks: RowChecks, source: InputFile) -> pa.Table:
    # A bad victim id may be a name or a date of birth: never echo it.
    checks.withheld.add("victim_id")
    checks.required("crime_reference")
    checks.matches(
        "recorded_date", DATE, "recorded_date must be YYYY-MM-DD", optional=False
    )
    checks.required("force")
    checks.matches(
        "offence_code",
        OFFENCE_CODE,
        "offence_code must be a Home Office code such as 8N or 005/01",
        optional=False,
    )
    tree = pc.binary_join_element_wise(
        pc.utf8_trim_whitespace(checks.column("ho_group")),
        pc.utf8_trim_whitespace(checks.column("ho_subgroup")),
        " > ",
    )
    checks.rule(
        pc.is_in(tree, value_set=pa.array(TREE_PAIRS)),
        "ho_subgroup",
        "ho_group and ho_subgroup must be a branch of the Home Office crime tree",
    )
    checks.matches(
        "lsoa_code", LSOA_CODE, "lsoa_code must look like E01012345", optional=True
    )
    checks.one_of("domestic_abuse", YES_NO, optional=False)
    checks.one_of("hate_crime", YES_NO, optional=False)
    hate = pc.equal(checks.column("hate_crime"), "Y")
    strands_ok = pc.match_substring_regex(checks.column("hate_strands"), STRANDS)
    checks.rule(
        pc.if_else(hate, strands_ok, checks.blank("hate_strands")),
        "hate_strands",
        "hate_strands must list strands (race; religion; sexual orientation; "
        "disability; transgender) for a hate crime, and be blank otherwise",
    )
    checks.one_of("victim_age_band", AGE_BANDS, optional=True)
    checks.one_of("victim_sex", SEXES, optional=True)
    checks.one_of("victim_ethnicity", ETHNICITIES, optional=True)
    checks.matches(
        "victim_id",
        PSEUDONYM,
        "victim_id must be a pseudonym (8-128 letters, digits, - or _), "
        "never a name or date of birth",
        optional=True,
    )
    date = pc.utf8_trim_whitespace(checks.column("recorded_date"))
    qualifiers = qualifier_lists(checks)
    strands = pc.split_pattern_regex(
        pc.utf8_trim_whitespace(blank_to_null(checks.column("hate_strands"))),
        r"\s*;\s*",
    )
    return pa.table(
        {
            "crime_reference": pc.utf8_trim_whitespace(
                checks.column("crime_reference")
            ),
            "recorded_date": date,
            "month": pc.utf8_slice_codeunits(date, 0, 7),
            "force": force_slugs(pc.utf8_trim_whitespace(checks.column("force"))),
            "offence_code": pc.utf8_trim_whitespace(checks.column("offence_code")),
            "ho_group": pc.utf8_trim_whitespace(checks.column("ho_group")),
            "ho_subgroup": pc.utf8_trim_whitespace(checks.column("ho_subgroup")),
            "lsoa_code": blank_to_null(checks.column("lsoa_code")),
            "location": blank_to_null(checks.column("location")),
            "domestic_abuse": pc.equal(checks.column("domestic_abuse"), "Y"),
            "hate_crime": hate,
            "hate_strands": strands,
            "victim_age_band": blank_to_null(checks.column("victim_age_band")),
            "victim_sex": blank_to_null(checks.column("victim_sex")),
            "victim_ethnicity": blank_to_null(checks.column("victim_ethnicity")),
            "victim_id": blank_to_null(checks.column("victim_id")),
            "qualifiers": qualifiers,
            **provenance_columns(checks, source),
        }
    )


def qualifier_lists(checks: RowChecks) -> pa.Array:
    """The optional ``qualifiers`` column checked and split into lists."""
    checks.matches(
        "qualifiers",
        QUALIFIER_LIST,
        f"qualifiers must be blank or list {', '.join(QUALIFIERS)} separated by ;",
        optional=True,
    )
    return pc.split_pattern_regex(
        pc.utf8_trim_whitespace(blank_to_null(checks.column("qualifiers"))),
        r"\s*;\s*",
    )


register(
    Source(
        name="local-crimes",
        table="local_crimes",
        title="Local force crime extract",
        description=(
            "Recorded crimes with Home Office offence codes, domestic abuse and "
            "hate crime flags and victim demographics, shared under an "
            "information-sharing agreement (docs/data/local-crime-extract.md)."
        ),
        columns=COLUMNS,
        optional_columns=("qualifiers",),
        wanted=lambda name: name.lower().endswith(".csv"),
        transform=local_crimes,
        record_id=("crime_reference",),
    )
)
