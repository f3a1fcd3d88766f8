"""Benchmark: a SYNTHETIC store the size of England and Wales, on one machine.

Builds once (kept under --keep for reuse) a SYNTHETIC national store:

  * geography shaped like the 2021 one: 35,672 LSOAs (1,917 of them Welsh),
    7,135 wards, 331 local authorities (22 Welsh), 43 police forces, nine
    English regions and Wales, and one area holding them all;
  * mid-year population for every LSOA and year;
  * ten years (2015 to 2024) of police.uk street-level crime and ASB at
    about 6.5 million rows a year (times --fraction), written as police.uk
    writes it (one file per force and month) and loaded a year at a time
    through ``saferplaces ingest police-uk-street``.

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
    under 2 s).

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
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import timed as timed_process
from measures import p95, timed

ROWS_A_YEAR = 6_500_000
YEARS = range(2015, 2025)
LSOAS, WELSH_LSOAS = 35_672, 1_917
WARDS, LAS, WELSH_LAS, FORCES = 7_135, 331, 22, 43
NATION = "SYN-EW"
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
    print(f"\nstore: {folder} ({rows.as_py():,} street-level rows)")

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


if __name__ == "__main__":
    main()
