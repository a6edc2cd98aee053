"""Runs SQL that `seg compile --dialect spark --format json` wrote on a Spark cluster.

Submitted with Spark's own `spark-submit --master spark://…`; reads a job file (the path is
the first argument) in the form tests/engines/duckdb_run.py reads, with Spark SQL types:
  {"tables": [{"name": ..., "csv": ..., "columns": [[name, spark_type], ...]}, ...],
   "queries": [{"segments": [...], "sql": ..., "params": [{"type": ..., "value": ...}]}]}
registers each CSV file as a typed view (an empty cell is unknown), runs each query with its
named parameters (`:p1`, `:p2`, …), and writes one JSON line per query to the file named by
the second argument: its rows, every value as text or null.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from job import param, text  # noqa: E402

from pyspark.sql import SparkSession


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    spark = SparkSession.builder.appName("seglang-conformance").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    for table in job["tables"]:
        schema = ", ".join(f"`{name}` {ty}" for name, ty in table["columns"])
        frame = spark.read.csv(
            table["csv"],
            schema=schema,
            header=True,
            timestampFormat="yyyy-MM-dd HH:mm:ss",
            mode="FAILFAST",
        )
        frame.createOrReplaceTempView(table["name"])
    with open(sys.argv[2], "w") as out:
        for query in job["queries"]:
            args = {f"p{i + 1}": param(p) for i, p in enumerate(query["params"])}
            rows = spark.sql(query["sql"], args=args).collect()
            out.write(json.dumps([[text(v) for v in row] for row in rows]) + "\n")
    spark.stop()


if __name__ == "__main__":
    main()
