"""What happened to crimes: the share of crimes in each outcome group.

police.uk publishes each crime's outcomes in the month they happen (the
``outcomes`` table, by outcome month), and the street file gives each crime
its last outcome as of the file's publication. A crime's outcome here is the
latest one the loaded outcomes files give it (the latest outcome month; of
two in that month, the one nearer a charge, in the order of
``vocabulary.OUTCOME_GROUPS``), else the street file's last outcome
category. The crime is counted in the month it was recorded, in its LSOA,
with its crime type; anti-social behaviour has no outcomes and is left out.

Each outcome group is one proportion measure (``outcome-<group>``): the
share of the period's crimes whose outcome falls in the group, with a Wilson
95% interval, by crime type if asked. Outcomes keep arriving for months after
a crime, so the latest ``PROVISIONAL_MONTHS`` months of crimes are
provisional: their share under investigation falls, and the others rise, as
later outcomes files are loaded.
"""

from __future__ import annotations

import re

from saferplaces.analytics.measures.registry import (
    Measure,
    Polarity,
    Publication,
    register,
)
from saferplaces.vocabulary import OUTCOME_GROUPS, UNMAPPED_OUTCOME_GROUP

# Months after the crime month in which its share may still change. Court
# cases often take more than a year from charge to result, but the outcome
# group (charged or summonsed) is reached at the charge; the Home Office's
# crime outcomes statistics likewise treat a year's crimes as settling over
# the following year.
PROVISIONAL_MONTHS = 12
OUTCOMES_SOURCE = (
    "police.uk outcomes and street-level crime (saferplaces ingest "
    "police-uk-outcomes and police-uk-street)"
)
OUTCOME_LAG = (
    f"Outcomes keep arriving for months after a crime: police.uk adds each "
    f"month's outcomes to crimes of earlier months, so the shares for the "
    f"latest {PROVISIONAL_MONTHS} months of crimes are provisional (the share "
    f"under investigation falls, and the others rise, as outcomes arrive)."
)


def outcome_group(category: str | None) -> str:
    """The outcome group of a police.uk outcome category.

    >>> outcome_group("Offender sent to prison")
    'Charged or summonsed'
    >>> outcome_group("A category police.uk adds next year")
    'Other or not known'
    """
    for group, categories in OUTCOME_GROUPS.items():
        if category in categories:
            return group
    return UNMAPPED_OUTCOME_GROUP


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _mapping_sql() -> str:
    """``vocabulary.OUTCOME_GROUPS`` as SQL rows (category, group, rank)."""
    return ", ".join(
        f"({_quoted(category)}, {_quoted(group)}, {rank})"
        for rank, (group, categories) in enumerate(OUTCOME_GROUPS.items())
        for category in categories
    )


_UNMAPPED_RANK = list(OUTCOME_GROUPS).index(UNMAPPED_OUTCOME_GROUP)
# Each crime with its outcome group: the latest loaded outcome (the month,
# then nearest a charge: the lowest rank), else the street file's.
CRIMES_WITH_OUTCOMES = (
    "(WITH outcome_groups (category, outcome_group, rank) AS (VALUES "
    f"{_mapping_sql()}), latest AS (SELECT crime_id, arg_max(outcome_type, "
    f"month || ':' || (9 - coalesce(rank, {_UNMAPPED_RANK}))::VARCHAR) "
    "AS outcome_type FROM outcomes LEFT JOIN outcome_groups "
    "ON category = outcome_type GROUP BY crime_id) "
    "SELECT crime.month, crime.lsoa_code, crime.lsoa_code AS area_code, "
    "crime.crime_type, coalesce(outcome_group, "
    f"{_quoted(UNMAPPED_OUTCOME_GROUP)}) AS outcome_group "
    "FROM street_crime AS crime LEFT JOIN latest USING (crime_id) "
    "LEFT JOIN outcome_groups "
    "ON category = coalesce(latest.outcome_type, crime.last_outcome) "
    "WHERE NOT crime.is_asb AND crime.crime_id IS NOT NULL)"
)


def outcome_measure_id(group: str) -> str:
    """'No suspect identified' -> 'outcome-no-suspect-identified'."""
    return "outcome-" + re.sub(r"[^a-z0-9]+", "-", group.lower()).strip("-")


def _register_outcome_measures() -> None:
    for group, categories in OUTCOME_GROUPS.items():
        register(
            Measure(
                id=outcome_measure_id(group),
                title=f"Crimes with outcome: {group.lower()}",
                definition=(
                    f"Percentage of the period's crimes (police.uk street-level "
                    f"crime, anti-social behaviour left out) whose outcome is "
                    f"{group.lower()}: police.uk's "
                    f"{'; '.join(categories)}. A crime's outcome is the latest "
                    "the loaded outcomes files give it, else the street file's "
                    "last outcome category. The 95% interval is Wilson's. "
                    + OUTCOME_LAG
                ),
                table="street_crime",
                also_needs=("outcomes",),
                relation=CRIMES_WITH_OUTCOMES,
                where="TRUE",
                success=f"outcome_group = {_quoted(group)}",
                kind="proportion",
                denominator=None,
                unit="% of crimes",
                polarity=_POLARITY.get(group, "neither"),
                source=OUTCOMES_SOURCE,
                groups=("crime_type",),
                # Counted from open data at the same detail: published exactly.
                publication=Publication("open"),
                caveat=OUTCOME_LAG,
            )
        )


_POLARITY: dict[str, Polarity] = {
    "Charged or summonsed": "up",
    "No suspect identified": "down",
    "Evidential difficulties": "down",
}

_register_outcome_measures()
