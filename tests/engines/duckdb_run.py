"""Runs SQL that `seg compile --dialect duckdb --format json` wrote on DuckDB.

Reads a job file (the path is the first argument):
  {"tables": [{"table": ..., "csv": ..., "schema": "\"name\" TYPE, ..."}, ...],
   "queries": [{"segments": [...], "sql": ..., "params": [{"type": ..., "value": ...}]}]}
loads each CSV file into a typed table (an empty cell is unknown), runs each query with its
parameters, and writes one JSON line per query to the file named by the second argument:
its column names and rows (the form src/engine/spark/job.py writes). Table and column names
come quoted by seglang's DuckDB dialect.
"""

import decimal
import json
import os
import sys

import duckdb

# The parameters and values are read and written as seglang's Spark job does.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../src/engine/spark"))
from job import param, value  # noqa: E402


def main():
    with open(sys.argv[1]) as f:
        # Decimal parameters are JSON numbers with exact digits: never read as floats.
        job = json.load(f, parse_float=decimal.Decimal)
    con = duckdb.connect()
    for table in job["tables"]:
        con.execute(f'CREATE TABLE {table["table"]} ({table["schema"]})')
        con.execute(
            f'COPY {table["table"]} FROM $csv (HEADER, NULLSTR \'\')', {"csv": table["csv"]}
        )
    with open(sys.argv[2], "w") as out:
        for query in job["queries"]:
            params = [param(p) for p in query["params"]]
            cursor = con.execute(query["sql"], params)
            columns = [d[0] for d in cursor.description]
            rows = [[value(v) for v in row] for row in cursor.fetchall()]
            out.write(json.dumps({"columns": columns, "rows": rows}) + "\n")


if __name__ == "__main__":
    main()
