//! Stage 3: typed IR → SQL text and bound parameters, per dialect. Opens no connection.
//!
//! Every literal is a bound parameter; identifiers are quoted by the dialect. A segment's
//! query is one `WITH` entry per referenced segment, then one `SELECT` over the customer
//! table whose `WHERE` is the segment's condition.

mod aggregate;
mod arithmetic;
mod batch;
mod count;
pub mod bigquery;
pub mod cache;
pub mod breakdown;
pub mod ddl;
pub mod dialect;
pub mod duckdb;
mod existence;
pub mod explain;
mod generate;
mod merged;
pub mod indexes;
pub mod postgres;
pub mod sample;
mod sequence;
pub mod snowflake;
pub mod spark;
pub mod sqlite;
pub mod writer;

use std::fmt;

use crate::check::ir::Program;
use crate::value::Value;
pub use dialect::Dialect;

/// Every dialect `seg compile --dialect` can write, by name.
pub const DIALECTS: &[&dyn Dialect] = &[&Sqlite, &Postgres, &DuckDb, &BigQuery, &Snowflake, &Spark];

/// The dialect used where no database is named (`seg compile` without one, the REPL before
/// its database opens): the bundled engine's.
pub const DEFAULT_DIALECT: &dyn Dialect = &Sqlite;

/// The dialect called `name` on the command line.
pub fn dialect_named(name: &str) -> Option<&'static dyn Dialect> {
    DIALECTS.iter().copied().find(|d| d.name() == name)
}
pub use bigquery::BigQuery;
pub use self::duckdb::DuckDb;
pub use postgres::Postgres;
pub use sample::{key_check_query, population_query, sample_queries};
pub use snowflake::Snowflake;
pub use spark::Spark;
pub use sqlite::Sqlite;

/// SQL text and the values bound to its placeholders, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// The SQL, with placeholders only.
    pub sql: String,
    /// The parameters, the first bound to placeholder 1.
    pub params: Vec<Value>,
}

impl fmt::Display for Query {
    /// The SQL, then the parameters as a comment (never inside the SQL).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.sql)?;
        if self.params.is_empty() {
            return writeln!(f, "-- no parameters");
        }
        let params: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{} = {}", i + 1, one_line(v)))
            .collect();
        writeln!(f, "-- params: {}", params.join(", "))
    }
}

/// A parameter as it reads in the one comment line: control characters and line
/// separators (the white space `ignoring spaces` binds) written `\u{…}`, so that the
/// comment stays one line.
fn one_line(value: &Value) -> String {
    let shown = value.to_string();
    if !shown.chars().any(breaks_a_line) {
        return shown;
    }
    shown
        .chars()
        .map(|c| {
            if breaks_a_line(c) {
                format!("\\u{{{:x}}}", u32::from(c))
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn breaks_a_line(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// What a segment query returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// One row per member: the customer key, as `customer_key`.
    Keys,
    /// One row: the number of members, as `members`.
    Count,
    /// One row per member with the key and the customer's own fields, ordered by key,
    /// at most `limit` rows if given.
    Members {
        /// Row limit.
        limit: Option<u64>,
    },
    /// The first `limit` members as [`Output::Members`] gives them, each row also carrying
    /// the number of all members as `members_total` (the last column): a count and a
    /// sample from one evaluation of the condition.
    Preview {
        /// Row limit.
        limit: u64,
    },
}

/// The column of [`Output::Preview`] that holds the number of all members.
pub const PREVIEW_TOTAL: &str = "members_total";

/// The query for segment `name` of `program`. `None` if the program has no such segment.
/// Dates relative to `as_of` are resolved here and bound as parameters.
pub fn compile(
    program: &Program,
    name: &str,
    output: Output,
    dialect: &dyn Dialect,
    as_of: chrono::NaiveDate,
) -> Option<Query> {
    generate::segment_query(program, name, output, dialect, as_of)
}

/// The customers whose key is above `after` and at most `upto`; a missing end is open.
/// Slices whose ends meet (`..=b`, `b..=c`, `c..`) hold every customer with a key once,
/// whatever the key's stored kind, as they are compared in the engine's own order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyRange {
    /// Keys above this one, if given.
    pub after: Option<i64>,
    /// Keys up to this one, inclusive, if given.
    pub upto: Option<i64>,
}

/// The count of segment `name`'s members whose customer key lies in `range`: one slice
/// of a count split by key range, run on its own connection beside the others (SQLite
/// runs a query on one core). The range is tested on the customers and on each related
/// table read in one pass, so every slice reads only its share. `None` if there is no
/// such segment or it cannot be counted in slices (RFM scores rank every customer).
pub fn compile_count_slice(
    program: &Program,
    name: &str,
    dialect: &dyn Dialect,
    as_of: chrono::NaiveDate,
    range: KeyRange,
) -> Option<Query> {
    generate::sliced_query(program, name, Output::Count, dialect, as_of, Some(range))
}

/// The members of segment `name` with the given customer fields (`(field, column)`
/// pairs), ordered by key: for exports.
pub fn compile_fields(
    program: &Program,
    name: &str,
    fields: &[(String, String)],
    dialect: &dyn Dialect,
    as_of: chrono::NaiveDate,
) -> Option<Query> {
    generate::fields_query(program, name, fields, dialect, as_of)
}

/// One query counting the members of every named segment (a column each, in order), with
/// the aggregates they share computed once. `None` if a name is not a segment.
pub fn compile_counts(
    program: &Program,
    names: &[&str],
    dialect: &dyn Dialect,
    as_of: chrono::NaiveDate,
) -> Option<Query> {
    batch::counts_query(program, names, dialect, as_of)
}

pub use batch::split_batches;
/// For the benchmark that sets the cost model beside measured times.
#[cfg(feature = "internals")]
pub use batch::batch_cost;

#[cfg(test)]
mod tests;
