"""What the engine runners share: a job's typed parameters as Python values, and fetched
values as the text the Rust tests compare (booleans as 1 / 0, unknown as null)."""

import datetime
import decimal


def param(p):
    """A parameter of `seg compile --format json` as a Python value."""
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
    """A fetched value as text (None for unknown)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
