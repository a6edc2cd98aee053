//! Aggregates over a customer's related rows, and the RFM scores.
//!
//! Money is exact: sums, averages and comparisons over money work in integer minor units
//! (cents), so no floating-point rounding decides membership. An average is compared through
//! the whole quotient and remainder of its sum by its count, which neither rounds nor
//! overflows (see [`Generator::average_difference`]).

use super::batch::{average_parts, rfm_facts};
use super::dialect;
use super::generate::{
    CUSTOMER, Generator, KEY, Plan, RELATED, alias, between_expression, between_values,
    compare_expression, compare_op, from_related, select_customer_keys,
};
use super::writer::SqlWriter;
use crate::check::ir::{
    Aggregate, Bound, Column, Condition, Direction, Operand, Rfm, RfmMethod, RfmScore,
};
use crate::check::ir::{AggregateFn, CompareOp};
use crate::schema::Type;
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
                w.sql("COALESCE(");
                sum_in_units(w, column, None);
                w.sql(", 0)");
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
            // Timestamps stay ISO text: comparisons with dates use day bounds.
            w.column(alias(column), &column.name);
        }
    }

    /// `ORDER BY time DESC, key DESC` + first row, for `last` (ascending for `first`). An
    /// unknown time sorts first, on every engine: engines differ in where NULLs go unless
    /// told.
    fn in_time_order(&self, w: &mut SqlWriter<'_>, aggregate: &Aggregate) {
        let related = &self.program.related[aggregate.relation];
        let direction = if aggregate.function == AggregateFn::First {
            " ASC NULLS FIRST"
        } else {
            " DESC NULLS LAST"
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

    /// `aggregate op value`. `first` and `last` look up each customer's latest row through
    /// the index; the others become a set of customers computed in one grouped pass over the
    /// related table (the plan an expert writes), `IN` it, or `NOT IN` the complement when
    /// customers with no matching rows satisfy the test (a count or sum of 0). In a batch,
    /// the aggregate is read from the facts.
    pub(super) fn compare_aggregate(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        op: CompareOp,
        value: &Bound,
    ) {
        self.aggregate_test(w, aggregate, &Test::Compare(op, value));
    }

    pub(super) fn between_aggregate(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        low: &Bound,
        high: &Bound,
        negated: bool,
    ) {
        self.aggregate_test(w, aggregate, &Test::Between(low, high, negated));
    }

    /// How `aggregate` tested by `test` is written in this query.
    pub(super) fn aggregate_form(&self, aggregate: &Aggregate, test: &Test<'_>) -> Form {
        if self.needs_row_order(aggregate) {
            return Form::RowOrder;
        }
        if self.has_facts(aggregate) {
            return Form::Facts;
        }
        if let Plan::Probes = self.plan {
            return Form::Probe;
        }
        if let Test::Compare(op, value) = test
            && let Some(exists) = self.existence(aggregate, *op, value)
        {
            return Form::Exists(exists);
        }
        Form::Set {
            empty_holds: self.empty_holds(aggregate, |zero| match test {
                Test::Compare(op, value) => {
                    compare_zero(zero, *op, &self.aggregate_value(aggregate, value))
                }
                Test::Between(low, high, negated) => {
                    let inside =
                        compare_zero(zero, CompareOp::Ge, &self.aggregate_value(aggregate, low))
                            && compare_zero(
                                zero,
                                CompareOp::Le,
                                &self.aggregate_value(aggregate, high),
                            );
                    inside != *negated
                }
            }),
        }
    }

    fn aggregate_test(&self, w: &mut SqlWriter<'_>, aggregate: &Aggregate, test: &Test<'_>) {
        match self.aggregate_form(aggregate, test) {
            Form::RowOrder => {
                let scalar = |w: &mut SqlWriter<'_>| self.aggregate_scalar(w, aggregate);
                self.test_values(w, aggregate, test, &scalar);
            }
            Form::Facts => self.test_groups(w, aggregate, test, Groups::Facts),
            Form::Probe => {
                // Over no rows at all, the aggregate query still yields its one group (a
                // count of 0), so `HAVING` tests customers without rows too. (SQLite wants
                // an aggregate in the select list to accept `HAVING` without `GROUP BY`.)
                w.sql("EXISTS (");
                w.indented(|w| {
                    self.related_rows(w, aggregate.relation, aggregate.filter.as_ref(), |w| {
                        w.sql("SELECT COUNT(*)");
                    });
                    w.newline().sql("HAVING ");
                    self.test_groups(w, aggregate, test, Groups::Rows);
                });
                w.newline().sql(")");
            }
            // `count(rows) = 0` is "no such row", `count(rows) >= 1` "some such row".
            Form::Exists(exists) => {
                self.any_row(w, aggregate.relation, aggregate.filter.as_ref(), exists);
            }
            Form::Set { empty_holds } => {
                w.column(CUSTOMER, &self.program.customer.key);
                w.sql(if empty_holds { " NOT IN (" } else { " IN (" });
                w.indented(|w| self.grouped_keys(w, aggregate, test, empty_holds, false));
                w.newline().sql(")");
            }
        }
    }

    /// The test over one customer's group: of related rows (inside `HAVING`), or of facts.
    /// An average is compared exactly (see [`Generator::average_difference`]).
    pub(super) fn test_groups(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        test: &Test<'_>,
        groups: Groups,
    ) {
        if aggregate.function == AggregateFn::Avg {
            let [sum, count] = average_parts(aggregate);
            let column = sum.column.as_ref().expect("checker: avg has a column");
            let sum = |w: &mut SqlWriter<'_>| match groups {
                Groups::Rows => sum_in_units(w, column, None),
                Groups::Facts => self.fact_column(w, &sum),
            };
            let count = |w: &mut SqlWriter<'_>| match groups {
                Groups::Rows => {
                    w.sql("COUNT(").column(RELATED, &column.name).sql(")");
                }
                Groups::Facts => self.fact_column(w, &count),
            };
            // `avg op v`: `sum op V × count` when `v` is a whole number of units small
            // enough that the product cannot overflow; else the sign of `avg − v`.
            let compare = |w: &mut SqlWriter<'_>, value: &Bound, op: &'static str| {
                if let Some(whole) = self.small_whole_average(aggregate, value) {
                    sum(w);
                    w.sql(op);
                    w.param(Value::Integer(whole));
                    w.sql(" * ");
                    count(w);
                } else {
                    self.average_difference(w, aggregate, value, &sum, &count);
                    w.sql(op).sql("0");
                }
            };
            match test {
                Test::Compare(op, value) => {
                    w.sql("(");
                    compare(w, value, compare_op(*op));
                    w.sql(")");
                }
                Test::Between(low, high, negated) => {
                    let (low_op, high_op, joiner) = if *negated {
                        (" < ", " > ", " OR ")
                    } else {
                        (" >= ", " <= ", " AND ")
                    };
                    w.sql("(");
                    compare(w, low, low_op);
                    w.sql(joiner);
                    compare(w, high, high_op);
                    w.sql(")");
                }
            }
            return;
        }
        let value = |w: &mut SqlWriter<'_>| match groups {
            Groups::Rows => self.grouped_expression(w, aggregate),
            Groups::Facts => self.fact_value(w, aggregate),
        };
        self.test_values(w, aggregate, test, &value);
    }

    /// `value op v` or `value [NOT] BETWEEN low AND high`, with values in the aggregate's units.
    fn test_values(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        test: &Test<'_>,
        value: &dyn Fn(&mut SqlWriter<'_>),
    ) {
        match test {
            Test::Compare(op, bound) => compare_expression(
                w,
                value,
                aggregate.ty,
                *op,
                self.aggregate_value(aggregate, bound),
            ),
            Test::Between(low, high, negated) => between_expression(
                w,
                value,
                aggregate.ty,
                self.aggregate_value(aggregate, low),
                self.aggregate_value(aggregate, high),
                *negated,
            ),
        }
    }

    /// Whether `count(rows) op value` only asks if a row exists (`Some(true)`) or not.
    fn existence(&self, aggregate: &Aggregate, op: CompareOp, value: &Bound) -> Option<bool> {
        if aggregate.function != AggregateFn::Count
            || aggregate.distinct
            || aggregate.column.is_some()
        {
            return None;
        }
        let Value::Integer(n) = self.aggregate_value(aggregate, value) else {
            return None;
        };
        match (op, n) {
            (CompareOp::Eq | CompareOp::Le, 0) | (CompareOp::Lt, 1) => Some(false),
            (CompareOp::Ge, 1) | (CompareOp::Gt | CompareOp::Ne, 0) => Some(true),
            _ => None,
        }
    }

    /// `first` and `last` of anything but the time itself need each customer's rows in
    /// order, so they stay a per-customer lookup.
    fn needs_row_order(&self, aggregate: &Aggregate) -> bool {
        matches!(aggregate.function, AggregateFn::First | AggregateFn::Last)
            && !self.is_time(aggregate)
    }

    fn is_time(&self, aggregate: &Aggregate) -> bool {
        let time = self.program.related[aggregate.relation].time.as_ref();
        aggregate
            .column
            .as_ref()
            .is_some_and(|c| Some(&c.name) == time)
    }

    /// The aggregate over one customer's group of rows. The latest time is its maximum;
    /// the earliest is its minimum unless a row's time is unknown (an unknown time sorts
    /// first, so the first row's time is then unknown).
    fn grouped_expression(&self, w: &mut SqlWriter<'_>, aggregate: &Aggregate) {
        match (aggregate.function, aggregate.column.as_ref()) {
            (AggregateFn::Last, Some(column)) => {
                w.sql("MAX(");
                self.comparable(w, column);
                w.sql(")");
            }
            (AggregateFn::First, Some(column)) => self.earliest_time(w, aggregate, column, None),
            _ => self.aggregate_expression(w, aggregate),
        }
    }

    /// The earliest time of a group (of the rows `filter` keeps): its minimum when the time
    /// is declared required, else unknown if any time is unknown.
    pub(super) fn earliest_time(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        column: &Column,
        filter: Option<&dyn Fn(&mut SqlWriter<'_>)>,
    ) {
        let time = |w: &mut SqlWriter<'_>| {
            w.column(RELATED, &column.name);
        };
        if !self.program.related[aggregate.relation].time_required {
            return w.dialect().earliest_time(w, &time, filter);
        }
        dialect::aggregate(w, "MIN(", Some(&time), filter);
    }

    /// Whether customers with no matching rows pass: a count and a sum are then 0 (tested
    /// with `test`); the other aggregates are unknown, so they never pass.
    fn empty_holds(&self, aggregate: &Aggregate, test: impl Fn(i64) -> bool) -> bool {
        matches!(aggregate.function, AggregateFn::Count | AggregateFn::Sum) && test(0)
    }

    /// On a new line, `SELECT r.ck FROM related AS r WHERE r.ck IS NOT NULL AND filter GROUP
    /// BY r.ck HAVING (test)`: the customers with rows for whom the test holds, in one
    /// grouped pass over the related table (the plan an expert writes); or, when customers
    /// with no matching rows satisfy the test (`empty_holds`: a count or sum of 0), those
    /// for whom it fails, to test `NOT IN`. `named` calls the key `customer_key`.
    pub(super) fn grouped_keys(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        test: &Test<'_>,
        empty_holds: bool,
        named: bool,
    ) {
        self.group_by_customer(w, aggregate.relation, aggregate.filter.as_ref(), named);
        // The complement: groups that fail. The predicate is never unknown here (counts
        // and sums are never NULL), so NOT is exact.
        w.newline().sql(if empty_holds {
            "HAVING NOT ("
        } else {
            "HAVING ("
        });
        self.test_groups(w, aggregate, test, Groups::Rows);
        w.sql(")");
    }

    /// On a new line, `SELECT r.ck FROM related AS r WHERE r.ck IS NOT NULL AND filter
    /// GROUP BY r.ck`: a grouped pass over the related table's rows the filter keeps, a
    /// group per customer. `named` calls the key `customer_key`.
    pub(super) fn group_by_customer(
        &self,
        w: &mut SqlWriter<'_>,
        relation: usize,
        filter: Option<&Condition>,
        named: bool,
    ) {
        let related = &self.program.related[relation];
        select_customer_keys(w, related, false, named);
        w.newline()
            .sql("WHERE ")
            .column(RELATED, &related.customer_key)
            .sql(" IS NOT NULL");
        self.slice_line(w, "  AND ", RELATED, &related.customer_key);
        if let Some(filter) = filter {
            w.indented(|w| {
                w.newline().sql("AND ");
                self.condition(w, filter);
            });
        }
        w.newline()
            .sql("GROUP BY ")
            .column(RELATED, &related.customer_key);
    }

    /// An expression with the sign of `avg(x) − v`, NULL when no value is known, computed
    /// exactly in integers that cannot overflow. With the sum `S` and count `C` in the
    /// column's units and `v = V + f/10^k` in those units (`V` whole, `0 ≤ f < 10^k`), let
    /// `q = S / C` (whole) and `r = S − q·C`, so `avg = q + r/C` with `|r| < C`:
    ///
    /// `CASE WHEN q < V THEN -1 WHEN q = V THEN r·10^k − f·C
    ///  WHEN q − 1 = V THEN (C + r)·10^k − f·C WHEN q > V THEN 1 END`
    ///
    /// Without a fraction (`f = 0`) the second branch is `r` and the third always positive.
    /// `sum` and `count` write the two aggregates (over rows, or read from the facts).
    fn average_difference(
        &self,
        w: &mut SqlWriter<'_>,
        aggregate: &Aggregate,
        value: &Bound,
        sum: &dyn Fn(&mut SqlWriter<'_>),
        count: &dyn Fn(&mut SqlWriter<'_>),
    ) {
        let column = aggregate
            .column
            .as_ref()
            .expect("checker: avg has a column");
        let Value::Decimal(decimal) = self.value(value) else {
            unreachable!("checker: an average compares with a decimal")
        };
        let Some(scale) = whole_units(column.ty) else {
            return unscaled_average_difference(w, decimal, sum, count);
        };
        let bound = AverageBound::new(decimal, scale);
        let whole = w.bind(Value::Integer(bound.whole));
        let quotient = |w: &mut SqlWriter<'_>| w.dialect().integer_division(w, sum, count);
        let remainder = |w: &mut SqlWriter<'_>| {
            w.sql("(");
            sum(w);
            w.sql(" - ");
            quotient(w);
            w.sql(" * ");
            count(w);
            w.sql(")");
        };
        w.sql("CASE WHEN ");
        quotient(w);
        w.sql(" < ").placeholder(whole).sql(" THEN -1 WHEN ");
        quotient(w);
        w.sql(" = ").placeholder(whole).sql(" THEN ");
        if bound.fraction == 0 {
            remainder(w);
        } else {
            let one = w.bind(Value::Integer(bound.one));
            let fraction = w.bind(Value::Integer(bound.fraction));
            let past = |w: &mut SqlWriter<'_>, whole_part: &dyn Fn(&mut SqlWriter<'_>)| {
                whole_part(w);
                w.sql(" * ").placeholder(one).sql(" - ");
                w.placeholder(fraction).sql(" * ");
                count(w);
            };
            past(w, &remainder);
            w.sql(" WHEN ");
            quotient(w);
            w.sql(" - 1 = ").placeholder(whole).sql(" THEN ");
            past(w, &|w| {
                w.sql("(");
                count(w);
                w.sql(" + ");
                remainder(w);
                w.sql(")");
            });
        }
        w.sql(" WHEN ");
        quotient(w);
        w.sql(" > ").placeholder(whole).sql(" THEN 1 END");
    }

    /// `v` in whole units of the averaged column when it has no fraction of a unit and
    /// `|v| ≤ 2,000,000`: then `avg op v` is `sum op v × count` exactly, as the count is
    /// positive wherever the average is known, and `v × count` stays within 64 bits for
    /// the counts the exact comparison allows (below 4.6 × 10¹², docs/semantics.md). One
    /// multiplication per customer instead of a quotient and a remainder.
    fn small_whole_average(&self, aggregate: &Aggregate, value: &Bound) -> Option<i64> {
        const LARGEST: u64 = 2_000_000;
        let column = aggregate.column.as_ref()?;
        let scale = whole_units(column.ty)?;
        let Value::Decimal(decimal) = self.value(value) else {
            return None;
        };
        let bound = AverageBound::new(decimal, scale);
        (bound.fraction == 0 && bound.whole.unsigned_abs() <= LARGEST).then_some(bound.whole)
    }

    /// The value an aggregate is compared with, in the aggregate's units.
    fn aggregate_value(&self, aggregate: &Aggregate, bound: &Bound) -> Value {
        let value = self.value(bound);
        match (value, scale_of(aggregate.ty)) {
            (Value::Decimal(decimal), Some(scale)) => Value::Integer(minor_units(decimal, scale)),
            (value, _) => value,
        }
    }

    /// `c.key IN (SELECT customer_key FROM rfm WHERE score <test> AND …)`, one set for all
    /// the RFM tests of a conjunction: customers without scores are never in it, as their
    /// scores are unknown.
    pub(super) fn rfm_set(&self, w: &mut SqlWriter<'_>, tests: &[&Condition]) {
        w.column(CUSTOMER, &self.program.customer.key)
            .sql(" IN (SELECT ")
            .ident(KEY)
            .sql(" FROM ");
        w.ident(RFM).sql(" WHERE ");
        for (i, test) in tests.iter().enumerate() {
            if i > 0 {
                w.sql(" AND ");
            }
            match test {
                Condition::Compare {
                    operand: Operand::Rfm(score),
                    op,
                    value,
                } => {
                    w.ident(score_column(*score)).sql(compare_op(*op));
                    w.param(self.value(value));
                }
                Condition::Between {
                    operand: Operand::Rfm(score),
                    low,
                    high,
                    negated,
                } => {
                    w.ident(score_column(*score));
                    between_values(w, self.value(low), self.value(high), *negated);
                }
                _ => unreachable!("generator: only RFM tests are gathered"),
            }
        }
        w.sql(")");
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
    /// n customers with purchases. An unknown total ranks lowest on every engine.
    pub(super) fn rfm_scores(&self, w: &mut SqlWriter<'_>, rfm: &Rfm) {
        let related = &self.program.related[rfm.relation];
        let buckets = u64::from(rfm.scoring.buckets);
        w.sql("SELECT ").ident(KEY);
        for (column, total) in [
            (score_column(RfmScore::Recency), "last_purchase"),
            (score_column(RfmScore::Frequency), "purchases"),
            (score_column(RfmScore::Monetary), "spent"),
        ] {
            w.sql(",");
            w.indented(|w| {
                w.newline();
                match rfm.scoring.method {
                    RfmMethod::Rank => {
                        w.sql("1 + ");
                        w.dialect().integer_division(
                            w,
                            &|w| {
                                w.number(buckets)
                                    .sql(" * (RANK() OVER (ORDER BY ")
                                    .ident(total)
                                    .sql(" NULLS FIRST) - 1)");
                            },
                            &|w| {
                                w.sql("COUNT(*) OVER ()");
                            },
                        );
                    }
                    RfmMethod::Ntile => {
                        w.sql("NTILE(").number(buckets).sql(") OVER (ORDER BY ");
                        w.ident(total).sql(" NULLS FIRST, ");
                        w.dialect().key_order(w, &|w| {
                            w.ident(KEY);
                        });
                        w.sql(")");
                    }
                }
                w.sql(" AS ").ident(column);
            });
        }
        // Frequency and monetary count the rows in the window, if there is one.
        let window = rfm_window(rfm);
        let in_window = |w: &mut SqlWriter<'_>| {
            if let Some(window) = &window {
                self.condition(w, window);
            }
        };
        let filter = window
            .is_some()
            .then_some(&in_window as &dyn Fn(&mut SqlWriter<'_>));
        w.newline().sql("FROM (");
        if self.facts().is_some() {
            // In a batch, the three totals are among the facts.
            let [latest, purchases, spent] = rfm_facts(rfm);
            w.indented(|w| {
                w.newline().sql("SELECT ").ident(KEY).sql(", ");
                let latest = |w: &mut SqlWriter<'_>| self.fact_column(w, &latest);
                if rfm.date.ty == Type::Timestamp {
                    w.dialect().date_of_timestamp(w, &latest);
                } else {
                    latest(w);
                }
                w.sql(" AS ").ident("last_purchase").sql(", ");
                self.fact_column(w, &purchases);
                w.sql(" AS ").ident("purchases").sql(", ");
                self.fact_column(w, &spent);
                w.sql(" AS ").ident("spent");
                w.newline().sql("FROM ");
                self.facts_table(w, rfm.relation);
            });
            w.newline().sql(") AS ").ident("totals");
            return;
        }
        w.indented(|w| {
            w.newline()
                .sql("SELECT ")
                .column(RELATED, &related.customer_key)
                .sql(" AS ")
                .ident(KEY);
            w.sql(", ");
            self.latest_date(w, &rfm.date);
            w.sql(" AS ").ident("last_purchase").sql(", ");
            dialect::aggregate(w, "COUNT(", None, filter);
            w.sql(" AS ").ident("purchases").sql(", ");
            sum_in_units(w, &rfm.amount, filter);
            w.sql(" AS ").ident("spent");
            w.newline();
            from_related(w, related);
            w.newline()
                .sql("GROUP BY ")
                .column(RELATED, &related.customer_key);
        });
        w.newline().sql(") AS ").ident("totals");
    }
}

impl Generator<'_> {
    /// `MAX(date)`, or the date of `MAX(timestamp)`: one date conversion per customer
    /// rather than per row (the latest timestamp falls on the latest date).
    fn latest_date(&self, w: &mut SqlWriter<'_>, column: &Column) {
        let latest = |w: &mut SqlWriter<'_>| {
            w.sql("MAX(").column(alias(column), &column.name).sql(")");
        };
        if column.ty == Type::Timestamp {
            w.dialect().date_of_timestamp(w, &latest);
        } else {
            latest(w);
        }
    }
}

/// `CAST(ROUND(r.amount * 100) AS BIGINT)` for money ([`dialect::fixed_point_units`]);
/// the column itself otherwise.
pub(super) fn units(w: &mut SqlWriter<'_>, column: &Column) {
    match scale_of(column.ty) {
        Some(scale) if scale > 0 => {
            dialect::fixed_point_units(w, scale, &|w| {
                w.column(alias(column), &column.name);
            });
        }
        _ => {
            w.column(alias(column), &column.name);
        }
    }
}

/// `SUM(…)` of `column`'s values in [`units`] (of the rows `filter` keeps, if given), as
/// the dialect keeps a sum of whole numbers ([`Dialect::whole_sum`]) when those are whole.
///
/// [`Dialect::whole_sum`]: super::Dialect::whole_sum
pub(super) fn sum_in_units(
    w: &mut SqlWriter<'_>,
    column: &Column,
    filter: Option<&dyn Fn(&mut SqlWriter<'_>)>,
) {
    let sum_of = |w: &mut SqlWriter<'_>, value: &dyn Fn(&mut SqlWriter<'_>)| {
        dialect::aggregate(w, "SUM(", Some(value), filter);
    };
    let value = |w: &mut SqlWriter<'_>| {
        w.column(alias(column), &column.name);
    };
    match whole_units(column.ty) {
        Some(scale) if scale > 0 => w.dialect().fixed_point_sum(w, scale, &value, &sum_of),
        Some(_) => w.dialect().whole_sum(w, &|w| sum_of(w, &value)),
        None => sum_of(w, &value),
    }
}

/// Digits after the point for types compared in minor units.
pub(super) fn scale_of(ty: Type) -> Option<u32> {
    match ty {
        Type::Money => Some(2),
        Type::Decimal(Some(scale)) if (scale as usize) < POWERS_OF_TEN.len() => Some(scale),
        _ => None,
    }
}

/// `zero op value` for the value an aggregate is compared with.
fn compare_zero(zero: i64, op: CompareOp, value: &Value) -> bool {
    let ordering = match value {
        Value::Integer(n) => zero.cmp(n),
        Value::Decimal(d) => 0i128.cmp(&d.units),
        _ => return false,
    };
    match op {
        CompareOp::Eq => ordering.is_eq(),
        CompareOp::Ne => ordering.is_ne(),
        CompareOp::Lt => ordering.is_lt(),
        CompareOp::Le => ordering.is_le(),
        CompareOp::Gt => ordering.is_gt(),
        CompareOp::Ge => ordering.is_ge(),
    }
}

fn minor_units(decimal: Decimal, scale: u32) -> i64 {
    let units = decimal.with_min_scale(scale).units;
    i64::try_from(units).unwrap_or(if units < 0 { i64::MIN } else { i64::MAX })
}

/// Digits after the point of a column whose values aggregate as whole units (integers,
/// money in cents, decimals of up to six places); `None` for other decimals.
fn whole_units(ty: Type) -> Option<u32> {
    match ty {
        Type::Integer => Some(0),
        _ => scale_of(ty),
    }
}

/// `SUM(x) × 10^s − v × 10^s × COUNT(x)` for a decimal column without a fixed scale: the
/// engine's own decimal arithmetic (exact on PostgreSQL, doubles on SQLite).
fn unscaled_average_difference(
    w: &mut SqlWriter<'_>,
    value: Decimal,
    sum: &dyn Fn(&mut SqlWriter<'_>),
    count: &dyn Fn(&mut SqlWriter<'_>),
) {
    sum(w);
    w.sql(" * ");
    w.param(Value::Integer(10i64.pow(value.scale)));
    w.sql(" - ");
    w.param(Value::Integer(
        i64::try_from(value.units).unwrap_or(if value.units < 0 { i64::MIN } else { i64::MAX }),
    ));
    w.sql(" * ");
    count(w);
}

/// The value an average is compared with, in the averaged column's units: `whole +
/// fraction / one`, with `0 <= fraction < one` (`one` is a power of ten).
#[derive(Debug, PartialEq, Eq)]
struct AverageBound {
    whole: i64,
    fraction: i64,
    one: i64,
}

impl AverageBound {
    /// `value` in units of `10^-scale`. The checker keeps literals within 64-bit units of the
    /// average's type (money: cents; others: six places), so every part fits.
    fn new(value: Decimal, scale: u32) -> AverageBound {
        let places = value.significant_scale();
        let units = value.units / 10i128.pow(value.scale - places);
        let one = 10i128.pow(places.saturating_sub(scale));
        let units = units * 10i128.pow(scale.saturating_sub(places));
        let fit = |n: i128| i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX });
        AverageBound {
            whole: fit(units.div_euclid(one)),
            fraction: fit(units.rem_euclid(one)),
            one: fit(one),
        }
    }
}

/// `date in last N units` for the rows RFM frequency and monetary count, if `[rfm]` has a
/// window.
pub(super) fn rfm_window(rfm: &Rfm) -> Option<Condition> {
    rfm.scoring
        .window
        .map(|(amount, unit)| Condition::Window {
            operand: Operand::Column(rfm.date.clone()),
            direction: Direction::Last,
            amount,
            unit,
        })
}

fn score_column(score: RfmScore) -> &'static str {
    match score {
        RfmScore::Recency => "recency_score",
        RfmScore::Frequency => "frequency_score",
        RfmScore::Monetary => "monetary_score",
    }
}

/// A test of an aggregate's value.
pub(super) enum Test<'b> {
    /// `op value`.
    Compare(CompareOp, &'b Bound),
    /// `[not] between low and high`.
    Between(&'b Bound, &'b Bound, bool),
}

/// The aggregate `condition` tests and how, if it tests one (`sum(…) > v`, `count(…)
/// between a and b`).
pub(super) fn tested_aggregate(condition: &Condition) -> Option<(&Aggregate, Test<'_>)> {
    match condition {
        Condition::Compare {
            operand: Operand::Aggregate(aggregate),
            op,
            value,
        } => Some((aggregate, Test::Compare(*op, value))),
        Condition::Between {
            operand: Operand::Aggregate(aggregate),
            low,
            high,
            negated,
        } => Some((aggregate, Test::Between(low, high, *negated))),
        _ => None,
    }
}

/// How one aggregate test is written, by what the query has at hand.
pub(super) enum Form {
    /// `first`/`last` of a value: each customer's first or last row through the index.
    RowOrder,
    /// Read from the batch's facts.
    Facts,
    /// Computed for each (sampled) customer through the index on the customer key.
    Probe,
    /// `count(rows) >= 1` (`true`) or `count(rows) = 0` (`false`): is there such a row.
    Exists(bool),
    /// A set of customers from one grouped pass (see [`Generator::grouped_keys`]).
    Set {
        /// Whether customers with no matching rows pass, so the set is of those who fail.
        empty_holds: bool,
    },
}

/// Where a customer's aggregates come from.
#[derive(Clone, Copy)]
pub(super) enum Groups {
    /// Computed over the customer's group of related rows (in a grouped pass).
    Rows,
    /// Read from the batch's facts.
    Facts,
}

#[cfg(test)]
mod tests {
    use super::AverageBound;
    use crate::value::Decimal;

    fn bound(text: &str, scale: u32) -> (i64, i64, i64) {
        let b = AverageBound::new(Decimal::parse(text).expect("a decimal"), scale);
        (b.whole, b.fraction, b.one)
    }

    #[test]
    fn an_average_bound_splits_into_whole_units_and_a_fraction() {
        assert_eq!(bound("500.00", 2), (50000, 0, 1));
        assert_eq!(bound("9000000000000.499999", 0), (9000000000000, 499999, 1000000));
        assert_eq!(bound("2.500000", 0), (2, 5, 10));
        assert_eq!(bound("-5.5", 0), (-6, 5, 10));
        assert_eq!(bound("-5", 0), (-5, 0, 1));
        assert_eq!(bound("3", 2), (300, 0, 1));
        assert_eq!(bound("-92233720368547758.07", 2), (i64::MIN + 1, 0, 1));
    }
}
