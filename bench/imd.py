"""Benchmark: loading a national IMD file (goal: under 10 s), beside DuckDB.

Times ``saferplaces ingest imd`` on an England-wide file (33,755 LSOAs: the
IMD 2025 lookup, ranked and put in deciles on load) and, as the baseline,
DuckDB's ``read_csv`` of the same file into a table (no validation, no
ranking, no Delta commit):

* cold: each in a fresh process (imports and start-up included);
* warm: the same again in one process that has loaded once already.

Uses ``../shared/data/geography/imd_lookups.csv`` when it is there, else
generates a file in its layout (random scores, invented codes).

    python bench/imd.py [--file PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
REAL = SHARED / "geography" / "imd_lookups.csv"
ENGLISH_LSOAS = 33_755
GOAL_SECONDS = 10.0

LOAD = """
import sys, time
from pathlib import Path
started = time.perf_counter()
from saferplaces.analytics.store import Store
from saferplaces.ingest.loader import run_load
from saferplaces.ingest.sources import get_source
for folder in sys.argv[2:]:
    began = time.perf_counter()
    report = run_load(Store(Path(folder)), get_source("imd"), [Path(sys.argv[1])])
    assert report.rejected == 0, report.reject_reasons
    print(time.perf_counter() - began)
print(time.perf_counter() - started)
"""

BASELINE = """
import sys, time
started = time.perf_counter()
import duckdb
for _ in sys.argv[2:]:
    began = time.perf_counter()
    connection = duckdb.connect()
    connection.sql(f"CREATE TABLE imd AS SELECT * FROM read_csv('{sys.argv[1]}')")
    connection.close()
    print(time.perf_counter() - began)
print(time.perf_counter() - started)
"""


def generated(folder: Path) -> Path:
    path = folder / "imd-national.csv"
    rng = random.Random(29)
    lines = ["LSOA21CD,IMDSCORE,2024POP,MSOA21CD,WD25CD,PCON24CD,LA24CD,LA24NM"]
    for n in range(ENGLISH_LSOAS):
        score = round(rng.lognormvariate(2.8, 0.6), 3)
        lines.append(
            f"E01{n:06d},{score},{rng.randint(1000, 3000)},E02{n // 5:06d},"
            f"E05{n // 8:06d},E14{n // 60:06d},E06{n // 200:06d},Place {n // 200}"
        )
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def timed(script: str, csv: Path, folders: list[str]) -> tuple[list[float], float]:
    """Each load's seconds and the whole process's (start-up included)."""
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", script, str(csv), *folders],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    process = time.perf_counter() - started
    return [float(value) for value in output[:-1]], process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="warm loads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        csv = args.file or (REAL if REAL.exists() else generated(folder))
        stores = [str(folder / f"store-{n}") for n in range(1 + args.repeat)]
        loads, process = timed(LOAD, csv, stores)
        bases, base_process = timed(BASELINE, csv, stores)
    cold, warm = loads[0], min(loads[1:])
    base_cold, base_warm = bases[0], min(bases[1:])
    print(f"file: {csv} ({csv.stat().st_size if csv.exists() else 0:,} bytes)")
    print(f"{'':28}{'saferplaces':>12}{'duckdb':>10}{'ratio':>8}")
    for label, ours, theirs in (
        ("cold process (start-up+1)", process - sum(loads[1:]),
         base_process - sum(bases[1:])),
        ("cold load", cold, base_cold),
        (f"warm load (best of {args.repeat})", warm, base_warm),
    ):  # fmt: skip
        print(f"{label:28}{ours:>11.2f}s{theirs:>9.2f}s{ours / theirs:>7.1f}x")
    verdict = "meets" if process - sum(loads[1:]) < GOAL_SECONDS else "MISSES"
    print(f"goal: a cold load under {GOAL_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
