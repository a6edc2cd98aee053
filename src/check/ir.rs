//! The checked program: names resolved, types known, literals turned into typed values.
//! This is what the SQL generator reads; it carries table and column names but no SQL.

pub use crate::normalize::Normalize;
pub use crate::operators::{AggregateFn, ArithOp, CompareOp, Direction, Unit};
pub use crate::schema::{RfmMethod, RfmScoring};
use crate::schema::Type;
use crate::source::Location;
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
    /// How RFM scores are computed, if the manifest configures them.
    pub rfm: Option<Rfm>,
}

/// Where recency, frequency and monetary value come from.
#[derive(Clone, Debug, PartialEq)]
pub struct Rfm {
    /// The related table of purchases (index into [`Program::related`]).
    pub relation: usize,
    /// Its date or timestamp column.
    pub date: Column,
    /// Its money column.
    pub amount: Column,
    /// How the scores are cut.
    pub scoring: RfmScoring,
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
    /// The table's own key, if declared (breaks ties in `first`/`last`).
    pub key: Option<String>,
    /// The column that orders rows in time, for `first` and `last`.
    pub time: Option<String>,
    /// Whether the time is declared required (never unknown).
    pub time_required: bool,
}

/// A checked segment.
#[derive(Clone, Debug)]
pub struct Segment {
    /// Its name.
    pub name: String,
    /// Who is a member.
    pub condition: Condition,
    /// Where it is defined.
    pub location: Location,
}

/// A checked condition. Every atomic test holds only for a known value; `Not` is the plain
/// complement (see docs/semantics.md).
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `operand <op> value`.
    Compare {
        /// What is compared.
        operand: Operand,
        /// The operator.
        op: CompareOp,
        /// The value, already of the operand's type.
        value: Bound,
    },
    /// The operand's date lies in a window ending (`Last`) or starting (`Next`) at the as-of date.
    Window {
        /// A date-valued operand.
        operand: Operand,
        /// Which side of the as-of date.
        direction: Direction,
        /// How many units.
        amount: u32,
        /// Which unit.
        unit: Unit,
    },
    /// The column's yearly anniversary falls in a window around the as-of date.
    Anniversary {
        /// A date column.
        column: Column,
        /// Which side of the as-of date.
        direction: Direction,
        /// How many units.
        amount: u32,
        /// Which unit.
        unit: Unit,
    },
    /// The column's date falls in an occasion's yearly window.
    During {
        /// A date or timestamp column.
        column: Column,
        /// The window.
        occasion: Occasion,
        /// `not during`.
        negated: bool,
    },
    /// Whole years from the column's date to the as-of date compared with `years`.
    Age {
        /// A date column.
        column: Column,
        /// The operator.
        op: CompareOp,
        /// The age compared with.
        years: i64,
    },
    /// `column [not] in (values)`.
    In {
        /// The column.
        column: Column,
        /// The values (never empty; text already read as `normalize` reads the column).
        values: Vec<Value>,
        /// `not in`.
        negated: bool,
        /// What a text comparison ignores (`NONE` for other types).
        normalize: Normalize,
    },
    /// `left op right` with arithmetic on either side, compared exactly (docs/semantics.md,
    /// "Arithmetic"): unknown when an operand is unknown or a divisor is zero.
    Arithmetic {
        /// The left side.
        left: Expr,
        /// The operator.
        op: CompareOp,
        /// The right side.
        right: Expr,
    },
    /// `operand [not] between low and high`, bounds inclusive.
    Between {
        /// What is compared.
        operand: Operand,
        /// Lower bound.
        low: Bound,
        /// Upper bound.
        high: Bound,
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
    /// `contains`, `starts with`, `ends with`: a piece of the column's text.
    Matches {
        /// A text column.
        column: Column,
        /// Where the piece must be.
        place: Place,
        /// The piece, already read as [`Normalize::piece`] reads it.
        text: String,
        /// What the test ignores.
        normalize: Normalize,
    },
    /// A boolean field that is true.
    IsTrue(Column),
    /// The customer's split bucket lies in `from..to`: the bucket is the seeded hash of the
    /// customer's key, 0–9999 (see [`crate::split`]).
    Bucket {
        /// The split's seed.
        seed: String,
        /// First bucket in the range.
        from: u32,
        /// First bucket after the range.
        to: u32,
    },
    /// Membership of another segment (by name, defined earlier in [`Program::segments`]).
    Segment(String),
    /// A row of one kind followed by one of another (or not) within some days
    /// (docs/semantics.md, "Sequences").
    Sequence(Box<Sequence>),
    /// At least one related row satisfies the condition (or exists at all).
    Exists {
        /// Index into [`Program::related`].
        relation: usize,
        /// The test on that row.
        condition: Option<Box<Condition>>,
    },
    /// All hold.
    And(Vec<Condition>),
    /// Any holds.
    Or(Vec<Condition>),
    /// Does not hold (unknown counts as not holding).
    Not(Box<Condition>),
}

/// `any(A) then [not] any(B) within N days [and not any(C) in between]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Sequence {
    /// The rows that start it.
    pub first: Step,
    /// The rows that must (or, `absent`, must not) follow.
    pub then: Step,
    /// `then not`: no row of `then` within the window after a row of `first`, whose
    /// window has ended by the as-of date.
    pub absent: bool,
    /// How many days after the first row's date the second may come (0: the same day).
    pub days: u32,
    /// `and not any(C) in between`: no such row strictly between the two dates.
    pub unless: Option<Step>,
}

/// One step of a sequence: the rows of a related table that satisfy a condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Index into [`Program::related`].
    pub relation: usize,
    /// The table's time column (the rows' dates order the steps).
    pub time: Column,
    /// Which rows (`None`: every row).
    pub condition: Option<Condition>,
}

/// Where [`Condition::Matches`] looks for its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Anywhere (`contains`).
    Anywhere,
    /// At the start (`starts with`).
    Start,
    /// At the end (`ends with`).
    End,
}

impl Place {
    /// The operator as written in segment files.
    pub fn words(self) -> &'static str {
        match self {
            Place::Anywhere => "contains",
            Place::Start => "starts with",
            Place::End => "ends with",
        }
    }
}

/// A value a condition compares.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A column.
    Column(Column),
    /// An aggregate over a customer's related rows.
    Aggregate(Box<Aggregate>),
    /// A built-in RFM score (1 to the number of buckets; unknown for customers without
    /// purchases).
    Rfm(RfmScore),
}

/// Arithmetic on a customer's numbers: aggregates, numeric fields, scores and exact
/// numbers.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// An exact number (money as written, not in cents).
    Number(Value),
    /// A numeric field, aggregate or score of the customer.
    Operand(Operand),
    /// `left op right`.
    Binary(ArithOp, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// The operands, left to right.
    pub fn operands<'e>(&'e self, out: &mut Vec<&'e Operand>) {
        match self {
            Expr::Number(_) => {}
            Expr::Operand(operand) => out.push(operand),
            Expr::Binary(_, left, right) => {
                left.operands(out);
                right.operands(out);
            }
        }
    }
}

/// `count`, `sum`, … over a customer's rows of one related table.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// The function.
    pub function: AggregateFn,
    /// Index into [`Program::related`].
    pub relation: usize,
    /// The column aggregated (`None`: count rows).
    pub column: Option<Column>,
    /// Count distinct known values.
    pub distinct: bool,
    /// Which rows take part.
    pub filter: Option<Condition>,
    /// The type of the result.
    pub ty: Type,
}

/// The three RFM scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RfmScore {
    /// How recently the customer last bought (5 = most recent).
    Recency,
    /// How many purchases (5 = most).
    Frequency,
    /// How much spent in total (5 = most).
    Monetary,
}

/// A value to compare with: fixed, or relative to the as-of date.
#[derive(Clone, Debug, PartialEq)]
pub enum Bound {
    /// A fixed value.
    Value(Value),
    /// `amount unit` before the as-of date (`today` is zero days).
    Ago {
        /// How many units.
        amount: u32,
        /// Which unit.
        unit: Unit,
    },
}

/// A yearly window of the calendar, from `start` to `end` inclusive (month, day); it wraps
/// the year end when `end` comes before `start`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occasion {
    /// First day.
    pub start: (u32, u32),
    /// Last day.
    pub end: (u32, u32),
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
    /// Whether an RFM score appears anywhere in the condition.
    pub fn uses_rfm(&self) -> bool {
        match self {
            Condition::Compare { operand, .. }
            | Condition::Between { operand, .. }
            | Condition::Window { operand, .. } => {
                matches!(operand, Operand::Rfm(_))
            }
            Condition::Arithmetic { .. } => self
                .calculation_operands()
                .iter()
                .any(|o| matches!(o, Operand::Rfm(_))),
            Condition::And(parts) | Condition::Or(parts) => parts.iter().any(Condition::uses_rfm),
            Condition::Not(inner) => inner.uses_rfm(),
            _ => false,
        }
    }

    /// The fields, aggregates and scores a calculation reads (none for other tests).
    pub fn calculation_operands(&self) -> Vec<&Operand> {
        let mut operands = Vec::new();
        if let Condition::Arithmetic { left, right, .. } = self {
            left.operands(&mut operands);
            right.operands(&mut operands);
        }
        operands
    }

    /// Names of the segments this condition refers to directly.
    pub fn referenced_segments<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Condition::Segment(name) => out.push(name),
            Condition::And(parts) | Condition::Or(parts) => {
                parts.iter().for_each(|p| p.referenced_segments(out))
            }
            Condition::Not(inner) => inner.referenced_segments(out),
            Condition::Exists {
                condition: Some(condition),
                ..
            } => condition.referenced_segments(out),
            _ => {}
        }
    }
}
