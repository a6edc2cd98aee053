//! seglang values to and from PostgreSQL's binary wire format, through the `postgres`
//! crate's own codecs (chrono for dates and times, `rust_decimal` for `NUMERIC`). A
//! [`Value`] parameter is sent as the type the server inferred for its placeholder (a date
//! compared with a timestamp column as that day's midnight, a number compared with a
//! `NUMERIC` as an exact `NUMERIC`), so the SQL needs no casts; a fetched value becomes a
//! [`Cell`] as SQLite's would (booleans 0/1, dates and timestamps as ISO-8601 text).

use std::error::Error;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::engine::Cell;
use crate::engine::table_rows::Checked;
use crate::value::{Decimal, Value};

type BoxError = Box<dyn Error + Sync + Send>;

/// Values as the parameters of a statement.
pub(super) fn bound(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// A fetched row's values.
pub(super) fn cells(row: &postgres::Row) -> Result<Vec<Cell>, postgres::Error> {
    (0..row.len())
        .map(|i| row.try_get::<_, Fetched>(i).map(|f| f.0))
        .collect()
}

/// An exact decimal as `rust_decimal` carries it (up to 28 significant digits).
fn exact(value: Decimal) -> Result<rust_decimal::Decimal, BoxError> {
    rust_decimal::Decimal::try_from_i128_with_scale(value.units, value.scale)
        .map_err(|e| format!("{value} does not fit a NUMERIC parameter: {e}").into())
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        let mismatch = || -> BoxError { format!("cannot send {self} as {ty}").into() };
        let whole = || -> Result<i64, BoxError> {
            match self {
                Value::Integer(n) => Ok(*n),
                Value::Decimal(d) => d.to_whole().ok_or_else(mismatch),
                _ => Err(mismatch()),
            }
        };
        match (ty.clone(), self) {
            (Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN, v) => {
                let text = match v {
                    Value::Text(t) => t.clone(),
                    Value::Date(d) => d.format("%Y-%m-%d").to_string(),
                    other => other.to_string(),
                };
                out.extend_from_slice(text.as_bytes());
                Ok(IsNull::No)
            }
            (Type::INT8, _) => whole()?.to_sql(ty, out),
            (Type::INT4, _) => i32::try_from(whole()?)
                .map_err(|_| mismatch())?
                .to_sql(ty, out),
            (Type::INT2, _) => i16::try_from(whole()?)
                .map_err(|_| mismatch())?
                .to_sql(ty, out),
            (Type::FLOAT8, Value::Integer(n)) => (*n as f64).to_sql(ty, out),
            (Type::FLOAT8, Value::Decimal(d)) => d.to_f64().to_sql(ty, out),
            (Type::NUMERIC, Value::Integer(n)) => rust_decimal::Decimal::from(*n).to_sql(ty, out),
            (Type::NUMERIC, Value::Decimal(d)) => exact(*d)?.to_sql(ty, out),
            (Type::BOOL, Value::Bool(b)) => b.to_sql(ty, out),
            (Type::DATE, Value::Date(d)) => d.to_sql(ty, out),
            (Type::TIMESTAMP, Value::Date(d)) => midnight(*d).to_sql(ty, out),
            (Type::TIMESTAMPTZ, Value::Date(d)) => midnight(*d).and_utc().to_sql(ty, out),
            _ => Err(mismatch()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_time(chrono::NaiveTime::MIN)
}

/// A checked value as a loaded column's type (binary `COPY`).
#[derive(Debug)]
pub(super) struct Stored<'a>(pub(super) &'a Checked);

impl ToSql for Stored<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Checked::Null => Ok(IsNull::Yes),
            Checked::Integer(n) => n.to_sql(ty, out),
            Checked::Decimal(d) => exact(*d)?.to_sql(ty, out),
            Checked::Bool(b) => b.to_sql(ty, out),
            Checked::Date(d) => d.to_sql(ty, out),
            Checked::Timestamp(t) => t.to_sql(ty, out),
            Checked::Text(t) => t.as_str().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A fetched value.
struct Fetched(Cell);

impl<'a> FromSql<'a> for Fetched {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let cell = match ty.clone() {
            Type::INT8 => Cell::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Cell::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Cell::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::FLOAT8 => Cell::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Cell::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::BOOL => Cell::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::NUMERIC => {
                let d = rust_decimal::Decimal::from_sql(ty, raw)?;
                let exact = Decimal {
                    units: d.mantissa(),
                    scale: d.scale(),
                };
                match i64::try_from(exact.units) {
                    Ok(n) if exact.scale == 0 => Cell::Integer(n),
                    _ => Cell::Real(exact.to_f64()),
                }
            }
            Type::DATE => Cell::Text(NaiveDate::from_sql(ty, raw)?.format("%Y-%m-%d").to_string()),
            Type::TIMESTAMP => Cell::Text(timestamp(NaiveDateTime::from_sql(ty, raw)?)),
            Type::TIMESTAMPTZ => {
                Cell::Text(timestamp(DateTime::<Utc>::from_sql(ty, raw)?.naive_utc()))
            }
            _ => Cell::Text(String::from_utf8_lossy(raw).into_owned()),
        };
        Ok(Fetched(cell))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Fetched(Cell::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

fn timestamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}
