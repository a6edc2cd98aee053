//! The checked program: names resolved, types known, literals turned into typed values.
//! This is what the SQL generator reads; it carries table and column names but no SQL.

use crate::schema::Type;
use crate::source::Location;
use crate::syntax::ast::CompareOp;
use crate::value::Value;

/// Every segment that checked cleanly, dependencies before dependents.
#[derive(Clone, Debug)]
pub struct Program {
    /// The customer table.
    pub customer: CustomerTable,
    /// Related tables, indexed by [`TableRef::Related`].
    pub related: Vec<RelatedTable>,
    /// Segments in dependency order.
    pub segments: Vec<Segment>,
}

/// The table whose rows are the customers.
#[derive(Clone, Debug)]
pub struct CustomerTable {
    /// Table name.
    pub table: String,
    /// Key column.
    pub key: String,
    /// The columns shown when listing members, with their field names.
    pub display_columns: Vec<(String, String)>,
}

/// A table with many rows per customer.
#[derive(Clone, Debug)]
pub struct RelatedTable {
    /// The entity's name in segment files.
    pub name: String,
    /// Table name.
    pub table: String,
    /// The column holding the customer's key.
    pub customer_key: String,
}

/// A checked segment.
#[derive(Clone, Debug)]
pub struct Segment {
    /// Its name.
    pub name: String,
    /// Its `///` documentation.
    pub doc: Option<String>,
    /// Who is a member.
    pub condition: Condition,
    /// Where it is defined.
    pub location: Location,
}

/// A checked condition. Every atomic test holds only for a known value; `Not` is the plain
/// complement (see docs/semantics.md).
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `column <op> value`.
    Compare {
        /// The column.
        column: Column,
        /// The operator.
        op: CompareOp,
        /// The value, already of the column's type.
        value: Value,
    },
    /// `column [not] in (values)`.
    In {
        /// The column.
        column: Column,
        /// The values (never empty).
        values: Vec<Value>,
        /// `not in`.
        negated: bool,
    },
    /// `column [not] between low and high`, bounds inclusive.
    Between {
        /// The column.
        column: Column,
        /// Lower bound.
        low: Value,
        /// Upper bound.
        high: Value,
        /// `not between`.
        negated: bool,
    },
    /// `column is known` (true) / `is unknown` (false).
    Known {
        /// The column.
        column: Column,
        /// Which test.
        known: bool,
    },
    /// Text containment.
    Contains {
        /// The column.
        column: Column,
        /// The text looked for.
        text: String,
    },
    /// Text prefix.
    StartsWith {
        /// The column.
        column: Column,
        /// The prefix.
        prefix: String,
    },
    /// A boolean field that is true.
    IsTrue(Column),
    /// Membership of another segment (by name, defined earlier in [`Program::segments`]).
    Segment(String),
    /// At least one related row satisfies the condition.
    Exists {
        /// Index into [`Program::related`].
        relation: usize,
        /// The test on that row.
        condition: Box<Condition>,
    },
    /// All hold.
    And(Vec<Condition>),
    /// Any holds.
    Or(Vec<Condition>),
    /// Does not hold (unknown counts as not holding).
    Not(Box<Condition>),
}

/// A column of the customer table or of a related table.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Which table.
    pub table: TableRef,
    /// The column name.
    pub name: String,
    /// The field's type.
    pub ty: Type,
}

/// Which table a column is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableRef {
    /// The customer table.
    Customer,
    /// A related table, by index.
    Related(usize),
}

impl Program {
    /// A segment by name.
    pub fn segment(&self, name: &str) -> Option<&Segment> {
        self.segments.iter().find(|s| s.name == name)
    }
}

impl Condition {
    /// Names of the segments this condition refers to directly.
    pub fn referenced_segments<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Condition::Segment(name) => out.push(name),
            Condition::And(parts) | Condition::Or(parts) => {
                parts.iter().for_each(|p| p.referenced_segments(out))
            }
            Condition::Not(inner) => inner.referenced_segments(out),
            Condition::Exists { condition, .. } => condition.referenced_segments(out),
            _ => {}
        }
    }
}
