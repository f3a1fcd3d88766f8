"""Charts drawn as SVG on the server.

SVG from Python rather than a JavaScript charting library: the pages run
under a CSP with no inline script, the charts must render with scripts off,
and an SPC chart is a few lines and points. Every chart has a title and a
description for screen readers, and every page shows the same numbers as a
table; signals are marked by shape and by words, not colour alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from saferplaces.analytics.spc import XmRChart


@dataclass(frozen=True)
class Frame:
    width: int = 640
    height: int = 260
    left: int = 56
    right: int = 16
    top: int = 16
    bottom: int = 40

    def x(self, index: int, count: int) -> float:
        span = self.width - self.left - self.right
        return self.left + (span * index / max(count - 1, 1))

    def y(self, value: float, low: float, high: float) -> float:
        span = self.height - self.top - self.bottom
        if high == low:
            return self.top + span / 2
        return self.top + span * (1 - (value - low) / (high - low))


def _number(value: float) -> str:
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


def spc_svg(
    chart: XmRChart,
    title: str,
    unit: str,
    frame: Frame = Frame(),
    *,
    compact: bool = False,
    ident: str = "chart",
) -> str:
    """An XmR chart: values, mean, process limits, signals, rebases (a new
    segment starts new lines) and the target as a dotted line. ``compact``
    leaves out the axis labels, for the overview's cards."""
    points = chart.points
    values = [p.value for p in points]
    extra = [chart.target] if chart.target is not None else []
    low = min([*values, *(p.lower for p in points), *extra])
    high = max([*values, *(p.upper for p in points), *extra])
    pad = (high - low) * 0.05 or 1.0
    low, high = low - pad, high + pad
    count = len(points)

    def line(key: str, css: str) -> str:
        parts = []
        for segment in sorted({p.segment for p in points}):
            coords = " ".join(
                f"{frame.x(i, count):.1f},{frame.y(getattr(p, key), low, high):.1f}"
                for i, p in enumerate(points)
                if p.segment == segment
            )
            parts.append(f'<polyline class="{css}" points="{coords}"/>')
        return "".join(parts)

    marks = []
    for i, point in enumerate(points):
        x, y = frame.x(i, count), frame.y(point.value, low, high)
        if compact and not point.special_cause:
            continue  # a card's chart: the line, and only the signals marked
        if point.special_cause:
            kind = point.special_cause.split("_")[0]
            marks.append(
                f'<rect class="signal signal-{kind}" x="{x - 4:.1f}" y="{y - 4:.1f}" '
                f'width="8" height="8"><title>{escape(point.period)}: '
                f"{_number(point.value)} {escape(unit)}, "
                f"{escape(point.special_cause.replace('_', ' '))}</title></rect>"
            )
        else:
            marks.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="2.5">'
                f"<title>{escape(point.period)}: {_number(point.value)} "
                f"{escape(unit)}</title></circle>"
            )
    axis = []
    if chart.target is not None:
        y = frame.y(chart.target, low, high)
        axis.append(
            f'<line class="target" x1="{frame.left}" x2="{frame.width - frame.right}" '
            f'y1="{y:.1f}" y2="{y:.1f}"><title>Target: {_number(chart.target)} '
            f"{escape(unit)}</title></line>"
        )
    for value in () if compact else (low + pad, (low + high) / 2, high - pad):
        y = frame.y(value, low, high)
        axis.append(
            f'<text class="tick" x="{frame.left - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{_number(value)}</text>'
        )
    for i in () if compact else sorted({0, count // 2, count - 1}):
        axis.append(
            f'<text class="tick" x="{frame.x(i, count):.1f}" '
            f'y="{frame.height - frame.bottom + 18}" text-anchor="middle">'
            f"{escape(points[i].period)}</text>"
        )
    signals = sum(1 for p in points if p.special_cause)
    description = (
        f"{count} periods from {points[0].period} to {points[-1].period}; "
        f"latest {_number(values[-1])} {unit}; mean {_number(points[-1].mean)}; "
        f"process limits {_number(points[-1].lower)} to {_number(points[-1].upper)}; "
        f"{signals} point(s) with a special-cause signal (square markers). "
        f"Variation: {chart.variation.replace('_', ' ')}."
        + (
            f" Target {_number(chart.target)}; assurance: "
            f"{(chart.assurance or 'none').replace('_', ' ')}."
            if chart.target is not None
            else ""
        )
    )
    return (
        f'<svg class="spc-chart" viewBox="0 0 {frame.width} {frame.height}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(description)}</desc>'
        f'<rect class="frame" x="{frame.left}" y="{frame.top}" '
        f'width="{frame.width - frame.left - frame.right}" '
        f'height="{frame.height - frame.top - frame.bottom}"/>'
        f"{line('upper', 'limit')}{line('lower', 'limit')}{line('mean', 'mean')}"
        f"{line('value', 'values')}{''.join(marks)}{''.join(axis)}</svg>"
    )


def sparkline_svg(values: Sequence[float], label: str) -> str:
    """A small trend line for a card (described by the card's own text)."""
    frame = Frame(width=160, height=40, left=2, right=2, top=4, bottom=4)
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    coords = " ".join(
        f"{frame.x(i, len(values)):.1f},{frame.y(v, low, high):.1f}"
        for i, v in enumerate(values)
    )
    return (
        f'<svg class="sparkline" viewBox="0 0 160 40" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f'<polyline class="values" points="{coords}"/></svg>'
    )
