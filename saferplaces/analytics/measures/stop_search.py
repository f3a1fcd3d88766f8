"""Stop and search: how many searches, for what, what followed, and who was
searched against who lives in the force's area.

Counted for a whole police force only (``force_level``): police.uk gives a
search no LSOA, and many no location at all. The person's ethnic group is
one of Census 2021's five high-level groups: their self-defined ethnicity
(a Census category, grouped by the part before " - "), else, where they did
not state it, the officer-defined ethnicity (``vocabulary``); "Unknown"
where neither is given.

Disproportionality (``search_disproportionality``): each group's searches
per 1,000 residents of that group in the force's area, divided by the White
group's rate. Its 95% interval is the exact conditional one for a ratio of
two Poisson rates: given the two groups' searches together, a group's share
of them is binomial, its Clopper-Pearson limits are turned into limits for
the ratio (``compare.rate_ratio``). Searches whose ethnic group is unknown
are left out, and the result says how many.
"""

from __future__ import annotations

from dataclasses import dataclass

from saferplaces.analytics.compare import RateRatio, rate_ratio
from saferplaces.analytics.geography import lsoas_in
from saferplaces.analytics.measures.force_level import force_months
from saferplaces.analytics.measures.groups import _residents_by as residents_by
from saferplaces.analytics.measures.population import population_year
from saferplaces.analytics.measures.registry import (
    Measure,
    Publication,
    get_measure,
    register,
)
from saferplaces.analytics.measures.series import PER, measure_months, require_tables
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import AsOf, Store
from saferplaces.codes import financial_quarter, financial_year
from saferplaces.vocabulary import (
    ETHNIC_GROUPS,
    SEARCH_ARREST_OUTCOMES,
    SEARCH_NO_FURTHER_ACTION_OUTCOMES,
    SELF_DEFINED_ETHNIC_GROUPS,
    SELF_DEFINED_NOT_STATED,
)

UNKNOWN = "Unknown"
BASELINE = "White"
SOURCE = "police.uk stop and search (saferplaces ingest police-uk-stop-search)"
GROUPS = (
    "object_of_search", "ethnic_group", "outcome", "legislation", "age_range",
    "gender", "type",
)  # fmt: skip


def ethnic_group(self_defined: str | None, officer_defined: str | None) -> str:
    """The Census 2021 high-level group of a searched person.

    >>> ethnic_group("Black/African/Caribbean/Black British - African", "White")
    'Black'
    >>> ethnic_group("Other ethnic group - Not stated", "Asian")
    'Asian'
    >>> ethnic_group(None, None)
    'Unknown'
    """
    if self_defined and self_defined != SELF_DEFINED_NOT_STATED:
        found = SELF_DEFINED_ETHNIC_GROUPS.get(self_defined.split(" - ")[0])
        if found:
            return found
    if officer_defined in ETHNIC_GROUPS:
        return str(officer_defined)
    return UNKNOWN


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _listed(values: list[str]) -> str:
    return ", ".join(_quoted(value) for value in values)


# ``ethnic_group`` in SQL, from the same vocabulary.
_SELF_DEFINED_SQL = (
    "CASE split_part(self_defined_ethnicity, ' - ', 1) "
    + " ".join(
        f"WHEN {_quoted(prefix)} THEN {_quoted(group)}"
        for prefix, group in SELF_DEFINED_ETHNIC_GROUPS.items()
    )
    + " END"
)
ETHNIC_GROUP_SQL = (
    f"coalesce(CASE WHEN self_defined_ethnicity <> {_quoted(SELF_DEFINED_NOT_STATED)} "
    f"THEN {_SELF_DEFINED_SQL} END, CASE WHEN officer_defined_ethnicity IN "
    f"({_listed(ETHNIC_GROUPS)}) THEN officer_defined_ethnicity END, "
    f"{_quoted(UNKNOWN)})"
)
SEARCHES = (
    "(SELECT force AS area_code, month, type, object_of_search, outcome, "
    "legislation, age_range, gender, "
    f"{ETHNIC_GROUP_SQL} AS ethnic_group FROM stop_search)"
)
# Searches with an outcome recorded (police.uk leaves some blank).
WITH_OUTCOME = "outcome IS NOT NULL"


def _register_stop_search_measures() -> None:
    force_only = Publication("open", levels=("force",))
    common = {
        "table": "stop_search",
        "relation": SEARCHES,
        "denominator": None,
        "source": SOURCE,
        "groups": GROUPS,
        "publication": force_only,
        "counted_at": "force",
    }
    register(
        Measure(
            id="stop-searches",
            title="Stop and searches",
            definition=(
                "Stop and searches the force carried out (police.uk stop and "
                "search), counted for the whole force: police.uk gives a search "
                "no LSOA and many no location. Break it down by object of "
                "search, outcome, legislation, the person's ethnic group (self-"
                "defined, else officer-defined, as Census 2021's five groups), "
                "age range, gender or type of search. Ask for the force by its "
                "police.uk name (city-of-london)."
            ),
            where="TRUE",
            unit="searches",
            polarity="neither",
            **common,  # type: ignore[arg-type]
        )
    )
    register(
        Measure(
            id="stop-search-arrest",
            title="Stop and searches leading to arrest",
            definition=(
                "Percentage of the force's stop and searches with an outcome "
                "recorded whose outcome was an arrest ("
                f"{'; '.join(SEARCH_ARREST_OUTCOMES)}). Searches with no "
                "outcome recorded are left out of the base. "
                "The 95% interval is Wilson's."
            ),
            where=WITH_OUTCOME,
            success=f"outcome IN ({_listed(SEARCH_ARREST_OUTCOMES)})",
            kind="proportion",
            unit="% of searches",
            polarity="neither",
            **common,  # type: ignore[arg-type]
        )
    )
    register(
        Measure(
            id="stop-search-further-action",
            title="Stop and searches leading to any further action",
            definition=(
                "Percentage of the force's stop and searches with an outcome "
                "recorded whose outcome was any further action (an arrest, "
                "summons, caution, penalty notice, warning or community "
                "resolution): every outcome but no further action ("
                f"{'; '.join(SEARCH_NO_FURTHER_ACTION_OUTCOMES)}). Searches "
                "with no outcome recorded are left out of the base. The 95% "
                "interval is Wilson's."
            ),
            where=WITH_OUTCOME,
            success=f"outcome NOT IN ({_listed(SEARCH_NO_FURTHER_ACTION_OUTCOMES)})",
            kind="proportion",
            unit="% of searches",
            polarity="neither",
            **common,  # type: ignore[arg-type]
        )
    )


_register_stop_search_measures()


@dataclass(frozen=True)
class SearchRate:
    """One ethnic group's searches against its residents in the force area."""

    group: str
    searches: int
    residents: float
    # Searches per 1,000 residents of the group.
    per_1000: float
    # The rate against the White group's (None for the White group).
    against_white: RateRatio | None


@dataclass(frozen=True)
class SearchDisproportionality:
    force: str
    period: str
    months: list[str]
    rates: list[SearchRate]
    # Searches left out: the person's ethnic group is not known.
    unknown: int
    population_year: int
    residents_area: str
    note: str


def search_disproportionality(
    store: Store,
    force: str,
    period: str,
    *,
    residents_area: str | None = None,
    as_of: AsOf = None,
) -> SearchDisproportionality:
    """Searches per 1,000 residents of each ethnic group, against White.

    ``period``: a month (2020-01), financial quarter (2019/20 Q4) or year
    (2019/20). ``residents_area``: the area whose residents are the force's
    (default: an area of the force's own name); its residents by ethnic
    group come from the population table (Census 2021 TS021). Where they are
    not loaded the answer is refused in words: no rate without residents.
    """
    measure = get_measure("stop-searches")
    require_tables(store, measure, as_of)
    months = [
        month
        for month in force_months(
            store, measure, force, measure_months(store, measure, as_of), as_of
        )
        if period in (month, financial_quarter(month), financial_year(month))
    ]
    if not months:
        raise Refused(f"no stop and search records of {force!r} in {period}")
    counts = _searches_by_group(store, measure, force, months, as_of)
    area = residents_area or force
    lsoas = lsoas_in(store, area)
    if not lsoas or not store.held("population", as_of):
        raise Refused(
            f"the residents of {force}'s area by ethnic group are not loaded: "
            f"define its area ({area!r}, made of LSOAs) and load Census 2021 "
            "ethnic group (TS021) for them (saferplaces ingest population); "
            "no rate is given without residents"
        )
    year, residents = residents_by(
        store, "ethnicity", lsoas, population_year(months[0]), as_of
    )
    missing = [g for g in ETHNIC_GROUPS if residents.get(g, 0) <= 0]
    if BASELINE in missing:
        raise Refused(
            f"no White residents are loaded for {area!r}: the rates cannot be "
            "set against the White group's"
        )
    white = counts.get(BASELINE, 0)
    rates = [
        _rate(group, counts.get(group, 0), residents[group], white, residents)
        for group in ETHNIC_GROUPS
        if group not in missing
    ]
    note = f"residents from the {year} population of {area}"
    if missing:
        note += f"; no residents loaded for: {', '.join(missing)}"
    return SearchDisproportionality(
        force=force,
        period=period,
        months=months,
        rates=rates,
        unknown=counts.get(UNKNOWN, 0),
        population_year=year,
        residents_area=area,
        note=note,
    )


def _rate(
    group: str, searches: int, people: float, white: int, residents: dict[str, float]
) -> SearchRate:
    return SearchRate(
        group=group,
        searches=searches,
        residents=people,
        per_1000=PER * searches / people,
        against_white=None
        if group == BASELINE
        else rate_ratio(searches, white, people, residents[BASELINE]),
    )


def _searches_by_group(
    store: Store, measure: Measure, force: str, months: list[str], as_of: AsOf
) -> dict[str, int]:
    rows = store.query(
        f"SELECT ethnic_group, count(*) AS n FROM {measure.from_sql} "
        "WHERE area_code = ? AND month IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
        "GROUP BY ALL",
        [force, months],
        as_of=as_of,
    ).to_pylist()
    return {str(row["ethnic_group"]): int(row["n"]) for row in rows}
