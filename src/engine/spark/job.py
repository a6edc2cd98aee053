"""seglang's Spark job: runs segment queries on a Spark cluster.

`seg` (src/engine/spark/mod.rs) writes this file and submits it with Spark's own
`spark-submit --master …`. It reads a job file (the path is the first argument):
  {"tables": [{"view": ..., "csv": ..., "schema": "`name` TYPE, ..."}, ...],
   "queries": [{"sql": ..., "params": [{"type": ..., "value": ...}]}]}
registers each CSV file as a typed view (the view name and the schema come quoted by seg:
nothing here writes an identifier) (an empty cell is unknown), runs each query with its
named parameters (`:p1`, `:p2`, …), and writes one JSON line per query to the file named by
the second argument: its column names and rows. If it fails, it writes its reason beside that file, in
`<file>.error`.
"""

import datetime
import decimal
import json
import sys


def param(p):
    """A typed parameter as a Python value."""
    kind, value = p["type"], p["value"]
    if kind == "text":
        return value
    if kind == "integer":
        return int(value)
    if kind == "decimal":
        # Read with parse_float=Decimal: the digits as written, never a float.
        return decimal.Decimal(value)
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind == "bool":
        return value is True
    raise ValueError(f"unknown parameter type {kind}")


def value(v):
    """A fetched value as JSON: numbers as numbers (booleans 1 / 0, as SQLite has them,
    decimals as floats), dates and text as text, unknown as null."""
    if v is None:
        return None
    if isinstance(v, bool):
        return 1 if v else 0
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, decimal.Decimal):
        return int(v) if v == v.to_integral_value() and v.as_tuple().exponent >= 0 else float(v)
    return str(v)


def main():
    from pyspark.sql import SparkSession

    with open(sys.argv[1]) as f:
        job = json.load(f, parse_float=decimal.Decimal)
    spark = SparkSession.builder.appName("seglang").getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    # A sum past 64 bits must stop the query, never wrap (the default since Spark 4; a
    # cluster may have turned it off).
    spark.conf.set("spark.sql.ansi.enabled", "true")
    for table in job["tables"]:
        # CSV as `seg load` reads it (RFC 4180): a quote inside a quoted value is doubled
        # (Spark's default escape is a backslash, which would eat `\` and split `""`), and
        # a quoted value may span lines.
        frame = spark.read.csv(
            table["csv"],
            schema=table["schema"],
            header=True,
            escape='"',
            multiLine=True,
            timestampFormat="yyyy-MM-dd HH:mm:ss",
            mode="FAILFAST",
        )
        frame.createOrReplaceTempView(table["view"])
    with open(sys.argv[2], "w") as out:
        for query in job["queries"]:
            args = {f"p{i + 1}": param(p) for i, p in enumerate(query["params"])}
            frame = spark.sql(query["sql"], args=args)
            rows = [[value(v) for v in row] for row in frame.collect()]
            out.write(json.dumps({"columns": frame.columns, "rows": rows}) + "\n")
    spark.stop()


if __name__ == "__main__":
    try:
        main()
    except Exception as error:
        # The job's own reason, for seg to show (Spark's log around it says little): the
        # first line naming a Java exception (a Py4J error wraps one), else the first line,
        # beside the rows file.
        lines = [line.strip(" :") for line in str(error).splitlines() if line.strip(" :")]
        reason = next((line for line in lines if "Exception:" in line), None)
        if reason is None:
            reason = f"{type(error).__name__}: {lines[0] if lines else ''}"
        with open(sys.argv[2] + ".error", "w") as f:
            f.write(reason[:500])
        raise
