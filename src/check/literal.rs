//! Literals to typed values: a literal is checked against the type of the field it is
//! compared with, so `500` next to a money field becomes exact money.

use chrono::NaiveDate;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::normalize::Normalize;
use crate::schema::{Field, Type};
use crate::source::SourceId;
use crate::syntax::ast::{Literal, LiteralKind};
use crate::value::{Decimal, Value};

/// What a literal is compared with: a name for messages, a type, and allowed values.
#[derive(Clone, Copy, Debug)]
pub struct Expected<'a> {
    /// The field, metric or aggregate as the user wrote it.
    pub name: &'a str,
    /// The type the literal must have.
    pub ty: Type,
    /// Allowed text values, if any.
    pub values: Option<&'a [String]>,
    /// What a text comparison ignores: the literal is read the same way, and so are the
    /// allowed values it must be one of.
    pub normalize: Normalize,
}

impl<'a> From<&'a Field> for Expected<'a> {
    fn from(field: &'a Field) -> Expected<'a> {
        Expected {
            name: &field.name,
            ty: field.ty,
            values: field.values.as_deref(),
            normalize: field.normalize,
        }
    }
}

/// Converts `literal` (in `source`) to a value of the expected type, or explains why it cannot be one.
pub fn to_value(
    literal: &Literal,
    source: SourceId,
    field: Expected<'_>,
) -> Result<Value, Diagnostic> {
    let mismatch = || {
        Diagnostic::error(
            Code::TypeMismatch,
            format!(
                "`{}` is {}, but {} is {}",
                field.name,
                article(field.ty),
                literal.text,
                literal.kind.describe()
            ),
        )
        .with_label(
            source,
            literal.span,
            format!("expected {}", a_value(field.ty)),
        )
        .with_help(format!(
            "write {} like {}",
            a_value(field.ty),
            example(field.ty)
        ))
    };
    match (&literal.kind, field.ty) {
        (LiteralKind::Text(text), Type::Text) => {
            let text = field.normalize.apply(text);
            allowed(&text, literal, source, field)?;
            Ok(Value::Text(text))
        }
        (LiteralKind::Bool(b), Type::Bool) => Ok(Value::Bool(*b)),
        (LiteralKind::Date, Type::Date | Type::Timestamp) => {
            parse_date(literal, source).map(Value::Date)
        }
        (LiteralKind::Integer, Type::Integer) => parse_integer(literal, source).map(Value::Integer),
        (
            LiteralKind::Integer | LiteralKind::Decimal,
            Type::Integer | Type::Decimal(_) | Type::Money,
        ) => {
            let decimal = parse_decimal(literal, source)?;
            check_scale(decimal, literal, source, field)?;
            if field.ty == Type::Integer {
                return decimal
                    .to_whole()
                    .filter(|n| *n != i64::MIN)
                    .map(Value::Integer)
                    .ok_or_else(|| out_of_range(literal, source));
            }
            let decimal = decimal.with_min_scale(field.ty.scale().unwrap_or(0));
            if field.ty.scale().is_some() && decimal.units.unsigned_abs() > i64::MAX as u128 {
                return Err(beyond_units(literal, source, field));
            }
            Ok(Value::Decimal(decimal))
        }
        _ => Err(mismatch()),
    }
}

/// "a text field", "an integer field".
pub fn article(ty: Type) -> String {
    format!("{} field", with_article(ty))
}

/// "a money value", "an integer value".
fn a_value(ty: Type) -> String {
    format!("{} value", with_article(ty))
}

fn with_article(ty: Type) -> String {
    let name = ty.to_string();
    let a = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{a} {name}")
}

fn example(ty: Type) -> &'static str {
    match ty {
        Type::Text => "'nurse'",
        Type::Integer => "42",
        Type::Decimal(_) => "12.5",
        Type::Money => "500.00",
        Type::Bool => "true",
        Type::Date | Type::Timestamp => "2025-12-24",
    }
}

fn allowed(
    text: &str,
    literal: &Literal,
    source: SourceId,
    field: Expected<'_>,
) -> Result<(), Diagnostic> {
    let Some(values) = field.values else {
        return Ok(());
    };
    let normalized: Vec<String> = values.iter().map(|v| field.normalize.apply(v)).collect();
    if normalized.iter().any(|v| v == text) {
        return Ok(());
    }
    let help = did_you_mean(text, normalized.iter().map(String::as_str), "'")
        .unwrap_or_else(|| format!("allowed values: {}", quoted_list(values)));
    Err(Diagnostic::error(
        Code::ValueNotAllowed,
        if field.normalize.is_none() {
            format!("'{text}' is not an allowed value of `{}`", field.name)
        } else {
            format!(
                "{} is not an allowed value of `{}`, even ignoring {}",
                literal.text,
                field.name,
                field.normalize.words()
            )
        },
    )
    .with_label(source, literal.span, "not an allowed value")
    .with_help(help))
}

fn quoted_list(values: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut shown: Vec<String> = values
        .iter()
        .take(SHOWN)
        .map(|v| format!("'{v}'"))
        .collect();
    if values.len() > SHOWN {
        shown.push(format!("… ({} more)", values.len() - SHOWN));
    }
    shown.join(", ")
}

fn parse_date(literal: &Literal, source: SourceId) -> Result<NaiveDate, Diagnostic> {
    let date = NaiveDate::parse_from_str(&literal.text, "%Y-%m-%d").map_err(|_| {
        Diagnostic::error(
            Code::InvalidLiteral,
            format!("{} is not a calendar date", literal.text),
        )
        .with_label(source, literal.span, "no such day")
        .with_help(
            "write dates as YYYY-MM-DD, with a month from 01 to 12 and a day that exists in it",
        )
    })?;
    if date < crate::calendar::FIRST_DAY {
        return Err(Diagnostic::error(
            Code::InvalidLiteral,
            format!("{} is before the first date, 1000-01-01", literal.text),
        )
        .with_label(source, literal.span, "too early")
        .with_help("dates run from 1000-01-01 to 9999-12-31 on every engine"));
    }
    Ok(date)
}

fn parse_integer(literal: &Literal, source: SourceId) -> Result<i64, Diagnostic> {
    literal
        .text
        .parse()
        .ok()
        .filter(|n| *n != i64::MIN)
        .ok_or_else(|| out_of_range(literal, source))
}

fn parse_decimal(literal: &Literal, source: SourceId) -> Result<Decimal, Diagnostic> {
    Decimal::parse(&literal.text).ok_or_else(|| out_of_range(literal, source))
}

fn out_of_range(literal: &Literal, source: SourceId) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidLiteral,
        format!("{} is out of range", literal.text),
    )
    .with_label(source, literal.span, "too large")
    .with_help("numbers must lie within ±9223372036854775807")
}

/// Money and decimals with a scale are whole numbers of their smallest unit on every
/// engine (a 64-bit integer: cents for money), so their literals stay within that.
fn beyond_units(literal: &Literal, source: SourceId, field: Expected<'_>) -> Diagnostic {
    let largest = crate::value::Decimal {
        units: i128::from(i64::MAX),
        scale: field.ty.scale().unwrap_or(0),
    };
    Diagnostic::error(
        Code::InvalidLiteral,
        format!("{} is out of range", literal.text),
    )
    .with_label(source, literal.span, "too large")
    .with_help(format!(
        "`{}` is {}: its values lie within ±{largest} on every engine",
        field.name,
        with_article(field.ty)
    ))
}

fn check_scale(
    decimal: Decimal,
    literal: &Literal,
    source: SourceId,
    field: Expected<'_>,
) -> Result<(), Diagnostic> {
    let Some(scale) = field.ty.scale() else {
        return Ok(());
    };
    let needed = decimal.significant_scale();
    if needed <= scale {
        return Ok(());
    }
    let message = if scale == 0 {
        format!(
            "`{}` is {}; {} has a fractional part",
            field.name,
            article(field.ty),
            literal.text
        )
    } else {
        format!(
            "`{}` has {scale} decimal places; {} has {needed}",
            field.name, literal.text
        )
    };
    let (down, up) = rounded(decimal, scale);
    Err(Diagnostic::error(Code::ScaleExceeded, message)
        .with_label(source, literal.span, "too precise")
        .with_help(format!(
            "no stored value lies strictly between {down} and {up}; write one of them"
        )))
}

/// `decimal` rounded down and up to `scale` places.
fn rounded(decimal: Decimal, scale: u32) -> (Decimal, Decimal) {
    let step = 10i128.pow(decimal.scale - scale);
    let down = decimal.units.div_euclid(step);
    (
        Decimal { units: down, scale },
        Decimal {
            units: down + 1,
            scale,
        },
    )
}
