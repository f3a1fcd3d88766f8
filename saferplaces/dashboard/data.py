"""What the dashboard shows, computed from the measures engine and kept
per store snapshot (a load invalidates it: ``Store.cached``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saferplaces.analytics.compare import rate_ratio
from saferplaces.analytics.measures import get_measure, measure_series
from saferplaces.analytics.measures.series import SeriesPoint, measure_chart
from saferplaces.analytics.store import Store, StoreError

LEVEL_BELOW = {
    "city": "policing_unit",
    "local_authority": "ward",
    "partnership": "policing_unit",
    "policing_unit": "district",
    "district": "ward",
    "ward": "lsoa",
}


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str


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


def area(store: Store, code: str) -> Area:
    """The area's name and level (its code when no geography names it)."""
    return store.cached(f"area:{code}", lambda: _area(store, code))


def _area(store: Store, code: str) -> Area:
    if "geography" in store.tables():
        rows = store.query(
            "SELECT name, level FROM geography WHERE code = ? "
            "ORDER BY vintage DESC NULLS LAST LIMIT 1",
            [code],
        ).to_pylist()
        if rows:
            return Area(code, str(rows[0]["name"] or code), str(rows[0]["level"]))
    return Area(code, code, "lsoa" if code[:3] in ("E01", "W01") else "area")


def children(store: Store, code: str) -> list[Area]:
    """The areas one level down: a unit's districts, a district's wards, a
    ward's LSOAs."""
    if "geography" not in store.tables():
        return []
    if area(store, code).level in CITY_LEVELS and (units := _policing_units(store)):
        return units
    rows = store.query(
        """
        SELECT DISTINCT g.code, g.name, g.level FROM geography g
        WHERE list_contains((SELECT first(members) FROM geography
                             WHERE code = ? AND vintage = 'partnership'), g.code)
           OR (list_contains(g.parents, ?) AND g.level = ?)
        ORDER BY g.name
        """,
        [code, code, LEVEL_BELOW.get(area(store, code).level, "ward")],
    ).to_pylist()
    return [
        Area(str(r["code"]), str(r["name"] or r["code"]), str(r["level"])) for r in rows
    ]


def parent(store: Store, code: str) -> Area | None:
    """The area this one sits in: a partnership area that lists it, else the
    geography parent one level up."""
    if "geography" not in store.tables():
        return None
    rows = store.query(
        "SELECT code FROM geography WHERE vintage = 'partnership' "
        "AND list_contains(members, ?) LIMIT 1",
        [code],
    ).to_pylist()
    if rows:
        return area(store, str(rows[0]["code"]))
    if area(store, code).level in ("partnership", "policing_unit"):
        return _city(store)
    rows = store.query(
        "SELECT unnest(parents) AS code FROM geography WHERE code = ? LIMIT 1", [code]
    ).to_pylist()
    return area(store, str(rows[0]["code"])) if rows else None


CITY_LEVELS = ("city", "local_authority")


def _policing_units(store: Store) -> list[Area]:
    """Policing units are the partnership's own areas and name no parent, so
    a city's units are all those the geography holds."""
    rows = store.query(
        "SELECT DISTINCT code, name, level FROM geography "
        "WHERE level = 'policing_unit' ORDER BY name"
    ).to_pylist()
    return [Area(str(r["code"]), str(r["name"]), str(r["level"])) for r in rows]


def _city(store: Store) -> Area | None:
    rows = store.query(
        "SELECT code FROM geography WHERE level IN ('city', 'local_authority') "
        "ORDER BY level, code LIMIT 1"
    ).to_pylist()
    return area(store, str(rows[0]["code"])) if rows else None


def card(store: Store, measure_id: str, code: str) -> Card:
    """One measure for the overview, kept until the next load."""
    return store.cached(
        f"card:{measure_id}:{code}", lambda: _card(store, measure_id, code)
    )


def _card(store: Store, measure_id: str, code: str) -> Card:
    measure = get_measure(measure_id)
    try:
        months = measure_series(store, measure_id, code)
        chart = measure_chart(store, measure_id, code)
    except (StoreError, ValueError) as error:
        return Card(measure_id, measure.title, measure.unit, None, None, "", None,
                    "", "", problem=str(error))  # fmt: skip
    latest = months[-1]
    text, significant = change_over_year(measure.kind, months)
    return Card(
        measure_id=measure_id,
        title=measure.title,
        unit=measure.unit,
        latest_period=latest.period,
        latest_value=latest.value,
        change_text=text,
        change_significant=significant,
        variation=chart.variation.replace("_", " "),
        assurance=(chart.assurance or "no target set").replace("_", " "),
    )


def change_over_year(kind: str, months: list[SeriesPoint]) -> tuple[str, bool | None]:
    """The last 12 months against the 12 before, in words."""
    if len(months) < 24:
        return "not enough months for a year-on-year change", None
    recent, before = months[-12:], months[-24:-12]
    if kind == "count":
        change = rate_ratio(
            round(sum(p.numerator for p in recent)),
            round(sum(p.numerator for p in before)),
        )
        direction = "up" if change.ratio > 1 else "down"
        words = (
            f"{direction} {abs(change.percent_change):.0f}% on the previous 12 months"
        )
        return (
            words + (" (a real change)" if change.significant else " (within chance)"),
            change.significant,
        )
    now = _pooled(recent)
    then = _pooled(before)
    if now is None or then is None:
        return "no data for a year-on-year change", None
    points = " points" if "%" in get_measure(recent[0].measure).unit else ""
    return f"{now - then:+.1f}{points} on the previous 12 months", None


def _pooled(points: list[SeriesPoint]) -> float | None:
    weight = sum(p.denominator or 0 for p in points)
    if not weight:
        return None
    share = sum(p.numerator for p in points) / weight
    return (
        100 * share if points and "%" in get_measure(points[0].measure).unit else share
    )


def freshness(store: Store, table: str) -> dict[str, Any] | None:
    """When the measure's table was last loaded, and from which files."""
    loads = [load for load in store.loads() if load.table == table]
    if not loads:
        return None
    latest = loads[-1]
    return {
        "at": latest.at,
        "number": latest.number,
        "files": [f["name"].rsplit("/", 1)[-1] for f in latest.files][:5],
    }
