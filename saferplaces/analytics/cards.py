"""The overview's cards: a measure's latest value, its year-on-year change
tested, SPC variation and assurance, and the plan's aim, kept per store
snapshot (a load invalidates it: ``Store.cached``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saferplaces.analytics.compare import rate_ratio, share_difference
from saferplaces.analytics.measures import get_measure, measure_series
from saferplaces.analytics.measures.series import SeriesPoint, measure_chart
from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.spc import ASSURANCE_WORDS, VARIATION_WORDS
from saferplaces.analytics.store import Store
from saferplaces.codes import month_number, month_of, size_of_change


@dataclass(frozen=True)
class Aim:
    """What the plan wants of a measure: its direction and, if it says, how
    far (e.g. "10%" or "5 points"), read as a change on the baseline months
    it states, else on the year before the latest."""

    direction: str  # "up" or "down"
    size: str = ""
    # A target set on the plan's link, in the measure's unit (per month for
    # a monthly series); it stands before any size.
    target: float | None = None
    # The baseline months (YYYY-MM) the size is a change on, when stated.
    baseline_from: str = ""
    baseline_to: str = ""

    def words(self) -> str:
        verb = "increase" if self.direction == "up" else "reduce"
        if self.target is not None:
            return f"{verb} it to {self.target:,g} a month"
        return f"{verb} it by {self.size}" if self.size else f"{verb} it"

    def baseline_months(self) -> list[str]:
        """The stated baseline's months, first to last ([] if not stated)."""
        if not (self.baseline_from and self.baseline_to):
            return []
        first, last = month_number(self.baseline_from), month_number(self.baseline_to)
        return [month_of(n) for n in range(first, last + 1)]

    def why_no_target(self, months: list[SeriesPoint]) -> str:
        """Why a size gives no target on these months, in words ("" if it
        gives one, or the aim has no size)."""
        if not self.size or plan_target(self, months) is not None:
            return ""
        if size_of_change(self.size) is None:
            return f'"{self.size}" is not a size the service can work out'
        stated = self.baseline_months()
        if stated:
            have = sum(1 for m in stated if m in _loaded(months))
            return (
                f"the baseline {self.baseline_from} to {self.baseline_to} has "
                f"{have} of its {len(stated)} months loaded"
            )
        return (
            f"with no baseline months stated it needs {YEAR_ON_YEAR} months, "
            f"and {len(months)} are loaded"
        )


@dataclass(frozen=True)
class Card:
    measure_id: str
    title: str
    unit: str
    latest_period: str | None
    latest_value: float | None
    change_text: str
    change_significant: bool | None
    variation: str
    assurance: str
    problem: str | None = None
    variation_icon: str = "common_cause"
    assurance_icon: str = "none"
    aim_text: str = ""
    target: float | None = None
    # The latest value against the target, in words: the assurance says
    # whether the process will reliably meet it, this where the month stands.
    against_target: str = ""
    # The first month of the card's data (its latest is ``latest_period``).
    first_period: str | None = None


def card(store: Store, measure_id: str, code: str, aim: Aim | None = None) -> Card:
    """One measure for the overview, kept until the next load."""
    return store.cached(
        f"card:{measure_id}:{code}:{aim}", lambda: _card(store, measure_id, code, aim)
    )


def _card(store: Store, measure_id: str, code: str, aim: Aim | None) -> Card:
    measure = get_measure(measure_id)
    try:
        months = measure_series(store, measure_id, code)
        target = plan_target(aim, months)
        chart = measure_chart(store, measure_id, code, target=target)
        text, significant, rising = change_over_year(store, measure_id, code, months)
    except Refused as error:  # the card says why; a bug propagates
        return Card(measure_id, measure.title, measure.unit, None, None, "", None,
                    "", "", problem=str(error))  # fmt: skip
    latest = months[-1]
    return Card(
        measure_id=measure_id,
        title=measure.title,
        unit=measure.unit,
        latest_period=latest.period,
        latest_value=latest.value,
        change_text=text,
        change_significant=significant,
        variation=VARIATION_WORDS[chart.variation],
        assurance=ASSURANCE_WORDS[chart.assurance or "none"],
        variation_icon=chart.variation,
        assurance_icon=chart.assurance or "none",
        aim_text=_aim_words(aim, months, significant, rising, target),
        target=target,
        against_target=against_target(
            latest.value, target, aim.direction if aim else ""
        ),
        first_period=months[0].period,
    )


def against_target(value: float | None, target: float | None, direction: str) -> str:
    """The latest value against the plan's target in words ("" without
    one), and whether that is where the plan (``direction`` "up" or
    "down") wants it.

    >>> against_target(78.2, 73.0, "up")
    'Latest value above target (78.2 against 73): where the plan wants it.'
    """
    if value is None or target is None:
        return ""
    if value == target:
        return f"Latest value on target ({_figure(value)})."
    where = "above" if value > target else "below"
    wanted = (where == "above") == (direction == "up")
    return (
        f"Latest value {where} target ({_figure(value)} against {_figure(target)}): "
        + ("where the plan wants it." if wanted else "not yet where the plan wants it.")
    )


def _figure(value: float) -> str:
    """One decimal place, none for a whole number (78.2, 73, 1,204)."""
    return f"{value:,.1f}".removesuffix(".0")


def plan_target(aim: Aim | None, months: list[SeriesPoint]) -> float | None:
    """The plan's size of change applied to the mean a month of its stated
    baseline months, or, when none are stated, of the 12 months before the
    latest 12: "reduce by 10%" on a mean of 200 a month is a target of 180.
    None when the baseline's months are not all loaded."""
    if aim is not None and aim.target is not None:
        return aim.target
    size = size_of_change(aim.size) if aim is not None and aim.size else None
    if aim is None or size is None:
        return None
    values = _baseline_values(aim, months)
    if not values:
        return None
    baseline = sum(values) / len(values)
    amount, percent = size
    step = baseline * amount / 100 if percent else amount
    return baseline + step if aim.direction == "up" else baseline - step


# A year and the year before it: the months a baseline of "the year before
# the latest" needs.
YEAR_ON_YEAR = 24


def _baseline_values(aim: Aim, months: list[SeriesPoint]) -> list[float]:
    stated = aim.baseline_months()
    if stated:
        loaded = _loaded(months)
        return [loaded[m] for m in stated] if all(m in loaded for m in stated) else []
    if len(months) < YEAR_ON_YEAR:
        return []
    return [p.value for p in months[-YEAR_ON_YEAR:-12] if p.value is not None]


def _loaded(months: list[SeriesPoint]) -> dict[str, float]:
    return {p.period: p.value for p in months if p.value is not None}


def _aim_words(
    aim: Aim | None,
    months: list[SeriesPoint],
    significant: bool | None,
    rising: bool | None,
    target: float | None,
) -> str:
    if aim is None:
        return ""
    text = f"The plan aims to {aim.words()}"
    if target is not None and aim.target is None:
        against = (
            f" against {aim.baseline_from} to {aim.baseline_to}"
            if aim.baseline_months()
            else ""
        )
        text += f" (a target of {target:,.1f} a month{against})"
    elif target is None and (why := aim.why_no_target(months)):
        text += f" (no target: {why})"
    if significant is None or rising is None:
        return text + "."
    if not significant:
        return text + ": no real change yet."
    wanted = rising == (aim.direction == "up")
    return text + (
        ": moving the way the plan wants." if wanted else ": moving against it."
    )


def change_over_year(
    store: Store, measure_id: str, code: str, months: list[SeriesPoint]
) -> tuple[str, bool | None, bool | None]:
    """The last 12 months against the 12 before, in words, with whether the
    change is real (outside chance) and whether it is a rise.

    Counts: the exact Poisson rate ratio. Shares and ratios: the difference
    of the two years' rolling values with an interval built from their own
    intervals (``share_difference``), so survey weights are respected."""
    if len(months) < 24:
        return "not enough months for a year-on-year change", None, None
    measure = get_measure(measure_id)
    if measure.kind == "count":
        recent, before = months[-12:], months[-24:-12]
        change = rate_ratio(
            round(sum(p.numerator or 0 for p in recent)),
            round(sum(p.numerator or 0 for p in before)),
        )
        direction = "up" if change.ratio > 1 else "down"
        words = (
            f"{direction} {abs(change.percent_change):.0f}% on the previous 12 months"
        )
        return (
            words + (" (a real change)" if change.significant else " (within chance)"),
            change.significant,
            change.ratio > 1,
        )
    rolling = measure_series(store, measure_id, code, by="rolling12")
    usable = [p for p in rolling if p.value is not None and p.lower is not None]
    if len(usable) < 13 or usable[-13].period != months[-13].period:
        return "no data for a year-on-year change", None, None
    now, then = usable[-1], usable[-13]
    shift = share_difference(
        (now.value, now.lower, now.upper),  # type: ignore[arg-type]
        (then.value, then.lower, then.upper),  # type: ignore[arg-type]
    )
    points = " points" if "%" in measure.unit else ""
    return (
        f"{shift.difference:+.1f}{points} on the previous 12 months"
        + (" (a real change)" if shift.significant else " (within chance)"),
        shift.significant,
        shift.difference > 0,
    )


def freshness(store: Store, table: str) -> dict[str, Any] | None:
    """When the measure's table was last loaded, and from which files."""
    loads = [load for load in store.loads() if load.table == table]
    if not loads:
        return None
    latest = loads[-1]
    names = sorted(f["name"].rsplit("/", 1)[-1] for f in latest.files)
    return {
        "at": latest.at,
        "number": latest.number,
        # The count of files, and the first and last names: a load of five
        # years' months names 60 files, which no one reads in a list.
        "count": len(names),
        "first": names[0] if names else "",
        "last": names[-1] if names else "",
    }
