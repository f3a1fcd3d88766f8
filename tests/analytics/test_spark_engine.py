"""Both engines give the same figures (docs/decisions/0006-one-measure-two-engines.md).

Every registered measure, at every area level the demo has and with every
breakdown, by every period grouping, for partners and for the public, is
asked of DuckDB and of Spark (local mode) over the same store; the answers
must match, refusals included. Spark is slow to start, so the store and the session are
made once for the module, and the checks stop at what proves equality.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest

from saferplaces.analytics import geography, results
from saferplaces.analytics.measures.registry import ALL_LEVELS, REGISTRY
from saferplaces.analytics.measures.series import PERIODS
from saferplaces.analytics.store import Store
from tests.analytics.cases_opened import load_cases_opened, load_referral_outcomes

pytest.importorskip("pyspark", reason="the Spark engine needs pyspark (dev extra)")
spark_module = pytest.importorskip("saferplaces.analytics.spark")

pytestmark = pytest.mark.spark


def _java_is_there() -> bool:
    return bool(
        shutil.which("java") or Path(spark_module.DEBIAN_JAVA, "bin", "java").exists()
    )


@pytest.fixture(scope="module")
def stores(demo_data, tmp_path_factory) -> tuple[Store, Any]:
    if not _java_is_there():
        pytest.skip("Spark needs Java 17 or newer (make installs it)")
    folder = tmp_path_factory.mktemp("engines")
    shutil.copytree(demo_data / "store", folder / "store")
    # Cases last: a test reads the store as it stood before them.
    load_referral_outcomes(Store(folder / "store"), folder)
    load_cases_opened(Store(folder / "store"), folder)
    # Nothing loads after this: the stores need not look for new loads.
    duck = Store(folder / "store", recheck_seconds=3600)
    spark = spark_module.SparkStore(
        folder / "store", spark_module.spark_session(2), recheck_seconds=3600
    )
    return duck, spark


def _one_area_per_level(store: Store) -> dict[str, str]:
    found = {}
    for level in ALL_LEVELS:
        areas = geography.areas_of_level(store, level)
        if areas:
            found[level] = min(area.code for area in areas)
    return found


def _answer(store: Store, **asked: Any) -> Any:
    try:
        answer = results.series(store, **asked)
    except results.ResultError as refused:
        return ("refused", str(refused))
    return [row.as_dict() for row in answer.rows], answer.notes


def _ranking(store: Store, **asked: Any) -> Any:
    try:
        answer = results.comparison(store, **asked)
    except results.ResultError as refused:
        return ("refused", str(refused))
    return [row.as_dict() for row in answer.rows], answer.notes


def assert_same(duck: Any, spark: Any, where: str) -> None:
    """Equal, floats to 1e-9 (sums of weights may add in another order)."""
    if isinstance(duck, float) and isinstance(spark, float):
        assert math.isclose(duck, spark, rel_tol=1e-9, abs_tol=1e-9), where
    elif isinstance(duck, list | tuple) and isinstance(spark, list | tuple):
        assert len(duck) == len(spark), where
        for index, (a, b) in enumerate(zip(duck, spark, strict=True)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(duck, dict) and isinstance(spark, dict):
        assert duck.keys() == spark.keys(), where
        for key in duck:
            assert_same(duck[key], spark[key], f"{where}.{key}")
    else:
        assert duck == spark, where


def _asked(measure_id: str, areas: dict[str, str]) -> list[tuple[str, str | None]]:
    """(area, breakdown) pairs to ask: every level whole, and every
    breakdown at the smallest and the largest level (the public may see
    breakdowns only of larger areas). Each is asked by every period
    grouping, for partners and the public."""
    groups = REGISTRY[measure_id].groups
    codes = list(areas.values())
    return [(code, None) for code in codes] + [
        (code, group) for code in (codes[0], codes[-1]) for group in groups
    ]


@pytest.mark.parametrize("measure_id", sorted(REGISTRY))
def test_both_engines_give_every_figure_alike(stores, measure_id):
    duck, spark = stores
    areas = _one_area_per_level(duck)
    assert len(areas) >= 6, areas  # LSOA to local authority
    figures = 0
    for code, group in _asked(measure_id, areas):
        for by in PERIODS:
            for audience in ("partner", "public"):
                asked = dict(measure_id=measure_id, area_code=code, by=by,
                             group=group, audience=audience)  # fmt: skip
                duck_answer = _answer(duck, **asked)
                assert_same(duck_answer, _answer(spark, **asked), str(asked))
                if duck_answer[0] != "refused":
                    figures += sum(row["value"] is not None for row in duck_answer[0])
    assert figures > 0, f"{measure_id} has no figures on the demo: nothing compared"


@pytest.mark.parametrize("measure_id", sorted(REGISTRY))
def test_both_engines_rank_wards_alike(stores, measure_id):
    duck, spark = stores
    partnership = _one_area_per_level(duck)["partnership"]
    years = _answer(duck, measure_id=measure_id, area_code=partnership, by="year")
    if years[0] == "refused" or not years[0]:
        pytest.skip(f"{measure_id} has no year to rank on the demo")
    latest = years[0][-1]["period"]
    for audience in ("partner", "public"):
        asked = dict(measure_id=measure_id, level="ward", within=partnership,
                     period=latest, by="year", audience=audience)  # fmt: skip
        assert_same(_ranking(duck, **asked), _ranking(spark, **asked), str(asked))


def test_queries_are_rewritten_for_spark_with_their_parameters_bound():
    rewritten = spark_module.to_spark_sql(
        "SELECT count(*) FROM t WHERE code IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
        "AND list_contains(qualifiers, ?) AND year = ?",
        [["E01", "O'Brien"], "youth", 2024],
    )
    assert rewritten == (
        "SELECT COUNT(*) FROM t WHERE code IN (SELECT EXPLODE(CAST(ARRAY('E01', "
        "'O\\'Brien') AS ARRAY<STRING>))) AND ARRAY_CONTAINS(qualifiers, 'youth') "
        "AND year = 2024"
    )


def test_a_query_spark_cannot_answer_is_a_store_error(stores):
    _, spark = stores
    with pytest.raises(spark_module.StoreError, match="no_such_column"):
        spark.query("SELECT no_such_column FROM street_crime")


def test_spark_reads_the_version_asked_for(stores):
    duck, spark = stores
    before = duck.last_load_number() - 1  # before the cases were loaded
    assert "cases_opened" in spark.tables()
    counted = spark.query("SELECT count(*) AS n FROM local_crimes", as_of=before)
    assert (
        counted.to_pylist()
        == duck.query(
            "SELECT count(*) AS n FROM local_crimes", as_of=before
        ).to_pylist()
    )
    with pytest.raises(spark_module.StoreError):
        spark.query("SELECT count(*) FROM cases_opened", as_of=before)


def test_the_commands_give_the_same_answers_on_spark(stores, tmp_path, monkeypatch):
    from click.testing import CliRunner
    from deltalake import DeltaTable
    from django.conf import settings

    from saferplaces.cli import main

    duck, _ = stores
    monkeypatch.setattr(settings, "DATA_DIR", duck.root.parent)
    district = _one_area_per_level(duck)["district"]

    def run(engine: str, *asked: str) -> str:
        result = CliRunner().invoke(main, [*asked, "--engine", engine])
        assert result.exit_code == 0, result.output
        return result.output

    show = ["measure", "show", "cases-opened", "--area", district, "--by",
            "quarter", "--public", "--format", "json"]  # fmt: skip
    assert run("spark", *show) == run("duckdb", *show)
    written = {}
    for engine in ("duckdb", "spark"):
        out = tmp_path / engine
        said = run(engine, "measure", "batch", "--out", str(out), "--level",
                   "district", "--by", "year", "--measure",
                   "domestic-share-of-violence")  # fmt: skip
        assert f"on {engine}." in said
        written[engine] = (
            DeltaTable(str(out)).to_pyarrow_table().sort_by([
                ("area_code", "ascending"), ("breakdown", "ascending"),
                ("group", "ascending"), ("period", "ascending"),
            ]).to_pylist()
        )  # fmt: skip
    assert written["duckdb"]
    assert_same(written["duckdb"], written["spark"], "batch")


def test_two_stores_on_one_session_read_their_own_rows(stores, tmp_path):
    _, spark = stores
    other_root = tmp_path / "other"
    load_cases_opened(Store(other_root), tmp_path, count=12)
    other = spark_module.SparkStore(other_root, spark.session)
    counted = "SELECT count(*) AS n FROM cases_opened"
    for _ in range(2):  # each asks after the other has pointed its views
        assert spark.query(counted).to_pylist() == [{"n": 240}]
        assert other.query(counted).to_pylist() == [{"n": 12}]
