//! Contradictions in an `and` group: what the tests on one field say together (allowed
//! values, excluded values, bounds, known or unknown), and whether anything is left.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::check::literal::{Expected, to_value};
use crate::diagnostics::{Code, Diagnostic};
use crate::schema::{Entity, Field};
use crate::source::{SourceId, Span};
use crate::syntax::ast::{self, CompareOp, ConditionKind, InValues, Operand, ValueExpr};
use crate::value::{Decimal, Value};

/// What the tests of one `and` group require of one field.
#[derive(Default)]
struct Facts {
    /// The value must be one of these (when set).
    allowed: Option<Vec<Value>>,
    excluded: Vec<Value>,
    /// Lower bound and whether it is included.
    low: Option<(Value, bool)>,
    high: Option<(Value, bool)>,
    known: bool,
    unknown: bool,
    spans: Vec<Span>,
}

/// A warning if the tests in `parts` on one field of `entity` can never all hold.
pub fn contradiction(
    parts: &[ast::Condition],
    entity: &Entity,
    source: SourceId,
) -> Option<Diagnostic> {
    let mut by_field: BTreeMap<&str, Facts> = BTreeMap::new();
    for part in parts {
        let Some((field, span)) = tested_field(part, entity) else {
            continue;
        };
        let facts = by_field.entry(&field.name).or_default();
        facts.spans.push(span);
        record(facts, &part.kind, field, source);
    }
    let (name, facts) = by_field
        .into_iter()
        .find(|(_, f)| f.spans.len() > 1 && impossible(f))?;
    let mut diagnostic = Diagnostic::warning(
        Code::Contradiction,
        format!("the tests on `{name}` can never all hold, so this never matches anyone"),
    )
    .with_help("check the values and bounds; perhaps `or` was meant");
    for span in facts.spans {
        diagnostic = diagnostic.with_label(source, span, "");
    }
    Some(diagnostic)
}

/// The field a test is about, if it is a plain field of `entity` (one value per row).
fn tested_field<'e>(condition: &ast::Condition, entity: &'e Entity) -> Option<(&'e Field, Span)> {
    let field = match &condition.kind {
        ConditionKind::Compare {
            operand: Operand::Field(f),
            ..
        }
        | ConditionKind::Between {
            operand: Operand::Field(f),
            ..
        } => f,
        ConditionKind::In { field, .. } | ConditionKind::Known { field, .. } => field,
        _ => return None,
    };
    if field.entity.as_ref().is_some_and(|e| e.text != entity.name) {
        return None;
    }
    let found = entity.field(&field.name.text).filter(|f| f.via.is_none())?;
    Some((found, condition.span))
}

fn record(facts: &mut Facts, kind: &ConditionKind, field: &Field, source: SourceId) {
    let value = |literal: &ast::Literal| to_value(literal, source, Expected::from(field)).ok();
    match kind {
        ConditionKind::Known { known: true, .. } => facts.known = true,
        ConditionKind::Known { known: false, .. } => facts.unknown = true,
        ConditionKind::Compare {
            op,
            value: ValueExpr::Literal(literal),
            ..
        } => {
            facts.known = true;
            let Some(v) = value(literal) else { return };
            match op {
                CompareOp::Eq => restrict(facts, vec![v]),
                CompareOp::Ne => facts.excluded.push(v),
                CompareOp::Gt => raise(facts, v, false),
                CompareOp::Ge => raise(facts, v, true),
                CompareOp::Lt => lower(facts, v, false),
                CompareOp::Le => lower(facts, v, true),
            }
        }
        ConditionKind::Between {
            negated: false,
            low: ValueExpr::Literal(l),
            high: ValueExpr::Literal(h),
            ..
        } => {
            facts.known = true;
            if let (Some(l), Some(h)) = (value(l), value(h)) {
                raise(facts, l, true);
                lower(facts, h, true);
            }
        }
        ConditionKind::In {
            negated,
            values: InValues::List(list),
            ..
        } => {
            facts.known = true;
            let values: Vec<Value> = list.items.iter().filter_map(value).collect();
            if *negated {
                facts.excluded.extend(values);
            } else {
                restrict(facts, values);
            }
        }
        _ => facts.known = true,
    }
}

fn restrict(facts: &mut Facts, values: Vec<Value>) {
    facts.allowed = Some(match facts.allowed.take() {
        Some(allowed) => allowed.into_iter().filter(|v| values.contains(v)).collect(),
        None => values,
    });
}

fn raise(facts: &mut Facts, value: Value, inclusive: bool) {
    let tighter = match &facts.low {
        None => true,
        Some((current, current_inclusive)) => match compare(&value, current) {
            Some(Ordering::Greater) => true,
            Some(Ordering::Equal) => *current_inclusive && !inclusive,
            _ => false,
        },
    };
    if tighter {
        facts.low = Some((value, inclusive));
    }
}

fn lower(facts: &mut Facts, value: Value, inclusive: bool) {
    let tighter = match &facts.high {
        None => true,
        Some((current, current_inclusive)) => match compare(&value, current) {
            Some(Ordering::Less) => true,
            Some(Ordering::Equal) => *current_inclusive && !inclusive,
            _ => false,
        },
    };
    if tighter {
        facts.high = Some((value, inclusive));
    }
}

/// Whether no value (and not unknown either) satisfies the facts.
fn impossible(facts: &Facts) -> bool {
    if facts.known && facts.unknown {
        return true;
    }
    let in_range = |v: &Value| {
        let above = facts
            .low
            .as_ref()
            .is_none_or(|(low, inclusive)| match compare(v, low) {
                Some(Ordering::Greater) => true,
                Some(Ordering::Equal) => *inclusive,
                Some(Ordering::Less) => false,
                None => true,
            });
        let below = facts
            .high
            .as_ref()
            .is_none_or(|(high, inclusive)| match compare(v, high) {
                Some(Ordering::Less) => true,
                Some(Ordering::Equal) => *inclusive,
                Some(Ordering::Greater) => false,
                None => true,
            });
        above && below
    };
    if let Some(allowed) = &facts.allowed {
        return !allowed
            .iter()
            .any(|v| in_range(v) && !facts.excluded.contains(v));
    }
    match (&facts.low, &facts.high) {
        (Some((low, low_inclusive)), Some((high, high_inclusive))) => match compare(low, high) {
            Some(Ordering::Greater) => true,
            Some(Ordering::Equal) => {
                !(*low_inclusive && *high_inclusive) || facts.excluded.contains(low)
            }
            _ => false,
        },
        _ => false,
    }
}

/// Orders two values of one type; numbers of different scales compare exactly.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    let decimal = |v: &Value| match v {
        Value::Integer(n) => Some(Decimal {
            units: i128::from(*n),
            scale: 0,
        }),
        Value::Decimal(d) => Some(*d),
        _ => None,
    };
    match (a, b) {
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Text(x), Value::Text(y)) => Some(x.cmp(y)),
        _ => {
            let (x, y) = (decimal(a)?, decimal(b)?);
            let scale = x.scale.max(y.scale);
            Some(
                x.with_min_scale(scale)
                    .units
                    .cmp(&y.with_min_scale(scale).units),
            )
        }
    }
}
