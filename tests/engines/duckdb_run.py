"""Runs SQL that `seg compile --dialect duckdb --format json` wrote on DuckDB.

Reads one JSON object on standard input:
  {"tables": [{"name": ..., "csv": ..., "columns": [[name, duckdb_type], ...]}, ...],
   "queries": [{"segments": [...], "sql": ..., "params": [{"type": ..., "value": ...}]}]}
loads each CSV file into a typed table (an empty cell is unknown), runs each query with its
parameters, and prints one JSON line per query: its rows, every value as text or null.
"""

import datetime
import decimal
import json
import sys

import duckdb


def param(p):
    kind, value = p["type"], p["value"]
    if kind == "text":
        return value
    if kind == "integer":
        return int(value)
    if kind == "decimal":
        return decimal.Decimal(value)
    if kind == "date":
        return datetime.date.fromisoformat(value)
    if kind == "bool":
        return value == "true"
    raise ValueError(f"unknown parameter type {kind}")


def text(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def main():
    job = json.load(sys.stdin)
    con = duckdb.connect()
    for table in job["tables"]:
        columns = ", ".join(f'"{name}" {ty}' for name, ty in table["columns"])
        con.execute(f'CREATE TABLE "{table["name"]}" ({columns})')
        con.execute(
            f'COPY "{table["name"]}" FROM \'{table["csv"]}\' (HEADER, NULLSTR \'\')'
        )
    for query in job["queries"]:
        rows = con.execute(query["sql"], [param(p) for p in query["params"]]).fetchall()
        print(json.dumps([[text(v) for v in row] for row in rows]))


if __name__ == "__main__":
    main()
