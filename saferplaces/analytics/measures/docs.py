"""docs/measures.md is generated from the registry (`saferplaces measure docs`)."""

from __future__ import annotations

from saferplaces.analytics.measures.registry import REGISTRY

HEADER = """# Measures

Generated from the measure registry (`saferplaces/analytics/measures/registry.py`)
by `saferplaces measure docs`; a test fails if this file falls behind.

Every measure is available by month, financial quarter (April to June is Q1),
financial year (April to March) and rolling 12 months, for any area: an LSOA,
a ward, a local authority or one of the partnership's own areas. Counts carry
exact Poisson 95% intervals; monthly, quarterly and yearly series carry SPC
signals (XmR, NHS "Making Data Count" rules). Counts below the suppression
threshold are marked `suppressed` and withheld from public outputs.
"""


def measures_markdown() -> str:
    parts = [HEADER]
    for measure in sorted(REGISTRY.values(), key=lambda m: m.id):
        better = {"up": "a rise", "down": "a fall", "neither": "neither"}[
            measure.polarity
        ]
        parts.append(
            f"\n## {measure.title} (`{measure.id}`)\n\n{measure.definition}\n\n"
            f"- Numerator: rows of `{measure.table}` where `{measure.where}`\n"
            f"- Denominator: {_denominator(measure.denominator)}\n"
            f"- Unit: {measure.unit}\n"
            f"- Which way is better: {better}\n"
            f"- Source: {measure.source}\n"
            f"- Groups: {', '.join(measure.groups) or 'none'}\n"
            f"- Suppressed below: {measure.suppress_below}\n"
        )
    return "".join(parts)


def _denominator(kind: str | None) -> str:
    return "mid-year population (per 1,000)" if kind else "none (a count)"
