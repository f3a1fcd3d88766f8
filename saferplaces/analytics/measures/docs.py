"""docs/measures.md is generated from the registry (`saferplaces measure docs`)."""

from __future__ import annotations

from saferplaces.analytics.measures.registry import ALL_LEVELS, REGISTRY, Measure

HEADER = """# Measures

Generated from the measure registry (`saferplaces/analytics/measures/registry.py`)
by `saferplaces measure docs`; a test fails if this file falls behind.

Every measure is available by month, financial quarter (April to June is Q1),
financial year (April to March) and rolling 12 months, for any area: an LSOA,
a ward, a local authority or one of the partnership's own areas. Counts carry
exact Poisson 95% intervals; monthly, quarterly and yearly series carry SPC
signals (XmR, NHS "Making Data Count" rules, as NHSRplotthedots computes
them). A quarter or year the data does not cover whole is marked `partial`.
Areas are compared on rates per 1,000 residents where population is loaded.
A rate for a period uses the residents of the calendar year of the first
month it covers (2016/17 from April 2016: 2016; 2016/17 Q4, January to
March 2017: 2017), in series, rankings, changes and breakdowns alike
(`population_year` in `saferplaces/analytics/measures/population.py`);
where that year is not loaded, the nearest year loaded on either side (the
earlier of two equally near) is used, and the figure says so ("rate uses
the 2021 population").
The change beside a ranked area (an exact Poisson rate ratio) compares
rates per month when the two periods cover different months (a partial
quarter against a whole one) and rates per resident when their residents
differ; its statement says which ("change per month (2 months against 3)").

A police force is counted by its files, not its LSOAs: an area of level
`force` (from the partnership's areas file, or ONS's local authority to
police force area lookup, `LAD23CD,...,PFA23CD,PFA23NM`, loaded as geography)
or a force's police.uk slug as the area code (`city-of-london`) counts every
row whose "Falls within" is that force, those police.uk publishes with no
location and those it places in a neighbouring force's LSOAs included. Any
smaller area counts the rows placed in its LSOAs, and its figures say how
many of its force's rows in the months shown no smaller area counts ("In
these months (2016-10 to 2017-02) 89 crimes of City of London Police had no
location and 76 were placed outside the force's LSOAs"). ONS's force area
names become police.uk slugs by `force_slug` in `saferplaces/codes.py`
("City of London" and "London, City of" -> `city-of-london`, "Metropolitan
Police" -> `metropolitan`, "West Midlands" -> `west-midlands`).

No data is not zero. With the police force area lookup loaded, a period in
which none of an area's forces' files are loaded has no figure ("no data",
value null in the API, no interval, no chart; in a ranking or on a map, no
rank: "no data"), and one in which only some
are, or only another force's rows fall in the area, is marked "partial: only
City of London Police's rows". Without the lookup which force covers an area
cannot be known: a month counts when a loaded file places rows in the
area's local authority, and has no data otherwise (every council has crime
every month, so one no file reaches is one whose force's files are not
loaded), and the figures say so
(`saferplaces/analytics/measures/coverage.py`; the sentences
in `saferplaces.analytics.results.covered`, printed by the measure page,
its CSV and XLSX exports, the API's `coverage`, `measure show` and the
tasking pack).

Partners see exact figures. The public sees each measure as its
"Published" line says ([publication.md](publication.md)): open data
exactly; other counts cell key perturbed, small ones withheld; surveys under
the survey rule. Every figure goes through `saferplaces.analytics.results`.
For measures that are not open data the public sees only the publication
lattice ([ADR 0007](decisions/0007-publication-lattice.md)): whole months,
financial quarters and financial years (a run of months that cuts one is
refused; a period the data covers in part is withheld until whole), rolling
years as four published quarters, and breakdowns by their full
classification (every category, zero or not, and "not recorded").

Survey and cohort measures match a respondent or offender to an area by the
area code on their row, at any level (LSOA, ward, ...). Road casualties are
counted where the collision happened. KSI uses the police-reported severity,
not DfT's adjusted severities, so a series spanning a force's move to the
CRASH recording system (from 2016) is not like for like.
"""

# Every count measure by IMD decile (saferplaces.analytics.measures.deprivation).
DEPRIVATION = """
## By deprivation (IMD decile)

Every count measure breaks down by the decile of the index of deprivation
its LSOAs are in (`saferplaces measure deprivation`, the measure page, its
CSV, `/api/measures/MEASURE/deprivation/`), for one period (a month,
financial quarter or year; by default the latest financial year):

- **which index**: English LSOAs take the IMD, Welsh ones the WIMD (they rank
  different things and are never mixed). A period takes the latest edition
  published in or before the calendar year of its first month: IMD 2019 for
  periods beginning 2019 to 2024, IMD 2025 from 2025. Earlier periods take the
  earliest edition loaded, and the notes say so ("IMD 2019 is the earliest
  deprivation index loaded; it is used for 2016"). Where that edition, as
  loaded, ranks none of the area's LSOAs (a file of part of the country, such
  as Birmingham's IMD 2019 postcode list, for the City of London), the edition
  nearest in years that does is used, and the notes say so. Decile 1 is the most
  deprived tenth of LSOAs, 10 the least ([data/deprivation.md](data/deprivation.md)
  says how deciles are made from a file of scores only).
- **counts and rates**: each decile's count, and its rate per 1,000 residents
  of the area's LSOAs in that decile (whether the measure itself is a count or
  a rate: deciles differ in size), with the exact Poisson 95% interval. A
  decile some of whose LSOAs have no population loaded has no rate, and says
  so.
- **counts no decile holds**: an edition keys LSOAs by the codes it was
  published on (IMD 2019: LSOA 2011; IMD 2025: LSOA 2021). A count in an LSOA
  the edition does not rank (coded to the other census, or missing from the
  file) is in a row of its own, "not placed in a decile", and the notes say
  how many, whether the edition as loaded covers only part of the country,
  and how many are in LSOAs the geography knows only by the other census's
  codes; it is never dropped.
- **the gap**: the rate ratio of the most deprived decile in the area to the
  least deprived (decile 1 to decile 10 where the area has both), with the
  exact conditional 95% interval: given the two counts' total, the first is
  binomial, and the Clopper-Pearson interval of its share converts to the
  ratio (Breslow and Day, 1987). A test checks that statsmodels' exact
  conditional test gives 2.5% at each bound (to 1e-6).

Partners see exact figures for their own areas. The public sees a measure by
decile only where the measure is open data (police.uk street crime and ASB,
DfT casualties), exactly as counted from the source; a decile is a grouping of
LSOAs outside the publication lattice, so other measures are not published by
decile. The map can shade areas by IMD decile, and the neighbourhood page
says its ward's decile: an LSOA's own, or for a larger area the decile of its
median resident, with how its LSOAs spread over the deciles.
"""


def measures_markdown() -> str:
    parts = [HEADER, DEPRIVATION]
    for measure in sorted(REGISTRY.values(), key=lambda m: m.id):
        better = {"up": "a rise", "down": "a fall", "neither": "neither"}[
            measure.polarity
        ]
        parts.append(
            f"\n## {measure.title} (`{measure.id}`)\n\n{measure.definition}\n\n"
            f"{_arithmetic(measure)}"
            f"- Unit: {measure.unit}\n"
            f"- Which way is better: {better}\n"
            f"- Source: {measure.source}\n"
            f"- Groups: {', '.join(measure.groups) or 'none'}\n"
            f"- Published (not signed in): {_published(measure)}\n"
        )
    return "".join(parts)


def _published(measure: Measure) -> str:
    publication = measure.publication
    how = {
        "open": "exactly, as open data",
        "perturbed": "with cell key perturbation",
        "survey": f"under the survey rule (at least {measure.minimum_base} "
        "respondents, whole percentages)",
    }[publication.method]
    groups = ", ".join(measure.public_groups) or "none"
    levels = (
        ""
        if publication.levels == ALL_LEVELS
        else f"; levels: {', '.join(publication.levels)}"
    )
    return f"{how}; breakdowns: {groups}{levels}"


def _arithmetic(measure: Measure) -> str:
    rows = f"rows of `{measure.from_sql}` where `{measure.where}`"
    if measure.kind == "proportion":
        return (
            f"- Numerator: the sum of `{measure.weight}` over {rows} and "
            f"`{measure.success}`\n"
            f"- Denominator: the sum of `{measure.weight}` over {rows}\n"
            "- Interval: Wilson 95%, on the Kish effective sample size\n"
        )
    if measure.kind == "ratio":
        return (
            f"- Numerator: the sum of `{measure.amount}` over {rows}\n"
            f"- Denominator: the number of {rows}\n"
            "- Interval: exact Poisson 95% on the numerator\n"
        )
    denominator = (
        "mid-year population (per 1,000)" if measure.denominator else "none (a count)"
    )
    return (
        f"- Numerator: {rows}\n- Denominator: {denominator}\n"
        "- Interval: exact Poisson 95%\n"
    )
