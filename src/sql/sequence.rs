//! Sequences (`any(A) then any(B) within N days`) in one pass over each table's rows: the
//! rows of every step, by customer and day, through window functions that give each row
//! the other rows of its day and the first later day of each step. A self-join of the steps
//! would grow with the square of a customer's rows.

use super::generate::{CUSTOMER, Generator, RELATED, from_related};
use super::writer::SqlWriter;
use crate::check::ir::{Sequence, Step};
use crate::value::Value;

/// The names of the step flags, in [`Sequence`] order.
const FLAGS: [&str; 3] = ["first", "then", "unless"];

impl Generator<'_> {
    /// `c.key IN (SELECT customer_key …)`: the customers with such a sequence
    /// (docs/semantics.md, "Sequences").
    pub(super) fn sequence(&self, w: &mut SqlWriter<'_>, sequence: &Sequence) {
        let steps: Vec<Option<&Step>> = vec![
            Some(&sequence.first),
            Some(&sequence.then),
            sequence.unless.as_ref(),
        ];
        w.column(CUSTOMER, &self.program.customer.key)
            .sql(" IN (");
        w.indented(|w| {
            w.newline().sql("SELECT s.").ident("customer_key").sql(" FROM (");
            w.indented(|w| {
                w.newline()
                    .sql("SELECT t.")
                    .ident("customer_key")
                    .sql(", t.")
                    .ident("day")
                    .sql(", t.")
                    .ident("first")
                    .sql(",");
                w.indented(|w| {
                    // The other rows of the second step on the row's own day.
                    w.newline().sql("SUM(t.").ident("then").sql(") OVER (");
                    window(w, "CURRENT ROW AND CURRENT ROW");
                    w.sql(") - t.").ident("then").sql(" AS ").ident("same_day").sql(",");
                    w.newline();
                    next_day(w, "then");
                    if sequence.unless.is_some() {
                        w.sql(",").newline();
                        next_day(w, "unless");
                    }
                });
                w.newline().sql("FROM (");
                w.indented(|w| self.step_rows(w, &steps));
                w.newline().sql(") AS t");
                w.newline().sql("WHERE t.").ident("first").sql(" = 1 OR t.");
                w.ident("then").sql(" = 1");
                if sequence.unless.is_some() {
                    w.sql(" OR t.").ident("unless").sql(" = 1");
                }
            });
            w.newline().sql(") AS s");
            w.newline().sql("WHERE s.").ident("first").sql(" = 1 AND ");
            let end = |w: &mut SqlWriter<'_>| {
                w.sql("s.").ident("day").sql(" + ");
                w.param(Value::Integer(i64::from(sequence.days)));
            };
            if sequence.absent {
                // The window has ended by the as-of date, with no row of the second step.
                end(w);
                w.sql(" <= ");
                w.param(Value::Integer(day_number(self.as_of)));
                w.sql(" AND s.").ident("same_day").sql(" = 0 AND (s.");
                w.ident("next_then").sql(" IS NULL OR s.").ident("next_then").sql(" > ");
                end(w);
                w.sql(")");
            } else {
                w.sql("(s.").ident("same_day").sql(" > 0 OR (s.");
                w.ident("next_then").sql(" <= ");
                end(w);
                if sequence.unless.is_some() {
                    // No row of `unless` on a day strictly between the two.
                    w.sql(" AND (s.").ident("next_unless").sql(" IS NULL OR s.");
                    w.ident("next_then").sql(" <= s.").ident("next_unless").sql(")");
                }
                w.sql("))");
            }
        });
        w.newline().sql(")");
    }

    /// The rows of every step's table, each with its customer, its day number and a flag
    /// (1 or 0) per step: one `SELECT` per table, so a row that two steps read is one row.
    fn step_rows(&self, w: &mut SqlWriter<'_>, steps: &[Option<&Step>]) {
        let mut relations: Vec<usize> = steps.iter().flatten().map(|s| s.relation).collect();
        relations.dedup();
        relations.sort_unstable();
        relations.dedup();
        for (i, &relation) in relations.iter().enumerate() {
            if i > 0 {
                w.newline().sql("UNION ALL");
            }
            let related = &self.program.related[relation];
            let time = steps
                .iter()
                .flatten()
                .find(|s| s.relation == relation)
                .map(|s| &s.time)
                .expect("a step reads this table");
            w.newline()
                .sql("SELECT ")
                .column(RELATED, &related.customer_key)
                .sql(" AS ")
                .ident("customer_key")
                .sql(", ");
            let dialect = w.dialect();
            dialect.day_number(w, &|w| self.column(w, time));
            w.sql(" AS ").ident("day");
            for (step, flag) in steps.iter().zip(FLAGS) {
                let Some(step) = step else { continue };
                w.sql(", ");
                match (&step.condition, step.relation == relation) {
                    (_, false) => {
                        w.sql("0");
                    }
                    (None, true) => {
                        w.sql("1");
                    }
                    (Some(condition), true) => {
                        w.sql("CASE WHEN ");
                        self.condition(w, condition);
                        w.sql(" THEN 1 ELSE 0 END");
                    }
                }
                w.sql(" AS ").ident(flag);
            }
            w.newline();
            from_related(w, related);
            w.newline()
                .sql("WHERE ")
                .column(RELATED, &related.customer_key)
                .sql(" IS NOT NULL AND ")
                .column(RELATED, &time.name)
                .sql(" IS NOT NULL");
            if self.slice.is_some() {
                w.sql(" AND ");
                self.in_slice(w, RELATED, &related.customer_key);
            }
        }
    }
}

/// `PARTITION BY customer ORDER BY day RANGE BETWEEN {frame}`.
fn window(w: &mut SqlWriter<'_>, frame: &'static str) {
    w.sql("PARTITION BY t.")
        .ident("customer_key")
        .sql(" ORDER BY t.")
        .ident("day")
        .sql(" RANGE BETWEEN ")
        .sql(frame);
}

/// The first later day with a row of the step `flag`, as `next_{flag}`.
fn next_day(w: &mut SqlWriter<'_>, flag: &'static str) {
    w.sql("MIN(CASE WHEN t.")
        .ident(flag)
        .sql(" = 1 THEN t.")
        .ident("day")
        .sql(" END) OVER (");
    window(w, "1 FOLLOWING AND UNBOUNDED FOLLOWING");
    w.sql(") AS ");
    w.ident(if flag == "then" { "next_then" } else { "next_unless" });
}

/// Days from 1 January 1970 to `date`: what [`crate::sql::Dialect::day_number`] gives.
fn day_number(date: chrono::NaiveDate) -> i64 {
    date.signed_duration_since(chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date"))
        .num_days()
}
