"""Benchmark: the same measures on DuckDB and on Spark (local mode), side by side.

Runs on the SYNTHETIC 1/10 national store of bench/national.py (6.5 million
street-level rows over ten years, every LSOA, ward, force and region of
England and Wales), building it there when --store holds none. For each
engine it prints:

  * the cold start: the first monthly series of total recorded crime for
    England and Wales on a fresh store object, which scans every row into
    the LSOA-by-month counts (for Spark, after its session has started,
    timed apart);
  * warm monthly series with SPC for one LSOA, ward, force and the nation
    (p50 and p95 over --runs);
  * every ward of England and Wales ranked on crimes per 1,000 residents
    with intervals, for 2023/24;
  * a batch: the three street-level measures for every force, region and
    the nation by financial year, every breakdown, written as a Delta
    table (``saferplaces measure batch``);

and Spark's time over DuckDB's. Spark on two cores is slower than DuckDB
on data this size: each query costs it most of a second to plan and run.
The figures are the baseline a cluster user compares with.

    python bench/spark.py [--store DIR] [--runs N] [--cores N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measures import p95, timed
from national import NATION, Geography, build

STREET_MEASURES = ["total-recorded-crime", "total-recorded-crime-rate",
                   "anti-social-behaviour"]  # fmt: skip


def seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="bench/national.py's --keep folder")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cores", type=int, help="Spark's local cores (default all)")
    options = parser.parse_args()
    folder = options.store or Path(tempfile.mkdtemp(prefix="saferplaces-spark-"))
    from saferplaces.analytics import batch, results
    from saferplaces.analytics.spark import SparkStore, spark_session
    from saferplaces.analytics.store import Store

    root = folder / "data" / "store"
    if "street_crime" not in Store(root).tables():
        print(f"building the SYNTHETIC 1/10 national store in {folder} ...")
        build(folder, 0.1)
    rows = Store(root).query("SELECT count(*) AS n FROM street_crime")["n"][0]
    print(f"store: {folder} ({rows.as_py():,} street-level rows, SYNTHETIC)\n")

    started = time.perf_counter()
    session = spark_session(options.cores)
    session.sql("SELECT 1").collect()
    print(f"Spark session started in {time.perf_counter() - started:.1f} s "
          f"(local[{options.cores or '*'}])\n")  # fmt: skip

    def engines() -> dict[str, Store]:
        return {"duckdb": Store(root), "spark": SparkStore(root, session)}

    geo = Geography()
    areas = {"lsoa": geo.lsoa_codes[0], "ward": geo.ward(0),
             "force": geo.force(0), "nation": NATION}  # fmt: skip
    figures: dict[str, dict[str, float]] = {}

    def record(name: str, engine: str, milliseconds: float) -> None:
        figures.setdefault(name, {})[engine] = milliseconds

    for engine, store in engines().items():
        cold = seconds(lambda s=store: results.series(s, STREET_MEASURES[0], NATION))
        record("cold: first national series (scan)", engine, cold * 1000)
        for level, code in areas.items():
            times = timed(
                lambda s=store, c=code: results.series(s, "total-recorded-crime", c),
                options.runs,
            )
            record(f"warm series p95, {level}", engine, p95(times))
        times = timed(
            lambda s=store: results.comparison(
                s, "total-recorded-crime-rate", "ward", NATION, "2023/24"
            ),
            max(2, options.runs // 2),
        )
        record("rank every ward, p50", engine, statistics.median(times))

    for engine, store in engines().items():  # fresh stores: the batch is cold
        out = folder / f"results-{engine}"

        def run_batch(s: Store = store, e: str = engine, o: Path = out) -> None:
            table, _ = batch.compute_results(
                s, measures=STREET_MEASURES, levels=["force", "region", "nation"],
                periods=["year"],
            )  # fmt: skip
            batch.write_results(s, table, o, e)

        record("batch: 3 measures, forces to nation", engine, seconds(run_batch) * 1000)

    print(f"{'what':<40} {'DuckDB ms':>11} {'Spark ms':>11} {'Spark/DuckDB':>13}")
    for name, by_engine in figures.items():
        duck, spark = by_engine["duckdb"], by_engine["spark"]
        print(f"{name:<40} {duck:>11.1f} {spark:>11.1f} {spark / duck:>13.1f}")


if __name__ == "__main__":
    main()
