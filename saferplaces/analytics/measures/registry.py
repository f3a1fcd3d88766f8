"""Measure definitions. Add a measure by registering it here; the CLI and the
docs list what the registry holds, and a test fails if one is undocumented."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from saferplaces.vocabulary import (
    AGE_BANDS,
    ASB_CATEGORIES,
    CASE_TYPES,
    CRIME_TREE,
    DISPOSALS,
    ETHNICITIES,
    RISK_LEVELS,
    SEXES,
)

Polarity = Literal["up", "down", "neither"]


Kind = Literal["count", "proportion", "ratio"]
Method = Literal["open", "perturbed", "survey"]
# Every level an area can have, smallest first: ONS's (ingest.geography)
# and those a partnership's areas file names, up to a national view's
# forces, regions and the nation (bench/national.py).
ALL_LEVELS = (
    "lsoa", "msoa", "ward", "district", "constituency", "policing_unit",
    "partnership", "local_authority", "county", "city", "force", "region",
    "nation",
)  # fmt: skip
DISTRICT_AND_LARGER = ALL_LEVELS[ALL_LEVELS.index("district") :]


# What a value of each kind can be (Measure.possible): the one home of the
# rule that a count or a rate is never negative.
POSSIBLE: dict[Kind, tuple[float | None, float | None]] = {
    "count": (0.0, None),
    "proportion": (0.0, 100.0),
    "ratio": (0.0, None),
}


@dataclass(frozen=True)
class Publication:
    """What the public (anyone not signed in) may see of a measure.

    ``method``:

    * ``open``: the measure is counted only from data already open at the
      same detail (police.uk street-level crime, DfT road casualties), so it
      is published exactly, matching the source;
    * ``perturbed``: every published count (a numerator, and for shares the
      base too) is the cell key perturbed count of its own cell
      (``saferplaces.analytics.perturbation``); rates, shares, intervals
      and SPC signals are computed from those published counts;
    * ``survey``: weighted survey estimates are published only where the
      perturbed number of respondents reaches ``minimum_base``, rounded to
      whole percentage points, with no weighted counts.

    ``levels``: the area levels the public may ask for; ``groups``: the
    breakdowns the public may ask for (None: every one the measure offers);
    ``on_resident_page``: shown on the neighbourhood page.
    """

    method: Method
    levels: tuple[str, ...] = ALL_LEVELS
    groups: tuple[str, ...] | None = None
    on_resident_page: bool = False


@dataclass(frozen=True)
class Measure:
    """One measure. Three kinds:

    * ``count``: rows of ``table`` matching ``where`` (a rate per 1,000
      residents when ``denominator`` is "population"), by LSOA and month;
    * ``proportion``: the weighted share of matching rows where ``success``
      holds (survey answers, offenders who re-offended), as a percentage with
      a Wilson interval on the Kish effective sample size;
    * ``ratio``: ``amount`` summed over matching rows divided by their number
      (re-offences per offender), with an exact Poisson interval.

    Proportions and ratios read ``relation`` (default ``table``), which must
    have ``month`` and ``area_code`` columns; respondents or offenders are
    matched to an area by that code at any level (LSOA, ward, ...).
    """

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
    publication: Publication = Publication("perturbed")
    # The survey rule: fewest respondents (unweighted, perturbed) published.
    minimum_base: int = 30
    kind: Kind = "count"
    success: str = ""
    weight: str = "1.0"
    amount: str = ""
    relation: str = ""
    # Other tables the measure reads (checked before querying).
    also_needs: tuple[str, ...] = ()
    # A fuller measure of the same thing, shown instead where its data is
    # loaded (the local extract's recorded crime for police.uk's).
    superseded_by: str = ""
    # What every figure of the measure needs said beside it (a result's
    # notes carry it): e.g. that the latest months are provisional.
    caveat: str = ""
    # "force": records carry a police force, not a place; the measure is
    # asked for by the force's police.uk name (``force_level``).
    counted_at: Literal["lsoa", "force"] = "lsoa"
    # Breakdowns whose categories are the partnership's own words (referral
    # pathways and their outcomes): their classification is every value the
    # table holds, so each is listed, zero or not, in every area and month.
    # Never public: the public sees only breakdowns with a fixed list.
    classified_by_store: tuple[str, ...] = ()

    @property
    def possible(self) -> tuple[float | None, float | None]:
        """The least and the most the measure's value can be (None: no
        bound). Every kind counts things: a count, a rate per resident and
        a ratio of counts cannot go below zero, a percentage not beyond
        0 to 100. Charts draw no limit outside these (``spc.drawn``)."""
        return POSSIBLE[self.kind]

    @property
    def from_sql(self) -> str:
        return self.relation or self.table

    @property
    def public_groups(self) -> tuple[str, ...]:
        """The breakdowns the public may ask for: those the publication
        allows that have a classification to list in full."""
        groups = self.publication.groups
        allowed = self.groups if groups is None else groups
        if self.publication.method == "open":
            return allowed
        return tuple(g for g in allowed if self.classification(g) is not None)

    def classification(self, group: str) -> tuple[str, ...] | None:
        """Every category of a breakdown with a fixed list (None: it has
        none; see ``classified_by_store``)."""
        return CLASSIFICATIONS.get((self.table, group))


# Every category of each breakdown, by table and column, as its loader
# accepts them (saferplaces.vocabulary). A published breakdown lists every
# one, zero or not, and "not recorded": which groups have records is itself
# a figure (an exact zero, or "at least one"), so it is never left to the
# data. A breakdown without a classification is not published.
PEOPLE = {"age_band": AGE_BANDS, "sex": SEXES, "ethnicity": ETHNICITIES}
CLASSIFICATIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("local_crimes", "ho_group"): tuple(CRIME_TREE),
    ("local_crimes", "ho_subgroup"): tuple(
        subgroup for subgroups in CRIME_TREE.values() for subgroup in subgroups
    ),
    **{("local_crimes", f"victim_{k}"): tuple(v) for k, v in PEOPLE.items()},
    ("local_asb", "asb_category"): tuple(ASB_CATEGORIES),
    ("reoffending", "index_disposal"): tuple(DISPOSALS),
    **{("reoffending", k): tuple(v) for k, v in PEOPLE.items()},
    **{("survey_responses", k): tuple(v) for k, v in PEOPLE.items()},
    ("cases_opened", "case_type"): tuple(CASE_TYPES),
    ("cases_opened", "risk_level"): tuple(RISK_LEVELS),
}


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
            "left out (see Anti-social behaviour incidents). A force (an area of level "
            "force, or the force's police.uk slug such as city-of-london) counts "
            "every row of its files; a smaller area counts the rows police.uk "
            "placed in its LSOAs, so crimes police.uk publishes with no location, "
            "or places in a neighbouring force's LSOAs, are in the force's total "
            "and in no smaller area's (each figure says how many). Police.uk does "
            "not publish some offences (fraud, which Action Fraud records), so "
            "this is less than the force's total recorded crime: where the local "
            "force extract is loaded, Recorded crime (local extract) is the fuller "
            "count."
        ),
        superseded_by="recorded-crime-local",
        table="street_crime",
        where="NOT is_asb",
        denominator=None,
        unit="crimes",
        polarity="down",
        source=POLICE_UK,
        publication=Publication("open", on_resident_page=True),
        groups=("crime_type",),
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
        publication=Publication("open"),
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
        publication=Publication("open", on_resident_page=True),
    )
)
register(
    Measure(
        id="recorded-crime-local",
        title="Recorded crime (local extract)",
        definition=(
            "Crimes in the local force extract, which carries the Home Office "
            "offence code: break it down by the crime tree's groups and "
            "subgroups, or by the victim's age band, sex or ethnicity."
        ),
        table="local_crimes",
        where="TRUE",
        denominator=None,
        unit="crimes",
        polarity="down",
        source=LOCAL,
        groups=("ho_group", "ho_subgroup", *VICTIM_GROUPS),
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
        id="business-crime",
        title="Business crime",
        definition=(
            "Recorded crimes whose victim is most often a business: shoplifting, "
            "non-residential burglary (of business and community premises) and "
            "robbery of business property (Home Office crime tree subgroups). "
            "The extract does not say who the victim was, so crimes against "
            "businesses recorded under other offences are not counted."
        ),
        table="local_crimes",
        where="ho_subgroup IN ('Shoplifting', 'Non-residential burglary', "
        "'Robbery of business property')",
        denominator=None,
        unit="crimes",
        polarity="down",
        source=LOCAL,
        groups=("ho_subgroup",),
    )
)
register(
    Measure(
        id="cannabis-cultivation",
        title="Cannabis cultivation",
        definition=(
            "Recorded crimes the force has qualified as cannabis cultivation "
            "(production of cannabis or cultivation of the plant: the "
            "qualifier cannabis_cultivation in the local extract), the plan's "
            "emerging issue."
        ),
        table="local_crimes",
        where="list_contains(qualifiers, 'cannabis_cultivation')",
        denominator=None,
        unit="crimes",
        polarity="neither",
        source=LOCAL,
    )
)
LOCAL_ASB = "local ASB incidents extract (saferplaces ingest local-asb)"
register(
    Measure(
        id="youth-related-asb",
        title="Youth-related anti-social behaviour",
        definition=(
            "Anti-social behaviour incidents the force has qualified as "
            "youth-related (the qualifier youth in the local ASB extract): the "
            "plan's young people priority and residents' first priority."
        ),
        table="local_asb",
        where="list_contains(qualifiers, 'youth')",
        denominator=None,
        unit="incidents",
        polarity="down",
        source=LOCAL_ASB,
        groups=("asb_category",),
    )
)
register(
    Measure(
        id="transport-related-asb",
        title="Anti-social behaviour on public transport",
        definition=(
            "Anti-social behaviour incidents on or at the public transport "
            "network (the qualifier transport in the local ASB extract)."
        ),
        table="local_asb",
        where="list_contains(qualifiers, 'transport')",
        denominator=None,
        unit="incidents",
        polarity="down",
        source=LOCAL_ASB,
        groups=("asb_category",),
    )
)
# Home Office offence codes of the most serious violence: murder (1),
# attempted murder (2), manslaughter and infanticide (4/1, 4/2), assault with
# intent to cause serious harm (5D) and endangering life (5E).
MOST_SERIOUS_VIOLENCE = "('1', '2', '4/1', '4/2', '5D', '5E')"

register(
    Measure(
        id="most-serious-violence-domestic",
        title="Most serious violence, domestic abuse related",
        definition=(
            "Domestic abuse related crimes of the most serious violence: "
            "homicide, attempted murder, assault with intent to cause serious "
            "harm and endangering life (Home Office offence codes 1, 2, 4/1, "
            "4/2, 5D and 5E)."
        ),
        table="local_crimes",
        where=f"domestic_abuse AND (ho_subgroup = 'Homicide' "
        f"OR offence_code IN {MOST_SERIOUS_VIOLENCE})",
        denominator=None,
        unit="crimes",
        polarity="down",
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


SURVEY = "survey responses (saferplaces ingest survey --questions FILE)"
REOFFENDING = "re-offending cohorts (saferplaces ingest reoffending)"
STATS19 = "DfT STATS19 (saferplaces ingest stats19-collisions / stats19-casualties)"
RESPONDENT_GROUPS = ("age_band", "sex", "ethnicity")

register(
    Measure(
        id="perceptions-of-safety",
        title="Feeling safe walking alone after dark",
        definition=(
            "Weighted percentage of survey respondents who feel very or fairly "
            "safe walking alone in their area after dark (question id "
            "safe_after_dark). Answers such as don't know are left out of the "
            "base. The 95% interval allows for weighting through the Kish "
            "effective sample size."
        ),
        table="survey_responses",
        where="question = 'safe_after_dark' AND positive IS NOT NULL",
        denominator=None,
        unit="% feeling safe",
        polarity="up",
        source=SURVEY,
        publication=Publication("survey", on_resident_page=True),
        groups=RESPONDENT_GROUPS,
        kind="proportion",
        success="positive",
        weight="weight",
    )
)
register(
    Measure(
        id="satisfaction",
        title="Satisfaction with the service received",
        definition=(
            "Weighted percentage of service users (e.g. victims of anti-social "
            "behaviour) who were completely, very or fairly satisfied with the "
            "service they received (question id satisfied_with_service), by the "
            "service they used."
        ),
        table="survey_responses",
        where="question = 'satisfied_with_service' AND positive IS NOT NULL",
        denominator=None,
        unit="% satisfied",
        polarity="up",
        source=SURVEY,
        publication=Publication("survey"),
        groups=("service", *RESPONDENT_GROUPS),
        kind="proportion",
        success="positive",
        weight="weight",
    )
)
register(
    Measure(
        id="public-satisfaction",
        title="Residents' satisfaction with how crime and ASB are dealt with",
        definition=(
            "Weighted percentage of residents (the general public, not only "
            "people who used a service) who are completely, very or fairly "
            "satisfied with how the police and the council deal with crime and "
            "anti-social behaviour in their area (question id "
            "satisfied_with_local_services). Read beside satisfaction with the "
            "service received by those who used it."
        ),
        table="survey_responses",
        where="question = 'satisfied_with_local_services' AND positive IS NOT NULL",
        denominator=None,
        unit="% satisfied",
        polarity="up",
        source=SURVEY,
        groups=RESPONDENT_GROUPS,
        publication=Publication("survey"),
        kind="proportion",
        success="positive",
        weight="weight",
    )
)
register(
    Measure(
        id="confidence-to-report-domestic-abuse",
        title="Confidence to report domestic abuse",
        definition=(
            "Weighted percentage of survey respondents who would be confident "
            "reporting domestic abuse to the police or another agency (question "
            "id confident_to_report_domestic_abuse)."
        ),
        table="survey_responses",
        where="question = 'confident_to_report_domestic_abuse' "
        "AND positive IS NOT NULL",
        denominator=None,
        unit="% confident",
        polarity="up",
        source=SURVEY,
        publication=Publication("survey"),
        groups=RESPONDENT_GROUPS,
        kind="proportion",
        success="positive",
        weight="weight",
    )
)
register(
    Measure(
        id="reoffending-rate",
        title="Proven re-offending rate",
        definition=(
            "Percentage of offenders in a cohort who committed at least one proven "
            "re-offence in the 12-month follow-up (Ministry of Justice binary "
            "re-offending rate), by the month of their index date."
        ),
        table="reoffending",
        where="TRUE",
        denominator=None,
        unit="% re-offending",
        polarity="down",
        source=REOFFENDING,
        groups=("index_disposal", *RESPONDENT_GROUPS),
        kind="proportion",
        success="reoffended",
    )
)
register(
    Measure(
        id="reoffences-per-offender",
        title="Proven re-offences per offender",
        definition=(
            "Proven re-offences in the 12-month follow-up divided by the number "
            "of offenders in the cohort (Ministry of Justice frequency rate)."
        ),
        table="reoffending",
        where="TRUE",
        denominator=None,
        unit="re-offences per offender",
        polarity="down",
        source=REOFFENDING,
        groups=("index_disposal", *RESPONDENT_GROUPS),
        kind="ratio",
        amount="proven_reoffences",
    )
)
register(
    Measure(
        id="reoffences-per-reoffender",
        title="Proven re-offences per re-offender",
        definition=(
            "Proven re-offences divided by the number of offenders who re-offended "
            "(Ministry of Justice re-offences per re-offender)."
        ),
        table="reoffending",
        where="reoffended",
        denominator=None,
        unit="re-offences per re-offender",
        polarity="down",
        source=REOFFENDING,
        groups=("index_disposal", *RESPONDENT_GROUPS),
        kind="ratio",
        amount="proven_reoffences",
    )
)
register(
    Measure(
        id="road-casualties-ksi",
        title="Road casualties killed or seriously injured (KSI)",
        definition=(
            "Casualties killed or seriously injured in reported road collisions "
            "in the area (STATS19, police-reported severity; the area is where "
            "the collision happened)."
        ),
        table="road_casualties",
        where="killed_or_seriously_injured",
        denominator=None,
        unit="casualties",
        polarity="down",
        source=STATS19,
        publication=Publication("open", on_resident_page=True),
        groups=("casualty_class", "sex", "age_band"),
        relation=(
            "(SELECT casualty.*, collision.lsoa_code, collision.month "
            "FROM road_casualties AS casualty JOIN road_collisions AS collision "
            "USING (collision_index, collision_year))"
        ),
        also_needs=("road_collisions",),
    )
)
register(
    Measure(
        id="domestic-share-of-violence",
        title="Domestic abuse related share of violence",
        definition=(
            "Percentage of violence against the person flagged as domestic abuse "
            "related. Read beside domestic and non-domestic violence: a rising "
            "share can mean more confidence to report."
        ),
        table="local_crimes",
        where="ho_group = 'Violence against the person'",
        denominator=None,
        unit="% domestic",
        polarity="neither",
        source=LOCAL,
        groups=VICTIM_GROUPS,
        kind="proportion",
        success="domestic_abuse",
        relation="(SELECT *, lsoa_code AS area_code FROM local_crimes)",
    )
)
register(
    Measure(
        id="domestic-abuse-repeat-victimisation",
        title="Repeat victimisation of domestic abuse victims",
        definition=(
            "Percentage of domestic abuse related crimes whose victim (by the "
            "pseudonymised victim id) was the victim of another domestic abuse "
            "related crime in the 365 days before, anywhere in the data. Crimes "
            "with no victim id are left out. The first year of data has no full "
            "look-back, so its rate reads low."
        ),
        table="local_crimes",
        where="victim_id IS NOT NULL",
        denominator=None,
        unit="% repeat victims",
        polarity="neither",
        source=LOCAL,
        groups=VICTIM_GROUPS,
        kind="proportion",
        success="repeat_victim",
        relation=(
            "(SELECT *, lsoa_code AS area_code, count(*) OVER (PARTITION BY victim_id "
            "ORDER BY recorded_date::DATE RANGE BETWEEN INTERVAL 365 DAYS PRECEDING "
            "AND INTERVAL 1 DAY PRECEDING) > 0 AS repeat_victim "
            "FROM local_crimes WHERE domestic_abuse)"
        ),
    )
)
register(
    Measure(
        id="cases-opened",
        title="Cases opened",
        definition=(
            "Multi-agency cases opened in the area (ASB, hate crime, domestic "
            "abuse, vulnerable adult, child safeguarding, repeat caller), by the "
            "area recorded on the case; break it down by case type or by the "
            "case's risk level now. Counted from de-identified rows with no "
            "person, reference or text in them. Every month from the first case "
            "to the last counts, a month with none as 0. A rise can mean more "
            "problems or more referrals: read it beside the crime measures."
        ),
        table="cases_opened",
        where="TRUE",
        # The case database covers every month from its first case: a month
        # with no case is a 0, not a month without data (police.uk's months
        # come from its files). Filler rows have no area, so count nothing.
        relation=(
            "(SELECT lsoa_code, month, case_type, risk_level, record_key "
            "FROM cases_opened UNION ALL "
            "SELECT NULL, strftime(day, '%Y-%m'), NULL, NULL, NULL FROM ("
            "SELECT unnest(generate_series("
            "date_trunc('month', min(opened_on))::TIMESTAMP, "
            "max(opened_on)::TIMESTAMP, INTERVAL 1 MONTH)) AS day "
            "FROM cases_opened))"
        ),
        denominator=None,
        unit="cases",
        polarity="neither",
        source="the partnership's casework (saferplaces cases publish)",
        groups=("case_type", "risk_level"),
        # The public sees districts and larger, by type only: risk levels of
        # a few cases in a ward would say too much about the people in them.
        publication=Publication(
            "perturbed",
            levels=DISTRICT_AND_LARGER,
            groups=("case_type",),
        ),
    )
)
register(
    Measure(
        id="referral-outcomes",
        title="Referral outcomes",
        definition=(
            "Referrals between the partnership's agencies completed with an "
            "outcome, by the month the receiving agency completed them and the "
            "area recorded on the case; break it down by pathway (home fire "
            "safety visit, housing support, ...) or by outcome within its "
            'pathway ("Home fire safety visit: Alarms fitted"). The pathways '
            "and their outcomes are the partnership's own (its casework rules). "
            "Counted from de-identified rows with no person, reference or note "
            "in them; every month from the first completed referral to the last "
            "counts, a month with none as 0."
        ),
        table="referral_outcomes",
        where="TRUE",
        # As cases-opened: filler rows with no area make every month from
        # the first to the last a month with data.
        relation=(
            "(SELECT lsoa_code, month, pathway, outcome, record_key "
            "FROM referral_outcomes UNION ALL "
            "SELECT NULL, strftime(day, '%Y-%m'), NULL, NULL, NULL FROM ("
            "SELECT unnest(generate_series("
            "date_trunc('month', min(completed_on))::TIMESTAMP, "
            "max(completed_on)::TIMESTAMP, INTERVAL 1 MONTH)) AS day "
            "FROM referral_outcomes))"
        ),
        denominator=None,
        unit="referrals",
        polarity="neither",
        source="the partnership's casework (saferplaces cases publish)",
        groups=("pathway", "outcome"),
        classified_by_store=("pathway", "outcome"),
        # The public sees districts and larger, in total only: a pathway's
        # outcomes in a small area would say too much about the people.
        publication=Publication("perturbed", levels=DISTRICT_AND_LARGER, groups=()),
    )
)
