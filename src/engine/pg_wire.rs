//! seglang values to and from PostgreSQL's binary wire format. A [`Value`] parameter is encoded as
//! the type the server inferred for its placeholder (a date compared with a timestamp
//! column is sent as that day's midnight, a number compared with a `NUMERIC` as an exact
//! `NUMERIC`), so the SQL needs no casts; a fetched value becomes a [`Cell`] as SQLite's
//! would (booleans 0/1, dates and timestamps as ISO-8601 text).

use std::error::Error;

use chrono::{NaiveDate, NaiveDateTime};
use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use super::Cell;
use crate::value::{Decimal, Value};

/// A fetched value.
pub struct Fetched(pub Cell);

/// Values as the parameters of a statement.
pub fn bound(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

/// A fetched row's values.
pub fn cells(row: &postgres::Row) -> Result<Vec<Cell>, postgres::Error> {
    (0..row.len())
        .map(|i| row.try_get::<_, Fetched>(i).map(|f| f.0))
        .collect()
}

type BoxError = Box<dyn Error + Sync + Send>;

/// PostgreSQL counts dates and times from 2000-01-01.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date")
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> Result<IsNull, BoxError> {
        use bytes::BufMut;
        let mismatch = || -> BoxError { format!("cannot send {self} as {ty}").into() };
        match (ty.clone(), self) {
            (Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN, v) => {
                let text = match v {
                    Value::Text(t) => t.clone(),
                    Value::Date(d) => d.format("%Y-%m-%d").to_string(),
                    other => other.to_string(),
                };
                out.put_slice(text.as_bytes());
            }
            (Type::INT8, v) => out.put_i64(whole(v).ok_or_else(mismatch)?),
            (Type::INT4, v) => {
                out.put_i32(i32::try_from(whole(v).ok_or_else(mismatch)?).map_err(|_| mismatch())?)
            }
            (Type::INT2, v) => {
                out.put_i16(i16::try_from(whole(v).ok_or_else(mismatch)?).map_err(|_| mismatch())?)
            }
            (Type::FLOAT8, Value::Integer(n)) => out.put_f64(*n as f64),
            (Type::FLOAT8, Value::Decimal(d)) => out.put_f64(d.to_f64()),
            (Type::NUMERIC, Value::Integer(n)) => numeric(
                Decimal {
                    units: i128::from(*n),
                    scale: 0,
                },
                out,
            ),
            (Type::NUMERIC, Value::Decimal(d)) => numeric(*d, out),
            (Type::BOOL, Value::Bool(b)) => out.put_u8(u8::from(*b)),
            (Type::DATE, Value::Date(d)) => {
                out.put_i32(i32::try_from((*d - epoch()).num_days()).map_err(|_| mismatch())?)
            }
            (Type::TIMESTAMP | Type::TIMESTAMPTZ, Value::Date(d)) => {
                let micros = (*d - epoch()).num_days() * 86_400_000_000;
                out.put_i64(micros);
            }
            _ => return Err(mismatch()),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn whole(value: &Value) -> Option<i64> {
    match value {
        Value::Integer(n) => Some(*n),
        Value::Decimal(d) if d.significant_scale() == 0 => {
            i64::try_from(d.units / 10i128.pow(d.scale)).ok()
        }
        _ => None,
    }
}

/// `NUMERIC` on the wire: digit count, weight (of the first base-10,000 digit), sign,
/// display scale, then the base-10,000 digits.
fn numeric(value: Decimal, out: &mut bytes::BytesMut) {
    use bytes::BufMut;
    let negative = value.units < 0;
    let digits = value.units.unsigned_abs().to_string();
    let scale = value.scale as usize;
    let (whole, fraction) = if digits.len() > scale {
        digits.split_at(digits.len() - scale)
    } else {
        ("", digits.as_str())
    };
    let fraction = format!("{fraction:0>scale$}");
    // Whole part grouped from the right, fraction from the left, each padded to 4 digits.
    let lead = (4 - whole.len() % 4) % 4;
    let whole = format!("{}{whole}", "0".repeat(lead));
    let trail = (4 - fraction.len() % 4) % 4;
    let fraction = format!("{fraction}{}", "0".repeat(trail));
    let group = |s: &str| -> Vec<i16> {
        s.as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or("0").parse().unwrap_or(0))
            .collect()
    };
    let mut groups = group(&whole);
    let mut weight = groups.len() as i16 - 1;
    groups.extend(group(&fraction));
    while groups.first() == Some(&0) {
        groups.remove(0);
        weight -= 1;
    }
    while groups.last() == Some(&0) {
        groups.pop();
    }
    if groups.is_empty() {
        weight = 0;
    }
    out.put_i16(groups.len() as i16);
    out.put_i16(weight);
    out.put_u16(if negative { 0x4000 } else { 0 });
    out.put_u16(value.scale as u16);
    for g in groups {
        out.put_i16(g);
    }
}

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
                let d = read_numeric(raw)?;
                match i64::try_from(d.units) {
                    Ok(n) if d.scale == 0 => Cell::Integer(n),
                    _ => Cell::Real(d.to_f64()),
                }
            }
            Type::DATE => {
                let days = i32::from_sql(ty, raw)?;
                let date = epoch() + chrono::Duration::days(i64::from(days));
                Cell::Text(date.format("%Y-%m-%d").to_string())
            }
            Type::TIMESTAMP | Type::TIMESTAMPTZ => {
                let micros = i64::from_sql(&Type::INT8, raw)?;
                let at: NaiveDateTime = epoch().and_hms_opt(0, 0, 0).expect("midnight")
                    + chrono::Duration::microseconds(micros);
                Cell::Text(at.format("%Y-%m-%d %H:%M:%S").to_string())
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

/// Reads a binary `NUMERIC` (see [`numeric`]) as an exact decimal.
fn read_numeric(raw: &[u8]) -> Result<Decimal, BoxError> {
    let word = |i: usize| -> Result<i16, BoxError> {
        raw.get(i..i + 2)
            .map(|b| i16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a short NUMERIC".into())
    };
    let count = word(0)? as usize;
    let weight = i32::from(word(2)?);
    let sign = word(4)? as u16;
    let scale = word(6)? as u16 as u32;
    if sign == 0xC000 {
        return Err("NaN is not a number seglang can read".into());
    }
    let mut units: i128 = 0;
    for i in 0..count {
        units = units * 10_000 + i128::from(word(8 + 2 * i)?);
    }
    // The digits read are worth 10,000^(weight - count + 1); bring them to `scale` places.
    let exponent = 4 * (weight - count as i32 + 1) + scale as i32;
    if exponent >= 0 {
        units *= 10i128.pow(exponent as u32);
    } else {
        units /= 10i128.pow((-exponent) as u32);
    }
    if sign == 0x4000 {
        units = -units;
    }
    Ok(Decimal { units, scale })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Decimal {
        let value = Decimal::parse(text).unwrap();
        let mut out = bytes::BytesMut::new();
        numeric(value, &mut out);
        read_numeric(&out).unwrap()
    }

    #[test]
    fn numerics_survive_the_wire_exactly() {
        for text in [
            "0",
            "0.00",
            "500",
            "500.01",
            "-3.5",
            "12345678.9",
            "0.0001",
            "10000",
        ] {
            let back = round_trip(text);
            assert_eq!(back, Decimal::parse(text).unwrap(), "{text}");
        }
    }
}
