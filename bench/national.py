"""Benchmark: a SYNTHETIC store the size of England and Wales, on one machine.

Builds once (kept under --keep for reuse) a SYNTHETIC national store:

  * geography shaped like the 2021 one: 35,672 LSOAs (1,917 of them Welsh),
    7,135 wards, 331 local authorities (22 Welsh), 43 police forces, nine
    English regions and Wales, and one area holding them all;
  * mid-year population for every LSOA and year;
  * ten years (2015 to 2024) of police.uk street-level crime and ASB at
    about 6.5 million rows a year (times --fraction), written as police.uk
    writes it (one file per force and month) and loaded a year at a time
    through ``saferplaces ingest police-uk-street``;
  * one force's local crime extract (Home Office offence codes, domestic
    abuse and hate flags, victim demographics and pseudonyms) for the same
    ten years, about that force's share of the crime, loaded a year at a
    time through ``saferplaces ingest local-crimes``.

Generation streams one month at a time, so memory stays near one month's
rows whatever the size. Then it prints:

  * each year's load: wall time and peak memory of ``saferplaces ingest``,
    and for the first year DuckDB's plain CSV-to-Parquet copy of the same
    files (the goal: within 1.5x of it, under 2 GiB);
  * total recorded crime, monthly with SPC, for one area at each level
    (LSOA, ward, local authority, force, region, England and Wales), warm,
    p50 and p95 over --runs, beside plain DuckDB SQL over the same Parquet
    files (goals: p95 under 1 s; under 150 ms for LSOAs and wards);
  * every ward of England and Wales ranked on crimes per 1,000 residents
    with intervals for one financial year, beside plain DuckDB SQL (goal:
    under 2 s);
  * every registered measure the store has data for, monthly with SPC, for
    a ward of the extract's force and for the force (goals: p95 under
    150 ms and 1 s).

Run it at --fraction 0.1, 0.33 and 1 to see what grows with size.

    python bench/national.py [--fraction F] [--keep DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import timed as timed_process
from measures import p95, timed

from saferplaces.demo.crimes import AGE_BANDS, ETHNICITIES, HOME_OFFICE

if TYPE_CHECKING:
    from saferplaces.analytics.store import Store

ROWS_A_YEAR = 6_500_000
YEARS = range(2015, 2025)
LSOAS, WELSH_LSOAS = 35_672, 1_917
WARDS, LAS, WELSH_LAS, FORCES = 7_135, 331, 22, 43
NATION = "SYN-EW"
LOCAL_FORCE = 0  # the force whose local crime extract the store also holds
# police.uk's crime types with their rough shares (ASB about a quarter).
CRIME_TYPES = [
    ("Anti-social behaviour", 24), ("Violence and sexual offences", 30),
    ("Public order", 8), ("Criminal damage and arson", 7), ("Shoplifting", 6),
    ("Other theft", 6), ("Vehicle crime", 5), ("Burglary", 4), ("Drugs", 2),
    ("Theft from the person", 1), ("Bicycle theft", 1), ("Robbery", 1),
    ("Possession of weapons", 1), ("Other crime", 4),
]  # fmt: skip
STREET_HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude",
    "Location", "LSOA code", "LSOA name", "Crime type", "Last outcome category",
    "Context",
]  # fmt: skip


class Geography:
    """Codes of the synthetic nation: LSOA i is in ward i * WARDS // LSOAS, a
    ward in its local authority, an authority in its force and region."""

    def __init__(self) -> None:
        lsoa = np.arange(LSOAS)
        self.lsoa_ward = lsoa * WARDS // LSOAS
        self.ward_la = np.arange(WARDS) * LAS // WARDS
        la = np.arange(LAS)
        self.la_force = la * FORCES // LAS
        welsh = la >= LAS - WELSH_LAS
        self.la_region = np.where(welsh, 9, la * 9 // (LAS - WELSH_LAS))
        self.lsoa_welsh = welsh[self.ward_la[self.lsoa_ward]]
        self.lsoa_codes = np.array([
            f"{'W' if w else 'E'}01{n:06d}" for n, w in enumerate(self.lsoa_welsh)
        ])  # fmt: skip
        self.lsoa_force = self.la_force[self.ward_la[self.lsoa_ward]]

    def ward(self, n: int) -> str:
        return f"{'W' if self.ward_la[n] >= LAS - WELSH_LAS else 'E'}05{n:06d}"

    def la(self, n: int) -> str:
        return f"W06{n:06d}" if n >= LAS - WELSH_LAS else f"E08{n:06d}"

    @staticmethod
    def region(n: int) -> str:
        return "W92000004" if n == 9 else f"E1200000{n + 1}"

    @staticmethod
    def force(n: int) -> str:
        return f"SYN-F{n:02d}"

    def write(self, folder: Path) -> list[Path]:
        lookup = folder / "lookup.csv"
        with open(lookup, "w") as out:
            out.write(
                "LSOA21CD,LSOA21NM,WD22CD,WD22NM,LAD22CD,LAD22NM,RGN22CD,RGN22NM\n"
            )
            for n, code in enumerate(self.lsoa_codes):
                w = int(self.lsoa_ward[n])
                la = int(self.ward_la[w])
                r = int(self.la_region[la])
                out.write(f"{code},LSOA {n},{self.ward(w)},Ward {w},{self.la(la)},"
                          f"Authority {la},{self.region(r)},Region {r}\n")  # fmt: skip
        areas = [
            {"code": self.force(f), "name": f"Force {f}", "level": "force",
             "contains": [self.la(la) for la in range(LAS) if self.la_force[la] == f]}
            for f in range(FORCES)
        ] + [{"code": NATION, "name": "England and Wales (synthetic)",
              "level": "nation",
              "contains": [self.region(r) for r in range(10)]}]  # fmt: skip
        (folder / "areas.yaml").write_text(yaml.safe_dump({"areas": areas}))
        population = folder / "population.csv"
        rng = np.random.default_rng(21)
        people = rng.integers(1_000, 3_000, LSOAS)
        with open(population, "w") as out:
            out.write("area_code,year,age_band,sex,population\n")
            for year in YEARS:
                for code, n in zip(self.lsoa_codes, people, strict=True):
                    out.write(f"{code},{year},all,all,{n}\n")
        return [lookup, folder / "areas.yaml", population]


def write_month(geo: Geography, folder: Path, month: str, rows: int, seed: int) -> None:
    """One month of police.uk street files, one per force."""
    rng = np.random.default_rng(seed)
    names, weights = zip(*CRIME_TYPES, strict=True)
    shares = np.array(weights, float) / sum(weights)
    crime_type = np.array(names)[rng.choice(len(names), rows, p=shares)]
    where = rng.integers(0, LSOAS, rows)
    lsoa = geo.lsoa_codes[where]
    force = geo.lsoa_force[where]
    asb = crime_type == "Anti-social behaviour"
    ids = np.where(asb, "", np.char.mod("%064x", rng.integers(0, 2**62, rows)))
    table = pa.table({
        "Crime ID": ids, "Month": np.full(rows, month),
        "Reported by": np.char.add("Force ", force.astype(str)),
        "Falls within": np.char.add("Force ", force.astype(str)),
        "Longitude": np.full(rows, "-1.9"), "Latitude": np.full(rows, "52.4"),
        "Location": np.full(rows, "On or near Synthetic Street"),
        "LSOA code": lsoa, "LSOA name": lsoa, "Crime type": crime_type,
        "Last outcome category": np.full(rows, ""), "Context": np.full(rows, ""),
    })  # fmt: skip
    assert table.column_names == STREET_HEADER
    order = np.argsort(force, kind="stable")
    table, force = table.take(order), force[order]
    starts = np.searchsorted(force, np.arange(FORCES + 1))
    # As police.uk writes them: no quotes (its values hold no commas).
    options = pacsv.WriteOptions(quoting_style="none", quoting_header="none")
    for f in range(FORCES):
        part = table.slice(starts[f], starts[f + 1] - starts[f])
        path = folder / f"{month}-synthetic-force-{f:02d}-street.csv"
        pacsv.write_csv(part, path, options)


def write_local_year(geo: Geography, folder: Path, year: int, rows: int) -> Path:
    """A year of the local force's crime extract (docs/data/local-crime-
    extract.md): force LOCAL_FORCE's recorded crimes with Home Office codes,
    domestic abuse and hate flags, victim demographics and pseudonyms."""
    rng = np.random.default_rng(year)
    lsoas = geo.lsoa_codes[geo.lsoa_force == LOCAL_FORCE]
    types = [(name, share) for name, share in CRIME_TYPES if name in HOME_OFFICE]
    names, weights = zip(*types, strict=True)
    shares = np.array(weights, float) / sum(weights)
    picked = rng.choice(len(names), rows, p=shares)
    code, group, subgroup = (np.empty(rows, object) for _ in range(3))
    for n, name in enumerate(names):
        here = np.flatnonzero(picked == n)
        choices = HOME_OFFICE[name]
        which = rng.integers(0, len(choices), len(here))
        parts = zip(*choices, strict=True)
        for column, part in zip((code, group, subgroup), parts, strict=True):
            column[here] = np.array(part, object)[which]
    violent = group == "Violence against the person"
    domestic = violent & (rng.random(rows) < 0.3)
    hate = np.isin(
        picked,
        [names.index("Violence and sexual offences"), names.index("Public order")],
    ) & (rng.random(rows) < 0.03)
    # About 30% of domestic abuse victims come back: pseudonyms drawn with
    # replacement from a smaller pool repeat.
    serial = np.arange(rows) + year * 10_000_000
    pool = rng.integers(0, max(1, int(domestic.sum() * 0.8)), rows) + year * 10_000_000
    victim = np.char.add("syn-victim-", np.where(domestic, pool, serial).astype(str))
    month = rng.integers(1, 13, rows)
    qualifier = np.array(["", "youth", "business", "cannabis_cultivation"])[
        rng.choice(4, rows, p=[0.9, 0.05, 0.04, 0.01])
    ]
    table = pa.table({
        "crime_reference": np.char.add(f"SYN/{year}/", np.arange(rows).astype(str)),
        "recorded_date": [f"{year}-{m:02d}-{d:02d}" for m, d in
                          zip(month, rng.integers(1, 29, rows), strict=True)],
        "force": np.full(rows, f"Force {LOCAL_FORCE}"),
        "offence_code": code.astype(str), "ho_group": group.astype(str),
        "ho_subgroup": subgroup.astype(str),
        "lsoa_code": lsoas[rng.integers(0, len(lsoas), rows)],
        "location": np.full(rows, "On or near Synthetic Street"),
        "domestic_abuse": np.where(domestic, "Y", "N"),
        "hate_crime": np.where(hate, "Y", "N"),
        "hate_strands": np.where(hate, "race", ""),
        "victim_age_band": np.array(AGE_BANDS)[rng.integers(0, len(AGE_BANDS), rows)],
        "victim_sex": np.where(rng.random(rows) < np.where(domestic, 0.8, 0.45),
                               "female", "male"),
        "victim_ethnicity": np.array(ETHNICITIES)[
            rng.integers(0, len(ETHNICITIES), rows)],
        "victim_id": victim, "qualifiers": qualifier,
    })  # fmt: skip
    path = folder / f"local-crimes-{year}.csv"
    pacsv.write_csv(table, path)
    return path


def build_local(folder: Path, fraction: float) -> list[tuple[int, float, float, int]]:
    """The local force's extract, loaded a year at a time through the
    command: about its share of the nation's crime (ASB is not in it)."""
    saferplaces = str(Path(sys.executable).parent / "saferplaces")
    env = {**os.environ, "SAFERPLACES_DATA_DIR": str(folder / "data")}
    geo = Geography()
    share = (geo.lsoa_force == LOCAL_FORCE).mean() * (1 - CRIME_TYPES[0][1] / 100)
    rows = round(ROWS_A_YEAR * fraction * share)
    files = folder / "local"
    files.mkdir(exist_ok=True)
    loads = []
    for year in YEARS:
        path = write_local_year(geo, files, year, rows)
        seconds, peak = timed_process(
            [saferplaces, "ingest", "local-crimes", "--quiet", str(path)], env
        )
        path.unlink()
        loads.append((year, seconds, peak, rows))
    seconds = statistics.median(s for _, s, _, _ in loads)
    peak = max(p for _, _, p, _ in loads)
    print(f"  local extract of {geo.force(LOCAL_FORCE)}: {rows:,} rows a year, "
          f"each year loaded in {seconds:.1f} s (median), peak {peak:.0f} MiB",
          flush=True)  # fmt: skip
    return loads


def build(folder: Path, fraction: float) -> list[tuple[int, float, float, int]]:
    """Geography, population and every year's crime, loaded through the
    command; each year's (year, seconds, peak MiB, rows)."""
    saferplaces = str(Path(sys.executable).parent / "saferplaces")
    env = {**os.environ, "SAFERPLACES_DATA_DIR": str(folder / "data")}
    geo = Geography()
    reference = folder / "reference"
    reference.mkdir(parents=True, exist_ok=True)
    lookup, areas, population = geo.write(reference)
    for source, paths in (("geography", [lookup, areas]), ("population", [population])):
        subprocess.run([saferplaces, "ingest", source, "--quiet", *map(str, paths)],
                       env=env, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    loads = []
    per_month = round(ROWS_A_YEAR * fraction / 12)
    for year in YEARS:
        files = folder / f"street-{year}"
        files.mkdir(exist_ok=True)
        for month in range(1, 13):
            write_month(
                geo, files, f"{year}-{month:02d}", per_month, year * 100 + month
            )
        seconds, peak = timed_process(
            [saferplaces, "ingest", "police-uk-street", "--quiet", str(files)], env
        )
        loads.append((year, seconds, peak, per_month * 12))
        print(f"  {year}: {per_month * 12:,} rows loaded in {seconds:.1f} s, "
              f"peak {peak:.0f} MiB", flush=True)  # fmt: skip
        if year != YEARS[0]:
            shutil.rmtree(files)  # the first year is kept for the DuckDB copy
    return loads


def duckdb_copy(folder: Path) -> tuple[float, float]:
    """DuckDB's plain CSV-to-Parquet copy of the first year, in a process of
    its own (as the load ran)."""
    target = folder / "duckdb-copy.parquet"
    files = folder / f"street-{YEARS[0]}" / "*.csv"
    code = (
        "import duckdb; duckdb.sql('SET enable_progress_bar = false'); "
        'duckdb.sql("COPY (SELECT * FROM read_csv('
        f"'{files}', union_by_name=true)) TO '{target}' (FORMAT parquet)\")"
    )
    result = timed_process([sys.executable, "-c", code])
    target.unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--keep", type=Path)
    options = parser.parse_args()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="saferplaces-national-"))
    os.environ["SAFERPLACES_DATA_DIR"] = str(folder / "data")
    from saferplaces.analytics import results
    from saferplaces.analytics.store import Store

    store = Store(folder / "data" / "store")
    if "street_crime" not in store.tables():
        print(f"building the SYNTHETIC national store at {options.fraction:g} of "
              f"full size in {folder} ...", flush=True)  # fmt: skip
        started = time.perf_counter()
        loads = build(folder, options.fraction)
        print(f"built in {time.perf_counter() - started:.0f} s")
        copy_seconds, copy_peak = duckdb_copy(folder)
        _year, seconds, peak, rows = loads[0]
        print(f"\n{'load of one year':<34} {'rows':>11} {'s':>7} {'peak MiB':>9}")
        print(f"{'saferplaces ingest':<34} {rows:>11,} {seconds:>7.1f} {peak:>9.0f}")
        print(f"{'DuckDB CSV-to-Parquet copy':<34} {rows:>11,} {copy_seconds:>7.1f} "
              f"{copy_peak:>9.0f}")  # fmt: skip
        print(
            f"ratio (goal: within 1.5x, under 2,048 MiB): {seconds / copy_seconds:.2f}"
        )
    rows = store.query("SELECT count(*) AS n FROM street_crime").column("n")[0]
    if "local_crimes" not in store.tables():  # a store kept from before it
        build_local(folder, rows.as_py() / (ROWS_A_YEAR * len(YEARS)))
    local = store.query("SELECT count(*) AS n FROM local_crimes").column("n")[0]
    print(f"\nstore: {folder} ({rows.as_py():,} street-level rows, "
          f"{local.as_py():,} in the local extract)")  # fmt: skip

    geo = Geography()
    files = store.file_uris("street_crime")
    baseline = duckdb.connect()
    baseline.read_parquet(files, hive_partitioning=True).create_view("crimes")
    lookup = pa.table({
        "lsoa_code": geo.lsoa_codes,
        "ward": [geo.ward(int(w)) for w in geo.lsoa_ward],
        "la": [geo.la(int(geo.ward_la[w])) for w in geo.lsoa_ward],
    })  # fmt: skip
    baseline.register("lookup", lookup)
    cases = {
        "lsoa": (geo.lsoa_codes[0], f"lsoa_code = '{geo.lsoa_codes[0]}'"),
        "ward": (geo.ward(0), f"ward = '{geo.ward(0)}'"),
        "local_authority": (geo.la(0), f"la = '{geo.la(0)}'"),
        "force": (geo.force(0), "la IN ({})".format(", ".join(
            f"'{geo.la(la)}'" for la in range(LAS) if geo.la_force[la] == 0))),
        "region": (geo.region(0), "la IN ({})".format(", ".join(
            f"'{geo.la(la)}'" for la in range(LAS) if geo.la_region[la] == 0))),
        "nation": (NATION, "TRUE"),
    }  # fmt: skip
    print(f"\n{'query':<40} {'p50 ms':>8} {'p95 ms':>8} {'DuckDB SQL p95':>15} "
          f"{'ratio':>7} {'goal ms':>8}")  # fmt: skip
    for level, (code, where) in cases.items():
        ours = timed(
            lambda code=code: results.series(store, "total-recorded-crime", code),
            options.runs,
        )
        sql = (
            "SELECT month, count(*) FROM crimes JOIN lookup USING (lsoa_code) "
            f"WHERE NOT is_asb AND {where} GROUP BY month ORDER BY month"
        )
        theirs = timed(lambda sql=sql: baseline.execute(sql).fetchall(), options.runs)
        goal = 150 if level in ("lsoa", "ward") else 1000
        print(f"{'monthly TRC + SPC, ' + level:<40} {statistics.median(ours):>8.1f} "
              f"{p95(ours):>8.1f} {p95(theirs):>15.1f} {p95(ours) / p95(theirs):>7.2f} "
              f"{goal:>8}")  # fmt: skip
    ours = timed(
        lambda: results.comparison(
            store, "total-recorded-crime-rate", "ward", NATION, "2023/24"
        ),
        max(3, options.runs // 3),
    )
    sql = (
        "SELECT ward, count(*) AS n FROM crimes JOIN lookup USING (lsoa_code) "
        "WHERE NOT is_asb AND month BETWEEN '2023-04' AND '2024-03' "
        "GROUP BY ward ORDER BY n"
    )
    theirs = timed(lambda: baseline.execute(sql).fetchall(), max(3, options.runs // 3))
    print(f"{'rank every ward on a rate, 2023/24':<40} {statistics.median(ours):>8.1f} "
          f"{p95(ours):>8.1f} {p95(theirs):>15.1f} {p95(ours) / p95(theirs):>7.2f} "
          f"{2000:>8}")  # fmt: skip
    every_measure(store, geo, options.runs)


def every_measure(store: Store, geo: Geography, runs: int) -> None:
    """Every registered measure with data, monthly with SPC, for a ward of
    the local force and for the force (goals: 150 ms and 1 s at p95)."""
    from saferplaces.analytics import results
    from saferplaces.analytics.measures.registry import REGISTRY

    ward = geo.ward(int(geo.lsoa_ward[np.argmax(geo.lsoa_force == LOCAL_FORCE)]))
    areas = {"ward": (ward, 150), "force": (geo.force(LOCAL_FORCE), 1000)}
    held = set(store.tables())
    print(f"\nevery measure with data, monthly with SPC, warm (ward {ward}, "
          f"force {geo.force(LOCAL_FORCE)})")  # fmt: skip
    print(f"{'measure':<40} {'ward cold':>10} {'ward p95':>9} {'force cold':>11} "
          f"{'force p95':>10} {'goal met':>9}")  # fmt: skip
    missing = []
    for measure_id, measure in REGISTRY.items():
        if not {measure.table, *measure.also_needs} <= held:
            missing.append(measure_id)
            continue
        figures = []
        for code, goal in areas.values():
            ask = partial(results.series, store, measure_id, code)
            started = time.perf_counter()
            ask()  # cold: the measure's first scan, which the goal is not about
            cold = (time.perf_counter() - started) * 1000
            figures.append((cold, p95(timed(ask, runs)), goal))
        met = all(ms < goal for _cold, ms, goal in figures)
        (ward_cold, ward_ms, _), (force_cold, force_ms, _) = figures
        print(f"{measure_id:<40} {ward_cold:>10.1f} {ward_ms:>9.1f} "
              f"{force_cold:>11.1f} {force_ms:>10.1f} "
              f"{'yes' if met else 'NO':>9}")  # fmt: skip
    print(f"no data in this store for {len(missing)}: {', '.join(missing)}")


if __name__ == "__main__":
    main()
