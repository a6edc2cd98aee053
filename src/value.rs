//! Typed literal values: what the checker produces from source literals and what the SQL
//! writer binds as parameters. Money and decimals are exact (a scaled integer), never floats.

use std::fmt;

use chrono::NaiveDate;

/// An exact decimal number: `units / 10^scale`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The value in the smallest unit (`500.25` with scale 2 is 50025).
    pub units: i128,
    /// Digits after the decimal point.
    pub scale: u32,
}

impl Decimal {
    /// Parses `-12.50`; `None` if it is not a plain decimal or is out of range.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((_, "")) => return None,
            Some(parts) => parts,
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 18 {
            return None;
        }
        let all: String = [whole, fraction].concat();
        let units: i128 = all.parse().ok()?;
        if units > 10i128.pow(30) {
            return None;
        }
        Some(Decimal {
            units: if negative { -units } else { units },
            scale: fraction.len() as u32,
        })
    }

    /// Digits after the point once trailing zeros are dropped (`5.10` has 1).
    pub fn significant_scale(self) -> u32 {
        let mut scale = self.scale;
        let mut units = self.units;
        while scale > 0 && units % 10 == 0 {
            units /= 10;
            scale -= 1;
        }
        scale
    }

    /// The number as a 64-bit whole number, when it is whole and fits (`5.00` is 5).
    pub fn to_whole(self) -> Option<i64> {
        if self.significant_scale() != 0 {
            return None;
        }
        i64::try_from(self.units / 10i128.pow(self.scale)).ok()
    }

    /// The same number with at least `scale` digits after the point (`500` → `500.00`).
    pub fn with_min_scale(self, scale: u32) -> Decimal {
        if self.scale >= scale {
            return self;
        }
        Decimal {
            units: self.units * 10i128.pow(scale - self.scale),
            scale,
        }
    }

    /// The nearest `f64`: how an engine without a decimal type compares it with a stored
    /// number. Exact for every decimal of up to 15 significant digits.
    pub fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.units < 0 { "-" } else { "" };
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// A literal value after type checking.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// Text, compared exactly.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// An exact decimal (money included).
    Decimal(Decimal),
    /// A calendar date.
    Date(NaiveDate),
    /// True or false.
    Bool(bool),
}

impl Value {
    /// The value with its type, as JSON `{"type": …, "value": …}`: how parameters travel
    /// to tools that run seglang's SQL themselves (`seg compile --format json`, the Spark job).
    /// Numbers are JSON numbers (a decimal with its exact digits), booleans booleans, dates
    /// `YYYY-MM-DD` strings.
    pub fn typed_json(&self) -> serde_json::Value {
        let (ty, value) = match self {
            Value::Text(t) => ("text", serde_json::Value::String(t.clone())),
            Value::Integer(n) => ("integer", serde_json::Value::from(*n)),
            Value::Decimal(d) => (
                "decimal",
                serde_json::from_str::<serde_json::Number>(&d.to_string())
                    .map_or_else(|_| serde_json::Value::String(d.to_string()), serde_json::Value::Number),
            ),
            Value::Date(d) => ("date", serde_json::Value::String(d.format("%Y-%m-%d").to_string())),
            Value::Bool(b) => ("bool", serde_json::Value::Bool(*b)),
        };
        serde_json::json!({ "type": ty, "value": value })
    }
}

impl fmt::Display for Value {
    /// Shows the value as it would be written in a segment file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Text(text) => write!(f, "'{}'", text.replace('\'', "''")),
            Value::Integer(n) => write!(f, "{n}"),
            Value::Decimal(d) => write!(f, "{d}"),
            Value::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_and_print_exactly() {
        for text in ["500", "500.25", "-0.05", "0.10", "123456789012.34"] {
            assert_eq!(Decimal::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Decimal::parse("-0.05").unwrap().units, -5);
        assert_eq!(Decimal::parse("5.10").unwrap().significant_scale(), 1);
        assert_eq!(Decimal::parse("5.00").unwrap().significant_scale(), 0);
        for bad in ["", "-", ".5", "5.", "1e3", "1.2.3", "abc"] {
            assert!(Decimal::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn decimal_to_f64_is_the_nearest_double() {
        assert_eq!(Decimal::parse("500.10").unwrap().to_f64(), 500.10);
        assert_eq!(Decimal::parse("-0.05").unwrap().to_f64(), -0.05);
    }

    #[test]
    fn text_values_display_with_doubled_quotes() {
        assert_eq!(Value::Text("O'Brien".into()).to_string(), "'O''Brien'");
    }
}
