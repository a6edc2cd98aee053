//! Breakdowns: how a segment's members spread over the values of one field. Text and
//! booleans group by value, numbers by equal-width buckets (computed in minor units, so
//! money falls in exact buckets), dates by spans of years. A field with one value per related row
//! counts each member once under every value it has.

use chrono::NaiveDate;

use super::aggregate::units;
use super::generate::{CUSTOMER, Generator, Plan, RELATED, from_customers};
use super::writer::SqlWriter;
use super::{Dialect, Query};
use crate::check::ir::{Column, Program, TableRef};
use crate::schema::Type;
use crate::value::Value;

/// How values are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grouping {
    /// One group per value.
    Values,
    /// Bucket `n` holds minor units from `low + n × width` up to the next bucket.
    Buckets {
        /// The first bucket's lower bound, in minor units.
        low: i64,
        /// Each bucket's width, in minor units.
        width: i64,
    },
    /// Group `n` holds the years from `low + n × width` for `width` years.
    Years {
        /// The first group's first year.
        low: i64,
        /// Years per group.
        width: i64,
    },
}

/// `SELECT MIN(v), MAX(v)` over the segment's members, where v is the column in minor
/// units, or its year for a date: the range the groups must cover. `None` if there is no
/// such segment.
pub fn range_query(
    program: &Program,
    name: &str,
    column: &Column,
    dialect: &dyn Dialect,
    as_of: NaiveDate,
) -> Option<Query> {
    let value = |w: &mut SqlWriter<'_>| match column.ty {
        Type::Date | Type::Timestamp => w.dialect().year(w, alias(column), &column.name),
        _ => units(w, column),
    };
    write(program, name, column, dialect, as_of, false, |w, _| {
        w.sql("SELECT MIN(");
        value(w);
        w.sql("), MAX(");
        value(w);
        w.sql(")");
    })
}

/// One row per group, ordered by group: the group (a value, a bucket number or a year;
/// unknown where the engine sorts NULL) and its number of members.
pub fn breakdown_query(
    program: &Program,
    name: &str,
    column: &Column,
    grouping: Grouping,
    dialect: &dyn Dialect,
    as_of: NaiveDate,
) -> Option<Query> {
    write(program, name, column, dialect, as_of, true, |w, key| {
        w.sql("SELECT ");
        match grouping {
            Grouping::Values => {
                w.column(alias(column), &column.name);
            }
            Grouping::Buckets { low, width } => w.dialect().integer_division(
                w,
                &|w| {
                    units(w, column);
                    w.sql(" - ");
                    w.param(Value::Integer(low));
                },
                &|w| {
                    w.param(Value::Integer(width.max(1)));
                },
            ),
            Grouping::Years { low, width } => w.dialect().integer_division(
                w,
                &|w| {
                    w.dialect().year(w, alias(column), &column.name);
                    w.sql(" - ");
                    w.param(Value::Integer(low));
                },
                &|w| {
                    w.param(Value::Integer(width.max(1)));
                },
            ),
        }
        w.sql(" AS ").ident("group").sql(", COUNT(DISTINCT ");
        w.column(CUSTOMER, key).sql(") AS ").ident("members");
    })
}

fn alias(column: &Column) -> &'static str {
    match column.table {
        TableRef::Customer => CUSTOMER,
        TableRef::Related(_) => RELATED,
    }
}

/// `WITH … SELECT <select> FROM customers AS c [LEFT JOIN related AS r ON …] WHERE …
/// GROUP BY 1 ORDER BY 1` (the `GROUP BY` only when the select has a group).
fn write(
    program: &Program,
    name: &str,
    column: &Column,
    dialect: &dyn Dialect,
    as_of: NaiveDate,
    grouped: bool,
    select: impl FnOnce(&mut SqlWriter<'_>, &str),
) -> Option<Query> {
    let segment = program.segment(name)?;
    let generator = Generator {
        program,
        as_of,
        plan: Plan::Sets,
        slice: None,
    };
    let mut w = SqlWriter::new(dialect);
    generator.with_clauses(&mut w, segment);
    let customer = &program.customer;
    select(&mut w, &customer.key);
    from_customers(&mut w, &customer.table);
    if let TableRef::Related(relation) = column.table {
        let related = &program.related[relation];
        w.newline()
            .sql("LEFT JOIN ")
            .ident(&related.table)
            .sql(" AS ")
            .sql(RELATED)
            .sql(" ON ")
            .column(RELATED, &related.customer_key)
            .sql(" = ")
            .column(CUSTOMER, &customer.key);
    }
    generator.where_clause(&mut w, segment);
    if grouped {
        w.newline().sql("GROUP BY 1");
        w.newline().sql("ORDER BY 1 NULLS FIRST");
    }
    Some(w.finish())
}
