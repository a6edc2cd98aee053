//! The syntax tree: what was written, with a byte span on every node. Names are plain
//! strings and literals keep their source text; the checker gives them meaning.

pub use crate::operators::{AggregateFn, ArithOp, CompareOp, Direction, Unit};
pub use crate::normalize::Normalize;
use crate::source::Span;

/// One parsed segment file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct File {
    /// The definitions that parsed, in source order.
    pub definitions: Vec<Definition>,
}

/// A top-level definition.
#[derive(Clone, Debug, PartialEq)]
pub enum Definition {
    /// `segment Name where …`.
    Segment(SegmentDef),
    /// `set name = […]`.
    Set(SetDef),
    /// `occasion name from Dec 1 to Dec 26`.
    Occasion(OccasionDef),
    /// `metric name = aggregate`.
    Metric(MetricDef),
    /// `import 'file.seg'`.
    Import(ImportDef),
    /// `split Base seed 'spring-2026' into Treatment 90%, Holdout 10%`.
    Split(SplitDef),
}

impl Definition {
    /// The names it defines: one, none for an import, a split's buckets.
    pub fn names(&self) -> Vec<&Name> {
        match self {
            Definition::Segment(d) => vec![&d.name],
            Definition::Set(d) => vec![&d.name],
            Definition::Occasion(d) => vec![&d.name],
            Definition::Metric(d) => vec![&d.name],
            Definition::Import(_) => Vec::new(),
            Definition::Split(d) => d.buckets.iter().map(|b| &b.name).collect(),
        }
    }

    /// The segments it defines: a segment, or a split's buckets.
    pub fn segment_names(&self) -> Vec<&Name> {
        match self {
            Definition::Segment(_) | Definition::Split(_) => self.names(),
            _ => Vec::new(),
        }
    }

    /// Its `///` documentation, if any.
    pub fn doc(&self) -> Option<&str> {
        match self {
            Definition::Segment(d) => d.doc.as_deref(),
            Definition::Set(d) => d.doc.as_deref(),
            Definition::Occasion(d) => d.doc.as_deref(),
            Definition::Metric(d) => d.doc.as_deref(),
            Definition::Split(d) => d.doc.as_deref(),
            Definition::Import(_) => None,
        }
    }

    /// Its tags: the comma-separated words of a `/// tags: …` documentation line
    /// (`/// tags: retention, email`), for selecting segments by theme.
    pub fn tags(&self) -> Vec<String> {
        let Some(doc) = self.doc() else {
            return Vec::new();
        };
        doc.lines()
            .filter_map(|line| {
                let line = line.trim();
                let (key, rest) = line.split_once(':')?;
                key.trim().eq_ignore_ascii_case("tags").then_some(rest)
            })
            .flat_map(|rest| rest.split(','))
            .map(|tag| tag.trim().to_string())
            .filter(|tag| !tag.is_empty())
            .collect()
    }

    /// The whole definition, doc lines included.
    pub fn span(&self) -> Span {
        match self {
            Definition::Segment(d) => d.span,
            Definition::Set(d) => d.span,
            Definition::Occasion(d) => d.span,
            Definition::Metric(d) => d.span,
            Definition::Import(d) => d.span,
            Definition::Split(d) => d.span,
        }
    }
}

/// `split Base seed 'spring-2026' into Treatment 90%, Holdout 10%`: stable buckets of a
/// segment, each a segment of its own (see docs/semantics.md, "Splits").
#[derive(Clone, Debug, PartialEq)]
pub struct SplitDef {
    /// The `///` lines before it.
    pub doc: Option<String>,
    /// The segment (or boolean field) split.
    pub base: Name,
    /// The seed, a text literal: the same seed gives every customer the same bucket.
    pub seed: Literal,
    /// The buckets in order; each takes the next share of the hash range.
    pub buckets: Vec<SplitBucket>,
    /// The whole definition.
    pub span: Span,
}

/// `Holdout 10%`: one bucket of a split.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitBucket {
    /// The segment it defines.
    pub name: Name,
    /// Its share in percent as written, without the `%` (`12.5`).
    pub share: String,
    /// The share with its `%`.
    pub share_span: Span,
}

/// `import 'file.seg'`.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportDef {
    /// The path as written, relative to the importing file.
    pub path: String,
    /// The quoted path.
    pub path_span: Span,
    /// The whole import.
    pub span: Span,
}

/// `occasion christmas from Dec 1 to Dec 26`.
#[derive(Clone, Debug, PartialEq)]
pub struct OccasionDef {
    /// The `///` lines before it.
    pub doc: Option<String>,
    /// The occasion's name.
    pub name: Name,
    /// First day of the window.
    pub start: MonthDay,
    /// Last day of the window (inclusive).
    pub end: MonthDay,
    /// The whole definition.
    pub span: Span,
}

/// `Dec 26` as written.
#[derive(Clone, Debug, PartialEq)]
pub struct MonthDay {
    /// The month's name as written.
    pub month: Name,
    /// The day number as written.
    pub day: String,
    /// The whole `Dec 26`.
    pub span: Span,
}

/// The months' names, January first; a month is written in full or as its first three letters.
pub const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl MonthDay {
    /// The month's number (1–12), if the name is a month (`Dec`, `december`, `DECEMBER`).
    pub fn month_number(&self) -> Option<u32> {
        let name = self.month.text.to_lowercase();
        MONTH_NAMES
            .iter()
            .position(|m| {
                let full = m.to_lowercase();
                name == full || (name.len() == 3 && full.starts_with(&name))
            })
            .map(|i| i as u32 + 1)
    }
}

/// `metric ltv = sum(orders.amount)`.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricDef {
    /// The `///` lines before it.
    pub doc: Option<String>,
    /// The metric's name.
    pub name: Name,
    /// Its definition: an aggregate, or arithmetic on aggregates, fields and numbers.
    pub expression: Expr,
    /// The whole definition.
    pub span: Span,
}

/// Arithmetic: `count(orders where channel = 'web') / count(orders)`, `1.2 * avg(…)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

impl Expr {
    /// The fields, metrics, scores and aggregates it reads, left to right.
    pub fn operands<'e>(&'e self, out: &mut Vec<&'e Operand>) {
        match &self.kind {
            ExprKind::Number(_) => {}
            ExprKind::Operand(operand) => out.push(operand),
            ExprKind::Binary(_, left, right) => {
                left.operands(out);
                right.operands(out);
            }
            ExprKind::Parenthesised(inner) => inner.operands(out),
        }
    }
}

impl ConditionKind {
    /// The fields, metrics, scores and aggregates a calculation reads (none for other tests).
    pub fn calculation_operands(&self) -> Vec<&Operand> {
        let mut operands = Vec::new();
        match self {
            ConditionKind::Arithmetic { left, right, .. } => {
                left.operands(&mut operands);
                right.operands(&mut operands);
            }
            ConditionKind::ArithmeticBetween {
                expression,
                low,
                high,
                ..
            } => {
                for side in [expression, low, high] {
                    side.operands(&mut operands);
                }
            }
            _ => {}
        }
        operands
    }
}

/// The kinds of [`Expr`].
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A number (an integer or decimal literal).
    Number(Literal),
    /// A field, metric, score or aggregate.
    Operand(Operand),
    /// `left op right`.
    Binary(ArithOp, Box<Expr>, Box<Expr>),
    /// `(expression)`, kept so that the formatter writes the parentheses back.
    Parenthesised(Box<Expr>),
}

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// The text of the name.
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// `segment Name where <condition>`.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentDef {
    /// The `///` lines before it, joined with newlines.
    pub doc: Option<String>,
    /// The segment's name.
    pub name: Name,
    /// What a customer must satisfy to be a member.
    pub condition: Condition,
    /// The whole definition.
    pub span: Span,
}

/// `set name = ['a', 'b']`.
#[derive(Clone, Debug, PartialEq)]
pub struct SetDef {
    /// The `///` lines before it.
    pub doc: Option<String>,
    /// The set's name.
    pub name: Name,
    /// Its values.
    pub values: List,
    /// The whole definition.
    pub span: Span,
}

/// `[a, b, c]`.
#[derive(Clone, Debug, PartialEq)]
pub struct List {
    /// The items.
    pub items: Vec<Literal>,
    /// From `[` to `]`.
    pub span: Span,
}

/// A condition node.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// What kind of test.
    pub kind: ConditionKind,
    /// The text it covers.
    pub span: Span,
}

/// The kinds of condition.
#[derive(Clone, Debug, PartialEq)]
pub enum ConditionKind {
    /// `operand <op> value`.
    Compare {
        /// What is tested.
        operand: Operand,
        /// The operator.
        op: CompareOp,
        /// The value compared with.
        value: ValueExpr,
    },
    /// `expression <op> expression`, with arithmetic on at least one side.
    Arithmetic {
        /// The left side.
        left: Expr,
        /// The operator.
        op: CompareOp,
        /// The right side.
        right: Expr,
    },
    /// `expression [not] between low and high` with arithmetic.
    ArithmeticBetween {
        /// What is tested.
        expression: Expr,
        /// `not between`.
        negated: bool,
        /// Lower bound (inclusive).
        low: Expr,
        /// Upper bound (inclusive).
        high: Expr,
    },
    /// `operand in last 90 days` / `in next 14 days`.
    Window {
        /// What is tested.
        operand: Operand,
        /// Last or next.
        direction: Direction,
        /// How many units (an integer literal).
        amount: Literal,
        /// Days, weeks, months or years.
        unit: Unit,
    },
    /// `field [not] during occasion`.
    During {
        /// The date or timestamp tested.
        field: FieldRef,
        /// `not during`.
        negated: bool,
        /// The occasion's name.
        occasion: Name,
    },
    /// `field has any of / all of / none of [..]`.
    Has {
        /// A field with many values per customer.
        field: FieldRef,
        /// Any, all or none.
        quantifier: Quantifier,
        /// The values.
        values: InValues,
    },
    /// `any(A) then [not] any(B) within N days [and not any(C) in between]`.
    Sequence {
        /// The first step.
        first: Step,
        /// `then not`: the first step not followed by the second.
        absent: bool,
        /// The step that follows.
        then: Step,
        /// How long after the first step (an integer literal).
        amount: Literal,
        /// Days or weeks (the checker refuses longer units).
        unit: Unit,
        /// `and not any(C) in between`.
        unless: Option<Step>,
    },
    /// `any(entity [where condition])`.
    Any {
        /// The related entity.
        entity: Name,
        /// A condition on its rows.
        filter: Option<Box<Condition>>,
    },
    /// `field [not] in [..]` or `field [not] in setname`.
    In {
        /// The field tested.
        field: FieldRef,
        /// `not in`.
        negated: bool,
        /// The list or the named set.
        values: InValues,
    },
    /// `operand [not] between low and high`.
    Between {
        /// What is tested.
        operand: Operand,
        /// `not between`.
        negated: bool,
        /// Lower bound (inclusive).
        low: ValueExpr,
        /// Upper bound (inclusive).
        high: ValueExpr,
    },
    /// `field is known` / `field is unknown`.
    Known {
        /// The field tested.
        field: FieldRef,
        /// `is known` (true) or `is unknown` (false).
        known: bool,
    },
    /// `field contains 'text'`.
    Contains {
        /// The field tested.
        field: FieldRef,
        /// The text looked for.
        value: Literal,
    },
    /// `field starts with 'text'`.
    StartsWith {
        /// The field tested.
        field: FieldRef,
        /// The prefix.
        value: Literal,
    },
    /// `field ends with 'text'`.
    EndsWith {
        /// The field tested.
        field: FieldRef,
        /// The suffix.
        value: Literal,
    },
    /// A text test followed by `ignoring case` / `ignoring spaces`: the test, with both the
    /// field's text and the value read as [`Normalize`] says.
    Ignoring {
        /// The test (`=`, `!=`, `in`, `has`, `contains`, `starts with`, `ends with`).
        test: Box<Condition>,
        /// What is ignored.
        normalize: Normalize,
        /// The `ignoring …` words.
        span: Span,
    },
    /// A bare name: a segment, or a boolean field.
    Reference(Name),
    /// All of these.
    And(Vec<Condition>),
    /// Any of these.
    Or(Vec<Condition>),
    /// Not this.
    Not(Box<Condition>),
}

/// One step of a sequence: `any(entity [where condition])`.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// The related entity.
    pub entity: Name,
    /// A condition on its rows.
    pub filter: Option<Box<Condition>>,
    /// The whole `any(…)`.
    pub span: Span,
}

/// What a comparison tests.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    /// A field, or a metric (resolved by the checker).
    Field(FieldRef),
    /// An aggregate over related rows.
    Aggregate(Aggregate),
    /// `age(field)` or `anniversary(field)`.
    Function {
        /// Which function.
        function: Function,
        /// Its argument.
        field: FieldRef,
        /// The whole call.
        span: Span,
    },
}

impl Operand {
    /// The operand's text span.
    pub fn span(&self) -> Span {
        match self {
            Operand::Field(f) => f.span,
            Operand::Aggregate(a) => a.span,
            Operand::Function { span, .. } => *span,
        }
    }
}

/// `count(orders where …)`, `sum(orders.amount)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// The function.
    pub function: AggregateFn,
    /// `count(distinct …)`.
    pub distinct: bool,
    /// `orders` (count only) or `orders.amount`.
    pub target: FieldRef,
    /// Which related rows count.
    pub filter: Option<Box<Condition>>,
    /// The whole aggregate.
    pub span: Span,
}

/// Functions of one field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// Whole years from a date to the as-of date.
    Age,
    /// The date's yearly recurrence.
    Anniversary,
}

/// A value to compare with.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueExpr {
    /// A literal.
    Literal(Literal),
    /// A date relative to the as-of date.
    Relative(RelativeDate),
}

/// `90 days ago` or `today`.
#[derive(Clone, Debug, PartialEq)]
pub struct RelativeDate {
    /// How many units before the as-of date (`None` for `today`).
    pub ago: Option<(Literal, Unit)>,
    /// Where it is.
    pub span: Span,
}

/// The quantifier of `has … of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quantifier {
    /// At least one of the values.
    Any,
    /// Every one of the values.
    All,
    /// None of the values.
    None,
}

/// The values after `in`.
#[derive(Clone, Debug, PartialEq)]
pub enum InValues {
    /// A literal list.
    List(List),
    /// The name of a set.
    Set(Name),
}

/// `field` or `entity.field`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldRef {
    /// The related entity, when written `entity.field`.
    pub entity: Option<Name>,
    /// The field.
    pub name: Name,
    /// The whole reference.
    pub span: Span,
}

/// A literal as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    /// Its kind, with the unescaped text for strings.
    pub kind: LiteralKind,
    /// The source text (`'O''Brien'`, `500.25`, `2025-12-24`).
    pub text: String,
    /// Where it is.
    pub span: Span,
}

/// The kinds of literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LiteralKind {
    /// `'text'`, unescaped.
    Text(String),
    /// `500`.
    Integer,
    /// `500.25`.
    Decimal,
    /// `2025-12-24`.
    Date,
    /// `true` / `false`.
    Bool(bool),
}

impl LiteralKind {
    /// A short description for messages ("a text value").
    pub fn describe(&self) -> &'static str {
        match self {
            LiteralKind::Text(_) => "a text value",
            LiteralKind::Integer => "an integer",
            LiteralKind::Decimal => "a decimal number",
            LiteralKind::Date => "a date",
            LiteralKind::Bool(_) => "a boolean",
        }
    }
}
