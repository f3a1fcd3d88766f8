"""Shared vocabularies: the categories each loader accepts and each
published breakdown lists in full (``Measure.classification``). One home,
importing nothing of ours, so loaders and measures agree by construction."""

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
# People's age bands, sexes and ethnic groups in the local extracts,
# re-offending cohorts and surveys ("unknown" where the record says so).
AGE_BANDS = ["0-9", "10-17", "18-24", "25-34", "35-49", "50-64", "65+", "unknown"]
SEXES = ["female", "male", "unknown"]
# ONS 2021 high-level ethnic groups.
ETHNICITIES = ["Asian", "Black", "Mixed", "White", "Other", "Unknown"]
# How an offender entered a re-offending cohort.
DISPOSALS = ["custody", "court order", "caution"]
# The three categories of anti-social behaviour police forces record.
ASB_CATEGORIES = ["personal", "nuisance", "environmental"]
# Cases opened, as de-identified for the analytic store.
CASE_TYPES = [
    "asb", "hate_crime", "domestic_abuse", "vulnerable_adult",
    "child_safeguarding", "repeat_caller",
]  # fmt: skip
RISK_LEVELS = ["standard", "medium", "high"]
