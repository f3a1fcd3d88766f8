"""A hand-made hot spot on a ward boundary, for problem-solving assessments
(issue 26, fault 7): a store with the invented Anytown geography (North
district = Oak Ward + Elm Ward) and street crime placed in 250 m cells.

The target is one cell in Oak Ward. Its ring of eight cells crosses into
Elm Ward: the cell west of it is in Oak, the cell east of it in Elm. Two
cells far away (eight cells off) hold the rest of the district's crime.

                      before (January)  after (June)
    target cell, Oak        20              10
    ring west, Oak          10               8
    ring east, Elm          10               4
    far north-east, Oak     30              30
    far south-west, Elm     30              30
    district in all        100              82
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyproj import Transformer

from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source

GEOGRAPHY = Path(__file__).resolve().parents[1] / "fixtures" / "geography"
DISTRICT = "ANY-NORTH"
OAK, ELM = "E05900001", "E05900002"
OAK_LSOAS = ("E01900001", "E01900002")
ELM_LSOA = "E01900003"
SIZE = 250
# South-west corner of the target cell, British National Grid metres (near
# the -1.9, 52.4 other fixtures use).
X, Y = 406750, 278000
TARGET_CELL = f"{X}-{Y}"
RESPONSE_STARTS = "2024-04"  # three months either side: Jan-Mar, Apr-Jun
MONTHS = 3

# (cells east, cells north of the target, LSOA, before, after)
PLACES = [
    (0, 0, OAK_LSOAS[0], 20, 10),
    (-1, 0, OAK_LSOAS[0], 10, 8),
    (1, 0, ELM_LSOA, 10, 4),
    (8, 8, OAK_LSOAS[1], 30, 30),
    (-8, -8, ELM_LSOA, 30, 30),
]
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
)


def build_store(folder: Path, more_geography: Sequence[Path] = ()) -> Store:
    """The store at ``folder``/store, with geography (and ``more_geography``,
    areas files of more areas) and street crime."""
    store = Store(folder / "store")
    run_load(
        store,
        get_source("geography"),
        [
            GEOGRAPHY / "lookup-lsoa11-wd19-lad19.csv",
            GEOGRAPHY / "partnership-areas.yaml",
            *more_geography,
        ],
    )
    to_degrees = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
    lines = []
    serial = 0
    for east, north, lsoa, before, after in PLACES:
        # Every incident at its cell's centre, well inside the cell.
        lon, lat = to_degrees.transform(
            X + (east + 0.5) * SIZE, Y + (north + 0.5) * SIZE
        )
        for month, count in (("2024-01", before), ("2024-06", after)):
            for _ in range(count):
                serial += 1
                lines.append(
                    f"{serial:064x},{month},WMP,WMP,{lon:.6f},{lat:.6f},Road,"
                    f"{lsoa},X,Burglary,,\n"
                )
    path = folder / "2024-hot-spot-street.csv"
    path.write_text(HEADER + "".join(lines))
    run_load(store, get_source("police-uk-street"), [path])
    return store
