//! A REPL session's facts, kept: the per-customer aggregates the conditions typed so far
//! need, computed once into a table beside each customer's row, so that the next condition
//! over the same aggregates (another threshold, another combination) reads one table
//! instead of the related rows again. The queries here are the batch's, with each fact
//! read from the customer's own row.

use chrono::NaiveDate;

use super::batch::Facts;
use super::generate::{CUSTOMER, Generator, Plan, from_customers};
use super::writer::SqlWriter;
use super::{Dialect, Query};
use crate::check::ir::Program;
use crate::value::Value;

/// The name of the kept table: the customers, each with its facts.
pub const SESSION_TABLE: &str = "seg_session_customers";

/// Facts a session keeps, as of a date (windows such as "last 90 days" are resolved
/// against it).
#[derive(Clone)]
pub struct SessionFacts {
    facts: Facts,
    as_of: NaiveDate,
}

impl SessionFacts {
    /// The facts segment `name` reads, if it reads any and they can be kept (RFM scores
    /// rank every customer, and are left to the plain query).
    pub fn needed(program: &Program, name: &str, as_of: NaiveDate) -> Option<SessionFacts> {
        let facts = Facts::of_segment(program, name);
        (!facts.is_empty() && !facts.ranks()).then_some(SessionFacts { facts, as_of })
    }

    /// Whether segment `name` reads per-customer facts from related rows (aggregates or
    /// RFM scores): then evaluating it twice costs twice a pass over those rows.
    pub fn reads_related(program: &Program, name: &str) -> bool {
        let facts = Facts::of_segment(program, name);
        !facts.is_empty() || facts.ranks()
    }

    /// Whether these facts answer everything `other` needs.
    pub fn covers(&self, other: &SessionFacts) -> bool {
        self.as_of == other.as_of && self.facts.covers(&other.facts)
    }

    /// These facts and `other`'s, to be kept together (only `other`'s, if their dates
    /// differ).
    pub fn merged(&self, other: &SessionFacts) -> SessionFacts {
        if self.as_of != other.as_of {
            return other.clone();
        }
        SessionFacts {
            facts: self.facts.merged(&other.facts),
            as_of: self.as_of,
        }
    }

    /// The rows to keep as [`SESSION_TABLE`]: every customer's own columns and, beside
    /// them, its facts (unknown for a customer with no related rows, as in a batch).
    pub fn table_query(&self, program: &Program, dialect: &dyn Dialect) -> Query {
        let generator = self.generator(program, &self.facts);
        let mut w = SqlWriter::new(dialect);
        if generator.facts_entries(&mut w) {
            w.newline();
        }
        w.sql("SELECT ").sql(CUSTOMER).sql(".*");
        for (relation, column) in self.facts.columns() {
            let table = self.facts.table(relation, program);
            w.sql(", ")
                .ident(&table)
                .sql(".")
                .ident(&column)
                .sql(" AS ")
                .ident(&Facts::kept_column(&table, &column));
        }
        let customer = &program.customer;
        from_customers(&mut w, &customer.table);
        generator.facts_joins(&mut w);
        w.finish()
    }

    /// Segment `name`'s number of members, read from the kept table; `None` if there is no
    /// such segment.
    pub fn count_query(&self, program: &Program, name: &str, dialect: &dyn Dialect) -> Option<Query> {
        let segment = program.segment(name)?;
        let kept = self.facts.kept();
        let generator = self.generator(program, &kept);
        let mut w = SqlWriter::new(dialect);
        w.sql("SELECT COUNT(*) AS ").ident("members");
        from_customers(&mut w, SESSION_TABLE);
        generator.where_clause(&mut w, segment);
        Some(w.finish())
    }

    /// Segment `name`'s first `limit` members (key and fields, by key), read from the kept
    /// table; `None` if there is no such segment.
    pub fn members_query(
        &self,
        program: &Program,
        name: &str,
        limit: u64,
        dialect: &dyn Dialect,
    ) -> Option<Query> {
        let segment = program.segment(name)?;
        let kept = self.facts.kept();
        let generator = self.generator(program, &kept);
        let mut w = SqlWriter::new(dialect);
        w.sql("SELECT ");
        generator.member_columns(&mut w);
        from_customers(&mut w, SESSION_TABLE);
        generator.where_clause(&mut w, segment);
        w.newline()
            .sql("ORDER BY ")
            .column(CUSTOMER, &program.customer.key);
        w.newline();
        let rows = w.bind(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        w.dialect().limit(&mut w, rows);
        Some(w.finish())
    }

    fn generator<'p>(&self, program: &'p Program, facts: &'p Facts) -> Generator<'p> {
        Generator {
            program,
            as_of: self.as_of,
            plan: Plan::Facts(facts),
            slice: None,
        }
    }
}
