"""Shared vocabularies: the categories each loader accepts, each published
breakdown lists in full (``Measure.classification``) and the demo draws
from. One home, importing nothing of ours, so loaders, measures and the demo
agree by construction. Part of the bottom layer with ``saferplaces.codes``
(what codes, postcodes and months look like): lists of categories live here,
patterns there."""

from __future__ import annotations

# The Home Office crime tree (police recorded crime), group -> subgroups.
CRIME_TREE: dict[str, list[str]] = {
    "Violence against the person": [
        "Homicide",
        "Death or serious injury caused by unlawful driving",
        "Violence with injury",
        "Violence without injury",
        "Stalking and harassment",
    ],
    "Sexual offences": ["Rape", "Other sexual offences"],
    "Robbery": ["Robbery of business property", "Robbery of personal property"],
    "Theft offences": [
        "Residential burglary",
        "Non-residential burglary",
        "Vehicle offences",
        "Theft from the person",
        "Bicycle theft",
        "Shoplifting",
        "All other theft offences",
    ],
    "Criminal damage and arson": ["Criminal damage and arson"],
    "Drug offences": ["Trafficking of drugs", "Possession of drugs"],
    "Possession of weapons offences": ["Possession of weapons offences"],
    "Public order offences": ["Public order offences"],
    "Miscellaneous crimes against society": ["Miscellaneous crimes against society"],
}
# Age bands, youngest first: every list of age bands is cut from this one.
AGE_BAND_ORDER = ["0-9", "10-17", "18-24", "25-34", "35-49", "50-64", "65+"]


def age_bands_from(youngest: str) -> list[str]:
    """The age bands from ``youngest`` up.

    >>> age_bands_from("50-64")
    ['50-64', '65+']
    """
    return AGE_BAND_ORDER[AGE_BAND_ORDER.index(youngest) :]


# Residents by age, as population estimates give them: every age.
POPULATION_AGE_BANDS = age_bands_from("0-9")
# Adults: re-offending cohorts and survey respondents (18 and over).
ADULT_AGE_BANDS = age_bands_from("18-24")
# People's age bands, sexes and ethnic groups in the local extracts,
# re-offending cohorts and surveys ("unknown" where the record says so).
AGE_BANDS = [*AGE_BAND_ORDER, "unknown"]
KNOWN_SEXES = ["female", "male"]
SEXES = [*KNOWN_SEXES, "unknown"]
# ONS 2021 high-level ethnic groups (census table TS021's five).
ETHNIC_GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]
ETHNICITIES = [*ETHNIC_GROUPS, "Unknown"]
# The five strands of hate crime police forces monitor.
HATE_STRANDS = ["race", "religion", "sexual orientation", "disability", "transgender"]
# How an offender entered a re-offending cohort.
DISPOSALS = ["custody", "court order", "caution"]
# The three categories of anti-social behaviour police forces record.
ASB_CATEGORIES = ["personal", "nuisance", "environmental"]
# Cases opened, as de-identified for the analytic store.
CASE_TYPES = [
    "asb", "hate_crime", "domestic_abuse", "vulnerable_adult",
    "child_safeguarding", "repeat_caller",
]  # fmt: skip
# A case's risk level now: an assessment's, or not assessed yet.
RISK_LEVELS = ["standard", "medium", "high", "not_assessed"]
# Community concerns (ingest local-concerns): what the tasking groups are
# asked about; "other" for the rest.
CONCERN_CATEGORIES = [
    "fly-tipping", "graffiti", "dog-fouling", "litter", "abandoned-vehicle",
    "tatters", "drug-litter", "street-drinking", "noise", "derelict-building",
    "fly-posting", "bonfire", "school-parking", "speeding", "parking",
    "road-condition", "off-road-bikes", "other",
]  # fmt: skip
CONCERN_REPORTERS = ["resident", "councillor", "officer", "business", "school", "other"]

# police.uk outcome categories (street files' "Last outcome category" and
# outcomes files' "Outcome type"), grouped into a few outcome groups, in the
# order a crime moves towards a charge (docs/measures.md, "Outcomes"). A
# court result follows a charge, so it counts as charged or summonsed;
# "Status update unavailable" says police.uk has no outcome to give.
OUTCOME_GROUPS: dict[str, list[str]] = {
    "Charged or summonsed": [
        "Suspect charged",
        "Suspect charged as part of another case",
        "Awaiting court outcome",
        "Defendant sent to Crown Court",
        "Offender sent to prison",
        "Offender given suspended prison sentence",
        "Offender given community sentence",
        "Offender fined",
        "Offender given conditional discharge",
        "Offender given absolute discharge",
        "Offender ordered to pay compensation",
        "Offender deprived of property",
        "Offender otherwise dealt with",
        "Defendant found not guilty",
        "Court case unable to proceed",
        "Court result unavailable",
    ],
    "Out-of-court disposal": [
        "Offender given a caution",
        "Offender given a drugs possession warning",
        "Offender given penalty notice",
        "Local resolution",
    ],
    "Evidential difficulties": ["Unable to prosecute suspect"],
    "No suspect identified": ["Investigation complete; no suspect identified"],
    "Under investigation": ["Under investigation"],
    "Other or not known": [
        "Formal action is not in the public interest",
        "Further investigation is not in the public interest",
        "Further action is not in the public interest",
        "Action to be taken by another organisation",
        "Status update unavailable",
    ],
}
# A category police.uk adds later counts here until it is mapped above.
UNMAPPED_OUTCOME_GROUP = "Other or not known"

# Census 2021's five high-level ethnic groups from police.uk stop and search:
# the self-defined ethnicity (a Census 2021 category, "Black/African/
# Caribbean/Black British - African") by the group before " - "; where the
# person did not state it, the officer-defined ethnicity (already one of the
# five). Neither known: "Unknown".
SELF_DEFINED_ETHNIC_GROUPS: dict[str, str] = {
    "Asian/Asian British": "Asian",
    "Black/African/Caribbean/Black British": "Black",
    "Mixed/Multiple ethnic groups": "Mixed",
    "White": "White",
    "Other ethnic group": "Other",
}
SELF_DEFINED_NOT_STATED = "Other ethnic group - Not stated"
# police.uk stop and search outcomes (older files' wording, then newer): an
# arrest, and no further action; any other outcome is a further action.
SEARCH_ARREST_OUTCOMES = ["Suspect arrested", "Arrest"]
SEARCH_NO_FURTHER_ACTION_OUTCOMES = [
    "Nothing found - no further action",
    "Suspected psychoactive substances seized - No further action",
    "A no further action disposal",
]
