"""Areas as the store knows them: names, levels, parents and children,
boundaries, and which codes lie within an area (what a code looks like and
the level it names from its pattern alone: ``saferplaces.codes``).

Vocabulary (docs/glossary.md): an *area* is any place figures are given
for, named by its *area code*: an ONS code (LSOA ``E01``/``W01``, MSOA
``E02``/``W02``, ward ``E05``/``W05``, local authority ``E06``-``E09``/
``W06``, ...) or a partnership's own area (``SYN-...``, a policing unit or
district made of wards). Its *level* is lsoa, ward, district, policing_unit,
local_authority, city or partnership.

Example:
    >>> import tempfile
    >>> from saferplaces.analytics.store import Store
    >>> area_codes(Store(tempfile.mkdtemp()), "E05011119")
    ['E05011119']
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from saferplaces.analytics.refusals import Refused
from saferplaces.analytics.store import AsOf, Store, StoreError
from saferplaces.codes import is_lsoa, level_of_code, normalise_postcode


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    level: str


# The level one down from each level, for drilling into an area.
LEVEL_BELOW = {
    "city": "policing_unit",
    "local_authority": "ward",
    "partnership": "policing_unit",
    "policing_unit": "district",
    "district": "ward",
    "ward": "lsoa",
}
CITY_LEVELS = ("city", "local_authority")
# ONS levels from the smallest up, for the nearest of an area's parents.
NESTING_ORDER = ("lsoa", "msoa", "ward", "constituency", "local_authority", "county",
                 "region")  # fmt: skip


def named_areas(where: str = "TRUE") -> str:
    """SQL for one row per area (code and level) among the geography rows
    ``where`` picks: its name from the newest vintage that names it, so a
    newer codes-only lookup (imd_lookups.csv's WD25CD) never hides the name
    an older named file gave, in whichever order they were loaded; and the
    parents every vintage gives it (issue 29, fault 3)."""
    return (
        "(SELECT code, level, coalesce(arg_max(name, vintage) FILTER ("
        "WHERE coalesce(name, '') <> ''), code) AS name, max(vintage) AS vintage, "
        "list_distinct(flatten(list(coalesce(parents, [])))) AS parents "
        f"FROM geography WHERE {where} GROUP BY code, level)"
    )


def _memberships(store: Store) -> dict[str, list[str]]:
    rows = store.query(
        "SELECT code, members FROM geography WHERE vintage = 'partnership'"
    ).to_pylist()
    return {str(row["code"]): list(row["members"] or []) for row in rows}


def _lsoas_by_parent(store: Store) -> dict[str, set[str]]:
    """Every code an LSOA nests in (ward, MSOA, local authority, ...) -> LSOAs."""
    return _by_parent(store, "WHERE level = 'lsoa'")


def _codes_by_parent(store: Store) -> dict[str, set[str]]:
    """Every code an area of any level nests in -> the areas in it."""
    return _by_parent(store, "")


def _by_parent(store: Store, where: str) -> dict[str, set[str]]:
    rows = store.query(
        f"SELECT DISTINCT code, unnest(parents) AS parent FROM geography {where}"
    ).to_pylist()
    index: dict[str, set[str]] = {}
    for row in rows:
        index.setdefault(str(row["parent"]), set()).add(str(row["code"]))
    return index


def area_codes(store: Store, code: str) -> list[str]:
    """The code itself, or for a partnership area every area it contains,
    followed down through nested partnership areas (districts in a unit)."""
    if "geography" not in store.tables():
        return [code]
    return _members_of(store.cached("memberships", lambda: _memberships(store)), code)


def _members_of(members: dict[str, list[str]], code: str) -> list[str]:
    found: list[str] = []
    pending = [code]
    while pending:
        current = pending.pop()
        if current in members:
            pending.extend(members[current])
        elif current not in found:
            found.append(current)
    return sorted(found)


def area_shape(store: Store, code: str) -> Any:
    """The area's boundary as a shapely geometry (unions partnership areas)."""
    import shapely
    from shapely.geometry import shape

    if "boundaries" not in store.tables():
        raise StoreError("no boundaries are loaded: `saferplaces ingest boundaries`")
    codes = area_codes(store, code)
    rows = store.query(
        "SELECT code, geometry FROM boundaries WHERE list_contains(?, code)", [codes]
    ).to_pylist()
    if not rows:
        raise StoreError(f"no boundary is loaded for area {code}")
    import json

    return shapely.union_all([shape(json.loads(row["geometry"])) for row in rows])


def boundaries(store: Store, codes: list[str]) -> dict[str, dict[str, Any]]:
    """The areas' boundaries as GeoJSON geometries, by code (areas with no
    boundary loaded are left out)."""
    import json

    if "boundaries" not in store.tables():
        return {}
    rows = store.query(
        "SELECT code, geometry FROM boundaries WHERE list_contains(?, code)", [codes]
    ).to_pylist()
    return {str(row["code"]): json.loads(row["geometry"]) for row in rows}


def lsoa_locator(store: Store) -> Callable[[float, float], tuple[str, str]]:
    """A function (latitude, longitude) -> (LSOA code, name), or ('', '')."""
    import json

    from shapely import STRtree
    from shapely.geometry import Point, shape

    if "boundaries" not in store.tables():
        return lambda _lat, _lng: ("", "")
    rows = store.query(
        "SELECT code, coalesce(name, '') AS name, geometry FROM boundaries "
        "WHERE level = 'lsoa'"
    ).to_pylist()
    shapes = [shape(json.loads(row["geometry"])) for row in rows]
    tree = STRtree(shapes)

    def locate(lat: float, lng: float) -> tuple[str, str]:
        point = Point(lng, lat)
        for index in tree.query(point, predicate="intersects"):
            row = rows[int(index)]
            return str(row["code"]), str(row["name"])
        return "", ""

    return locate


@dataclass(frozen=True)
class LsoaChanges:
    """The 2011 LSOAs a loaded LSOA (2011) to LSOA (2021) lookup changed,
    each with the one 2021 LSOA its records count in.

    Unchanged LSOAs keep their code; merged ones count in the LSOA they
    became. A split (or redrawn) LSOA's records count in the first of its
    2021 LSOAs in code order: police.uk gives a record the LSOA code only,
    and the lookup names no best fit, so no rule can do better without the
    record's point; the figure says how many records this placed. Only
    2021 LSOAs another lookup places in wards and councils are used: with
    none, a 2011 LSOA stays where the 2011 lookups put it."""

    counted_in: dict[str, str]
    split: frozenset[str]
    files: tuple[str, ...]

    def predecessors(self) -> dict[str, list[str]]:
        """{2021 LSOA: the changed 2011 LSOAs counted in it}."""
        found: dict[str, list[str]] = {}
        for old, new in sorted(self.counted_in.items()):
            found.setdefault(new, []).append(old)
        return found

    def note(self, moved: int, split: int, *, exact: bool = True) -> str:
        """Words for a figure that counted ``moved`` records through the
        lookup, ``split`` of them in split LSOAs ("" when none); without
        ``exact`` (a perturbed figure), no counts."""
        if not moved:
            return ""
        words = (
            "records coded to 2011 LSOAs were counted in 2021 LSOAs using "
            + ", ".join(self.files)
        )
        if split:
            many = f"{split:,} records" if exact else "records"
            words += (
                f"; {many} in split LSOAs were placed in the first of their "
                "2021 LSOAs in code order"
            )
        return words


NO_CHANGES = LsoaChanges({}, frozenset(), ())


def lsoa_changes(store: Store) -> LsoaChanges:
    """The LSOA 2011 to 2021 changes of the lookups loaded (see LsoaChanges)."""
    if "geography" not in store.tables():
        return NO_CHANGES
    return store.cached("lsoa-changes", lambda: _lsoa_changes(store))


def _lsoa_changes(store: Store) -> LsoaChanges:
    columns = store.columns("geography")
    if "successors" not in columns:
        return NO_CHANGES  # kept by a version that read no successors
    # A store kept before each file's areas were apart has no file_name
    # until its next geography load: the file's name is the path's end.
    file_of = (
        "file_name"
        if "file_name" in columns
        else r"regexp_extract(source_file, '[^/\\!]+$')"
    )
    rows = store.query(
        f"SELECT code, successors, {file_of} AS file_name FROM geography "
        "WHERE level = 'lsoa' AND array_length(successors) > 0"
    ).to_pylist()
    changed = {
        str(row["code"]): sorted(str(code) for code in row["successors"])
        for row in rows
        if list(row["successors"]) != [row["code"]]
    }
    if not changed:
        return NO_CHANGES
    files = sorted({str(row["file_name"]) for row in rows})
    placed = {
        str(row["code"])
        for row in store.query(
            "SELECT DISTINCT code FROM geography WHERE level = 'lsoa' "
            f"AND array_length(parents) > 0 AND NOT list_contains(?, {file_of})",
            [files],
        ).to_pylist()
    }
    counted_in = {old: new[0] for old, new in changed.items() if new[0] in placed}
    split = frozenset(old for old in counted_in if len(changed[old]) > 1)
    return LsoaChanges(counted_in, split, tuple(files))


def known_lsoas(store: Store) -> frozenset[str]:
    """Every LSOA code the geography knows, of any vintage."""
    if "geography" not in store.tables():
        return frozenset()

    def load() -> frozenset[str]:
        rows = store.query(
            "SELECT DISTINCT code FROM geography WHERE level = 'lsoa'"
        ).to_pylist()
        return frozenset(str(row["code"]) for row in rows)

    return store.cached("known-lsoas", load)


def lsoas_in(store: Store, code: str) -> list[str]:
    """Every LSOA in an area of any level (an LSOA is in itself).

    Partnership areas are followed down to their wards or LSOAs first; an LSOA
    code works even with no geography loaded.
    """
    return lsoas_in_each(store, [code])[code]


def lsoas_in_each(store: Store, codes: list[str]) -> dict[str, list[str]]:
    """``lsoas_in`` for many areas, looking the geography up once."""
    if "geography" not in store.tables():
        return {code: [code] if is_lsoa(code) else [] for code in codes}
    members = store.cached("memberships", lambda: _memberships(store))
    index = store.cached("lsoas_by_parent", lambda: _lsoas_by_parent(store))
    changes = lsoa_changes(store)
    predecessors = store.cached("lsoa-predecessors", changes.predecessors)
    result = {}
    for code in codes:
        found: set[str] = set()
        for each in _members_of(members, code):
            found |= index.get(each, set())
            if is_lsoa(each):
                found.add(each)
        if changes.counted_in:
            # A changed 2011 LSOA is in the areas its 2021 LSOA is in, and
            # no others: its records are counted once (LsoaChanges).
            found = {c for c in found if c == code or c not in changes.counted_in}
            found |= {old for new in list(found) for old in predecessors.get(new, [])}
        result[code] = sorted(found)
    return result


def area(store: Store, code: str) -> Area:
    """The area's name and level (its code, and the level its pattern says,
    when no geography names it)."""
    return store.cached(f"area:{code}", lambda: _area(store, code))


def _area(store: Store, code: str) -> Area:
    if "geography" in store.tables():
        rows = store.query(
            f"SELECT name, level FROM {named_areas('code = ?')} "
            "ORDER BY vintage DESC NULLS LAST LIMIT 1",
            [code],
        ).to_pylist()
        if rows:
            return Area(code, str(rows[0]["name"] or code), str(rows[0]["level"]))
    return Area(code, code, level_of_code(code) or "area")


def name_of(store: Store, code: str, as_of: AsOf = None) -> str:
    """The area's newest name, else its code."""
    if as_of is None:
        return area(store, code).name
    if not store.held("geography", as_of):
        return code  # no geography then: the code is all there is
    rows = store.query(
        "SELECT name FROM geography WHERE code = ? AND name IS NOT NULL "
        "ORDER BY vintage DESC NULLS LAST LIMIT 1",
        [code],
        as_of=as_of,
    ).to_pylist()
    return str(rows[0]["name"]) if rows else code


def is_known(store: Store, code: str) -> bool:
    """Whether the geography holds the code."""
    if "geography" not in store.tables():
        return False
    return bool(
        store.query("SELECT 1 FROM geography WHERE code = ? LIMIT 1", [code]).num_rows
    )


def area_named(
    store: Store,
    typed: str,
    among: Collection[str] | None = None,
    preferring: Collection[str] = (),
    among_called: str = "the areas given",
) -> str:
    """The code of the area ``typed`` names: a code the geography holds, or
    the name of exactly one area (a person types "Selly Oak" as readily as
    E05011119). Only the areas ``among`` (called ``among_called``) are
    taken or suggested, when given (a partnership's, for its forms); a
    name several of them share is the one of them ``preferring`` holds, if
    exactly one (a partnership's own district "Selly Oak" over the ward
    inside it). Refused for any other,
    with the nearest names and codes, or every area of a shared name
    ("Abbey" is a ward of many councils), in words fit to show.

    Example:
        >>> import tempfile
        >>> try:
        ...     area_named(Store(tempfile.mkdtemp()), "E05011119")
        ... except Refused as refused:
        ...     print(refused)
        no geography is loaded to check it against
    """
    text = typed.strip()
    known = _every_area(store)
    if not known:
        raise Refused("no geography is loaded to check it against")
    if among is not None:
        known = {code: known[code] for code in among if code in known}
    # A suggestion as offered, "Selly Oak (E05011119)", is taken by its code.
    quoted = _QUOTED_CODE.match(text)
    for code in (text, text.upper(), *(quoted.groups() if quoted else ())):
        if code in known:
            return code
    called = [a for a in known.values() if a.name.casefold() == text.casefold()]
    preferred = [a for a in called if a.code in preferring]
    if len(called) == 1 or len(preferred) == 1:
        return (preferred or called)[0].code
    if called:
        raise Refused(
            f"{len(called)} areas are called {text}: "
            + "; ".join(_told_apart(store, a) for a in called)
            + ". Give the code of the one you mean"
        )
    nearest = _nearest(known, text)
    if among is not None:
        raise Refused(f"{text} is not one of {among_called}{nearest}")
    raise Refused("no area in the geography has this code or name" + nearest)


_QUOTED_CODE = re.compile(r"^.*\(([A-Za-z0-9-]+)\)$")
# Suggestions offered for an area not found, and how alike they must be.
NEAREST_AREAS = 3
NEAREST_CUTOFF = 0.6


def _nearest(known: dict[str, Area], text: str) -> str:
    """The areas whose name holds what was typed ("Selly Oak" in "Weoley &
    Selly Oak"), then those whose name or code is most alike, whatever the
    case of the letters."""
    codes_by_word: dict[str, list[str]] = {}
    for found in known.values():
        codes_by_word.setdefault(found.name.casefold(), []).append(found.code)
        codes_by_word.setdefault(found.code.casefold(), []).append(found.code)
    typed = text.casefold()
    holding = sorted(word for word in codes_by_word if typed and typed in word)
    alike = difflib.get_close_matches(
        typed, list(codes_by_word), n=NEAREST_AREAS, cutoff=NEAREST_CUTOFF
    )
    named = dict.fromkeys(
        f"{known[code].name} ({code})"
        for word in [*holding, *alike]
        for code in codes_by_word[word]
    )
    shown = list(named)[:NEAREST_AREAS]
    return f" (did you mean {' or '.join(shown)}?)" if shown else ""


def _told_apart(store: Store, found: Area) -> str:
    """ "Abbey (E05009999, a ward in City of London)"."""
    above = parent(store, found.code)
    where = f" in {above.name}" if above is not None else ""
    return f"{found.name} ({found.code}, a {found.level.replace('_', ' ')}{where})"


def _every_area(store: Store) -> dict[str, Area]:
    """Every code the geography holds with its newest name: {code: Area}."""

    def load() -> dict[str, Area]:
        if "geography" not in store.tables():
            return {}
        rows = store.query(
            "SELECT code, name, level FROM (SELECT code, name, level, row_number() "
            "OVER (PARTITION BY code ORDER BY vintage DESC NULLS LAST, name) AS newest "
            "FROM geography) WHERE newest = 1"
        ).to_pylist()
        return {
            str(r["code"]): Area(
                str(r["code"]), str(r["name"] or r["code"]), str(r["level"])
            )
            for r in rows
        }

    return store.cached("every-area", load)


def children(store: Store, code: str) -> list[Area]:
    """The areas one level down: a city's policing units, a unit's
    districts, a district's wards, a ward's LSOAs."""
    if "geography" not in store.tables():
        return []
    if area(store, code).level in CITY_LEVELS and (
        units := _policing_units_inside(store, code)
    ):
        return units
    rows = store.query(
        f"""
        SELECT g.code, g.name, g.level FROM {named_areas()} g
        WHERE list_contains((SELECT first(members) FROM geography
                             WHERE code = ? AND vintage = 'partnership'), g.code)
           OR (list_contains(g.parents, ?) AND g.level = ?)
        ORDER BY g.name, g.code
        """,
        [code, code, LEVEL_BELOW.get(area(store, code).level, "ward")],
    ).to_pylist()
    replaced = lsoa_changes(store).counted_in
    return [
        Area(str(r["code"]), str(r["name"] or r["code"]), str(r["level"]))
        for r in rows
        if r["code"] not in replaced
    ]


def parent(store: Store, code: str) -> Area | None:
    """The area this one sits in: the city for a policing unit or a
    partnership, else a partnership area that lists it, else the geography
    parent one level up."""
    if "geography" not in store.tables():
        return None
    if area(store, code).level in ("partnership", "policing_unit"):
        # Units are compared across the city ("the second best policing
        # unit"), not within the one partnership that lists them.
        return _city_containing(store, code)
    rows = store.query(
        "SELECT code FROM geography WHERE vintage = 'partnership' "
        "AND list_contains(members, ?) LIMIT 1",
        [code],
    ).to_pylist()
    if rows:
        return area(store, str(rows[0]["code"]))
    # Of the areas a lookup nests it in, one at a level whose next level
    # down is this one (an LSOA's ward, not its MSOA, whose code sorts
    # first), else the smallest.
    above = [
        lvl for lvl, below in LEVEL_BELOW.items() if below == area(store, code).level
    ]
    rows = store.query(
        "SELECT p.code FROM (SELECT DISTINCT unnest(parents) AS code FROM geography "
        f"WHERE code = ?) p JOIN {named_areas()} a ON a.code = p.code "
        "ORDER BY list_contains(?, a.level) DESC, "
        "list_position(?, a.level) NULLS LAST, p.code LIMIT 1",
        [code, above, list(NESTING_ORDER)],
    ).to_pylist()
    return area(store, str(rows[0]["code"])) if rows else None


def _policing_units_inside(store: Store, code: str) -> list[Area]:
    """Policing units are the partnership's own areas and name no parent:
    a city's units are those whose LSOAs all lie in it."""
    units = areas_of_level(store, "policing_unit")
    inside = set(lsoas_in(store, code))
    return [
        unit
        for unit, lsoas in zip(
            units, lsoas_in_each(store, [u.code for u in units]).values(), strict=True
        )
        if lsoas and set(lsoas) <= inside
    ]


def _city_containing(store: Store, code: str) -> Area | None:
    """The smallest city or local authority whose LSOAs hold every LSOA of
    the area; None when none does (an area across two councils), never the
    first in code order (issue 29, fault 2)."""
    lsoas = set(lsoas_in(store, code))
    if not lsoas:
        return None
    cities = store.cached("city-lsoas", lambda: _city_lsoas(store))
    holding = [(len(held), city) for city, held in cities.items() if lsoas <= held]
    return area(store, min(holding)[1]) if holding else None


def _city_lsoas(store: Store) -> dict[str, set[str]]:
    rows = store.query(
        "SELECT DISTINCT code FROM geography WHERE level IN ('city', 'local_authority')"
    ).to_pylist()
    codes = [str(row["code"]) for row in rows]
    return {code: set(found) for code, found in lsoas_in_each(store, codes).items()}


def areas_of_level(store: Store, level: str, as_of: AsOf = None) -> list[Area]:
    """Every area of one level, by name (e.g. the wards a resident picks)."""

    def load() -> list[Area]:
        if "geography" not in store.tables():
            return []
        rows = store.query(
            f"SELECT code, name FROM {named_areas('level = ?')} ORDER BY name, code",
            [level],
            as_of=as_of,
        ).to_pylist()
        # A 2011 LSOA the LSOA 2011 to 2021 lookup replaced is the 2021
        # LSOA it became (LsoaChanges), not an area of its own.
        replaced = lsoa_changes(store).counted_in if level == "lsoa" else {}
        return [
            Area(str(r["code"]), str(r["name"] or r["code"]), level)
            for r in rows
            if r["code"] not in replaced
        ]

    return store.cached(f"areas-of-level:{level}:{as_of}", load)


def areas_inside(
    store: Store, level: str, parent_lsoas: set[str], as_of: AsOf = None
) -> dict[str, tuple[str, set[str]]]:
    """Areas of ``level`` whose LSOAs all lie inside the parent's LSOAs:
    {code: (name, LSOAs)}."""
    names = {a.code: a.name for a in areas_of_level(store, level, as_of)}
    inside = {}
    for code, lsoas in lsoas_in_each(store, list(names)).items():
        if lsoas and set(lsoas) <= parent_lsoas:
            inside[code] = (names[code], set(lsoas))
    return inside


def codes_within(store: Store, code: str) -> list[str]:
    """Every code a record in ``code`` may carry: the area itself, the areas
    it is made of, their wards and their LSOAs (a survey response or an
    offender is placed at any level)."""
    found = set(area_codes(store, code)) | set(lsoas_in(store, code)) | {code}
    if "geography" in store.tables():
        index = store.cached("codes_by_parent", lambda: _codes_by_parent(store))
        found |= set().union(*(index.get(each, set()) for each in found))
    return sorted(found)


WARDS = "level = 'ward'"


@dataclass(frozen=True)
class PostcodePlace:
    """Where a postcode lies: its LSOA and the ward that LSOA is in."""

    postcode: str
    lsoa: str
    ward: Area | None
    terminated: bool


def postcode_place(store: Store, typed: str) -> PostcodePlace | None:
    """The place of a postcode typed any way ("b29 6aa"), from the postcode
    directory loaded (the ``postcodes`` table); None if it is not there or
    is not a postcode."""
    postcode = normalise_postcode(typed)
    if postcode is None or "postcodes" not in store.tables():
        return None
    rows = store.query(
        "SELECT area_code, terminated FROM postcodes WHERE postcode = ? "
        "ORDER BY vintage DESC NULLS LAST, terminated LIMIT 1",
        [postcode],
    ).to_pylist()
    if not rows:
        return None
    lsoa = str(rows[0]["area_code"])
    wards = store.query(
        "SELECT w.code, w.name FROM geography l, unnest(l.parents) AS p(code) "
        f"JOIN {named_areas(WARDS)} w ON w.code = p.code "
        "WHERE l.code = ? ORDER BY w.vintage DESC NULLS LAST LIMIT 1",
        [lsoa],
    ).to_pylist()
    ward = (
        Area(str(wards[0]["code"]), str(wards[0]["name"] or wards[0]["code"]), "ward")
        if wards
        else None
    )
    return PostcodePlace(postcode, lsoa, ward, bool(rows[0]["terminated"]))


def example_postcode(store: Store) -> str | None:
    """A postcode from the directory loaded, to show residents the form."""
    if "postcodes" not in store.tables():
        return None

    def first() -> str | None:
        rows = store.query(
            "SELECT min(postcode) AS postcode FROM postcodes WHERE NOT terminated"
        ).to_pylist()
        return rows[0]["postcode"] if rows else None

    return store.cached("example_postcode", first)
