"""The one results path: every figure anyone is shown, partner or public.

The CLI, the JSON API, the dashboard, its exports and maps, and the public
neighbourhood page all ask here, and nowhere else, for series, breakdowns,
comparisons of areas, map values, charts, cards and evaluations. Each answer
is a ``Result`` of typed ``Row``s (value, numerator, denominator, interval,
signal, how it was treated for publication, and the figure in words); a
question the engine refuses (``refusals.Refused``: no data for the period,
no LSOAs known, a breakdown not offered) raises ``ResultError`` with a
message fit to show a person. Nothing else is turned into a message: any
other exception is a bug and propagates (a server error, a traceback in the
log), so a bug never looks like missing data.

Three audiences:

* ``partner``: exact figures;
* ``public``: what the measure's ``Publication`` allows (the registry says
  which measures, area levels and breakdowns), with every count the
  perturbed count of its own cell (``perturbation``) unless the measure is
  open data, and rates, shares, intervals and SPC signals computed from the
  published counts;
* ``counted``: case-derived counts for those who may count a partnership's
  cases: every level and breakdown, each count perturbed and small ones
  withheld, as on the case counts page.

Which one a signed-in person gets depends on where they ask: a ``Clearance``
(the areas of their partnerships) gives ``partner`` for an area wholly
inside them and ``public`` everywhere else (docs/publication.md).

Example:
    >>> import tempfile
    >>> from saferplaces.analytics.store import Store
    >>> series(Store(tempfile.mkdtemp()), "nope", "E05011119")
    Traceback (most recent call last):
    ...
    saferplaces.analytics.results.ResultError: There is no measure called 'nope'.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from saferplaces.analytics import cards, evaluation, geography
from saferplaces.analytics.geography import Area
from saferplaces.analytics.measures import REGISTRY, Measure, deprivation
from saferplaces.analytics.measures.areas import AreaComparison, compare_areas
from saferplaces.analytics.measures.coverage import (
    Coverage,
    MonthCoverage,
    Uncounted,
    coverage_of,
    lsoa_forces,
    uncounted,
)
from saferplaces.analytics.measures.force_level import forces_loaded
from saferplaces.analytics.measures.forces import force_of
from saferplaces.analytics.measures.groups import GroupShare, disproportionality
from saferplaces.analytics.measures.lattice import WHOLE_ONLY, OffLattice
from saferplaces.analytics.measures.series import (
    MONTHS_IN,
    PERIODS,
    Period,
    SeriesPoint,
    measure_chart,
    measure_months,
    measure_series,
    period_months,
)
from saferplaces.analytics.measures.stop_search import (
    SearchDisproportionality,
    search_disproportionality,
)
from saferplaces.analytics.perturbation import PTable, default_ptable
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.spc import XmRChart
from saferplaces.analytics.store import AsOf, Store

Audience = Literal["partner", "public", "counted"]
T = TypeVar("T")

# How a figure was treated for publication, in words for its reader.
TREATMENTS = {
    "exact": "Exact figures, for partners only.",
    "open": "Exact: counted from open data, as the source publishes it.",
    "perturbed": "Each count carries a little noise (cell key perturbation) and "
    "small counts are withheld, to protect the people involved.",
    "survey": "Whole percentages from a survey; withheld where too few people "
    "answered.",
}


# Treatments whose figures are estimates (Row.estimated).
ESTIMATED = frozenset({"perturbed", "survey"})


# The publication lattice's rolling year (docs/decisions/0007).
ROLLING_FROM_QUARTERS = (
    "Each rolling 12 months is the sum of four published quarters, so it is "
    "shown at the end of each quarter only."
)


class ResultError(Refused):
    """A refused question in words: the message is a sentence fit to show."""


class RefusedQuestion(ResultError):
    """A question the public may not ask (not a cell of the publication
    lattice); ``allowed`` says, in words, what it may ask instead."""

    def __init__(self, message: str, allowed: Sequence[str]) -> None:
        super().__init__(message)
        self.allowed = list(allowed)


@dataclass(frozen=True)
class Rules:
    """How the public is shown figures: the ptable (with its threshold).

    ``ptable`` gives the noise each count may get; a store publishes with
    ``ptable_for(store)``, the same table with the store's own secret
    layout (which cell key gets which noise)."""

    ptable: PTable = field(default_factory=default_ptable)

    @property
    def threshold(self) -> int:
        return self.ptable.threshold

    def ptable_for(self, store: Store) -> PTable:
        """The ptable ``store`` publishes with: its secret layout."""
        secret = store.cached("record-key-secret", store.record_key_secret)
        key = (id(self.ptable), secret)
        found = _LAYOUTS.get(key)
        if found is None or found[0] is not self.ptable:
            found = (self.ptable, self.ptable.with_secret_layout(secret))
            _LAYOUTS[key] = found
        return found[1]


# (the table, the store's secret) -> (the table, its layout for that store);
# the table is kept beside its layout so a reused id() cannot match.
_LAYOUTS: dict[tuple[int, str], tuple[PTable, PTable]] = {}


DEFAULT_RULES = Rules()


@dataclass(frozen=True)
class Row:
    """One figure: an area's measure for a period (and group)."""

    measure: str
    area_code: str
    area_name: str
    period: str
    # The data covers only part of the period (months of data in it).
    partial: bool
    months: int
    group: str | None
    value: float | None
    numerator: float | None
    denominator: float | None
    lower: float | None
    upper: float | None
    signal: str | None
    withheld: bool
    # "exact", "open", "perturbed" or "survey" (TREATMENTS).
    treatment: str
    words: str
    # "" (covered, or unknown: see Result.coverage), "partial" (only some
    # of the area's forces' files are loaded) or "no data" (none are).
    coverage: str = ""

    @property
    def estimated(self) -> bool:
        """Whether the figure is an estimate, so its interval is news to a
        reader: a survey share, or a count published with noise. An open
        count (police.uk's, DfT's) is the count itself."""
        return self.treatment in ESTIMATED

    def as_dict(self) -> dict[str, Any]:
        # Shallow: every field is a plain value. dataclasses.asdict's deep
        # copy cost the API more than working out the series did.
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class ComparisonRow(Row):
    rank: int = 0
    unit: str = ""
    previous_period: str | None = None
    previous_numerator: float | None = None
    change_ratio: float | None = None
    change_lower: float | None = None
    change_upper: float | None = None
    in_line_with_parent: bool | None = None
    statement: str = ""

    @property
    def percent_change(self) -> float | None:
        return None if self.change_ratio is None else (self.change_ratio - 1) * 100


@dataclass(frozen=True)
class Result:
    measure: Measure
    area: Area
    audience: Audience
    rows: list[Row]
    # What a reader should know: the treatment, partial periods.
    notes: list[str]
    # What the figures cannot count and which force's files they hold
    # (``covered``): every surface prints these beside the figures.
    coverage: list[str] = field(default_factory=list)

    @property
    def public(self) -> bool:
        return self.audience == "public"


# Measures counted from casework: seen by those who may count its cases.
CASE_TABLES = frozenset({"cases_opened", "referral_outcomes"})


@dataclass(frozen=True)
class Clearance:
    """Where a person sees exact figures: areas wholly inside ``exact``
    (codes of any level; None means everywhere, for site administrators),
    and case-derived counts inside ``cases`` (where they may count cases).
    Everywhere else they see what the public sees."""

    exact: frozenset[str] | None = frozenset()
    cases: frozenset[str] | None = frozenset()

    def audience(self, store: Store, chosen: Measure, area_code: str) -> Audience:
        """The audience this person is for ``chosen`` in ``area_code``."""
        if chosen.table in CASE_TABLES or CASE_TABLES & set(chosen.also_needs):
            if self.cases is None:  # a site administrator
                return "partner"
            return "counted" if _inside(store, area_code, self.cases) else "public"
        return "partner" if _inside(store, area_code, self.exact) else "public"

    def key(self) -> tuple[Any, ...]:
        """A stable description, for keys of kept pages and answers."""
        return tuple(
            "everywhere" if codes is None else tuple(sorted(codes))
            for codes in (self.exact, self.cases)
        )

    def covers(self, store: Store, area_code: str) -> bool:
        """True if every figure of ``area_code`` may be shown exact."""
        return _inside(store, area_code, self.exact)


EVERYWHERE = Clearance(exact=None, cases=None)
NOWHERE = Clearance()


def _inside(store: Store, area_code: str, within: frozenset[str] | None) -> bool:
    """True if ``area_code`` lies wholly inside the areas ``within``: one of
    them, or every one of its LSOAs in one of theirs."""
    if within is None:
        return True
    if not within:
        return False
    if area_code in within:
        return True
    ours = store.cached(
        "lsoas-within-" + ",".join(sorted(within)),
        lambda: frozenset().union(
            *geography.lsoas_in_each(store, sorted(within)).values()
        ),
    )
    theirs = geography.lsoas_in(store, area_code)
    return bool(theirs) and ours.issuperset(theirs)


def _resolve(
    store: Store, chosen: Measure, area_code: str, audience: Audience | Clearance
) -> Audience:
    if isinstance(audience, Clearance):
        return audience.audience(store, chosen, area_code)
    return audience


def measure(measure_id: str) -> Measure:
    found = REGISTRY.get(measure_id)
    if found is None:
        raise ResultError(f"There is no measure called {measure_id!r}.")
    return found


def series(
    store: Store,
    measure_id: str,
    area_code: str,
    *,
    by: Period = "month",
    group: str | None = None,
    first: str | None = None,
    last: str | None = None,
    audience: Audience | Clearance = "partner",
    rules: Rules = DEFAULT_RULES,
    as_of: AsOf = None,
) -> Result:
    """The measure for an area by period (and by group)."""
    chosen = measure(measure_id)
    if by not in PERIODS:
        raise ResultError(f"Choose the period from {', '.join(PERIODS)}.")
    audience = _resolve(store, chosen, area_code, audience)
    here = _allowed(store, chosen, area_code, group, audience)
    exact = audience == "partner" or chosen.publication.method == "open"
    with store.steady():
        points = _engine(
            lambda: measure_series(
                store, chosen.id, area_code, by=by, group=group, first=first,
                last=last, as_of=as_of, publishing=_publishing(store, audience, rules),
            )
        )  # fmt: skip
        rows = [_row(chosen, here, point, audience) for point in points]
        rows, coverage = covered(
            store, chosen, here, rows, by, first, last, as_of, exact=exact
        )
    notes = _notes(chosen, audience, rows, rules)
    if (
        audience != "partner"
        and by == "rolling12"
        and chosen.publication.method != "open"
    ):
        notes.append(ROLLING_FROM_QUARTERS)
    return Result(chosen, here, audience, rows, notes, coverage)


def breakdown(
    store: Store,
    measure_id: str,
    area_code: str,
    group: str,
    *,
    by: Period = "year",
    audience: Audience | Clearance = "partner",
    rules: Rules = DEFAULT_RULES,
) -> Result:
    """The latest period broken down by one of the measure's groups."""
    answer = series(
        store, measure_id, area_code, by=by, group=group, audience=audience,
        rules=rules,
    )  # fmt: skip
    latest = max((row.period for row in answer.rows), default=None)
    return dataclasses.replace(
        answer, rows=[row for row in answer.rows if row.period == latest]
    )


def latest_year(
    store: Store,
    measure_id: str,
    area_code: str,
    audience: Audience | Clearance = "partner",
) -> str | None:
    """The latest financial year with data for the area (None if none)."""
    try:
        years = series(store, measure_id, area_code, by="year", audience=audience)
    except ResultError:
        return None
    return years.rows[-1].period if years.rows else None


def comparison(
    store: Store,
    measure_id: str,
    level: str,
    within: str,
    period: str,
    *,
    by: Period = "year",
    audience: Audience | Clearance = "partner",
    rules: Rules = DEFAULT_RULES,
    as_of: AsOf = None,
) -> Result:
    """The areas of one level inside a parent, ranked on a period (rank 1 is
    the best by the measure's polarity); also the values a map shades."""
    chosen = measure(measure_id)
    audience = _resolve(store, chosen, within, audience)
    parent = _allowed(store, chosen, within, None, audience, level=level)
    with store.steady():
        ranked = _engine(
            lambda: compare_areas(
                store, chosen.id, level, within, period, by=by, as_of=as_of,
                publishing=_publishing(store, audience, rules),
            )
        )  # fmt: skip
        rows: list[Row] = [_comparison_row(chosen, i, audience) for i in ranked]
        rows, coverage = _covered_areas(store, chosen, rows, period, by, as_of)
    notes = _notes(chosen, audience, rows, rules)
    return Result(chosen, parent, audience, rows, notes, coverage)


def chart(
    store: Store,
    measure_id: str,
    area_code: str,
    *,
    by: Period = "month",
    target: float | None = None,
    rebase_at: Sequence[str] = (),
    first: str | None = None,
    last: str | None = None,
    screen_outliers: bool = True,
    fix_after_n_points: int | None = None,
    audience: Audience | Clearance = "partner",
    rules: Rules = DEFAULT_RULES,
    as_of: AsOf = None,
) -> XmRChart:
    """The measure's XmR chart; for the public, drawn from published values."""
    chosen = measure(measure_id)
    if by == "rolling12":
        raise ResultError(
            "A rolling sum overlaps itself: chart by month, quarter or year."
        )
    audience = _resolve(store, chosen, area_code, audience)
    here = _allowed(store, chosen, area_code, None, audience)
    _refuse_months_without_data(store, chosen, here, first, last, as_of)
    return _engine(
        lambda: measure_chart(
            store, chosen.id, area_code, by=by, target=target, rebase_at=rebase_at,
            first=first, last=last, as_of=as_of, screen_outliers=screen_outliers,
            fix_after_n_points=fix_after_n_points,
            publishing=_publishing(store, audience, rules),
        )
    )  # fmt: skip


def with_chart_signals(answer: Result, drawn: XmRChart) -> Result:
    """The series with each period's signal as ``drawn`` marks it (with its
    rebasing, screening and fixed limits), so a table under a chart, or its
    download, reads as the chart does."""
    signals = {point.period: point.special_cause for point in drawn.points}
    rows = [
        dataclasses.replace(row, signal=signals.get(row.period)) for row in answer.rows
    ]
    return dataclasses.replace(answer, rows=rows)


def disproportion(
    store: Store,
    measure_id: str,
    area_code: str,
    group: str,
    year: str,
    *,
    audience: Audience | Clearance = "partner",
    rules: Rules = DEFAULT_RULES,
) -> list[GroupShare]:
    """Each group's share of events against its share of residents."""
    chosen = measure(measure_id)
    audience = _resolve(store, chosen, area_code, audience)
    _allowed(store, chosen, area_code, group, audience)
    return _engine(
        lambda: disproportionality(
            store, chosen.id, area_code, group, year,
            publishing=_publishing(store, audience, rules),
        )
    )  # fmt: skip


def forces(store: Store, measure_id: str) -> list[str]:
    """The forces a force-level measure has records of (none loaded: [])."""
    chosen = measure(measure_id)
    if chosen.counted_at != "force" or chosen.table not in store.tables():
        return []
    return forces_loaded(store, chosen, None)


def search_disproportion(
    store: Store,
    force: str,
    period: str,
    *,
    residents_area: str | None = None,
) -> SearchDisproportionality:
    """Stop and searches per 1,000 residents of each ethnic group in the
    force's area, against the White group's rate. Counted from open data
    (police.uk stop and search, Census residents), so the same for
    everyone: exact."""
    return _engine(
        lambda: search_disproportionality(
            store, force, period, residents_area=residents_area
        )
    )


def by_deprivation(
    store: Store,
    measure_id: str,
    area_code: str,
    *,
    period: str | None = None,
    audience: Audience | Clearance = "partner",
    rules: Rules = DEFAULT_RULES,
    as_of: AsOf = None,
) -> Result:
    """A count measure for one period (default the latest financial year)
    by IMD decile (``measures.deprivation``): a row per decile (value the
    rate per 1,000, or the count), a row for counts in no decile, and a last
    row, the rate ratio of the most to the least deprived decile.

    The public sees it only for measures published as open data, whose
    counts by LSOA and month anyone can make from the source; a decile is a
    new grouping of LSOAs, not a cell of the publication lattice, so other
    measures are not published by decile (docs/publication.md)."""
    chosen = measure(measure_id)
    audience = _resolve(store, chosen, area_code, audience)
    here = _allowed(store, chosen, area_code, None, audience)
    if audience != "partner" and chosen.publication.method != "open":
        raise ResultError(
            f"{chosen.title} is not published by IMD decile: only figures "
            "counted from open data are. Its partners see it by decile."
        )
    found = _engine(
        lambda: deprivation.by_decile(
            store, chosen.id, area_code, period=period, as_of=as_of
        )
    )
    partial = next((note for note in found.notes if note.startswith("partial")), "")
    rows = [
        _decile_row(chosen, here, found, figure, audience, bool(partial))
        for figure in found.deciles
    ]
    if found.gap is not None:
        rows.append(_gap_row(chosen, here, found, found.gap, audience))
    notes = [
        *_notes(chosen, audience, [], rules),
        f"Deciles of {found.edition.name}: 1 is the most deprived tenth of "
        "LSOAs, 10 the least.",
        *(_sentence(note) for note in found.notes),
    ]
    return Result(chosen, here, audience, rows, notes)


def area_deprivation(store: Store, area_code: str) -> deprivation.AreaDeprivation:
    """Where an area stands in the latest index of deprivation loaded (its
    decile, and for a larger area how its LSOAs spread over the deciles).
    The index is published open data: the same for every audience."""
    return _engine(lambda: deprivation.area_deprivation(store, area_code))


def areas_deprivation(
    store: Store, codes: list[str]
) -> dict[str, deprivation.AreaDeprivation]:
    """``area_deprivation`` of many areas at once (a map's)."""
    return _engine(lambda: deprivation.deprivation_of_areas(store, codes))


def _decile_group(decile: int | None) -> str:
    if decile is None:
        return "not placed in a decile"
    meaning = {1: " (most deprived)", 10: " (least deprived)"}.get(decile, "")
    return f"decile {decile}{meaning}"


def _decile_row(
    chosen: Measure,
    here: Area,
    found: deprivation.DecileBreakdown,
    figure: deprivation.DecileFigure,
    audience: Audience,
    partial: bool,
) -> Row:
    group = _decile_group(figure.decile)
    value = figure.rate if figure.decile is not None else None
    unit = chosen.unit if chosen.denominator else f"{chosen.unit} per 1,000 residents"
    where = f"{here.name}, {found.period}{' (partial)' if partial else ''}, {group}"
    counted = f"{_number(figure.count)} counted"
    if figure.decile is None:
        words = (
            f"{where}: {counted} in {figure.lsoas} LSOA"
            f"{'s' if figure.lsoas != 1 else ''} that {found.edition.name} does "
            "not rank (see the notes)."
        )
    elif not figure.lsoas:
        words = f"{where}: none of its LSOAs is in this decile."
    elif value is None:
        words = f"{where}: {counted}; {figure.note or 'no rate'}."
    else:
        words = _words(
            chosen, here.name, found.period, group, value, figure.lower,
            figure.upper, False, unit, " (partial)" if partial else "",
            f"{counted} among {_number(figure.residents or 0)} residents",
        )  # fmt: skip
    return Row(
        measure=chosen.id, area_code=here.code, area_name=here.name,
        period=found.period, partial=partial, months=len(found.months),
        group=group, value=value, numerator=float(figure.count),
        denominator=figure.residents, lower=None if value is None else figure.lower,
        upper=None if value is None else figure.upper, signal=None, withheld=False,
        treatment=_treatment(chosen, audience), words=words,
    )  # fmt: skip


def _gap_row(
    chosen: Measure,
    here: Area,
    found: deprivation.DecileBreakdown,
    gap: deprivation.RateRatio,
    audience: Audience,
) -> Row:
    group = f"rate ratio, decile {gap.most} to decile {gap.least}"
    interval = (
        f" (95% interval {gap.lower or 0:,.2f} to "
        f"{'no upper bound' if gap.upper is None else f'{gap.upper:,.2f}'}, exact "
        "conditional)"
    )
    said = (
        "no ratio: the least deprived decile has none"
        if gap.ratio is None
        else f"{gap.ratio:,.2f} times the rate of decile {gap.least}{interval}"
    )
    return Row(
        measure=chosen.id, area_code=here.code, area_name=here.name,
        period=found.period, partial=False, months=len(found.months),
        group=group, value=gap.ratio, numerator=None, denominator=None,
        lower=gap.lower, upper=gap.upper, signal=None, withheld=False,
        treatment=_treatment(chosen, audience),
        words=f"{here.name}, {found.period}: decile {gap.most} has {said}.",
    )  # fmt: skip


def card(
    store: Store,
    measure_id: str,
    area_code: str,
    aim: cards.Aim | None = None,
    *,
    clearance: Clearance = EVERYWHERE,
) -> cards.Card:
    """One measure for the partners' overview (``cards``): exact figures,
    so only where ``clearance`` gives them."""
    chosen = measure(measure_id)
    _exact_only(store, chosen, clearance, area_code)
    return cards.card(store, measure_id, area_code, aim)


def evaluate(
    store: Store,
    measure_id: str,
    target: str,
    baseline: evaluation.Window,
    followup: evaluation.Window,
    comparison_area: str | None = None,
    *,
    clearance: Clearance = EVERYWHERE,
) -> evaluation.Result:
    """An intervention's estimated effect, for partners (``evaluation``):
    drawn from exact figures of both areas, so only where ``clearance``
    gives them."""
    chosen = measure(measure_id)
    for code in (target, comparison_area):
        if code:
            _exact_only(store, chosen, clearance, code)
    return _engine(
        lambda: evaluation.evaluate(
            store, measure_id, target, baseline, followup, comparison_area
        )
    )


def preferred(store: Store, measure_id: str) -> str:
    """The measure to show for ``measure_id``: a fuller one that supersedes
    it where that one's data is loaded (e.g. the local extract's recorded
    crime rather than police.uk's)."""
    better = measure(measure_id).superseded_by
    return better if better and measure(better).table in store.tables() else measure_id


def resident_measures() -> list[Measure]:
    """The measures the registry puts on the public neighbourhood page."""
    return [m for m in REGISTRY.values() if m.publication.on_resident_page]


# -- coverage: what a figure holds and what it cannot count --------------

# Said of an area when no police force area lookup is loaded.
FORCE_UNKNOWN = (
    "Which police force's files cover {name} is not known (no local authority "
    "to police force area lookup loaded places it): a month is counted when a "
    "loaded police.uk file places rows in its local authority, and has no data "
    "otherwise; load the lookup to know whether a force's files are missing."
)


def covered(
    store: Store,
    chosen: Measure,
    here: Area,
    rows: list[Row],
    by: Period,
    first: str | None = None,
    last: str | None = None,
    as_of: AsOf = None,
    *,
    exact: bool = True,
) -> tuple[list[Row], list[str]]:
    """The rows with each period's coverage (``measures.coverage``) applied,
    and the sentences every surface prints beside them: which periods have
    no data or only some forces' rows, and what the area cannot count
    (only where the reader sees ``exact`` counts: the number uncounted is an
    unperturbed count). The one home of these sentences."""
    months = [
        m
        for m in measure_months(store, chosen, as_of)
        if (first is None or m >= first) and (last is None or m <= last)
    ]
    found = _engine(lambda: coverage_of(store, chosen, here.code, months, as_of))
    if found is None:
        return rows, []
    spans = period_months(months, by)
    each = {row.period: found.of(spans.get(row.period, [row.period])) for row in rows}
    shown = [_covered_row(row, each[row.period], here.name) for row in rows]
    counted = sorted(
        {
            m
            for row in shown
            if row.coverage != "no data"
            for m in spans.get(row.period, [])
        }
    )
    sentences = _coverage_sentences(found, each, here.name)
    if not exact:
        return shown, sentences
    missed = _engine(lambda: uncounted(store, chosen, here.code, counted, as_of))
    if missed is not None:
        sentences.append(uncounted_sentence(chosen, missed))
    return shown, sentences


def _covered_areas(
    store: Store,
    chosen: Measure,
    rows: list[Row],
    period: str,
    by: Period,
    as_of: AsOf,
) -> tuple[list[Row], list[str]]:
    """A comparison's (or map's) rows with each area's coverage of the
    period applied: an area whose forces' files are not loaded for it has
    no value, not 0 (its rank and statement say so)."""
    # No police force area lookup: an area's coverage is known only when it
    # is a force itself (the areas compared are all of one level), so a
    # national ranking of wards is not slowed by asking each.
    if (
        rows
        and not lsoa_forces(store, as_of)
        and force_of(store, chosen, rows[0].area_code, as_of) is None
    ):
        return rows, []
    months = period_months(measure_months(store, chosen, as_of), by).get(period, [])
    shown: list[Row] = []
    empty: dict[str, set[str]] = {}
    for row in rows:
        found = _engine(
            functools.partial(coverage_of, store, chosen, row.area_code, months, as_of)
        )
        cover = found.of(months) if found and found.known else None
        if cover is None:
            shown.append(row)
            continue
        if cover.state == "none" and isinstance(row, ComparisonRow):
            empty.setdefault(row.area_name, set()).update(cover.missing)
            row = dataclasses.replace(row, rank=0, statement="no data")
        shown.append(_covered_row(row, cover, row.area_name))
    if not empty:
        return shown, []
    missing = sorted({name for names in empty.values() for name in names})
    return shown, [
        f"No data for {_listed(sorted(empty))} in {period}: {_listed(missing)}'s "
        "police.uk files are not loaded for it (no data is not zero)."
    ]


def _refuse_months_without_data(
    store: Store,
    chosen: Measure,
    here: Area,
    first: str | None,
    last: str | None,
    as_of: AsOf,
) -> None:
    """A chart would draw months without data as zeros: refuse it."""
    if not store.held(chosen.table, as_of):
        return  # the engine says what to load
    months = [
        m
        for m in measure_months(store, chosen, as_of)
        if (first is None or m >= first) and (last is None or m <= last)
    ]
    found = _engine(lambda: coverage_of(store, chosen, here.code, months, as_of))
    empty = [m for m in months if found and found.months[m].state == "none"]
    if empty:
        which = _listed(empty) if len(empty) <= 6 else f"{empty[0]}, ..., {empty[-1]}"
        raise ResultError(
            f"{here.name} has no data for {len(empty)} of the {len(months)} months "
            f"({which}): no chart, as it would draw them as zeros."
        )


def coverage_sentences(
    store: Store, measure_id: str, area_code: str, months: list[str]
) -> list[str]:
    """What ``covered`` says beside an area's figures for ``months`` (a
    tasking pack's period), without the figures."""
    chosen = measure(measure_id)
    if not store.held(chosen.table):
        return []
    here = geography.area(store, area_code)
    found = _engine(lambda: coverage_of(store, chosen, area_code, months, None))
    if found is None:
        return []
    whole = {f"{months[0]} to {months[-1]}": found.of(months)}
    sentences = _coverage_sentences(found, whole, here.name)
    if found.of(months).state != "none":
        missed = _engine(lambda: uncounted(store, chosen, area_code, months, None))
        if missed is not None:
            sentences.append(uncounted_sentence(chosen, missed))
    return sentences


def _covered_row(row: Row, cover: MonthCoverage, name: str) -> Row:
    if cover.state == "none":
        why = (
            f"{_listed(cover.missing)}'s police.uk files are not loaded for it"
            if cover.missing
            else "no loaded police.uk file covers it"
        )
        return dataclasses.replace(
            row, value=None, numerator=None, lower=None, upper=None, signal=None,
            coverage="no data", words=f"{name}, {row.period}: no data ({why}).",
        )  # fmt: skip
    if cover.state == "partial":
        only = f"partial: only {_listed(cover.counted)}'s rows"
        return dataclasses.replace(
            row, coverage="partial", words=f"{row.words.rstrip('.')}; {only}."
        )
    return row


def _coverage_sentences(
    found: Coverage, each: dict[str, MonthCoverage], name: str
) -> list[str]:
    sentences = [] if found.known else [FORCE_UNKNOWN.format(name=name)]
    empty = [period for period, c in each.items() if c.state == "none"]
    if empty and found.known:
        missing = sorted({f for p in empty for f in each[p].missing})
        sentences.append(
            f"No data for {_listed(empty)}: {_listed(missing)}'s police.uk files "
            "are not loaded for those months (no data is not zero)."
        )
    elif empty:
        sentences.append(
            f"No data for {_listed(empty)}: no loaded police.uk file places rows "
            f"in {name}'s local authority (no data is not zero)."
        )
    part = [period for period, c in each.items() if c.state == "partial"]
    if part:
        counted = sorted({f for p in part for f in each[p].counted})
        missing = sorted({f for p in part for f in each[p].missing})
        sentences.append(
            f"Partial for {_listed(part)}: only {_listed(counted)}'s rows are "
            f"counted; {_listed(missing)}'s files are not loaded."
        )
    return sentences


def uncounted_sentence(chosen: Measure, missed: Uncounted) -> str:
    """What an area smaller than a force cannot count, in one sentence."""
    unit = chosen.unit.split(" per ")[0]
    span = (
        missed.first
        if missed.first == missed.last
        else f"{missed.first} to {missed.last}"
    )
    forces = _listed(missed.forces)
    if missed.elsewhere is None:
        return (
            f"In these months ({span}) {missed.no_location:,} {unit} of {forces} "
            "had no location; they are in the force's total, not in any smaller "
            "area's (with a local authority to police force area lookup loaded, "
            "this also says how many were placed outside the force's LSOAs)."
        )
    return (
        f"In these months ({span}) {missed.no_location:,} {unit} of {forces} had "
        f"no location and {missed.elsewhere:,} were placed outside the force's "
        "LSOAs; they are in the force's total, not in any smaller area's."
    )


def _listed(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    items = list(names)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


# -- inside --------------------------------------------------------------


def _engine(ask: Callable[[], T]) -> T:
    """The engine's answer, its refusals (``Refused``) and nothing else
    turned into ResultError: any other exception is a bug, and propagates."""
    try:
        return ask()
    except ResultError:
        raise  # already in words
    except OffLattice as refused:
        raise RefusedQuestion(str(refused), refused.allowed) from None
    except Refused as refused:
        raise ResultError(_sentence(str(refused))) from None


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _exact_only(
    store: Store, chosen: Measure, clearance: Clearance, area_code: str
) -> None:
    """Refuse a partners' view (exact figures only) outside ``clearance``."""
    if clearance.audience(store, chosen, area_code) != "partner":
        name = geography.name_of(store, area_code)
        raise ResultError(
            f"{chosen.title} for {name} is shown exact only to its own "
            "partnership: its published figures are on the measure's page."
        )


def _publishing(store: Store, audience: Audience, rules: Rules) -> PTable | None:
    return rules.ptable_for(store) if audience != "partner" else None


def _allowed(
    store: Store,
    chosen: Measure,
    area_code: str,
    group: str | None,
    audience: Audience,
    *,
    level: str | None = None,
) -> Area:
    """The area asked for, once the audience may see the measure there."""
    if group is not None and group not in chosen.groups:
        offered = ", ".join(chosen.groups) or "none"
        raise ResultError(
            f"{chosen.title} cannot be broken down by {group!r} (it offers: {offered})."
        )
    here = geography.area(store, area_code)
    if audience != "partner" and chosen.publication.method != "open":
        for table in (chosen.table, *chosen.also_needs):
            if table in store.tables() and store.unkeyed_rows(table):
                raise ResultError(
                    f"{chosen.title} cannot be published: some of its records were "
                    "loaded before record keys were kept. Load its files again."
                )
    if audience == "public":
        # "area": a code the geography does not know; the engine says so.
        for asked in (here.level, level):
            if asked is None or asked == "area":
                continue
            if asked not in chosen.publication.levels:
                raise ResultError(
                    f"{chosen.title} is not published for areas of level "
                    f"{asked.replace('_', ' ')}."
                )
        if group is not None and group not in chosen.public_groups:
            raise ResultError(
                f"{chosen.title} is not published by {group.replace('_', ' ')}."
            )
    return here


def _treatment(chosen: Measure, audience: Audience) -> str:
    if audience == "counted":
        return "perturbed"
    return "exact" if audience == "partner" else chosen.publication.method


def _row(chosen: Measure, here: Area, point: SeriesPoint, audience: Audience) -> Row:
    return Row(
        measure=chosen.id,
        area_code=point.area_code,
        area_name=here.name,
        period=point.period,
        partial=point.partial,
        months=point.months,
        group=point.group,
        value=point.value,
        numerator=point.numerator,
        denominator=point.denominator,
        lower=point.lower,
        upper=point.upper,
        signal=point.spc_signal,
        withheld=point.suppressed,
        treatment=_treatment(chosen, audience),
        words=_words(chosen, here.name, point.period, point.group, point.value,
                     point.lower, point.upper, point.suppressed, chosen.unit,
                     _partial_words(point.partial, point.months, point.period),
                     point.note),
    )  # fmt: skip


def _comparison_row(
    chosen: Measure, item: AreaComparison, audience: Audience
) -> ComparisonRow:
    change = item.change
    return ComparisonRow(
        measure=chosen.id,
        area_code=item.area_code,
        area_name=item.name,
        period=item.period,
        partial=item.partial,
        months=item.months,
        group=None,
        value=item.value,
        numerator=item.numerator,
        denominator=item.denominator,
        lower=item.lower,
        upper=item.upper,
        signal=None,
        withheld=item.suppressed,
        treatment=_treatment(chosen, audience),
        words=_words(chosen, item.name, item.period, None, item.value, item.lower,
                     item.upper, item.suppressed, item.unit or chosen.unit,
                     " (part of the period only)" if item.partial else ""),
        rank=item.rank,
        unit=item.unit or chosen.unit,
        previous_period=item.previous_period,
        previous_numerator=item.previous_numerator,
        change_ratio=change.ratio if change else None,
        change_lower=change.lower if change else None,
        change_upper=change.upper if change else None,
        in_line_with_parent=item.in_line_with_parent,
        statement=item.statement,
    )  # fmt: skip


def _partial_words(partial: bool, months: int, period: str) -> str:
    if not partial:
        return ""
    whole = MONTHS_IN["quarter" if "Q" in period else "year"]
    return f" (partial: {months} of {whole} months)"


def _words(
    chosen: Measure,
    name: str,
    period: str,
    group: str | None,
    value: float | None,
    lower: float | None,
    upper: float | None,
    withheld: bool,
    unit: str,
    partial: str,
    note: str = "",
) -> str:
    """The figure in a sentence, as a reader would say it."""
    where = f"{name}, {period}{partial}" + (f", {group}" if group else "")
    if withheld and partial:
        return f"{where}: {WHOLE_ONLY}."
    if withheld:
        return f"{where}: too few to show."
    if value is None:
        return f"{where}: no figure."
    text = f"{where}: {_number(value)} {unit}"
    if lower is not None and upper is not None:
        text += f" (95% interval {_number(lower)} to {_number(upper)})"
    if note:
        text += f"; {note}"
    return text + "."


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _notes(
    chosen: Measure, audience: Audience, rows: Sequence[Row], rules: Rules
) -> list[str]:
    notes = [TREATMENTS[_treatment(chosen, audience)]]
    if chosen.caveat:
        notes.append(chosen.caveat)
    if _treatment(chosen, audience) == "perturbed":
        notes.append(
            f"Counts under {rules.threshold} are withheld; no published count "
            f"differs from the true count by more than "
            f"{rules.ptable.most_noise}. Rates, intervals and signals are "
            "computed from the published counts."
        )
    if audience == "public" and chosen.publication.method == "survey":
        notes.append(
            f"Shown only where at least {chosen.minimum_base} people answered; "
            "intervals are computed from the published percentage."
        )
    partial = sorted({row.period for row in rows if row.partial})
    if partial:
        notes.append(
            f"Partial periods (the data does not cover them whole): "
            f"{', '.join(partial)}."
        )
    return notes
