//! What a query returns, whatever the engine: plain values and rows.

/// A fetched value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Unknown.
    Null,
    /// A whole number.
    Integer(i64),
    /// A floating-point number as stored by the engine.
    Real(f64),
    /// Text.
    Text(String),
}

/// Rows returned by a query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}
