//! The syntax tree: what was written, with a byte span on every node. Names are plain
//! strings and literals keep their source text; the checker gives them meaning.

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
    /// `field <op> value`.
    Compare {
        /// The field tested.
        field: FieldRef,
        /// The operator.
        op: CompareOp,
        /// The value compared with.
        value: Literal,
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
    /// `field [not] between low and high`.
    Between {
        /// The field tested.
        field: FieldRef,
        /// `not between`.
        negated: bool,
        /// Lower bound (inclusive).
        low: Literal,
        /// Upper bound (inclusive).
        high: Literal,
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
    /// A bare name: a segment, or a boolean field.
    Reference(Name),
    /// All of these.
    And(Vec<Condition>),
    /// Any of these.
    Or(Vec<Condition>),
    /// Not this.
    Not(Box<Condition>),
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

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "!=",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    /// True for the ordering operators (`<`, `<=`, `>`, `>=`).
    pub fn is_ordering(self) -> bool {
        !matches!(self, CompareOp::Eq | CompareOp::Ne)
    }
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
