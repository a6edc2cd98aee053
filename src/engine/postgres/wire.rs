//! seglang values to and from PostgreSQL's binary wire format: the `postgres` crate's own
//! codecs for numbers, text, booleans, dates and times (chrono), and `NUMERIC` here (see
//! [`numeric`] for why). A
//! [`Value`] parameter is sent as the type the server inferred for its placeholder (a date
//! compared with a timestamp column as that day's midnight, a number compared with a
//! `NUMERIC` as an exact `NUMERIC`), so the SQL needs no casts; a fetched value becomes a
//! [`Cell`] as SQLite's would (booleans 0/1, dates and timestamps as ISO-8601 text).

use std::error::Error;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use postgres::types::{FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};

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

/// `NUMERIC` on the wire, exactly: digit count, weight (of the first base-10,000 digit),
/// sign, display scale, then the base-10,000 digits. Written here rather than through
/// `rust_decimal`'s codec: its 96-bit mantissa holds 28 digits, and seglang's decimals hold
/// 38 (literals and CSV values up to 10^30 check and load on every engine).
fn numeric(value: Decimal, out: &mut bytes::BytesMut) -> IsNull {
    use bytes::BufMut;
    let digits = value.units.unsigned_abs().to_string();
    let scale = value.scale as usize;
    let (whole, fraction) = if digits.len() > scale {
        digits.split_at(digits.len() - scale)
    } else {
        ("", digits.as_str())
    };
    let fraction = format!("{fraction:0>scale$}");
    // Whole part grouped from the right, fraction from the left, each padded to 4 digits.
    let whole = format!("{}{whole}", "0".repeat((4 - whole.len() % 4) % 4));
    let fraction = format!("{fraction}{}", "0".repeat((4 - fraction.len() % 4) % 4));
    let group = |s: &str| -> Vec<i16> {
        s.as_bytes()
            .chunks(4)
            .map(|c| c.iter().fold(0i16, |n, d| n * 10 + i16::from(d - b'0')))
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
    out.put_u16(if value.units < 0 { 0x4000 } else { 0 });
    out.put_u16(value.scale as u16);
    for g in groups {
        out.put_i16(g);
    }
    IsNull::No
}

/// A fetched `NUMERIC` (see [`numeric`]): exact while it fits seglang's decimal, else the
/// nearest double (as SQLite stores numbers that wide).
enum Numeric {
    Exact(Decimal),
    Approximate(f64),
}

fn read_numeric(raw: &[u8]) -> Result<Numeric, BoxError> {
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
    if sign == 0xD000 || sign == 0xF000 {
        return Err("infinity is not a number seglang can read".into());
    }
    let groups = (0..count)
        .map(|i| word(8 + 2 * i))
        .collect::<Result<Vec<i16>, _>>()?;
    let negative = sign == 0x4000;
    // The digits read are worth 10,000^(weight - count + 1); bring them to `scale` places.
    let exponent = 4 * (weight - count as i32 + 1) + scale as i32;
    let exact = groups
        .iter()
        .try_fold(0i128, |units, g| {
            units.checked_mul(10_000)?.checked_add(i128::from(*g))
        })
        .and_then(|units| {
            if exponent >= 0 {
                units.checked_mul(10i128.checked_pow(exponent as u32)?)
            } else {
                Some(units / 10i128.checked_pow((-exponent) as u32)?)
            }
        });
    Ok(match exact {
        Some(units) => Numeric::Exact(Decimal {
            units: if negative { -units } else { units },
            scale,
        }),
        None => {
            let magnitude: f64 = groups
                .iter()
                .enumerate()
                .map(|(i, g)| f64::from(*g) * 10_000f64.powi(weight - i as i32))
                .sum();
            Numeric::Approximate(if negative { -magnitude } else { magnitude })
        }
    })
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
            (Type::FLOAT4, Value::Integer(n)) => (*n as f32).to_sql(ty, out),
            (Type::FLOAT4, Value::Decimal(d)) => (d.to_f64() as f32).to_sql(ty, out),
            // An enum's value travels as its label.
            (_, Value::Text(t)) if matches!(ty.kind(), Kind::Enum(_)) => {
                out.extend_from_slice(t.as_bytes());
                Ok(IsNull::No)
            }
            (Type::NUMERIC, Value::Integer(n)) => Ok(numeric(
                Decimal {
                    units: i128::from(*n),
                    scale: 0,
                },
                out,
            )),
            (Type::NUMERIC, Value::Decimal(d)) => Ok(numeric(*d, out)),
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
            Checked::Decimal(d) => Ok(numeric(*d, out)),
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
            Type::NUMERIC => match read_numeric(raw)? {
                Numeric::Exact(d) => match i64::try_from(d.units) {
                    Ok(n) if d.scale == 0 => Cell::Integer(n),
                    _ => Cell::Real(d.to_f64()),
                },
                Numeric::Approximate(r) => Cell::Real(r),
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> Decimal {
        let value = Decimal::parse(text).unwrap();
        let mut out = bytes::BytesMut::new();
        numeric(value, &mut out);
        match read_numeric(&out).unwrap() {
            Numeric::Exact(d) => d,
            Numeric::Approximate(r) => panic!("{text} read back approximately as {r}"),
        }
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
            "1234567890123456789012345678.55",
            "-123456789012345678901234567.99",
        ] {
            assert_eq!(round_trip(text), Decimal::parse(text).unwrap(), "{text}");
        }
    }

    #[test]
    fn a_numeric_wider_than_a_decimal_reads_as_the_nearest_double() {
        // 10^40 + 1: eleven base-10,000 digits, more than an i128 holds.
        let mut raw = bytes::BytesMut::new();
        use bytes::BufMut;
        for word in [11i16, 10, 0, 0] {
            raw.put_i16(word);
        }
        raw.put_i16(1);
        for _ in 0..9 {
            raw.put_i16(0);
        }
        raw.put_i16(1);
        match read_numeric(&raw).unwrap() {
            Numeric::Approximate(r) => assert_eq!(r, 1e40),
            Numeric::Exact(d) => panic!("read {d} exactly"),
        }
    }
}
