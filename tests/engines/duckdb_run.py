"""Runs SQL that `seg compile --dialect duckdb --format json` wrote on DuckDB.

Reads a job file (the path is the first argument):
  {"tables": [{"name": ..., "csv": ..., "columns": [[name, duckdb_type], ...]}, ...],
   "queries": [{"segments": [...], "sql": ..., "params": [{"type": ..., "value": ...}]}]}
loads each CSV file into a typed table (an empty cell is unknown), runs each query with its
parameters, and writes one JSON line per query to the file named by the second argument:
its rows, every value as text or null.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from job import param, text  # noqa: E402

import duckdb


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    con = duckdb.connect()
    for table in job["tables"]:
        columns = ", ".join(f'"{name}" {ty}' for name, ty in table["columns"])
        con.execute(f'CREATE TABLE "{table["name"]}" ({columns})')
        con.execute(
            f'COPY "{table["name"]}" FROM \'{table["csv"]}\' (HEADER, NULLSTR \'\')'
        )
    with open(sys.argv[2], "w") as out:
        for query in job["queries"]:
            params = [param(p) for p in query["params"]]
            rows = con.execute(query["sql"], params).fetchall()
            out.write(json.dumps([[text(v) for v in row] for row in rows]) + "\n")


if __name__ == "__main__":
    main()
