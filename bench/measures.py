"""Benchmark: measure queries on a force-sized store against pandas.

Builds a SYNTHETIC store once (default 3,000,000 crimes over ten years in
3,000 LSOAs, 300 wards, 30 districts, 5 policing units, one city) through the
ordinary loaders, then times, warm, over repeated runs:

  * the monthly total-recorded-crime series with SPC for one area at each
    level (LSOA, ward, district, policing unit, city);
  * the comparison of every ward in the city for one financial year;

and the same numbers computed with pandas from the same Parquet files
(loaded into memory once, not timed). Prints p50/p95 and the ratio.

Each query is timed twice through the one results path: as partners get it
(exact) and as the public gets it. Street crime is open data, published
exactly, so the public run uses a twin of the measure whose publication is
"perturbed": it times cell key perturbation on the same cells. The last
column is public p95 / partner p95 (goal: within 1.5).

    python bench/measures.py [--crimes N] [--keep DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml

from saferplaces.analytics import results
from saferplaces.analytics.measures import REGISTRY, measure_series
from saferplaces.analytics.measures.areas import compare_areas
from saferplaces.analytics.measures.registry import Publication
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.police_uk import CRIME_TYPES, STREET_COLUMNS
from saferplaces.ingest.sources import get_source

LSOAS, WARDS, DISTRICTS, UNITS = 3000, 300, 30, 5
CITY = "E08900099"


def lsoa(n: int) -> str:
    return f"E0199{n:04d}"


def ward(n: int) -> str:
    return f"E0599{n:04d}"


def build(folder: Path, crimes: int) -> Store:
    store = Store(folder / "store")
    if store.tables():
        return store
    folder.mkdir(parents=True, exist_ok=True)
    lookup = folder / "lookup.csv"
    with open(lookup, "w") as out:
        out.write("LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM\n")
        for n in range(LSOAS):
            w = n % WARDS
            out.write(f"{lsoa(n)},Bench {n:04d},{ward(w)},Ward {w},{CITY},Bench City\n")
    areas = [
        {
            "code": f"BENCH-D{d}",
            "name": f"District {d}",
            "level": "district",
            "contains": [ward(w) for w in range(WARDS) if w % DISTRICTS == d],
        }
        for d in range(DISTRICTS)
    ] + [
        {
            "code": f"BENCH-PU{u}",
            "name": f"Unit {u}",
            "level": "policing_unit",
            "contains": [f"BENCH-D{d}" for d in range(DISTRICTS) if d % UNITS == u],
        }
        for u in range(UNITS)
    ]
    (folder / "areas.yaml").write_text(yaml.safe_dump({"areas": areas}))
    run_load(store, get_source("geography"), [lookup, folder / "areas.yaml"])

    rng = np.random.default_rng(7)
    months = np.array([f"{2015 + m // 12}-{m % 12 + 1:02d}" for m in range(120)])
    types = np.array(CRIME_TYPES)
    month = months[rng.integers(0, 120, crimes)]
    crime_type = types[rng.integers(0, len(types), crimes)]
    area = np.array([lsoa(n) for n in range(LSOAS)])[rng.integers(0, LSOAS, crimes)]
    asb = crime_type == "Anti-social behaviour"
    ids = np.char.mod("%064x", np.arange(crimes))
    table = pa.table(
        {
            "Crime ID": np.where(asb, "", ids),
            "Month": month,
            "Reported by": np.full(crimes, "Bench Police"),
            "Falls within": np.full(crimes, "Bench Police"),
            "Longitude": np.full(crimes, "-1.9"),
            "Latitude": np.full(crimes, "52.4"),
            "Location": np.full(crimes, "On or near Bench Road"),
            "LSOA code": area,
            "LSOA name": area,
            "Crime type": crime_type,
            "Last outcome category": np.full(crimes, ""),
            "Context": np.full(crimes, ""),
        }
    )
    assert table.column_names == STREET_COLUMNS
    path = folder / "bench-street.csv"
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="none"))
    # Keyed like a local extract, so the perturbed twin below has cell keys
    # (police.uk data itself is open and needs none).
    keyed = dataclasses.replace(get_source("police-uk-street"), record_id=("crime_id",))
    run_load(store, keyed, [path])
    path.unlink()
    return store


def timed(work, runs: int) -> list[float]:
    work()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crimes", type=int, default=3_000_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", type=Path)
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="saferplaces-bench-"))
    started = time.perf_counter()
    store = build(folder, options.crimes)
    print(f"store: {folder} (built in {time.perf_counter() - started:.0f} s)")

    import pandas as pd

    crimes = pd.read_parquet(
        store.file_uris("street_crime"), columns=["lsoa_code", "is_asb"]
    )
    crimes["month"] = (
        store.query("SELECT month FROM street_crime").column("month").to_pandas()
    )
    crimes = crimes[~crimes["is_asb"]]
    members = {
        "lsoa": [lsoa(0)],
        "ward": [lsoa(n) for n in range(0, LSOAS, WARDS)],
        "district": [lsoa(n) for n in range(LSOAS) if (n % WARDS) % DISTRICTS == 0],
        "policing_unit": [
            lsoa(n) for n in range(LSOAS) if (n % WARDS) % DISTRICTS % UNITS == 0
        ],
        "city": [lsoa(n) for n in range(LSOAS)],
    }
    codes = {
        "lsoa": lsoa(0),
        "ward": ward(0),
        "district": "BENCH-D0",
        "policing_unit": "BENCH-PU0",
        "city": CITY,
    }
    # The perturbed twin (see the module docstring).
    twin = "bench-total-recorded-crime-perturbed"
    REGISTRY[twin] = dataclasses.replace(
        REGISTRY["total-recorded-crime"], id=twin, publication=Publication("perturbed")
    )
    print(
        f"\n{'query':<34} {'p50 ms':>8} {'p95 ms':>8} {'pandas p95':>11} "
        f"{'ratio':>7} {'public p95':>11} {'public/partner':>15}"
    )
    for level, code in codes.items():
        ours = timed(
            lambda code=code: results.series(store, "total-recorded-crime", code),
            options.runs,
        )
        public = timed(
            lambda code=code: results.series(store, twin, code, audience="public"),
            options.runs,
        )
        lsoas = set(members[level])
        theirs = timed(
            lambda lsoas=lsoas: (
                crimes[crimes["lsoa_code"].isin(lsoas)].groupby("month").size()
            ),
            options.runs,
        )
        check = measure_series(store, "total-recorded-crime", code)
        counts = crimes[crimes["lsoa_code"].isin(lsoas)].groupby("month").size()
        assert [p.numerator for p in check] == [
            int(counts.get(p.period, 0)) for p in check
        ]
        print(
            f"{'monthly TRC + SPC, ' + level:<34} {statistics.median(ours):>8.1f} "
            f"{p95(ours):>8.1f} {p95(theirs):>11.1f} {p95(ours) / p95(theirs):>7.2f} "
            f"{p95(public):>11.1f} {p95(public) / p95(ours):>15.2f}"
        )
    # Ranking every ward on 2023/24 with the change from 2022/23. For pandas,
    # the ward and financial year of each row are worked out once, untimed.
    crimes["ward"] = crimes["lsoa_code"].map(
        {lsoa(n): ward(n % WARDS) for n in range(LSOAS)}
    )
    year = crimes["month"].str[:4].astype(int)
    crimes["fy"] = year - (crimes["month"].str[5:7].astype(int) < 4)

    def pandas_ranking() -> object:
        two = crimes[crimes["fy"].isin([2022, 2023])]
        table = two.groupby(["ward", "fy"]).size().unstack(fill_value=0)
        table["change"] = table[2023] / table[2022]
        return table.sort_values(2023)

    ours = timed(
        lambda: results.comparison(
            store, "total-recorded-crime", "ward", CITY, "2023/24"
        ),
        options.runs,
    )
    public = timed(
        lambda: results.comparison(
            store, twin, "ward", CITY, "2023/24", audience="public"
        ),
        options.runs,
    )
    theirs = timed(pandas_ranking, options.runs)
    ranking = pandas_ranking()
    ranked = compare_areas(store, "total-recorded-crime", "ward", CITY, "2023/24")
    assert {r.area_code: r.numerator for r in ranked} == {
        str(code): int(n)
        for code, n in ranking[2023].items()  # type: ignore[attr-defined]
    }
    print(
        f"{'compare all wards in the city':<34} {statistics.median(ours):>8.1f} "
        f"{p95(ours):>8.1f} {p95(theirs):>11.1f} {p95(ours) / p95(theirs):>7.2f} "
        f"{p95(public):>11.1f} {p95(public) / p95(ours):>15.2f}"
    )
    print("\ngoals: p95 under 100 ms warm per query; public within 1.5x of partner")


if __name__ == "__main__":
    main()
