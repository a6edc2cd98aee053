//! What a database holds, described as plain data (tables, columns, a profile of each
//! column's values): what an engine reports and `schema infer` reads.

/// At most this many distinct text values are listed as a column's allowed values.
pub const MAX_LISTED_VALUES: usize = 12;

/// A table and its columns.
#[derive(Clone, Debug)]
pub struct TableInfo {
    /// Table name.
    pub name: String,
    /// Columns in order.
    pub columns: Vec<ColumnInfo>,
    /// Declared foreign keys: (column, referenced table).
    pub foreign_keys: Vec<(String, String)>,
}

/// A column and what its values look like.
#[derive(Clone, Debug)]
pub struct ColumnInfo {
    /// Column name.
    pub name: String,
    /// The declared type (`TEXT`, `REAL`, …), upper case.
    pub declared: String,
    /// Part of the primary key.
    pub primary_key: bool,
    /// What every non-null value looks like.
    pub shape: Shape,
    /// For text columns with few distinct values: the values, sorted.
    pub distinct: Option<Vec<String>>,
}

/// The narrowest description that fits every non-null value of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// No non-null values.
    Empty,
    /// Only 0 and 1.
    Boolean,
    /// Whole numbers.
    Integer,
    /// Numbers, some fractional; the most digits after the point seen.
    Decimal(u32),
    /// `YYYY-MM-DD` text.
    Date,
    /// `YYYY-MM-DD HH:MM:SS` text.
    Timestamp,
    /// Anything else.
    Text,
}

/// A column as the database's catalog describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredColumn {
    /// Column name.
    pub name: String,
    /// What the catalog says the column holds.
    pub stored: Stored,
    /// The declared type as the catalog writes it (for messages).
    pub declared: String,
}

/// What kind of values a column holds, by its declared type, in terms every engine maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    /// Whole numbers.
    Integer,
    /// Exact decimals, or (SQLite's `NUMERIC` affinity) numbers where text converts to one.
    Numeric,
    /// Floating-point numbers.
    Float,
    /// True or false.
    Bool,
    /// Calendar dates.
    Date,
    /// Dates with times.
    Timestamp,
    /// Text.
    Text,
    /// Whatever was put in it (SQLite's columns without a type): a sample of the values
    /// tells.
    Anything,
    /// A type seglang does not know (a user-defined type, an array, …).
    Other,
}

/// The kind of one stored value, where an engine keeps several kinds in one column (SQLite's
/// storage classes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A whole number.
    Integer,
    /// A floating-point number.
    Real,
    /// Text shaped like an ISO date (`2024-03-01…`).
    DateText,
    /// Other text.
    Text,
    /// Bytes.
    Blob,
}
