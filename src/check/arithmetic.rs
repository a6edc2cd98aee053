//! Arithmetic on a customer's numbers: `count(orders where channel = 'web') /
//! count(orders) >= 0.5`, `ltv - refunds > 1000`, `metric aov = ltv / count(orders)`. Each
//! side has a kind — money, a plain number, or a bare literal that takes the other side's
//! kind — and money cannot meet a plain number in a sum or a comparison, be multiplied by
//! money, or divide a number (docs/semantics.md, "Arithmetic").

use crate::diagnostics::{Code, Diagnostic};
use crate::schema::Type;
use crate::source::Span;
use crate::syntax::ast::{self, ArithOp, CompareOp, ExprKind};
use crate::value::{Decimal, Value};

use super::condition::ConditionChecker;
use super::ir::{Condition, Expr, Operand};
use super::literal::article;
use super::scope::Lookup;

/// What a side of a calculation measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// An amount of money.
    Money,
    /// A plain number: a count, a score, a ratio, an integer or decimal field.
    Number,
    /// A number as written, which takes the kind of what it meets.
    Literal,
}

impl Kind {
    fn of(ty: Type) -> Option<Kind> {
        match ty {
            Type::Money => Some(Kind::Money),
            Type::Integer | Type::Decimal(_) => Some(Kind::Number),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Money => "money",
            Kind::Number | Kind::Literal => "a number",
        }
    }

    /// The kind of `self op other`, or why there is none.
    fn combine(self, op: ArithOp, other: Kind) -> Result<Kind, &'static str> {
        use Kind::*;
        match (op, self, other) {
            (_, Literal, Literal) => Ok(Literal),
            (ArithOp::Add | ArithOp::Sub, Money, Money | Literal) | (ArithOp::Add | ArithOp::Sub, Literal, Money) => Ok(Money),
            (ArithOp::Add | ArithOp::Sub, Number, Number | Literal) | (ArithOp::Add | ArithOp::Sub, Literal, Number) => Ok(Number),
            (ArithOp::Add | ArithOp::Sub, _, _) => Err("adds money and a plain number"),
            (ArithOp::Mul, Money, Money) => Err("multiplies money by money"),
            (ArithOp::Mul, Money, _) | (ArithOp::Mul, _, Money) => Ok(Money),
            (ArithOp::Mul, _, _) => Ok(Number),
            (ArithOp::Div, Money, Money) => Ok(Number),
            (ArithOp::Div, Money, _) => Ok(Money),
            (ArithOp::Div, _, Money) => Err("divides a number by money"),
            (ArithOp::Div, _, _) => Ok(Number),
        }
    }
}

/// The most places after the point a number in a calculation may have.
const MOST_PLACES: u32 = 18;

/// The most operators on one side: each is written out in SQL once per use of its operands,
/// so the text grows quickly with depth.
const MOST_OPERATORS: usize = 8;

impl ConditionChecker<'_> {
    /// `left op right` with arithmetic on either side.
    pub(super) fn arithmetic(
        &mut self,
        left: &ast::Expr,
        op: CompareOp,
        right: &ast::Expr,
    ) -> Option<Condition> {
        let (left_checked, right_checked) = (self.expression(left), self.expression(right));
        let ((left_expr, left_kind), (right_expr, right_kind)) = (left_checked?, right_checked?);
        if left_kind.combine(ArithOp::Sub, right_kind).is_err() {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "this compares {} with {}",
                        left_kind.describe(),
                        right_kind.describe()
                    ),
                )
                .with_label(self.source, left.span, left_kind.describe())
                .with_label(self.source, right.span, right_kind.describe())
                .with_help("compare money with money and counts or ratios with numbers"),
            );
        }
        Some(Condition::Arithmetic {
            left: left_expr,
            op,
            right: right_expr,
        })
    }

    /// `expression [not] between low and high`: both bounds inclusive, as two comparisons.
    pub(super) fn arithmetic_between(
        &mut self,
        expression: &ast::Expr,
        negated: bool,
        low: &ast::Expr,
        high: &ast::Expr,
    ) -> Option<Condition> {
        let (low_op, high_op) = if negated {
            (CompareOp::Lt, CompareOp::Gt)
        } else {
            (CompareOp::Ge, CompareOp::Le)
        };
        let (above, below) = (
            self.arithmetic(expression, low_op, low),
            self.arithmetic(expression, high_op, high),
        );
        let parts = vec![above?, below?];
        Some(if negated {
            Condition::Or(parts)
        } else {
            Condition::And(parts)
        })
    }

    /// An expression and its kind, or `None` with the problems recorded.
    pub(super) fn expression(&mut self, expr: &ast::Expr) -> Option<(Expr, Kind)> {
        if operators(expr) > MOST_OPERATORS {
            return self.fail(too_long(expr.span, self.source));
        }
        match &expr.kind {
            ExprKind::Parenthesised(inner) => self.expression(inner),
            ExprKind::Number(literal) if literal.kind == ast::LiteralKind::Date => self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!("{} is a date, and dates are not calculated with", literal.text),
                )
                .with_label(self.source, literal.span, "a date")
                .with_help("compare dates with windows (`in last 90 days`) or with a date"),
            ),
            // Its digits must fit a 64-bit whole number, and its places a power of ten.
            ExprKind::Number(literal) => match Decimal::parse(&literal.text)
                .filter(|d| i64::try_from(d.units).is_ok() && d.scale <= MOST_PLACES)
            {
                Some(value) => Some((Expr::Number(Value::Decimal(value)), Kind::Literal)),
                None => self.fail(
                    Diagnostic::error(
                        Code::InvalidLiteral,
                        format!("{} is not a number seglang can compute with", literal.text),
                    )
                    .with_label(self.source, literal.span, "out of range")
                    .with_help(format!(
                        "a number in a calculation has at most 18 digits and {MOST_PLACES} places"
                    )),
                ),
            },
            ExprKind::Binary(op, left, right) => {
                let (l, r) = (self.expression(left), self.expression(right));
                let ((left_expr, left_kind), (right_expr, right_kind)) = (l?, r?);
                let combined = Expr::Binary(*op, Box::new(left_expr), Box::new(right_expr));
                if ir_operators(&combined) > MOST_OPERATORS {
                    // Metrics inside count: each is written out where it is used.
                    return self.fail(too_long(expr.span, self.source));
                }
                match left_kind.combine(*op, right_kind) {
                    Ok(kind) => Some((combined, kind)),
                    Err(why) => self.fail(
                        Diagnostic::error(
                            Code::TypeMismatch,
                            format!("`{}` {why}", crate::syntax::print::expression(expr)),
                        )
                        .with_label(self.source, left.span, left_kind.describe())
                        .with_label(self.source, right.span, right_kind.describe())
                        .with_help(
                            "money adds to money and scales by numbers; money over money is a ratio",
                        ),
                    ),
                }
            }
            ExprKind::Operand(operand) => self.expression_operand(operand, expr.span),
        }
    }

    fn expression_operand(&mut self, operand: &ast::Operand, span: Span) -> Option<(Expr, Kind)> {
        if let ast::Operand::Field(field) = operand
            && let Some(calculated) = self.calculated_metric(field)
        {
            let calculated = calculated?;
            let kind = kind_of(&calculated);
            return Some((calculated, kind));
        }
        let resolved = self.operand(operand)?;
        if resolved.quantified_over.is_some() {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "`{}` has one value per related row, so it cannot be computed with",
                        resolved.name
                    ),
                )
                .with_label(self.source, span, "many values per customer")
                .with_help("use an aggregate of it, as in `sum(orders.amount)`"),
            );
        }
        let Some(kind) = Kind::of(resolved.ty) else {
            return self.fail(
                Diagnostic::error(
                    Code::TypeMismatch,
                    format!(
                        "arithmetic takes numbers and money, and `{}` is {}",
                        resolved.name,
                        article(resolved.ty)
                    ),
                )
                .with_label(self.source, span, format!("{} value", resolved.ty))
                .with_help(if matches!(resolved.ty, Type::Date | Type::Timestamp) {
                    "dates are compared with windows (`in last 90 days`), not added"
                } else {
                    "compare it on its own, as in `newsletter` or `city = 'London'`"
                }),
            );
        };
        Some((Expr::Operand(resolved.operand), kind))
    }

    /// A metric defined by a calculation, if `field` names one: `Some(None)` when it failed
    /// to check (its problem is reported where it is defined).
    pub(super) fn calculated_metric(&mut self, field: &ast::FieldRef) -> Option<Option<Expr>> {
        if field.entity.is_some() || !self.definitions.metrics.contains_key(field.name.text.as_str()) {
            return None;
        }
        let expr = match self.lookup(
            &self.definitions.metrics,
            &field.name.text,
            field.name.span,
            "metric",
        ) {
            Lookup::Found(metric) => metric.checked.clone(),
            Lookup::Hidden | Lookup::Missing => return Some(None),
        };
        match expr {
            Some(Expr::Operand(Operand::Aggregate(_))) => None,
            other => Some(other),
        }
    }
}

/// A side with more than [`MOST_OPERATORS`] operators, the metrics it uses included.
fn too_long(span: Span, source: crate::source::SourceId) -> Diagnostic {
    Diagnostic::error(
        Code::InvalidLiteral,
        format!(
            "a calculation takes at most {MOST_OPERATORS} operators on a side, counting those \
             of the metrics it uses"
        ),
    )
    .with_label(source, span, "too long")
    .with_help("compare parts of it separately, or simplify the metrics it uses")
}

/// How many operators a checked expression has, its metrics written out.
fn ir_operators(expr: &Expr) -> usize {
    match expr {
        Expr::Binary(_, left, right) => 1 + ir_operators(left) + ir_operators(right),
        Expr::Number(_) | Expr::Operand(_) => 0,
    }
}

/// How many operators an expression has.
fn operators(expr: &ast::Expr) -> usize {
    match &expr.kind {
        ExprKind::Binary(_, left, right) => 1 + operators(left) + operators(right),
        ExprKind::Parenthesised(inner) => operators(inner),
        ExprKind::Number(_) | ExprKind::Operand(_) => 0,
    }
}

/// The kind of a checked expression.
pub(super) fn kind_of(expr: &Expr) -> Kind {
    match expr {
        Expr::Number(_) => Kind::Literal,
        Expr::Operand(Operand::Aggregate(aggregate)) => Kind::of(aggregate.ty).unwrap_or(Kind::Number),
        Expr::Operand(Operand::Column(column)) => Kind::of(column.ty).unwrap_or(Kind::Number),
        Expr::Operand(Operand::Rfm(_)) => Kind::Number,
        Expr::Binary(op, left, right) => kind_of(left)
            .combine(*op, kind_of(right))
            .unwrap_or(Kind::Number),
    }
}
