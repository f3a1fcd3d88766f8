"""An attacker with only public outputs, trying to pin down true counts.

It asks the one results path for everything the public may see of a measure
(every area at every level, by month, quarter and financial year, by every
published breakdown; a published rolling year is the sum of four published
quarters, so it tells nothing more), knows the documented noise bounds, and
combines every linear relation between published cells:

* a quarter, a financial year or a rolling 12 months is the sum of its months
  (so "this rolling year minus the last plus the same month a year before",
  and asking for a month alone, are covered);
* an area is the sum of its LSOAs, and of its child areas;
* a period's total is the sum of its breakdown's groups.

Each published cell bounds its true count: a withheld cell lies between 0
and the threshold plus the largest noise less one; a published count ``p``
between ``p - noise`` and ``p + noise`` (the default ptable publishes some
counts just under the threshold, so a published count does not prove the
truth reaches it). Bounds are then
tightened through every relation until nothing changes (interval constraint
propagation, the attack a differencing adversary runs). A cell is *pinned*
when its bounds meet: the attacker knows its true count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from saferplaces.analytics import geography, results
from saferplaces.analytics.store import Store
from saferplaces.codes import financial_quarter, financial_year

# (measure, area, period, "column=value" of a breakdown or None)
Cell = tuple[str, str, str, str | None]


@dataclass
class Attack:
    bounds: dict[Cell, tuple[int, int]] = field(default_factory=dict)
    relations: list[tuple[Cell, list[Cell]]] = field(default_factory=list)
    # Cells whose published figure is a perturbed count or withheld.
    protected: set[Cell] = field(default_factory=set)

    def learn(
        self, row: results.Row, by: str, column: str | None, rules: results.Rules
    ) -> Cell | None:
        group = None if column is None else f"{column}={row.group}"
        if row.withheld and row.partial:
            return None  # withheld because the period is not whole yet
        # A rolling year is labelled by its last month: keep them apart.
        period = f"rolling12 to {row.period}" if by == "rolling12" else row.period
        cell = (row.measure, row.area_code, period, group)
        noise = rules.ptable.most_noise
        if row.withheld:
            bound = (0, rules.threshold - 1 + noise)
        else:
            published = round(row.numerator or 0)
            bound = (max(0, published - noise), published + noise)
        self.bounds[cell] = bound
        self.protected.add(cell)
        return cell

    def relate(self, total: Cell, parts: Iterable[Cell]) -> None:
        members = [part for part in parts if part != total]
        if total in self.bounds and all(part in self.bounds for part in members):
            self.relations.append((total, members))

    def propagate(self) -> None:
        """Tighten bounds through every relation until none changes (a work
        list: a relation is looked at again only when one of its cells
        narrowed)."""
        touching: dict[Cell, list[int]] = defaultdict(list)
        for index, (total, parts) in enumerate(self.relations):
            for cell in (total, *parts):
                touching[cell].append(index)
        pending = set(range(len(self.relations)))
        while pending:
            total, parts = self.relations[pending.pop()]
            for cell in self._tighten(total, parts):
                pending.update(touching[cell])

    def _tighten(self, total: Cell, parts: list[Cell]) -> list[Cell]:
        bounds = self.bounds
        held = [bounds[p] for p in parts]
        low = sum(b[0] for b in held)
        high = sum(b[1] for b in held)
        narrowed = [total] if self._narrow(total, low, high) else []
        total_low, total_high = bounds[total]
        # A part narrows only if it is wider than the slack the total leaves.
        slack = min(high - total_low, total_high - low)
        for part, (part_low, part_high) in zip(parts, held, strict=True):
            if part_high - part_low > slack and self._narrow(
                part, total_low - (high - part_high), total_high - (low - part_low)
            ):
                narrowed.append(part)
        return narrowed

    def _narrow(self, cell: Cell, low: int, high: int) -> bool:
        old_low, old_high = self.bounds[cell]
        new = (max(old_low, low), min(old_high, high))
        if new != (old_low, old_high):
            if new[0] > new[1]:
                raise AssertionError(f"the attacker's model is wrong at {cell}")
            self.bounds[cell] = new
            return True
        return False

    def pinned(self) -> list[Cell]:
        return [
            cell
            for cell in self.protected
            if self.bounds[cell][0] == self.bounds[cell][1]
        ]


def attack(
    store: Store, measure_ids: list[str], rules: results.Rules, groups: bool = True
) -> Attack:
    """Everything the public can see of the measures, and its relations."""
    found = Attack()
    areas = [
        area
        for level in ("lsoa", "ward", "district", "policing_unit", "partnership")
        for area in geography.areas_of_level(store, level)
    ]
    for measure_id in measure_ids:
        chosen = results.measure(measure_id)
        offered = chosen.public_groups if groups else ()
        for area in areas:
            _ask(store, found, chosen.id, area.code, None, rules)
            for group in offered:
                _ask(store, found, chosen.id, area.code, group, rules)
        _relate_areas(store, found, chosen.id, areas)
    return found


def _ask(
    store: Store,
    found: Attack,
    measure_id: str,
    area: str,
    group: str | None,
    rules: results.Rules,
) -> None:
    by_period: dict[str, dict[str, list[Cell]]] = {}
    for by in ("month", "quarter", "year"):
        try:
            answer = results.series(
                store, measure_id, area, by=by, group=group, audience="public",
                rules=rules,
            )  # fmt: skip
        except results.ResultError:
            return
        cells: dict[str, list[Cell]] = defaultdict(list)
        for row in answer.rows:
            if row.treatment == "open":
                continue
            cell = found.learn(row, by, group, rules)
            if cell is not None:
                cells[row.period].append(cell)
        by_period[by] = cells
    months = sorted(by_period.get("month", {}))
    for by, label in (("quarter", financial_quarter), ("year", financial_year)):
        months_of: dict[str, list[str]] = defaultdict(list)
        for month in months:
            months_of[label(month)].append(month)
        for period, totals in by_period.get(by, {}).items():
            for total in totals:
                parts = [(measure_id, area, m, total[3]) for m in months_of[period]]
                found.relate(total, parts)
    for period, totals in by_period.get("rolling12", {}).items():
        end = months.index(period)
        for total in totals:
            parts = [
                (measure_id, area, m, total[3]) for m in months[end - 11 : end + 1]
            ]
            found.relate(total, parts)


def _relate_areas(
    store: Store,
    found: Attack,
    measure_id: str,
    areas: list[geography.Area],
) -> None:
    periods = {cell[2] for cell in found.bounds if cell[0] == measure_id}
    group_values = sorted(
        {c[3] for c in found.bounds if c[0] == measure_id and c[3] is not None}
    )
    for area in areas:
        if area.level == "lsoa":
            continue
        lsoas = geography.lsoas_in(store, area.code)
        children = [child.code for child in geography.children(store, area.code)]
        for period in periods:
            for value in [None, *group_values]:
                total = (measure_id, area.code, period, value)
                found.relate(
                    total, [(measure_id, code, period, value) for code in lsoas]
                )
                if children:
                    found.relate(
                        total, [(measure_id, c, period, value) for c in children]
                    )
    # A period's groups of one breakdown add up to its total ("not
    # recorded" included).
    by_total: dict[tuple[str, str, str], list[Cell]] = defaultdict(list)
    for cell in found.bounds:
        if cell[0] == measure_id and cell[3] is not None:
            column = cell[3].split("=", 1)[0]
            by_total[(cell[1], cell[2], column)].append(cell)
    for (area, period, _), parts in by_total.items():
        found.relate((measure_id, area, period, None), parts)
