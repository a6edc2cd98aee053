//! Aggregates over a customer's related rows, and the RFM scores.
//!
//! Money is exact: sums, averages and comparisons over money work in integer minor units
//! (cents), so no floating-point rounding decides membership. An average is compared without
//! dividing: `avg(x) > v` is written `SUM(x) > v × COUNT(x)`.

use super::generate::{CUSTOMER, Generator, KEY, RELATED, alias, compare_op};
use super::writer::SqlWriter;
use crate::check::ir::{Aggregate, Bound, Column, Rfm, RfmScore};
use crate::schema::Type;
use crate::syntax::ast::{AggregateFn, CompareOp};
use crate::value::{Decimal, Value};

/// The `WITH` name of the RFM scores.
pub const RFM: &str = "rfm";

/// `10^n` as SQL text, for the scales a column may have.
const POWERS_OF_TEN: [&str; 7] = ["1", "10", "100", "1000", "10000", "100000", "1000000"];

impl Generator<'_> {
    /// `(SELECT <aggregate> FROM related AS r WHERE …)`: one value per customer.
    pub(super) fn aggregate_scalar(&self, w: &mut SqlWriter<'_>, aggregate: &Aggregate) {
        w.sql("(");
        w.indented(|w| {
            self.related_rows(w, aggregate.relation, aggregate.filter.as_ref(), |w| {
                w.sql("SELECT ");
                self.aggregate_expression(w, aggregate);
            });
            if let AggregateFn::First | AggregateFn::Last = aggregate.function {
                self.in_time_order(w, aggregate);
            }
        });
        w.newline().sql(")");
    }

    fn aggregate_expression(&self, w: &mut SqlWriter<'_>, aggregate: &Aggregate) {
        let column = aggregate.column.as_ref();
        match (aggregate.function, column) {
            (AggregateFn::Count, None) => {
                w.sql("COUNT(*)");
            }
            (AggregateFn::Count, Some(column)) => {
                w.sql(if aggregate.distinct {
                    "COUNT(DISTINCT "
                } else {
                    "COUNT("
                });
                w.column(RELATED, &column.name).sql(")");
            }
            (AggregateFn::Sum, Some(column)) => {
                // A customer with no matching rows has spent 0, not an unknown amount.
                w.sql("COALESCE(SUM(");
                units(w, column);
                w.sql("), 0)");
            }
            (AggregateFn::Min | AggregateFn::Max, Some(column)) => {
                w.sql(if aggregate.function == AggregateFn::Min {
                    "MIN("
                } else {
                    "MAX("
                });
                self.comparable(w, column);
                w.sql(")");
            }
            (AggregateFn::First | AggregateFn::Last, Some(column)) => self.comparable(w, column),
            (AggregateFn::Avg, Some(column)) => {
                // Only reached when an average is listed; comparisons use `compare_average`.
                w.sql("AVG(");
                w.column(RELATED, &column.name);
                w.sql(")");
            }
            (_, None) => {
                w.sql("COUNT(*)");
            }
        }
    }

    /// The column as aggregates compare it: money in minor units, timestamps by date.
    fn comparable(&self, w: &mut SqlWriter<'_>, column: &Column) {
        if scale_of(column.ty).is_some() {
            units(w, column);
        } else {
            self.column(w, column);
        }
    }

    /// `ORDER BY time DESC, key DESC` + first row, for `last` (ascending for `first`).
    fn in_time_order(&self, w: &mut SqlWriter<'_>, aggregate: &Aggregate) {
        let related = &self.program.related[aggregate.relation];
        let direction = if aggregate.function == AggregateFn::First {
            " ASC"
        } else {
            " DESC"
        };
        w.newline().sql("ORDER BY ");
        if let Some(time) = &related.time {
            w.column(RELATED, time).sql(direction);
        }
        if let Some(key) = &related.key {
            w.sql(if related.time.is_some() { ", " } else { "" })
                .column(RELATED, key)
                .sql(direction);
        }
        w.dialect().first_row_only(w);
    }

    pub(super) fn compare_aggregate(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        op: CompareOp,
        value: &Bound,
    ) {
        if aggregate.function == AggregateFn::Avg {
            return self.compare_average(w, aggregate, op, value);
        }
        self.aggregate_scalar(w, aggregate);
        w.sql(compare_op(op));
        w.param(self.aggregate_value(aggregate, value));
    }

    pub(super) fn between_aggregate(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        low: &Bound,
        high: &Bound,
        negated: bool,
    ) {
        if aggregate.function == AggregateFn::Avg {
            let (low_op, high_op, joiner) = if negated {
                (CompareOp::Lt, CompareOp::Gt, " OR ")
            } else {
                (CompareOp::Ge, CompareOp::Le, " AND ")
            };
            w.sql("(");
            self.compare_average(w, aggregate, low_op, low);
            w.sql(joiner);
            self.compare_average(w, aggregate, high_op, high);
            w.sql(")");
            return;
        }
        self.aggregate_scalar(w, aggregate);
        w.sql(if negated {
            " NOT BETWEEN "
        } else {
            " BETWEEN "
        });
        w.param(self.aggregate_value(aggregate, low));
        w.sql(" AND ");
        w.param(self.aggregate_value(aggregate, high));
    }

    /// `avg(x) op v` as `(SELECT SUM(x) × 10^s − units(v) × COUNT(x) …) op 0`: exact, and
    /// unknown (no row) when the customer has no matching rows, since `SUM` is then NULL.
    fn compare_average(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        op: CompareOp,
        value: &Bound,
    ) {
        let column = aggregate
            .column
            .as_ref()
            .expect("checker: avg has a column");
        let column_scale = scale_of(column.ty).unwrap_or(0);
        let Value::Decimal(decimal) = self.value(value) else {
            unreachable!("checker: an average compares with a decimal")
        };
        w.sql("(");
        w.indented(|w| {
            self.related_rows(w, aggregate.relation, aggregate.filter.as_ref(), |w| {
                w.sql("SELECT SUM(");
                units(w, column);
                w.sql(") * ");
                w.param(Value::Integer(10i64.pow(decimal.scale)));
                w.sql(" - ");
                let scaled = decimal.units * 10i128.pow(column_scale);
                w.param(Value::Integer(i64::try_from(scaled).unwrap_or(i64::MAX)));
                w.sql(" * COUNT(").column(RELATED, &column.name).sql(")");
            });
        });
        w.newline().sql(")").sql(compare_op(op)).sql("0");
    }

    /// The value an aggregate is compared with, in the aggregate's units.
    fn aggregate_value(&self, aggregate: &Aggregate, bound: &Bound) -> Value {
        let value = self.value(bound);
        match (value, scale_of(aggregate.ty)) {
            (Value::Decimal(decimal), Some(scale)) => Value::Integer(minor_units(decimal, scale)),
            (value, _) => value,
        }
    }

    /// `(SELECT s.score FROM rfm AS s WHERE s.customer_key = c.key)`.
    pub(super) fn rfm_score(&self, w: &mut SqlWriter<'_>, score: RfmScore) {
        w.sql("(SELECT s.")
            .ident(score_column(score))
            .sql(" FROM ")
            .ident(RFM)
            .sql(" AS s WHERE s.");
        w.ident(KEY)
            .sql(" = ")
            .column(CUSTOMER, &self.program.customer.key)
            .sql(")");
    }

    /// Scores 1–5 per purchasing customer: `1 + 5 × (rank − 1) / n`, where rank is the
    /// `RANK()` of the customer's value (ties share a rank, so they share a score) among the
    /// n customers with purchases.
    pub(super) fn rfm_scores(&self, w: &mut SqlWriter<'_>, rfm: &Rfm) {
        let related = &self.program.related[rfm.relation];
        w.sql("SELECT ").ident(KEY);
        for (column, total) in [
            (score_column(RfmScore::Recency), "last_purchase"),
            (score_column(RfmScore::Frequency), "purchases"),
            (score_column(RfmScore::Monetary), "spent"),
        ] {
            w.sql(",");
            w.indented(|w| {
                w.newline()
                    .sql("1 + 5 * (RANK() OVER (ORDER BY ")
                    .ident(total);
                w.sql(") - 1) / COUNT(*) OVER () AS ").ident(column);
            });
        }
        w.newline().sql("FROM (");
        w.indented(|w| {
            w.newline()
                .sql("SELECT ")
                .column(RELATED, &related.customer_key)
                .sql(" AS ")
                .ident(KEY);
            w.sql(", MAX(");
            self.column(w, &rfm.date);
            w.sql(") AS ").ident("last_purchase");
            w.sql(", COUNT(*) AS ").ident("purchases").sql(", SUM(");
            units(w, &rfm.amount);
            w.sql(") AS ").ident("spent");
            w.newline()
                .sql("FROM ")
                .ident(&related.table)
                .sql(" AS ")
                .sql(RELATED);
            w.newline()
                .sql("GROUP BY ")
                .column(RELATED, &related.customer_key);
        });
        w.newline().sql(") AS ").ident("totals");
    }
}

/// `CAST(ROUND(r.amount * 100) AS INTEGER)` for money; the column itself otherwise.
fn units(w: &mut SqlWriter<'_>, column: &Column) {
    match scale_of(column.ty) {
        Some(scale) if scale > 0 => {
            w.sql("CAST(ROUND(")
                .column(alias(column), &column.name)
                .sql(" * ");
            w.sql(POWERS_OF_TEN[scale as usize]).sql(") AS INTEGER)");
        }
        _ => {
            w.column(alias(column), &column.name);
        }
    }
}

/// Digits after the point for types compared in minor units.
fn scale_of(ty: Type) -> Option<u32> {
    match ty {
        Type::Money => Some(2),
        Type::Decimal(Some(scale)) if (scale as usize) < POWERS_OF_TEN.len() => Some(scale),
        _ => None,
    }
}

fn minor_units(decimal: Decimal, scale: u32) -> i64 {
    let units = decimal.with_min_scale(scale).units;
    i64::try_from(units).unwrap_or(if units < 0 { i64::MIN } else { i64::MAX })
}

fn score_column(score: RfmScore) -> &'static str {
    match score {
        RfmScore::Recency => "recency_score",
        RfmScore::Frequency => "frequency_score",
        RfmScore::Monetary => "monetary_score",
    }
}
