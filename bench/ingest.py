"""Benchmark: police.uk street-crime ingest against two no-validation baselines.

Generates a synthetic street-crime CSV (default 2,000,000 rows: ~20% ASB with
no Crime ID, ~1% without coordinates, 14 crime types, 3,000 LSOAs, 12 months)
and times, in the same run and each in its own process:

  (a) saferplaces' loader: full validation, typed canonical columns, month
      partitions, a Delta commit with the load record, a rejects file;
      also the whole ``saferplaces ingest`` command (Django start-up included);
  (b) pandas ``read_csv`` + ``to_parquet`` (no validation);
  (c) DuckDB ``COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet)``.

Peak memory is each process's maximum resident set size (``wait4`` rusage).

The rows come month by month, as a year of police.uk's monthly files joined
end to end would; ``--shuffle-months`` interleaves the months on every row
instead (the loader's worst case: each batch is split 12 ways).

    python bench/ingest.py [--rows N] [--keep DIR] [--shuffle-months]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CRIME_TYPES = [
    ("Anti-social behaviour", 20),
    ("Violence and sexual offences", 30),
    ("Other theft", 8),
    ("Vehicle crime", 7),
    ("Criminal damage and arson", 7),
    ("Burglary", 6),
    ("Shoplifting", 6),
    ("Public order", 6),
    ("Drugs", 3),
    ("Other crime", 2),
    ("Theft from the person", 2),
    ("Robbery", 1),
    ("Bicycle theft", 1),
    ("Possession of weapons", 1),
]
OUTCOMES = [
    "Under investigation",
    "Unable to prosecute suspect",
    "Investigation complete; no suspect identified",
    "Awaiting court outcome",
]
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context\n"
)


def generate(path: Path, rows: int, shuffle_months: bool, seed: int = 20261125) -> None:
    rng = random.Random(seed)
    types = [name for name, weight in CRIME_TYPES for _ in range(weight)]
    lsoas = [
        (f"E0100{n:04d}", f"Birmingham {n // 5:03d}{'ABCDE'[n % 5]}")
        for n in range(3000)
    ]
    names = ("Bristol", "Pershore", "Oak Tree", "Harborne", "Raddlebarn", "Hagley")
    streets = [f"On or near {n} {k}" for n in names for k in ("Road", "Lane", "Street")]
    force = "West Midlands Police,West Midlands Police"
    with open(path, "w") as out:
        out.write(HEADER)
        for n in range(rows):
            crime_type = rng.choice(types)
            month_number = rng.randint(1, 12) if shuffle_months else 1 + n * 12 // rows
            month = f"2024-{month_number:02d}"
            asb = crime_type == "Anti-social behaviour"
            crime_id = (
                "" if asb else hashlib.sha256(n.to_bytes(8, "little")).hexdigest()
            )
            outcome = "" if asb else rng.choice(OUTCOMES)
            if rng.random() < 0.01:
                place = ",,No Location,,"
                out.write(
                    f"{crime_id},{month},{force},{place},{crime_type},{outcome},\n"
                )
                continue
            code, name = rng.choice(lsoas)
            lon = -1.9 + rng.uniform(-0.15, 0.15)
            lat = 52.45 + rng.uniform(-0.1, 0.1)
            out.write(
                f"{crime_id},{month},{force},{lon:.6f},{lat:.6f},{rng.choice(streets)},"
                f"{code},{name},{crime_type},{outcome},\n"
            )


LOADER = """
import sys
from pathlib import Path
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
street = get_source("police-uk-street")
report = run_load(Store(sys.argv[1]), street, [Path(sys.argv[2])])
assert report.accepted + report.rejected == int(sys.argv[3]), report
"""
PANDAS = """
import sys
import pandas as pd
pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False).to_parquet(sys.argv[2])
"""
DUCKDB = """
import sys
import duckdb
source, target = sys.argv[1], sys.argv[2]
duckdb.sql(f"COPY (SELECT * FROM read_csv('{source}')) TO '{target}' (FORMAT parquet)")
"""


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {args[:3]}")
    return elapsed, usage.ru_maxrss / 1024


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each; best kept")
    parser.add_argument("--keep", type=Path, help="folder to keep the files in")
    parser.add_argument(
        "--shuffle-months", action="store_true", help="interleave months row by row"
    )
    options = parser.parse_args()

    work = options.keep or Path(tempfile.mkdtemp(prefix="saferplaces-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    order = "shuffled" if options.shuffle_months else "monthly"
    csv_path = work / f"2024-{order}-{options.rows}-west-midlands-street.csv"
    if not csv_path.exists():
        print(f"generating {options.rows:,} rows ...", flush=True)
        generate(csv_path, options.rows, options.shuffle_months)
    size = csv_path.stat().st_size / 2**20
    print(f"input: {csv_path} ({size:,.0f} MiB, {options.rows:,} rows, {order})")

    python = sys.executable
    results: dict[str, tuple[float, float]] = {}

    def best(name: str, make_args, env_for=None) -> None:
        runs = []
        for attempt in range(options.repeat):
            target = work / f"{name.split()[0]}-{attempt}"
            _remove(target)
            env = env_for(target) if env_for else None
            runs.append(timed(make_args(target), env))
            _remove(target)
        results[name] = min(runs)

    best(
        "saferplaces loader",
        lambda t: [python, "-c", LOADER, str(t), str(csv_path), str(options.rows)],
    )
    cli = shutil.which("saferplaces") or str(Path(python).parent / "saferplaces")
    command = [cli, "ingest", "police-uk-street", str(csv_path), "--quiet"]
    best(
        "saferplaces ingest (CLI)",
        lambda t: command,
        # A fresh data folder each run: a second load of the file is skipped.
        env_for=lambda t: {**os.environ, "SAFERPLACES_DATA_DIR": str(t)},
    )
    best(
        "pandas read_csv+to_parquet",
        lambda t: [python, "-c", PANDAS, str(csv_path), str(t)],
    )
    best(
        "duckdb COPY to parquet",
        lambda t: [python, "-c", DUCKDB, str(csv_path), str(t)],
    )

    baseline = min(
        results["pandas read_csv+to_parquet"][0], results["duckdb COPY to parquet"][0]
    )
    print(f"\n{'step':<30} {'seconds':>8} {'peak MiB':>9} {'x fastest baseline':>19}")
    for name, (seconds, peak) in results.items():
        print(f"{name:<30} {seconds:>8.2f} {peak:>9.0f} {seconds / baseline:>19.2f}")
    print("\ngoal: loader within 1.5x of the fastest baseline and under 1024 MiB")
    if not options.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
