//! Tests against a bound the operand can never cross: a count is never negative, an RFM
//! score lies between 1 and the number of buckets, an age is never negative. `count(orders) >= -1` always
//! holds; `recency_score > 6` and `age(birthday) < 0` never do.

use crate::check::RFM_SCORES;
use crate::diagnostics::{Code, Diagnostic};
use crate::schema::Schema;
use crate::source::SourceId;
use crate::syntax::ast::{
    self, AggregateFn, CompareOp, ConditionKind, Function, Operand, ValueExpr,
};

/// The whole numbers an operand can take, and whether it can be unknown (then a test on
/// it never holds for everyone).
struct Range {
    what: String,
    low: i128,
    high: Option<i128>,
    may_be_unknown: bool,
}

/// A warning when `condition` compares an operand of known range with a literal so that it
/// always or never holds.
pub fn check(condition: &ast::Condition, schema: &Schema, source: SourceId) -> Option<Diagnostic> {
    let (operand, test) = match &condition.kind {
        ConditionKind::Compare {
            operand,
            op,
            value: ValueExpr::Literal(literal),
        } => (operand, Test::Compare(*op, number(&literal.text)?)),
        ConditionKind::Between {
            operand,
            low: ValueExpr::Literal(low),
            high: ValueExpr::Literal(high),
            negated: false,
        } => (operand, Test::Between(number(&low.text)?, number(&high.text)?)),
        _ => return None,
    };
    let range = range(operand, schema)?;
    let (holds_somewhere, holds_everywhere) = test.against(&range);
    let bounds = match range.high {
        Some(high) => format!("lies between {} and {high}", range.low),
        None if range.low == 0 => "is never negative".into(),
        None => format!("is never below {}", range.low),
    };
    let (code, verdict) = if !holds_somewhere {
        (Code::Contradiction, "never holds")
    } else if holds_everywhere && !range.may_be_unknown {
        (Code::Tautology, "always holds")
    } else {
        return None;
    };
    Some(
        Diagnostic::warning(code, format!("{} {bounds}, so this {verdict}", range.what))
            .with_label(source, condition.span, "here")
            .with_help(help(&test, &range)),
    )
}

fn help(test: &Test, range: &Range) -> String {
    match (test, range.low) {
        (Test::Compare(CompareOp::Ge | CompareOp::Lt, v), 0) if *v == 0.0 => {
            "did you mean `> 0` or `= 0`?".into()
        }
        _ => "check the bound".into(),
    }
}

/// A test of an operand against literal numbers.
enum Test {
    Compare(CompareOp, f64),
    Between(f64, f64),
}

impl Test {
    /// Whether some whole number of `range` passes, and whether all do.
    fn against(&self, range: &Range) -> (bool, bool) {
        let low = range.low as f64;
        let high = range.high.map_or(f64::INFINITY, |h| h as f64);
        let whole = |v: f64| v.fract() == 0.0;
        match *self {
            Test::Compare(op, v) => match op {
                CompareOp::Gt => (high > v, low > v),
                CompareOp::Ge => (high >= v, low >= v),
                CompareOp::Lt => (low < v, high < v),
                CompareOp::Le => (low <= v, high <= v),
                CompareOp::Eq => (whole(v) && low <= v && v <= high, low == v && high == v),
                CompareOp::Ne => (
                    !(low == v && high == v),
                    !whole(v) || v < low || v > high,
                ),
            },
            Test::Between(from, to) => (
                from.ceil() <= to.floor() && from.ceil() <= high && to.floor() >= low,
                from <= low && to >= high,
            ),
        }
    }
}

fn number(text: &str) -> Option<f64> {
    text.parse().ok()
}

fn range(operand: &Operand, schema: &Schema) -> Option<Range> {
    match operand {
        Operand::Aggregate(aggregate) if aggregate.function == AggregateFn::Count => Some(Range {
            what: "a count".into(),
            low: 0,
            high: None,
            may_be_unknown: false,
        }),
        Operand::Function {
            function: Function::Age,
            ..
        } => Some(Range {
            what: "an age".into(),
            low: 0,
            high: None,
            may_be_unknown: true,
        }),
        Operand::Field(field)
            if field.entity.is_none()
                && schema.customer.field(&field.name.text).is_none()
                && RFM_SCORES.iter().any(|(n, _)| *n == field.name.text) =>
        {
            let rfm = schema.rfm.as_ref()?;
            Some(Range {
                what: format!("`{}`", field.name.text),
                low: 1,
                high: Some(i128::from(rfm.scoring.buckets)),
                may_be_unknown: true,
            })
        }
        _ => None,
    }
}
