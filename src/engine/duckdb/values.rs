//! seglang values as DuckDB binds them, and DuckDB's values as fetched [`Cell`]s.

use ::duckdb::types::{Decimal as DuckDecimal, TimeUnit, Value as DuckValue};
use chrono::{DateTime, NaiveDate};

use crate::engine::Cell;
use crate::engine::table_rows::Checked;
use crate::value::{Decimal, Value};

/// A seglang value as DuckDB binds it: decimals exactly (`DECIMAL(width, scale)` with
/// their own digits), dates as dates, booleans as booleans.
pub(super) fn bind(value: &Value) -> DuckValue {
    match value {
        Value::Text(text) => DuckValue::Text(text.clone()),
        Value::Integer(n) => DuckValue::BigInt(*n),
        Value::Decimal(d) => decimal(d),
        Value::Date(date) => DuckValue::Date32(days(*date)),
        Value::Bool(b) => DuckValue::Boolean(*b),
    }
}

/// A checked CSV value as DuckDB stores it.
pub(super) fn stored(value: Checked) -> DuckValue {
    match value {
        Checked::Null => DuckValue::Null,
        Checked::Integer(n) => DuckValue::BigInt(n),
        Checked::Decimal(d) => decimal(&d),
        Checked::Bool(b) => DuckValue::Boolean(b),
        Checked::Date(d) => DuckValue::Date32(days(d)),
        Checked::Timestamp(t) => {
            DuckValue::Timestamp(TimeUnit::Microsecond, t.and_utc().timestamp_micros())
        }
        Checked::Text(t) => DuckValue::Text(t),
    }
}

/// An exact decimal as DuckDB's `DECIMAL`: as many digits as it has (at least its scale
/// plus one), up to DuckDB's 38; one with more digits than that goes as text, which DuckDB
/// casts to the column's type exactly.
fn decimal(d: &Decimal) -> DuckValue {
    let digits = d.units.unsigned_abs().to_string().len() as u32;
    let width = digits.max(d.scale + 1);
    match (u8::try_from(width), u8::try_from(d.scale)) {
        (Ok(width), Ok(scale)) => match DuckDecimal::new(width, scale, d.units) {
            Ok(exact) => DuckValue::Decimal(exact),
            Err(_) => DuckValue::Text(d.to_string()),
        },
        _ => DuckValue::Text(d.to_string()),
    }
}

/// Days since 1970-01-01.
fn days(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date");
    (date - epoch).num_days() as i32
}

/// A fetched value as a [`Cell`], as the other engines give it: booleans as 1/0, decimals
/// without places as integers and others as the nearest double, dates and times as ISO-8601 text.
pub(super) fn cell(value: DuckValue) -> Cell {
    match value {
        DuckValue::Null => Cell::Null,
        DuckValue::Boolean(b) => Cell::Integer(i64::from(b)),
        DuckValue::TinyInt(n) => Cell::Integer(n.into()),
        DuckValue::SmallInt(n) => Cell::Integer(n.into()),
        DuckValue::Int(n) => Cell::Integer(n.into()),
        DuckValue::BigInt(n) => Cell::Integer(n),
        DuckValue::UTinyInt(n) => Cell::Integer(n.into()),
        DuckValue::USmallInt(n) => Cell::Integer(n.into()),
        DuckValue::UInt(n) => Cell::Integer(n.into()),
        DuckValue::UBigInt(n) => i64::try_from(n).map_or(Cell::Real(n as f64), Cell::Integer),
        DuckValue::HugeInt(n) => i64::try_from(n).map_or(Cell::Real(n as f64), Cell::Integer),
        DuckValue::Float(r) => Cell::Real(r.into()),
        DuckValue::Double(r) => Cell::Real(r),
        DuckValue::Decimal(d) => {
            let exact = Decimal {
                units: d.value(),
                scale: u32::from(d.scale()),
            };
            match i64::try_from(exact.units) {
                Ok(n) if exact.scale == 0 => Cell::Integer(n),
                _ => Cell::Real(exact.to_f64()),
            }
        }
        DuckValue::Text(t) => Cell::Text(t),
        DuckValue::Date32(n) => Cell::Text(
            (NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")
                + chrono::Duration::days(n.into()))
            .format("%Y-%m-%d")
            .to_string(),
        ),
        DuckValue::Timestamp(unit, n) => {
            let micros = unit.to_micros(n);
            match DateTime::from_timestamp_micros(micros) {
                Some(at) => Cell::Text(at.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string()),
                None => Cell::Text(micros.to_string()),
            }
        }
        other => Cell::Text(format!("{other:?}")),
    }
}
