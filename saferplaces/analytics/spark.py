"""The analytic store on Apache Spark: the same measures, the same rows.

Every measure is SQL in DuckDB's dialect (the registry), and the arithmetic
after the scan (areas, periods, intervals, SPC, cell key perturbation) is
Python over the scan's small result (``measures.series``). ``SparkStore``
is a ``Store`` whose queries run on Spark: it rewrites each query into
Spark SQL with SQLGlot, binding its parameters as literals first, so no
measure has a second copy of its rules (docs/decisions/0006).

Spark reads the tables at the same Delta version DuckDB would: natively
with delta-spark where the session has it (a cluster), otherwise from the
version's list of Parquet files, which the ``deltalake`` package reads from
the log. Either way both engines read exactly the same rows.

pyspark and sqlglot are the ``spark`` extra (``pip install
'saferplaces[spark]'``); nothing here is imported until a SparkStore is made.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from saferplaces.analytics.store import AsOf, Store, StoreError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Debian's Java 17, used when JAVA_HOME is not set (pyspark 4 needs 17+).
DEBIAN_JAVA = Path("/usr/lib/jvm/java-17-openjdk-amd64")
DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"


class EngineError(StoreError):
    """Spark (or its Java) is missing, or a query does not translate."""


def spark_session(cores: int | None = None) -> SparkSession:
    """The running session (on a cluster, the job's), else a local one.

    Local sessions have no web UI, few shuffle partitions (the results are
    small) and UTC, as the store's timestamps are.
    """
    try:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(
            "the Spark engine needs pyspark: pip install 'saferplaces[spark]'"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if "JAVA_HOME" not in os.environ and DEBIAN_JAVA.is_dir():
        os.environ["JAVA_HOME"] = str(DEBIAN_JAVA)
    builder = SparkSession.builder
    # Under spark-submit the master (YARN, Kubernetes, a cluster) is given.
    if "PYSPARK_GATEWAY_PORT" not in os.environ:
        builder = builder.master(f"local[{cores or '*'}]")
    try:
        session = (
            builder.appName("saferplaces")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    except (PySparkException, Py4JError, OSError) as error:
        # Java missing or too old: pyspark (or the JVM, or the launcher) says why.
        raise EngineError(f"Spark could not start: {error}") from None
    session.sparkContext.setLogLevel("ERROR")
    # pyspark logs every failed query whole, with its Java stack; the
    # StoreError raised instead says what went wrong in one line.
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL + 1)
    return session


def to_spark_sql(
    sql: str,
    params: Sequence[Any] | None = None,
    views: Mapping[str, str] | None = None,
) -> str:
    """DuckDB SQL, with ``?`` parameters bound as literals, as Spark SQL;
    ``views`` renames tables (each keeps its own name as its alias)."""
    import sqlglot
    from sqlglot import exp

    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as error:
        raise EngineError(f"the query does not parse: {error}") from None
    values = iter(params or ())
    renamed = views or {}

    def bind(node: exp.Expression) -> Any:
        if isinstance(node, exp.Placeholder):
            try:
                return _literal(next(values))
            except StopIteration:
                raise EngineError("the query has more ? than parameters") from None
        if isinstance(node, exp.Table) and not node.db and node.name in renamed:
            if not node.alias:
                node.set("alias", exp.TableAlias(this=exp.to_identifier(node.name)))
            node.set("this", exp.to_identifier(renamed[node.name]))
        return node

    bound = tree.transform(bind)
    return str(bound.sql(dialect="spark"))


def _literal(value: Any) -> Any:  # a sqlglot expression
    """A Python value as a SQL literal (lists as arrays)."""
    from sqlglot import exp

    if isinstance(value, list | tuple):
        return exp.Array(expressions=[_literal(item) for item in value])
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def _reads_delta_natively(session: SparkSession) -> bool:
    """SAFERPLACES_SPARK_DELTA=native or files, else whether the session
    has delta-spark's extension (Databricks reads Delta natively without
    it: set native there)."""
    chosen = os.environ.get("SAFERPLACES_SPARK_DELTA", "").strip().lower()
    if chosen in ("native", "files"):
        return chosen == "native"
    if chosen:
        raise EngineError("SAFERPLACES_SPARK_DELTA must be native or files")
    return DELTA_EXTENSION in (session.conf.get("spark.sql.extensions", "") or "")


_STORES = itertools.count(1)


class SparkStore(Store):
    """A ``Store`` whose queries run on Spark over the same Delta versions.

    Reading the log (versions, loads, history) and writing stay as in
    ``Store``; only ``query`` changes engine, so every measure, comparison
    and publication rule runs unchanged.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        session: SparkSession | None = None,
        *,
        native_delta: bool | None = None,
        recheck_seconds: float = 0.0,
    ) -> None:
        """``native_delta``: read with delta-spark (None: where the session
        has its extension); ``recheck_seconds`` as for ``Store``."""
        super().__init__(root, recheck_seconds=recheck_seconds)
        self.session = session or spark_session()
        if native_delta is None:
            native_delta = _reads_delta_natively(self.session)
        self.native_delta = native_delta
        # Which version of each table its temporary view reads now. The
        # views are the session's: their names are this store's own, so two
        # stores on one session (two partnerships) never read each other's.
        self._views: dict[str, int] = {}
        self._views_lock = threading.Lock()
        self._prefix = f"saferplaces_{next(_STORES)}_"

    def query(
        self, sql: str, params: Sequence[Any] | None = None, as_of: AsOf = None
    ) -> pa.Table:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        views = {table: self._prefix + table for table in self.tables()}
        spark_sql = to_spark_sql(sql, params, views)
        with self._views_lock:
            self._point_views_at(as_of)
            try:
                with warnings.catch_warnings():  # pyspark's pandas check
                    warnings.simplefilter("ignore", FutureWarning)
                    return self.session.sql(spark_sql).toArrow()
            except (PySparkException, Py4JError) as error:
                # Spark's analysis and runtime errors, as DuckDB's in Store.query
                first = str(error).strip().splitlines()[0] if str(error) else ""
                raise StoreError(first or type(error).__name__) from None

    def _point_views_at(self, as_of: AsOf) -> None:
        """One temporary view per table, reading its version as of ``as_of``
        (views of tables that did not exist then are dropped)."""
        for table in self.tables():
            version = self.table_version(table, as_of)
            if version is None:
                self.session.catalog.dropTempView(self._prefix + table)
                self._views.pop(table, None)
            elif self._views.get(table) != version:
                view = self._read(table, version)
                view.createOrReplaceTempView(self._prefix + table)
                self._views[table] = version

    def _read(self, table: str, version: int) -> Any:
        path = str(self.root / table)
        if self.native_delta:
            return (
                self.session.read.format("delta")
                .option("versionAsOf", version)
                .load(path)
            )
        with warnings.catch_warnings():  # pyspark's pandas check; unused here
            warnings.simplefilter("ignore", FutureWarning)
            from pyspark.sql.pandas.types import from_arrow_schema

        delta = self._delta(table, version)
        files = list(delta.file_uris())
        schema = from_arrow_schema(pa.schema(delta.schema().to_arrow()))
        if not files:
            return self.session.createDataFrame([], schema)
        # The table's schema, not the files': partition values (in the
        # paths) get their Delta types, and files written before a column
        # was added read it as null.
        return self.session.read.schema(schema).option("basePath", path).parquet(*files)
