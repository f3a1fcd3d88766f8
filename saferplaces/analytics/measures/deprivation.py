"""A count measure by IMD decile: counts, rates per 1,000 residents and the
gap between the most and the least deprived.

Each LSOA of the area is put in its decile of the index of deprivation that
applies to the period (``edition_for``): the latest edition published in or
before the calendar year of the period's first month (IMD 2019 for periods
beginning 2019 to 2024, IMD 2025 from 2025), or the earliest loaded for
earlier periods, which the notes then say; where that edition as loaded
ranks none of the area's LSOAs (a file of part of the country), the nearest
in years that does, which the notes say too. English LSOAs take the IMD, Welsh
ones the WIMD; the two rank different things and are never mixed in one
breakdown.

An edition keys its LSOAs by the codes it was published on (IMD 2019: LSOA
2011; IMD 2025: LSOA 2021). A count whose LSOA is not in the edition, for
example one coded to an LSOA of the other census, cannot be placed in a
decile: it is counted in a row of its own ("not placed in a decile") and the
notes say how many and why, never dropped.

Every decile has a rate, whether the measure is a rate or a count, as
deciles differ in size: a decile's count over the residents of the area's
LSOAs in that decile (``population``'s year rule). A decile some of whose
LSOAs have no residents loaded gets no rate, and says so. Counts have exact Poisson
intervals (``series.poisson_intervals``).

The gap is the rate ratio of the most deprived decile present in the area
to the least deprived present (decile 1 to decile 10 where the area has
both), with the exact conditional interval: given the two counts' total
``n``, the first count is binomial with share ``p = r E1 / (r E1 + E2)``
(``r`` the ratio, ``E`` the residents), so the Clopper-Pearson interval for
``p`` gives ``r = p / (1 - p) * E2 / E1`` (Breslow and Day, 1987, vol. II,
s. 2.3; ``rate_ratio``).

Example:
    >>> gap = rate_ratio(60, 5000.0, 20, 6000.0)
    >>> round(gap.ratio, 2), round(gap.lower, 3), round(gap.upper, 3)
    (3.6, 2.139, 6.306)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
from scipy import special

from saferplaces.analytics.geography import lsoas_in, lsoas_in_each
from saferplaces.analytics.measures.population import (
    populations_by_year,
    residents_for,
)
from saferplaces.analytics.measures.registry import Measure, get_measure
from saferplaces.analytics.measures.series import (
    PER,
    lsoa_month_counts,
    measure_months,
    poisson_intervals,
    require_tables,
)
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import AsOf, Store
from saferplaces.codes import financial_quarter, financial_year

TABLE = "deprivation"
LOAD_IT = "load an index of deprivation first: saferplaces ingest imd FILE"
# Which index ranks which nation's LSOAs, by the letter their codes begin.
INDEX_OF_NATION = {"E": "IMD", "W": "WIMD"}
DECILES = tuple(range(1, 11))
# The LSOAs each index ranks, by the census its codes are of (England's
# 32,844 LSOAs of 2011 and 33,755 of 2021; Wales' 1,909 and 1,917).
NATIONAL_LSOAS = {
    ("IMD", "2011"): 32_844,
    ("IMD", "2021"): 33_755,
    ("WIMD", "2011"): 1_909,
    ("WIMD", "2021"): 1_917,
}


@dataclass(frozen=True)
class Edition:
    """The index used for a period, and what a reader should know of it."""

    name: str
    vintage: str
    # "" when the edition is the period's own (published in or before it).
    note: str = ""


@dataclass(frozen=True)
class DecileFigure:
    """One decile's figures (``decile`` None: counts not placed)."""

    decile: int | None
    lsoas: int
    count: int
    residents: float | None
    rate: float | None
    lower: float | None
    upper: float | None
    note: str = ""


@dataclass(frozen=True)
class RateRatio:
    """The rate of decile ``most`` over that of decile ``least``."""

    ratio: float | None
    lower: float | None
    upper: float | None
    most: int = 1
    least: int = 10


@dataclass(frozen=True)
class DecileBreakdown:
    measure: str
    area_code: str
    period: str
    months: list[str]
    edition: Edition
    deciles: list[DecileFigure]
    gap: RateRatio | None
    notes: list[str] = field(default_factory=list)


def edition_year(edition: str) -> int:
    """The year an edition is named for: ``edition_year("IMD 2019")`` is 2019."""
    found = re.search(r"(\d{4})$", edition)
    if found is None:
        raise ValueError(f"an edition is named for its year: {edition!r}")
    return int(found.group(1))


def edition_for(editions: dict[str, str], index: str, first_month: str) -> Edition:
    """The edition of ``index`` ("IMD", "WIMD") for a period beginning
    ``first_month``: the latest in or before its year, else the earliest.

    ``editions`` is {edition: vintage} of those loaded.

    >>> loaded = {"IMD 2019": "2011", "IMD 2025": "2021"}
    >>> edition_for(loaded, "IMD", "2024-12").name
    'IMD 2019'
    >>> edition_for(loaded, "IMD", "2025-01").name
    'IMD 2025'
    >>> edition_for(loaded, "IMD", "2016-10").note
    'IMD 2019 is the earliest deprivation index loaded; it is used for 2016'
    """
    mine = {edition_year(e): e for e in editions if e.split(" ")[0] == index}
    if not mine:
        raise Refused(f"no {index} is loaded: saferplaces ingest imd FILE")
    wanted = int(first_month[:4])
    # Nearest before, never after: an index describes the years up to its
    # publication (unlike population, where the nearest year either side is
    # the best estimate).
    year = max((y for y in mine if y <= wanted), default=min(mine))
    name = mine[year]
    note = (
        f"{name} is the earliest deprivation index loaded; it is used for {wanted}"
        if year > wanted
        else ""
    )
    return Edition(name, editions[name], note)


def rate_ratio(
    count_most: int,
    residents_most: float,
    count_least: int,
    residents_least: float,
    confidence: float = 0.95,
) -> RateRatio:
    """The ratio of two Poisson rates with its exact conditional interval
    (module docstring). A bound that cannot be had (no events in one of the
    two) is None: the interval is open on that side."""
    ratio = (
        (count_most / residents_most) / (count_least / residents_least)
        if count_least
        else None
    )
    total = count_most + count_least
    tail = (1 - confidence) / 2
    scale = residents_least / residents_most
    lower = upper = None
    if total and count_most:
        share = float(special.betaincinv(count_most, total - count_most + 1, tail))
        lower = share / (1 - share) * scale
    elif total:
        lower = 0.0
    if total and count_least:
        share = float(special.betaincinv(count_most + 1, total - count_most, 1 - tail))
        upper = share / (1 - share) * scale
    return RateRatio(ratio, lower, upper)


def loaded_editions(store: Store, as_of: AsOf = None) -> dict[str, str]:
    """{edition: vintage} of the deprivation indices loaded."""
    if not store.held(TABLE, as_of):
        raise Refused(LOAD_IT)
    rows = store.query(
        f"SELECT DISTINCT edition, vintage FROM {TABLE}", as_of=as_of
    ).to_pylist()
    return {str(row["edition"]): str(row["vintage"]) for row in rows}


def deciles_of(
    store: Store, edition: str, lsoas: list[str], as_of: AsOf = None
) -> dict[str, int]:
    """{LSOA: decile} in ``edition`` for those of ``lsoas`` it ranks."""
    table = store.cached(
        f"deprivation:{edition}:{as_of}",
        lambda: store.query(
            f"SELECT lsoa_code, decile FROM {TABLE} WHERE edition = ?",
            [edition],
            as_of=as_of,
        ),
    )
    inside = table.filter(pc.is_in(table.column("lsoa_code"), pa.array(lsoas)))
    return dict(
        zip(
            inside.column("lsoa_code").to_pylist(),
            inside.column("decile").to_pylist(),
            strict=True,
        )
    )


def period_months(months: list[str], period: str | None) -> tuple[str, list[str]]:
    """The period asked for (a month, financial quarter or year; default the
    latest financial year of data) and its months of data."""
    if not months:
        raise Refused("there is no data to break down")
    label = period or financial_year(months[-1])
    inside = [
        m for m in months if label in (m, financial_quarter(m), financial_year(m))
    ]
    if not inside:
        raise Refused(
            f"there is no data for {label}: the data covers {months[0]} to {months[-1]}"
        )
    return label, inside


def by_decile(
    store: Store,
    measure_id: str,
    area_code: str,
    *,
    period: str | None = None,
    as_of: AsOf = None,
) -> DecileBreakdown:
    """The count measure in ``area_code`` for ``period``, by IMD decile (see
    the module docstring)."""
    measure = get_measure(measure_id)
    if measure.kind != "count":
        raise Refused(
            f"{measure.title} is not a count: only counts break down by IMD decile"
        )
    require_tables(store, measure, as_of)
    editions = loaded_editions(store, as_of)
    label, months = period_months(measure_months(store, measure, as_of), period)
    lsoas = lsoas_in(store, area_code)
    if not lsoas:
        raise Refused(f"no LSOAs are known for area {area_code!r}")
    index = _index_of(lsoas)
    edition, deciles = _covering(
        store, editions, index, lsoas, edition_for(editions, index, months[0]), as_of
    )
    counts = _counts_by_lsoa(store, measure, lsoas, months, as_of)
    figures, notes = _figures(store, edition, deciles, counts, months, as_of)
    notes = [n for n in [edition.note, _partial(label, months), *notes] if n]
    notes += _unplaced_notes(store, edition, index, deciles, counts, as_of)
    return DecileBreakdown(
        measure=measure.id,
        area_code=area_code,
        period=label,
        months=months,
        edition=edition,
        deciles=figures,
        gap=_gap(figures),
        notes=notes,
    )


def _covering(
    store: Store,
    editions: dict[str, str],
    index: str,
    lsoas: list[str],
    chosen: Edition,
    as_of: AsOf,
) -> tuple[Edition, dict[str, int]]:
    """``chosen`` and its deciles of ``lsoas``; if it ranks none of them (a
    file of part of the country was loaded for it), the edition nearest in
    years that ranks some, saying so."""
    deciles = deciles_of(store, chosen.name, lsoas, as_of)
    if deciles:
        return chosen, deciles
    wanted = edition_year(chosen.name)
    others = sorted(
        (e for e in editions if e.split(" ")[0] == index and e != chosen.name),
        key=lambda e: (abs(edition_year(e) - wanted), edition_year(e)),
    )
    for other in others:
        found = deciles_of(store, other, lsoas, as_of)
        if found:
            note = (
                f"{chosen.name} as loaded ranks none of this area's LSOAs, so "
                f"{other} is used instead"
            )
            return Edition(other, editions[other], note), found
    return chosen, deciles


def _partial(label: str, months: list[str]) -> str:
    whole = 12 if "/" in label and "Q" not in label else 3 if "Q" in label else 1
    if len(months) >= whole:
        return ""
    return f"partial: {label} has {len(months)} of its {whole} months of data"


def _index_of(lsoas: list[str]) -> str:
    """The index of the nation most of the area's LSOAs are in."""
    nations = [code[0] for code in lsoas if code[0] in INDEX_OF_NATION]
    nation = max(set(nations), key=nations.count) if nations else "E"
    return INDEX_OF_NATION[nation]


def _counts_by_lsoa(
    store: Store, measure: Measure, lsoas: list[str], months: list[str], as_of: AsOf
) -> dict[str, int]:
    counts = lsoa_month_counts(store, measure, None, as_of)
    inside = counts.filter(
        pc.and_(
            pc.is_in(counts.column("lsoa_code"), pa.array(lsoas)),
            pc.is_in(counts.column("month"), pa.array(months)),
        )
    )
    summed = inside.group_by("lsoa_code").aggregate([("n", "sum")]).to_pylist()
    return {str(r["lsoa_code"]): int(r["n_sum"]) for r in summed}


def _figures(
    store: Store,
    edition: Edition,
    deciles: dict[str, int],
    counts: dict[str, int],
    months: list[str],
    as_of: AsOf,
) -> tuple[list[DecileFigure], list[str]]:
    members: dict[int, set[str]] = {}
    for lsoa, decile in deciles.items():
        members.setdefault(decile, set()).add(lsoa)
    notes: list[str] = []
    residents: dict[int, tuple[float | None, str]] = {}
    if store.held("population", as_of):
        residents = _residents(store, members, months[0], as_of)
    else:
        notes.append("no rates: load population (saferplaces ingest population)")
    figures = []
    for decile in DECILES:
        mine = members.get(decile, set())
        count = sum(counts.get(lsoa, 0) for lsoa in mine)
        people, note = residents.get(decile, (None, ""))
        if note and note not in notes:
            notes.append(note)
        figures.append(_figure(decile, len(mine), count, people))
    unplaced = {lsoa: n for lsoa, n in counts.items() if lsoa not in deciles}
    if unplaced:
        figures.append(
            DecileFigure(
                None, len(unplaced), sum(unplaced.values()), None, None, None, None,
                f"not placed in a decile of {edition.name}",
            )
        )  # fmt: skip
    return figures, notes


def _figure(decile: int, lsoas: int, count: int, people: float | None) -> DecileFigure:
    """One decile's count and its rate per 1,000 residents (whether the
    measure itself is a rate or a count: deciles differ in size)."""
    if not lsoas:
        return DecileFigure(decile, 0, 0, None, None, None, None, "no LSOA here")
    [(low, high)] = poisson_intervals([count])
    if people is None:
        return DecileFigure(
            decile, lsoas, count, None, None, None, None,
            "no rate: some of its LSOAs have no population loaded",
        )  # fmt: skip
    scale = PER / people
    return DecileFigure(
        decile, lsoas, count, people, count * scale, low * scale, high * scale
    )


def _residents(
    store: Store, members: dict[int, set[str]], first_month: str, as_of: AsOf
) -> dict[int, tuple[float | None, str]]:
    """{decile: (residents, note)}; None where some LSOA has no population
    (its rate would be too high by an unknown amount)."""
    each = populations_by_year(
        store, {lsoa: {lsoa} for lsoas in members.values() for lsoa in lsoas}, as_of
    )
    found: dict[int, tuple[float | None, str]] = {}
    for decile, lsoas in members.items():
        used = [residents_for(each.get(lsoa, {}), first_month) for lsoa in lsoas]
        if any(u is None for u in used):
            found[decile] = (None, "")
            continue
        note = next((u.note for u in used if u and u.note), "")
        found[decile] = (sum(u.residents for u in used if u), note)
    return found


def _gap(figures: list[DecileFigure]) -> RateRatio | None:
    """Most deprived against least deprived, of the deciles with a rate."""
    rated = [
        (f.decile, f.count, f.residents)
        for f in figures
        if f.decile is not None and f.residents
    ]
    if len(rated) < 2:
        return None
    (most, count_most, people_most), (least, count_least, people_least) = (
        rated[0],
        rated[-1],
    )
    found = rate_ratio(count_most, people_most, count_least, people_least)
    return RateRatio(found.ratio, found.lower, found.upper, most, least)


def _unplaced_notes(
    store: Store,
    edition: Edition,
    index: str,
    deciles: dict[str, int],
    counts: dict[str, int],
    as_of: AsOf,
) -> list[str]:
    """Why counts were not placed in a decile, in words."""
    unplaced = {lsoa: n for lsoa, n in counts.items() if lsoa not in deciles}
    if not unplaced:
        return []
    total, where = sum(unplaced.values()), len(unplaced)
    notes = [
        f"{total:,} counted in {where:,} LSOA{'s' if where != 1 else ''} that "
        f"{edition.name} does not rank are in no decile (the row 'not placed')"
    ]
    ranked = _ranked_count(store, edition.name, as_of)
    nation = NATIONAL_LSOAS.get((index, edition.vintage))
    if nation and ranked < nation:
        notes.append(
            f"{edition.name} as loaded ranks {ranked:,} of the {nation:,} LSOAs "
            "it covers: load the national file to place the rest"
        )
    vintages = _vintages(store, sorted(unplaced), as_of)
    other = {c: v for c, v in vintages.items() if v != edition.vintage}
    if other:
        notes.append(
            f"{edition.name} is on LSOA {edition.vintage} codes; "
            f"{sum(unplaced[c] for c in other):,} of them are counted in LSOAs the "
            f"geography knows only by LSOA {' and '.join(sorted(set(other.values())))}"
            " codes"
        )
    abroad = [c for c in unplaced if INDEX_OF_NATION.get(c[0], index) != index]
    if abroad:
        notes.append(
            f"{sum(unplaced[c] for c in abroad):,} are in LSOAs of another "
            "nation, whose index of deprivation ranks different things"
        )
    return notes


def _ranked_count(store: Store, edition: str, as_of: AsOf) -> int:
    return int(
        store.query(
            f"SELECT count(*) AS n FROM {TABLE} WHERE edition = ?",
            [edition],
            as_of=as_of,
        )
        .column("n")[0]
        .as_py()
    )


def _vintages(store: Store, codes: list[str], as_of: AsOf) -> dict[str, str]:
    """The census year of each LSOA code the geography knows."""
    if not store.held("geography", as_of):
        return {}
    rows = store.query(
        "SELECT code, max(vintage) AS vintage FROM geography "
        "WHERE level = 'lsoa' AND list_contains(?, code) GROUP BY code",
        [codes],
        as_of=as_of,
    ).to_pylist()
    return {str(r["code"]): str(r["vintage"]) for r in rows}


@dataclass(frozen=True)
class AreaDeprivation:
    """Where an area stands in the latest index loaded for its nation."""

    area_code: str
    edition: str
    # The area's LSOAs in each decile (1 to 10), and those the edition does
    # not rank (coded to the other census, or not in the file).
    lsoas_by_decile: dict[int, int]
    unranked: int
    # The decile of the middle resident: half the area's residents live in
    # LSOAs of this decile or a more deprived one (by LSOAs where no
    # population is loaded).
    decile: int | None
    weighted_by: str

    @property
    def words(self) -> str:
        if self.decile is None:
            return f"{self.edition} ranks none of this area's LSOAs"
        lsoas = sum(self.lsoas_by_decile.values())
        if lsoas == 1 and not self.unranked:
            return (
                f"{self.edition} decile {self.decile} (decile 1 is the most "
                "deprived tenth of LSOAs, 10 the least)"
            )
        spread = ", ".join(
            f"{n} in decile {d}" for d, n in sorted(self.lsoas_by_decile.items())
        )
        left = f"; {self.unranked} not ranked by it" if self.unranked else ""
        weighted = (
            "its residents"
            if self.weighted_by == "residents"
            else "its LSOAs (no population is loaded to weight them by)"
        )
        return (
            f"{self.edition} decile {self.decile}, the median of {weighted}: "
            f"half are in decile {self.decile} or a more deprived one, half in "
            f"decile {self.decile} or a less deprived one (decile 1 is the most "
            f"deprived tenth of LSOAs, 10 the least). Its LSOAs: {spread}{left}."
        )


def area_deprivation(
    store: Store, area_code: str, as_of: AsOf = None
) -> AreaDeprivation:
    """The area's decile in the latest edition loaded: its own for an LSOA,
    for a larger area the decile of its middle resident (see
    ``AreaDeprivation``)."""
    return deprivation_of_areas(store, [area_code], as_of)[area_code]


def deprivation_of_areas(
    store: Store, codes: list[str], as_of: AsOf = None
) -> dict[str, AreaDeprivation]:
    """``area_deprivation`` for many areas, looking the index up once."""
    editions = loaded_editions(store, as_of)
    members = lsoas_in_each(store, codes)
    every = sorted({lsoa for lsoas in members.values() for lsoa in lsoas})
    index = _index_of(every)
    latest = max(
        (e for e in editions if e.split(" ")[0] == index), key=edition_year, default=""
    )
    if not latest:
        raise Refused(f"no {index} is loaded: saferplaces ingest imd FILE")
    deciles = deciles_of(store, latest, every, as_of)
    residents = _latest_residents(store, every, as_of)
    return {
        code: _placed(code, latest, members[code], deciles, residents) for code in codes
    }


def _latest_residents(store: Store, lsoas: list[str], as_of: AsOf) -> dict[str, float]:
    if not store.held("population", as_of) or not lsoas:
        return {}
    each = populations_by_year(store, {lsoa: {lsoa} for lsoa in lsoas}, as_of)
    return {lsoa: years[max(years)] for lsoa, years in each.items() if years}


def _placed(
    code: str,
    edition: str,
    lsoas: list[str],
    deciles: dict[str, int],
    residents: dict[str, float],
) -> AreaDeprivation:
    ranked = [lsoa for lsoa in lsoas if lsoa in deciles]
    by_decile: dict[int, int] = {}
    for lsoa in ranked:
        by_decile[deciles[lsoa]] = by_decile.get(deciles[lsoa], 0) + 1
    weighted = bool(ranked) and all(lsoa in residents for lsoa in ranked)
    weights = [(deciles[x], residents[x] if weighted else 1.0) for x in ranked]
    middle = None
    if weights:
        half, running = sum(w for _, w in weights) / 2, 0.0
        for decile, weight in sorted(weights):
            running += weight
            if running >= half:
                middle = decile
                break
    return AreaDeprivation(
        code, edition, by_decile, len(lsoas) - len(ranked), middle,
        "residents" if weighted else "LSOAs",
    )  # fmt: skip
