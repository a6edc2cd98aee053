//! Calculations compared exactly (docs/semantics.md, "Arithmetic"): each side is written
//! as a fraction of two whole numbers — money in cents over 100, an average as its sum over
//! its count — and the comparison multiplies across instead of dividing, so no engine
//! rounds: `a/b op c/d` is `a·d op c·b` when `b·d > 0`, the reverse when it is negative, and
//! unknown when it is zero (a division by zero) or when anything is unknown.

use super::aggregate::{scale_of, units};
use super::batch::average_parts;
use super::dialect::infix;
use super::generate::Generator;
use super::writer::SqlWriter;
use crate::check::ir::{Aggregate, AggregateFn, ArithOp, CompareOp, Expr, Operand};
use crate::value::Value;

/// Which half of a side's fraction.
#[derive(Clone, Copy)]
enum Half {
    Numerator,
    Denominator,
}

impl Generator<'_> {
    /// `CASE WHEN b·d > 0 THEN a·d op c·b WHEN b·d < 0 THEN c·b op a·d END` for `left` =
    /// a/b and `right` = c/d.
    pub(super) fn arithmetic(&self, w: &mut SqlWriter<'_>, left: &Expr, op: CompareOp, right: &Expr) {
        let cross = |w: &mut SqlWriter<'_>, first: &Expr, second: &Expr| {
            product(w, &|w| self.half(w, first, Half::Numerator), &|w| {
                self.half(w, second, Half::Denominator)
            });
        };
        let denominators = |w: &mut SqlWriter<'_>| {
            product(w, &|w| self.half(w, left, Half::Denominator), &|w| {
                self.half(w, right, Half::Denominator)
            });
        };
        w.sql("CASE WHEN ");
        denominators(w);
        w.sql(" > 0 THEN ");
        cross(w, left, right);
        w.sql(super::generate::compare_op(op));
        cross(w, right, left);
        w.sql(" WHEN ");
        denominators(w);
        w.sql(" < 0 THEN ");
        cross(w, right, left);
        w.sql(super::generate::compare_op(op));
        cross(w, left, right);
        w.sql(" END");
    }

    /// The numerator or denominator of `expr` as a fraction of whole numbers.
    fn half(&self, w: &mut SqlWriter<'_>, expr: &Expr, half: Half) {
        match expr {
            Expr::Number(value) => {
                let (units, scale) = match value {
                    Value::Decimal(d) => (
                        i64::try_from(d.units).expect("checker: a number in a calculation fits"),
                        d.scale,
                    ),
                    Value::Integer(n) => (*n, 0),
                    _ => (0, 0),
                };
                // Both halves are bound: the SQL text does not depend on the number.
                let half = match half {
                    Half::Numerator => units,
                    Half::Denominator => 10i64.pow(scale),
                };
                let dialect = w.dialect();
                dialect.wide_integer(w, &|w| {
                    w.param(Value::Integer(half));
                });
            }
            Expr::Operand(operand) => self.operand_half(w, operand, half),
            Expr::Binary(op, left, right) => {
                let l = |w: &mut SqlWriter<'_>, h| self.half(w, left, h);
                let r = |w: &mut SqlWriter<'_>, h| self.half(w, right, h);
                let (n, d) = (Half::Numerator, Half::Denominator);
                match (op, half) {
                    // a/b ± c/d = (a·d ± c·b) / (b·d)
                    (ArithOp::Add | ArithOp::Sub, Half::Numerator) => {
                        w.sql("(");
                        product(w, &|w| l(w, n), &|w| r(w, d));
                        w.sql(if *op == ArithOp::Add { " + " } else { " - " });
                        product(w, &|w| r(w, n), &|w| l(w, d));
                        w.sql(")");
                    }
                    (ArithOp::Add | ArithOp::Sub | ArithOp::Mul, Half::Denominator) => {
                        product(w, &|w| l(w, d), &|w| r(w, d));
                    }
                    // a/b · c/d = a·c / (b·d)
                    (ArithOp::Mul, Half::Numerator) => product(w, &|w| l(w, n), &|w| r(w, n)),
                    // (a/b) / (c/d) = a·d / (b·c)
                    (ArithOp::Div, Half::Numerator) => product(w, &|w| l(w, n), &|w| r(w, d)),
                    (ArithOp::Div, Half::Denominator) => product(w, &|w| l(w, d), &|w| r(w, n)),
                }
            }
        }
    }

    /// A field, score or aggregate as a fraction: its value in whole units of its last
    /// place over that place's power of ten.
    fn operand_half(&self, w: &mut SqlWriter<'_>, operand: &Operand, half: Half) {
        let dialect = w.dialect();
        match (operand, half) {
            (Operand::Column(column), Half::Numerator) => dialect.wide_integer(w, &|w| {
                if scale_of(column.ty).is_some() {
                    units(w, column);
                } else {
                    self.column(w, column);
                }
            }),
            (Operand::Column(column), Half::Denominator) => {
                w.number(10u64.pow(scale_of(column.ty).unwrap_or(0)));
            }
            (Operand::Rfm(score), Half::Numerator) => {
                dialect.wide_integer(w, &|w| self.rfm_score(w, *score));
            }
            (Operand::Rfm(_), Half::Denominator) => {
                w.number(1);
            }
            (Operand::Aggregate(aggregate), half) if aggregate.function == AggregateFn::Avg => {
                // An average is its sum over its count (unknown over no values: 0 / 0).
                let [sum, count] = average_parts(aggregate);
                let scale = aggregate.column.as_ref().and_then(|c| scale_of(c.ty)).unwrap_or(0);
                match half {
                    Half::Numerator => dialect.wide_integer(w, &|w| self.fact_or_scalar(w, &sum)),
                    Half::Denominator => {
                        w.sql("(");
                        dialect.wide_integer(w, &|w| {
                            w.sql("COALESCE(");
                            self.fact_or_scalar(w, &count);
                            w.sql(", 0)");
                        });
                        w.sql(" * ").number(10u64.pow(scale)).sql(")");
                    }
                }
            }
            (Operand::Aggregate(aggregate), Half::Numerator) => {
                dialect.wide_integer(w, &|w| match aggregate.function {
                    // Over no rows, a count or a sum is 0.
                    AggregateFn::Count | AggregateFn::Sum => {
                        w.sql("COALESCE(");
                        self.fact_or_scalar(w, aggregate);
                        w.sql(", 0)");
                    }
                    _ => self.fact_or_scalar(w, aggregate),
                });
            }
            (Operand::Aggregate(aggregate), Half::Denominator) => {
                let scale = match aggregate.function {
                    AggregateFn::Count => 0,
                    _ => aggregate.column.as_ref().and_then(|c| scale_of(c.ty)).unwrap_or(0),
                };
                w.number(10u64.pow(scale));
            }
        }
    }

    /// The aggregate's value per customer, in whole units: from the batch's facts when they
    /// hold it, else its own subquery.
    fn fact_or_scalar(&self, w: &mut SqlWriter<'_>, aggregate: &Aggregate) {
        if self.facts().is_some_and(|facts| facts.column(aggregate).is_some()) {
            self.fact_column(w, aggregate);
        } else {
            self.aggregate_scalar(w, aggregate);
        }
    }
}

/// `(left) * (right)`.
fn product(
    w: &mut SqlWriter<'_>,
    left: &dyn Fn(&mut SqlWriter<'_>),
    right: &dyn Fn(&mut SqlWriter<'_>),
) {
    infix(w, left, " * ", right);
}
