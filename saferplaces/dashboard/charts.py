"""Charts as Vega-Lite specifications, built with Altair.

One specification serves both ends: the measure page hands it to
vega-embed in the browser (frontend/chart.js), and the server renders the
same specification to SVG or PNG with vl-convert for downloads, for the
overview's cards and for pages read with scripts off. The chart's data are
the measures engine's numbers, unrounded (tests compare them exactly).

Signals are marked by shape (squares) and by words in the tooltip, the
description and the page's table, not by colour alone.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import altair as alt

from saferplaces.analytics.spc import (
    ASSURANCE_WORDS,
    VARIATION_WORDS,
    DrawnLimits,
    XmRChart,
    XmRPoint,
    drawn,
)

# The least and most a measure can be (Measure.possible): no bound.
Possible = tuple[float | None, float | None]
UNBOUNDED: Possible = (None, None)

# vl-convert renders with this Vega-Lite; package.json pins the same minor
# version for the browser, so both ends draw the same chart.
VEGA_LITE_VERSION = "6.4"

BLUE = "#1d70b8"
GREY = "#505a5f"
# Making Data Count's colours: improvement blue, concern orange, neither
# purple (darkened to 3:1 or more against white).
SIGNAL_COLOURS = {
    "improvement": "#1d70b8",
    "concern": "#b34700",
    "neither": "#6f2f9f",
}
PERIOD_WORDS = {
    "month": "Month",
    "quarter": "Financial quarter",
    "year": "Financial year",
    "rolling12": "Rolling 12 months",
}


def number(value: float) -> str:
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def limit_words(shown: float, computed: float, short: bool = False) -> str:
    """A process limit as drawn, saying where it was computed if it was
    moved to what the measure can be: "0 (computed -6.1, below zero:
    shown at 0)"; ``short`` (a table's cell, whose page says why): "0
    (computed -6.1)"."""
    if shown == computed:
        return number(shown)
    if short:
        return f"{number(shown)} (computed {number(computed)})"
    edge = number(shown)
    side = f"below {edge}" if computed < shown else f"above {edge}"
    if computed < shown == 0:
        side = "below zero"
    return f"{edge} (computed {number(computed)}, {side}: shown at {edge})"


@dataclass(frozen=True)
class Segment:
    """One segment of a chart's limits (a new one after each rebase), for
    the chart's table and words."""

    first: str
    last: str
    mean: float
    limits: DrawnLimits

    @property
    def lower_words(self) -> str:
        return limit_words(self.limits.lower, self.limits.computed_lower)

    @property
    def upper_words(self) -> str:
        return limit_words(self.limits.upper, self.limits.computed_upper)

    @property
    def lower_cell(self) -> str:
        return limit_words(self.limits.lower, self.limits.computed_lower, short=True)

    @property
    def upper_cell(self) -> str:
        return limit_words(self.limits.upper, self.limits.computed_upper, short=True)


def segments(chart: XmRChart, possible: Possible = UNBOUNDED) -> list[Segment]:
    """The chart's segments with their limits as drawn."""
    found = []
    for _, group in itertools.groupby(chart.points, key=lambda p: p.segment):
        points = list(group)
        found.append(
            Segment(points[0].period, points[-1].period, points[0].mean,
                    drawn(points[0], possible))
        )  # fmt: skip
    return found


def _signal_words(point: XmRPoint) -> str:
    if not point.special_cause:
        return "common cause"
    kind, side = point.special_cause.split("_")
    rule = (point.signal or "").replace("_", " ")
    return f"{kind} ({side}): {rule}" if kind != "neither" else f"{side}: {rule}"


def options_words(screen_outliers: bool, fix_after: int | None) -> str:
    """The chart's SPC options in a sentence (as ``saferplaces measure spc``
    takes them)."""
    limits = (
        f"Limits fixed on the first {fix_after} points of each segment"
        if fix_after
        else "Limits from every point of each segment"
    )
    ranges = (
        "unusually large moving ranges screened out (the default)"
        if screen_outliers
        else "every moving range kept, as the Making Data Count spreadsheet"
    )
    return f"{limits}; {ranges}."


def _rows(chart: XmRChart, unit: str, possible: Possible) -> list[dict[str, Any]]:
    return [
        {
            "period": p.period,
            "value": p.value,
            "mean": p.mean,
            # Drawn where the measure can be; signals used the computed ones.
            "lower": drawn(p, possible).lower,
            "upper": drawn(p, possible).upper,
            "segment": p.segment,
            "signal": (p.special_cause or "").split("_")[0] or "common cause",
            "explained": _signal_words(p),
            # What a screen reader says for the point (Vega's aria-label).
            "label": f"{p.period}: {number(p.value)} {unit}, {_signal_words(p)}",
        }
        for p in chart.points
    ]


def _data(values: list[dict[str, Any]]) -> Any:
    return alt.Data(values=values)  # type: ignore[no-untyped-call]


def describe(chart: XmRChart, unit: str, possible: Possible = UNBOUNDED) -> str:
    """The chart in words: for screen readers and for the image's alt text."""
    points = chart.points
    signals = sum(1 for p in points if p.special_cause)
    latest = points[-1]
    limits = segments(chart, possible)[-1]
    text = (
        f"{len(points)} periods from {points[0].period} to {latest.period}; "
        f"latest {number(latest.value)} {unit}; mean {number(latest.mean)}; "
        f"process limits {limits.lower_words} to {limits.upper_words}; "
        f"{signals} point(s) with a special-cause signal (square markers). "
        f"Variation: {VARIATION_WORDS[chart.variation]}."
    )
    if chart.target is not None:
        assurance = ASSURANCE_WORDS[chart.assurance or "none"]
        text += f" Target {number(chart.target)}; assurance: {assurance}."
    return text


def _ticks(periods: list[str], most: int) -> list[str]:
    step = max(1, -(-len(periods) // most))
    return periods[::-step][::-1]


def spc_spec(
    chart: XmRChart,
    title: str,
    unit: str,
    *,
    by: str = "month",
    compact: bool = False,
    possible: Possible = UNBOUNDED,
) -> dict[str, Any]:
    """An XmR chart: values, mean, process limits (a new segment after each
    rebase), signals as squares, and the target as a dotted line.
    ``compact`` is the overview card's chart: no axes, only signals marked.
    ``possible`` (the measure's ``possible``): limits are drawn inside it,
    and a count's axis never goes below zero."""
    rows = _rows(chart, unit, possible)
    periods = [row["period"] for row in rows]
    # A card's chart has no axes: every layer must say so, or Vega-Lite
    # merges the layers' axes and fails.
    x_axis = (
        None
        if compact
        else alt.Axis(values=_ticks(periods, 8), labelAngle=0, labelOverlap=True)
    )
    y_axis = None if compact else alt.Axis(title=unit)
    base = alt.Chart().encode(
        x=alt.X("period:N", sort=None, title=PERIOD_WORDS.get(by, by), axis=x_axis)
    )
    y = alt.Y("value:Q", scale=alt.Scale(zero=False), axis=y_axis)
    layers: list[Any] = [
        base.mark_line(color=GREY, strokeDash=[5, 3], strokeWidth=1).encode(
            y=alt.Y(f"{side}:Q", axis=y_axis), detail="segment:N"
        )
        for side in ("upper", "lower")
    ]
    layers.append(
        base.mark_line(color=GREY, strokeWidth=1).encode(
            y=alt.Y("mean:Q", axis=y_axis), detail="segment:N"
        )
    )
    layers.append(base.mark_line(color=BLUE, strokeWidth=2).encode(y=y))
    points = base.mark_point(filled=True, size=36 if compact else 50, opacity=1)
    if compact:
        points = points.transform_filter(alt.datum.signal != "common cause")
    layers.append(
        points.encode(
            y=alt.Y("value:Q", axis=y_axis),
            shape=alt.Shape(
                "signal:N",
                scale=alt.Scale(
                    domain=["common cause", *SIGNAL_COLOURS],
                    range=["circle", "square", "square", "square"],
                ),
                legend=None if compact else alt.Legend(title="Signal"),
            ),
            color=alt.Color(
                "signal:N",
                scale=alt.Scale(
                    domain=["common cause", *SIGNAL_COLOURS],
                    range=[BLUE, *SIGNAL_COLOURS.values()],
                ),
                legend=None if compact else alt.Legend(title="Signal"),
            ),
            description=alt.Description("label:N"),
            tooltip=[
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("value:Q", title=unit, format=",.1f"),
                alt.Tooltip("explained:N", title="Signal"),
            ],
        )
    )
    if chart.target is not None:
        layers.append(
            alt.Chart(_data([{"target": chart.target}]))
            .mark_rule(color="#0b0c0c", strokeDash=[2, 3], strokeWidth=2)
            .encode(y=alt.Y("target:Q", axis=y_axis), tooltip=[alt.Tooltip("target:Q")])
        )
    layered = alt.layer(*layers, data=_data(rows)).properties(
        width=240 if compact else 640,
        height=64 if compact else 260,
        description=f"{title}. {describe(chart, unit, possible)}",
    )
    if not compact:
        layered = layered.properties(title=title)
    layered = layered.configure_view(stroke=None).configure(
        font="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
    )
    spec: dict[str, Any] = layered.to_dict(validate=False)
    return spec


def to_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    return str(vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION))


def to_png(spec: dict[str, Any]) -> bytes:
    import vl_convert

    return bytes(
        vl_convert.vegalite_to_png(spec, vl_version=VEGA_LITE_VERSION, scale=2)
    )
