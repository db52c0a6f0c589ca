"""The SparkSession the marts run on, from the config's [spark] section; or a message saying
exactly what to install when PySpark or Java is missing."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from typing import Any

from pipelines.config import Config

INSTALL = ("pip install 'tumbuh[spark]' (PySpark and SQLGlot) and Java 17 "
           "(Debian: apt-get install openjdk-17-jre-headless)")

# Spark settings that make Spark SQL compute what DuckDB computes (dialect.py handles the SQL):
# ANSI mode off, so a division by zero or an invalid cast gives NULL as in DuckDB instead of
# failing; UTC, so dates and timestamps do not move with the machine's zone; Parquet timestamps
# as microseconds, which DuckDB reads as TIMESTAMP.
ALIGNED = {
    "spark.sql.ansi.enabled": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
    "spark.sql.caseSensitive": "false",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.adaptive.enabled": "true",
    # a Spark 4.0 planner bug: constraints of a UNION over checkpointed frames fail to resolve
    "spark.sql.constraintPropagation.enabled": "false",
}


class SparkUnavailable(RuntimeError):
    """PySpark or Java is missing: the message says what to install."""


def check_installed() -> None:
    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as exc:
        raise SparkUnavailable(f"--engine spark needs PySpark and SQLGlot ({exc.name} is not "
                               f"installed): {INSTALL}") from exc
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and os.path.exists(os.path.join(java_home, "bin", "java"))) \
            and shutil.which("java") is None:
        raise SparkUnavailable(f"--engine spark needs Java (no `java` on PATH and no JAVA_HOME): "
                               f"{INSTALL}")


def spark_session(config: Config, scratch: str | None = None) -> Any:
    """A SparkSession on the configured master (one per process; Spark reuses it)."""
    check_installed()
    from pyspark.sql import SparkSession

    # Python workers run this interpreter (the UDFs import tumbuh and DuckDB); on a cluster its
    # nodes need the same environment (docs/scale.md)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)

    builder = (SparkSession.builder.master(config.spark.master).appName("tumbuh")
               .config("spark.driver.memory", config.spark.driver_memory))
    # Spark's spill and its (unused) table warehouse go to a scratch folder, not the cwd
    scratch = scratch or tempfile.mkdtemp(prefix="tumbuh-spark-")
    builder = (builder.config("spark.local.dir", scratch)
               .config("spark.sql.warehouse.dir", os.path.join(scratch, "spark-warehouse")))
    for key, value in ALIGNED.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("OFF")
    return spark
