//! Estimates from a sample: the REPL answers within about 100 ms on a million customers by
//! testing a one-in-k sample of them first (one of k deterministic slices, a different one
//! each time), with every aggregate looked up
//! per sampled customer through the index on the customer key (the generator's `Probes`
//! plan), so the cost follows the sample's size rather than the related table's. The exact
//! count comes after (see docs/performance.md).

use chrono::NaiveDate;

use super::generate::{CUSTOMER, Generator, Plan, from_customers};
use super::writer::SqlWriter;
use super::{Dialect, Query};
use crate::check::ir::Program;
use crate::value::Value;

/// The two queries of a sample preview.
#[derive(Clone, Debug, PartialEq)]
pub struct SampleQueries {
    /// One row: `sampled` (customers in the sample) and `members` (those in the segment).
    pub estimate: Query,
    /// The sampled members, ordered by key, at most the limit given.
    pub members: Query,
}

/// The sample preview of segment `name`: slice `slice` (of `one_in`) of the customers, one
/// in `one_in` of them; another slice is another sample. `None` if there is no
/// such segment, or if it (or a segment it refers to) uses RFM scores, which rank every
/// customer and so cannot be sampled cheaply.
pub fn sample_queries(
    program: &Program,
    name: &str,
    one_in: u64,
    slice: u64,
    limit: u64,
    dialect: &dyn Dialect,
    as_of: NaiveDate,
) -> Option<SampleQueries> {
    let segment = program.segment(name)?;
    let generator = Generator {
        program,
        as_of,
        plan: Plan::Probes,
        slice: None,
    };
    let uses_rfm = std::iter::once(segment)
        .chain(generator.dependencies(segment))
        .any(|s| s.condition.uses_rfm());
    if uses_rfm {
        return None;
    }
    let customer = &program.customer;
    let one_in = one_in.max(1);
    let slice = Value::Integer(i64::try_from(slice % one_in).unwrap_or(0));
    let one_in = Value::Integer(i64::try_from(one_in).unwrap_or(i64::MAX));
    let from_sample = |w: &mut SqlWriter<'_>| {
        from_customers(w, &customer.table);
        let one_in = w.bind(one_in.clone());
        let slice = w.bind(slice.clone());
        w.newline().sql("WHERE ");
        w.dialect().sample(w, CUSTOMER, &customer.key, one_in, slice);
    };

    let mut w = SqlWriter::new(dialect);
    w.sql("SELECT COUNT(*) AS ").ident("sampled");
    w.sql(", COUNT(CASE WHEN ");
    generator.condition(&mut w, &segment.condition);
    w.sql(" THEN 1 END) AS ").ident("members");
    from_sample(&mut w);
    let estimate = w.finish();

    let mut w = SqlWriter::new(dialect);
    w.sql("SELECT ");
    generator.member_columns(&mut w);
    from_sample(&mut w);
    w.indented(|w| {
        w.newline().sql("AND (");
        generator.condition(w, &segment.condition);
        w.sql(")");
    });
    w.newline().sql("ORDER BY ").column(CUSTOMER, &customer.key);
    w.newline();
    let rows = w.bind(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
    w.dialect().limit(&mut w, rows);
    let members = w.finish();
    Some(SampleQueries { estimate, members })
}

/// How many customer rows repeat another's key, and how many have none:
/// `SELECT COUNT(key) - COUNT(DISTINCT key), COUNT(*) - COUNT(key) FROM customers`.
pub fn key_check_query(program: &Program, dialect: &dyn Dialect) -> Query {
    let key = &program.customer.key;
    let mut w = SqlWriter::new(dialect);
    w.sql("SELECT COUNT(")
        .ident(key)
        .sql(") - COUNT(DISTINCT ")
        .ident(key)
        .sql("), COUNT(*) - COUNT(")
        .ident(key)
        .sql(") FROM ")
        .ident(&program.customer.table);
    w.finish()
}

/// `SELECT COUNT(*) FROM customers`: the population an estimate scales to.
pub fn population_query(program: &Program, dialect: &dyn Dialect) -> Query {
    let mut w = SqlWriter::new(dialect);
    w.sql("SELECT COUNT(*) FROM ")
        .ident(&program.customer.table);
    w.finish()
}
