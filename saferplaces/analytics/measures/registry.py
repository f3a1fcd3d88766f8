"""Measure definitions. Add a measure by registering it here; the CLI and the
docs list what the registry holds, and a test fails if one is undocumented."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Polarity = Literal["up", "down", "neither"]


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    # Plain English, as it would appear in a board report.
    definition: str
    # SQL: a table and a condition; the numerator counts its matching rows.
    table: str
    where: str
    # "population": a rate per 1,000 residents; None: a count.
    denominator: Literal["population"] | None
    unit: str
    polarity: Polarity
    source: str
    groups: tuple[str, ...] = ()
    # Counts below this are suppressed on public outputs.
    suppress_below: int = 5


REGISTRY: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    if measure.id in REGISTRY:
        raise ValueError(f"measure {measure.id!r} is registered twice")
    REGISTRY[measure.id] = measure
    return measure


def get_measure(measure_id: str) -> Measure:
    try:
        return REGISTRY[measure_id]
    except KeyError:
        known = ", ".join(sorted(REGISTRY))
        raise KeyError(f"unknown measure {measure_id!r}; measures: {known}") from None


POLICE_UK = "police.uk street-level crime (saferplaces ingest police-uk-street)"
LOCAL = "local force crime extract (saferplaces ingest local-crimes)"
VICTIM_GROUPS = ("victim_age_band", "victim_sex", "victim_ethnicity")

register(
    Measure(
        id="total-recorded-crime",
        title="Total recorded crime",
        definition=(
            "Crimes recorded by the police in the area, from police.uk street-level "
            "data. Anti-social behaviour incidents are not recorded crime and are "
            "left out (see anti-social-behaviour)."
        ),
        table="street_crime",
        where="NOT is_asb",
        denominator=None,
        unit="crimes",
        polarity="down",
        source=POLICE_UK,
    )
)
register(
    Measure(
        id="total-recorded-crime-rate",
        title="Total recorded crime per 1,000 residents",
        definition=(
            "Total recorded crime divided by the area's mid-year population of the "
            "same year (the latest year loaded when that year is missing), per "
            "1,000 residents."
        ),
        table="street_crime",
        where="NOT is_asb",
        denominator="population",
        unit="crimes per 1,000 residents",
        polarity="down",
        source=POLICE_UK,
    )
)
register(
    Measure(
        id="anti-social-behaviour",
        title="Anti-social behaviour incidents",
        definition="Anti-social behaviour incidents reported to the police.",
        table="street_crime",
        where="is_asb",
        denominator=None,
        unit="incidents",
        polarity="down",
        source=POLICE_UK,
    )
)
register(
    Measure(
        id="violence-with-injury",
        title="Violence with injury",
        definition=(
            "Recorded crimes in the Home Office crime tree branch Violence against "
            "the person > Violence with injury."
        ),
        table="local_crimes",
        where="ho_subgroup = 'Violence with injury'",
        denominator=None,
        unit="crimes",
        polarity="down",
        source=LOCAL,
        groups=VICTIM_GROUPS,
    )
)
register(
    Measure(
        id="domestic-violence",
        title="Domestic abuse related violence",
        definition=(
            "Violence against the person flagged as domestic abuse related. A rise "
            "can mean more confidence to report, so read it beside non-domestic "
            "violence."
        ),
        table="local_crimes",
        where="ho_group = 'Violence against the person' AND domestic_abuse",
        denominator=None,
        unit="crimes",
        polarity="neither",
        source=LOCAL,
        groups=VICTIM_GROUPS,
    )
)
register(
    Measure(
        id="non-domestic-violence",
        title="Non-domestic violence",
        definition="Violence against the person not flagged as domestic abuse related.",
        table="local_crimes",
        where="ho_group = 'Violence against the person' AND NOT domestic_abuse",
        denominator=None,
        unit="crimes",
        polarity="down",
        source=LOCAL,
        groups=VICTIM_GROUPS,
    )
)
