//! Why is (or isn't) a customer in a segment: one query over that customer with, for every
//! node of the segment's condition tree, a column with the node's truth and, for a test,
//! a column with the value it tested. The same generator writes each node as it does in
//! the segment's own query, so the explanation cannot drift from the semantics.

use chrono::NaiveDate;

use super::generate::{CUSTOMER, Generator, Plan, from_customers};
use super::writer::SqlWriter;
use super::{Dialect, Query};
use crate::calendar;
use crate::check::ir::AggregateFn;
use crate::check::ir::{Bound, Column, Condition, Operand, Program, TableRef};
use crate::schema::Type;
use crate::value::Value;

/// One node of the condition tree, in pre-order.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The condition.
    pub condition: Condition,
    /// How many `and`/`or`/`not` nodes it sits under.
    pub depth: usize,
    /// How the tested value reads, if the node tests one.
    pub value: Option<ValueKind>,
    /// The dates the node's relative dates stand for, counted from the as-of date.
    pub dates: Option<Dates>,
}

/// Relative dates resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dates {
    /// A window test, or an aggregate over a window of rows: first and last day.
    Window(NaiveDate, NaiveDate),
    /// `… ago`: the day it stands for.
    Day(NaiveDate),
}

/// How to read a node's value column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// The field's value as stored, of this type.
    Stored(Type),
    /// A whole number of minor units: divide by `10^scale`.
    MinorUnits(u32),
    /// A count, a score or another whole number.
    Number,
    /// An average, as the engine computes it (shown rounded).
    Average,
}

/// The query (one row, or none if there is no such customer: `t0`, `v0`, `t1`, `v1`, …)
/// and the nodes its columns describe. `None` if there is no such segment.
pub fn explain_query(
    program: &Program,
    name: &str,
    customer: Value,
    dialect: &dyn Dialect,
    as_of: NaiveDate,
) -> Option<(Query, Vec<Node>)> {
    let segment = program.segment(name)?;
    let mut nodes = Vec::new();
    flatten(&segment.condition, 0, &mut nodes);
    for node in &mut nodes {
        node.dates = dates_of(&node.condition, as_of);
    }
    let generator = Generator {
        program,
        as_of,
        plan: Plan::Probes,
        slice: None,
    };
    let mut w = SqlWriter::new(dialect);
    generator.with_clauses(&mut w, segment);
    w.sql("SELECT");
    w.indented(|w| {
        for (i, node) in nodes.iter().enumerate() {
            w.sql(if i == 0 { "" } else { "," });
            w.newline().sql("CASE WHEN ");
            generator.condition(w, &node.condition);
            w.sql(" THEN 1 ELSE 0 END AS ").ident(&format!("t{i}"));
            w.sql(", ");
            match node.value {
                Some(_) => generator.tested_value(w, &node.condition),
                None => {
                    w.sql("NULL");
                }
            }
            w.sql(" AS ").ident(&format!("v{i}"));
        }
    });
    let table = &program.customer;
    from_customers(&mut w, &table.table);
    w.newline()
        .sql("WHERE ")
        .column(CUSTOMER, &table.key)
        .sql(" = ");
    w.param(customer);
    Some((w.finish(), nodes))
}

fn flatten(condition: &Condition, depth: usize, nodes: &mut Vec<Node>) {
    nodes.push(Node {
        condition: condition.clone(),
        depth,
        value: value_kind(condition),
        dates: None,
    });
    match condition {
        Condition::And(parts) | Condition::Or(parts) => {
            for part in parts {
                flatten(part, depth + 1, nodes);
            }
        }
        Condition::Not(inner) => flatten(inner, depth + 1, nodes),
        _ => {}
    }
}

/// The days a window test covers, the day `… ago` stands for, or else the window an
/// aggregate's row filter keeps (the first `in last/next …` among its `and`ed parts).
fn dates_of(condition: &Condition, as_of: NaiveDate) -> Option<Dates> {
    match condition {
        Condition::Window {
            direction,
            amount,
            unit,
            ..
        } => {
            let (first, last) = calendar::window(as_of, *direction, *amount, *unit);
            Some(Dates::Window(first, last))
        }
        Condition::Compare {
            value: Bound::Ago { amount, unit },
            ..
        } => Some(Dates::Day(calendar::shift(
            as_of,
            -i64::from(*amount),
            *unit,
        ))),
        Condition::Compare {
            operand: Operand::Aggregate(aggregate),
            ..
        }
        | Condition::Between {
            operand: Operand::Aggregate(aggregate),
            ..
        } => aggregate
            .filter
            .as_ref()
            .and_then(|filter| dates_of(filter, as_of)),
        Condition::And(parts) => parts.iter().find_map(|p| dates_of(p, as_of)),
        _ => None,
    }
}

/// What a test looks at: an operand, a column, or a split's bucket.
enum Tested<'c> {
    Operand(&'c Operand),
    Column(&'c Column),
    Bucket(&'c str),
}

/// What a test compares, if it compares something of the customer (tests of a related
/// row's field look at many rows, so they have no one value).
fn tested(condition: &Condition) -> Option<Tested<'_>> {
    let tested = match condition {
        Condition::Compare { operand, .. }
        | Condition::Between { operand, .. }
        | Condition::Window { operand, .. } => match operand {
            Operand::Column(column) => Tested::Column(column),
            operand => Tested::Operand(operand),
        },
        Condition::Anniversary { column, .. }
        | Condition::During { column, .. }
        | Condition::Age { column, .. }
        | Condition::In { column, .. }
        | Condition::Known { column, .. }
        | Condition::Matches { column, .. }
        | Condition::IsTrue(column) => Tested::Column(column),
        Condition::Bucket { seed, .. } => Tested::Bucket(seed),
        _ => return None,
    };
    match tested {
        Tested::Column(column) if column.table != TableRef::Customer => None,
        tested => Some(tested),
    }
}

/// How a test's value reads.
fn value_kind(condition: &Condition) -> Option<ValueKind> {
    Some(match tested(condition)? {
        Tested::Column(column) => ValueKind::Stored(column.ty),
        Tested::Operand(Operand::Column(column)) => ValueKind::Stored(column.ty),
        Tested::Operand(Operand::Rfm(_)) | Tested::Bucket(_) => ValueKind::Number,
        // Sums, minima, maxima, firsts and lasts of money come in minor units.
        Tested::Operand(Operand::Aggregate(aggregate)) => {
            match (aggregate.function, aggregate.ty) {
                (AggregateFn::Avg, _) => ValueKind::Average,
                (AggregateFn::Count, _) => ValueKind::Number,
                (_, Type::Money) => ValueKind::MinorUnits(2),
                (_, Type::Decimal(Some(scale))) if scale <= 6 => ValueKind::MinorUnits(scale),
                (_, ty) => ValueKind::Stored(ty),
            }
        }
    })
}

impl Generator<'_> {
    /// The value a test looks at, for one customer.
    fn tested_value(&self, w: &mut SqlWriter<'_>, condition: &Condition) {
        match tested(condition) {
            Some(Tested::Column(column) | Tested::Operand(Operand::Column(column))) => {
                w.column(CUSTOMER, &column.name);
            }
            Some(Tested::Operand(Operand::Rfm(score))) => self.rfm_score(w, *score),
            Some(Tested::Bucket(seed)) => {
                let seed = w.bind(Value::Text(seed.to_string()));
                let key = &self.program.customer.key;
                w.dialect().split_bucket(w, seed, CUSTOMER, key);
            }
            Some(Tested::Operand(Operand::Aggregate(aggregate))) => {
                self.aggregate_scalar(w, aggregate)
            }
            None => {
                w.sql("NULL");
            }
        }
    }
}
