//! "Does the customer have such a row?": an index probe per customer, or one pass over the
//! related table, whichever the filter makes cheaper.
//!
//! A probe (`EXISTS`) stops at a customer's first matching row, so it wins when most
//! customers have one early (`any(orders)`, `orders.category = 'books'`). When the filter
//! keeps only a narrow slice of time (a window of a year or less, or an occasion), few rows
//! match: a probe reads nearly every row of nearly every customer in random order, while a
//! pass reads them once in storage order. Measured on 1M customers and 9.8M orders
//! (docs/performance.md): 90 days 763 ms probing, 576 ms in one pass; five years 502 ms
//! probing, 1,004 ms in one pass.

use chrono::NaiveDate;

use super::batch::row_count;
use super::generate::{CUSTOMER, Generator, Plan, RELATED, select_customer_keys};
use super::writer::SqlWriter;
use crate::calendar;
use crate::check::ir::{Column, Condition, Operand, TableRef};
use crate::value::Value;

/// The longest window (in days) that counts as a narrow slice of time.
const NARROW_DAYS: i64 = 366;

impl Generator<'_> {
    /// `[NOT] EXISTS (SELECT 1 FROM related AS r WHERE r.ck = c.key AND filter)`, or, for a
    /// positive test whose filter is narrow in time, `c.key IN (SELECT r.ck FROM related AS
    /// r WHERE filter)`. (The negative test stays a probe: `NOT IN` a set holding an
    /// unknown key would be unknown for everyone.) In a batch, the count of such rows
    /// among the facts.
    pub(super) fn any_row(
        &self,
        w: &mut SqlWriter<'_>,
        relation: usize,
        filter: Option<&Condition>,
        exists: bool,
    ) {
        let count = row_count(relation, filter);
        if self.has_facts(&count) {
            self.fact_value(w, &count);
            w.sql(if exists { " > 0" } else { " = 0" });
            return;
        }
        if self.rows_as_set(relation, filter, exists) {
            w.column(CUSTOMER, &self.program.customer.key).sql(" IN (");
            w.indented(|w| self.matching_keys(w, relation, filter, false));
            w.newline().sql(")");
            return;
        }
        w.sql(if exists { "EXISTS (" } else { "NOT EXISTS (" });
        w.indented(|w| {
            self.related_rows(w, relation, filter, |w| {
                w.sql("SELECT 1");
            });
        });
        w.newline().sql(")");
    }

    /// Whether a "has such a row" test is written as the set of customers with a matching
    /// row, from one pass over the related table (see [`Generator::matching_keys`]),
    /// rather than a probe per customer: a positive test whose filter is narrow in time,
    /// outside a sample (which probes the sampled customers only).
    pub(super) fn rows_as_set(
        &self,
        relation: usize,
        filter: Option<&Condition>,
        exists: bool,
    ) -> bool {
        exists
            && !matches!(self.plan, Plan::Probes)
            && filter.is_some_and(|f| self.narrow_in_time(relation, f))
    }

    /// `SELECT DISTINCT r.ck FROM related AS r WHERE filter` on a new line: each customer
    /// with a matching row once, so the set the engine builds holds customers, not rows
    /// (SQLite reads the keys in index order and keeps one of each: 1.9 s instead of 2.9 s
    /// on the benchmark's time-ordered orders). `named` calls the key `customer_key`.
    pub(super) fn matching_keys(
        &self,
        w: &mut SqlWriter<'_>,
        relation: usize,
        filter: Option<&Condition>,
        named: bool,
    ) {
        let related = &self.program.related[relation];
        select_customer_keys(w, related, true, named);
        let sliced = self.slice_line(w, "WHERE ", RELATED, &related.customer_key);
        if let Some(filter) = filter {
            w.newline().sql(if sliced { "  AND " } else { "WHERE " });
            self.condition(w, filter);
        }
    }

    /// Whether the filter keeps only rows in a short window of the table's time, or in an
    /// occasion. One narrowing part narrows an `AND`; an `OR` is never narrow.
    fn narrow_in_time(&self, relation: usize, filter: &Condition) -> bool {
        let is_time = |column: &Column| {
            column.table == TableRef::Related(relation)
                && self.program.related[relation].time.as_ref() == Some(&column.name)
        };
        match filter {
            Condition::And(parts) => parts.iter().any(|p| self.narrow_in_time(relation, p)),
            Condition::During {
                column,
                negated: false,
                ..
            } => is_time(column),
            Condition::Window {
                operand: Operand::Column(column),
                direction,
                amount,
                unit,
            } => {
                let (first, last) = calendar::window(self.as_of, *direction, *amount, *unit);
                is_time(column) && short(first, last)
            }
            Condition::Between {
                operand: Operand::Column(column),
                low,
                high,
                negated: false,
            } => match (self.value(low), self.value(high)) {
                (Value::Date(first), Value::Date(last)) => is_time(column) && short(first, last),
                _ => false,
            },
            _ => false,
        }
    }
}

fn short(first: NaiveDate, last: NaiveDate) -> bool {
    (last - first).num_days() < NARROW_DAYS
}
