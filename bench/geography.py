"""Benchmark: loading a national-size ONS LSOA (2011) to LSOA (2021) lookup.

Writes a SYNTHETIC lookup in ONS's layout (``LSOA11CD,LSOA11NM,LSOA21CD,
LSOA21NM,CHGIND,LAD22CD,LAD22NM,LAD22NMW,ObjectId``) to a temporary folder:
about 35,000 2011 LSOAs becoming about 35,700 2021 LSOAs (most unchanged,
some split, merged or redrawn, as in England and Wales), then times its
load through the ordinary geography loader into a fresh store, cold (the
first load of the process) and warm (again, into another fresh store),
each followed by the first read of the changes counting uses
(``lsoa_changes``). The baseline is DuckDB's ``read_csv`` of the same file.
Goal: under 10 seconds (issue 29).

    python bench/geography.py [--lsoas N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import duckdb

from saferplaces.analytics.geography import lsoa_changes
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source

GOAL_SECONDS = 10.0
HEADER = [
    "LSOA11CD", "LSOA11NM", "LSOA21CD", "LSOA21NM", "CHGIND",
    "LAD22CD", "LAD22NM", "LAD22NMW", "ObjectId",
]  # fmt: skip
# Of every 100 2011 LSOAs: 4 split in two, 2 merge in pairs, 1 redrawn.
SPLIT, MERGED, REDRAWN = range(4), range(4, 6), range(6, 7)


def write_lookup(path: Path, lsoas: int) -> int:
    """The synthetic lookup; returns its number of rows."""
    rows = 0
    fresh = iter(range(40_000_000, 50_000_000))
    merged_into = ""
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n in range(lsoas):
            old = f"E01{n:06d}"
            council = f"E06{n // 110:06d}"
            kind = n % 100
            if kind in SPLIT:
                pairs = [(f"E{next(fresh):08d}", "S"), (f"E{next(fresh):08d}", "S")]
            elif kind in MERGED:
                if kind == MERGED[0]:
                    merged_into = f"E{next(fresh):08d}"
                pairs = [(merged_into, "M")]
            elif kind in REDRAWN:
                pairs = [(f"E{next(fresh):08d}", "X")]
            else:
                pairs = [(old, "U")]
            for new, change in pairs:
                rows += 1
                out.writerow(
                    [old, f"Place {n}", new, f"Place {new}", change, council,
                     f"Council {n // 110}", "", rows]
                )  # fmt: skip
    return rows


def timed_load(folder: Path, lookup: Path) -> float:
    store = Store(folder)
    start = time.perf_counter()
    run_load(store, get_source("geography"), [lookup])
    lsoa_changes(store)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lsoas", type=int, default=34_753)
    parser.add_argument("--keep", type=Path, help="write here instead of a temp dir")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-geography-"))
    folder.mkdir(parents=True, exist_ok=True)
    lookup = folder / "LSOA11_LSOA21_LAD22_EW_LU.csv"
    rows = write_lookup(lookup, args.lsoas)
    [new] = duckdb.sql(f"SELECT count(DISTINCT LSOA21CD) FROM '{lookup}'").fetchall()
    print(f"lookup: {rows:,} rows, {args.lsoas:,} LSOA11 -> {new[0]:,} LSOA21")
    cold = timed_load(folder / "cold", lookup)
    warm = timed_load(folder / "warm", lookup)
    start = time.perf_counter()
    duckdb.read_csv(str(lookup)).to_arrow_table()
    baseline = time.perf_counter() - start
    print(f"{'':24}{'seconds':>10}{'x duckdb':>10}")
    for label, seconds in (("saferplaces cold", cold), ("saferplaces warm", warm)):
        print(f"{label:24}{seconds:>10.2f}{seconds / baseline:>10.0f}")
    print(f"{'duckdb read_csv':24}{baseline:>10.3f}{1:>10}")
    verdict = "met" if max(cold, warm) < GOAL_SECONDS else "NOT met"
    print(f"goal: under {GOAL_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
