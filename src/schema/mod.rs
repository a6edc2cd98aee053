//! The customer schema: which entity is "a customer", its fields and their types, and the
//! related entities (orders, events, …) joined to it. Written in `seg.toml` (see
//! [`crate::project::manifest`]) or inferred from a database. Knows nothing about segments or SQL text.

mod description;
pub mod drift;
pub mod infer;

pub use description::{
    ColumnInfo, MAX_LISTED_VALUES, Shape, Stored, StoredColumn, TableInfo, ValueKind,
};

use std::fmt;

use crate::normalize::Normalize;
use crate::operators::Unit;
use crate::source::Location;

/// The customer entity and everything related to it.
#[derive(Clone, Debug)]
pub struct Schema {
    /// The entity segments select members of.
    pub customer: Entity,
    /// Entities with many rows per customer, in declaration order.
    pub related: Vec<Entity>,
    /// Where RFM scores come from, if configured.
    pub rfm: Option<RfmSource>,
}

/// The purchases RFM scores are computed from: a related entity with a time and an amount.
#[derive(Clone, Debug)]
pub struct RfmSource {
    /// Index into [`Schema::related`].
    pub relation: usize,
    /// The amount field (money).
    pub amount: Field,
    /// The time field (date or timestamp).
    pub time: Field,
    /// How the scores are cut.
    pub scoring: RfmScoring,
}

/// How RFM scores cut the customers into buckets (`method`, `buckets` and `window` in
/// `[rfm]`; docs/semantics.md, "RFM scores").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RfmScoring {
    /// How ties and bucket sizes are settled.
    pub method: RfmMethod,
    /// How many buckets: scores run from 1 to this.
    pub buckets: u32,
    /// Frequency and monetary count only the rows in this many units up to the as-of
    /// date (as `in last N units`); all rows when `None`.
    pub window: Option<(u32, Unit)>,
}

impl Default for RfmScoring {
    /// Shared-rank quintiles over all rows: the scores of projects written before the
    /// choice existed.
    fn default() -> RfmScoring {
        RfmScoring {
            method: RfmMethod::Rank,
            buckets: 5,
            window: None,
        }
    }
}

/// How RFM buckets are cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RfmMethod {
    /// `1 + floor(buckets × (rank − 1) / n)` with SQL's `RANK()`: tied customers share a
    /// score, so a bucket may hold more than its share.
    Rank,
    /// SQL's `NTILE(buckets)`: buckets of equal size (the first ones one larger when they
    /// cannot all be), ties split by customer key.
    Ntile,
}

/// A table seen as an entity.
#[derive(Clone, Debug)]
pub struct Entity {
    /// The name used in segment files (`orders`).
    pub name: String,
    /// The database table.
    pub table: String,
    /// The table's key column.
    pub key: String,
    /// For a related entity: its column holding the customer's key.
    pub customer_key: Option<String>,
    /// The fields segments may test, in declaration order.
    pub fields: Vec<Field>,
    /// For a related entity: the column that orders its rows in time (`first`, `last`).
    pub time: Option<String>,
    /// Where the entity is declared.
    pub location: Location,
}

/// A named, typed value a condition can test.
#[derive(Clone, Debug)]
pub struct Field {
    /// The name used in segment files.
    pub name: String,
    /// The column holding it (in the related entity's table for a `via` field).
    pub column: String,
    /// Its type.
    pub ty: Type,
    /// For text: the only values it may hold, if declared.
    pub values: Option<Vec<String>>,
    /// For text: what every comparison on it ignores (`normalize = ["case", "spaces"]`).
    pub normalize: Normalize,
    /// For a customer field defined through a relation: the index of that entity in
    /// [`Schema::related`]. Such a field has one value per related row.
    pub via: Option<usize>,
    /// Marked sensitive in the manifest (age, gender, health, …).
    pub sensitive: bool,
    /// Declared never unknown: loading rejects an empty value, and the compiler relies on
    /// it (a `first` time needs no test for unknown times).
    pub required: bool,
    /// Where the field is declared.
    pub location: Location,
}

/// The type of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    /// Text, compared exactly.
    Text,
    /// A whole number.
    Integer,
    /// An exact decimal; `Some(scale)` limits the digits after the point.
    Decimal(Option<u32>),
    /// Money: a decimal with two places.
    Money,
    /// True or false.
    Bool,
    /// A calendar date.
    Date,
    /// A date and time (UTC).
    Timestamp,
}

impl Type {
    /// The names accepted in `seg.toml`.
    pub const NAMES: &'static [&'static str] = &[
        "text",
        "integer",
        "decimal",
        "money",
        "bool",
        "date",
        "timestamp",
    ];

    /// Parses a type name from the manifest.
    pub fn from_name(name: &str, scale: Option<u32>) -> Option<Type> {
        Some(match name {
            "text" => Type::Text,
            "integer" => Type::Integer,
            "decimal" => Type::Decimal(scale),
            "money" => Type::Money,
            "bool" => Type::Bool,
            "date" => Type::Date,
            "timestamp" => Type::Timestamp,
            _ => return None,
        })
    }

    /// Digits allowed after the decimal point, if limited.
    pub fn scale(self) -> Option<u32> {
        match self {
            Type::Money => Some(2),
            Type::Decimal(scale) => scale,
            Type::Integer => Some(0),
            _ => None,
        }
    }

    /// Integer, decimal or money.
    pub fn is_numeric(self) -> bool {
        matches!(self, Type::Integer | Type::Decimal(_) | Type::Money)
    }

    /// Types whose values have an order (`<`, `between`).
    pub fn is_ordered(self) -> bool {
        self.is_numeric() || matches!(self, Type::Date | Type::Timestamp)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Text => f.write_str("text"),
            Type::Integer => f.write_str("integer"),
            Type::Decimal(None) => f.write_str("decimal"),
            Type::Decimal(Some(scale)) => write!(f, "decimal({scale})"),
            Type::Money => f.write_str("money"),
            Type::Bool => f.write_str("bool"),
            Type::Date => f.write_str("date"),
            Type::Timestamp => f.write_str("timestamp"),
        }
    }
}

/// What the schema says about one table: its columns (keys first), their types, and the
/// columns to index.
#[derive(Clone, Debug, Default)]
pub struct TableLayout {
    /// Columns in order: keys, then fields.
    pub columns: Vec<String>,
    /// Declared types by column.
    pub types: std::collections::HashMap<String, Type>,
    /// Columns holding a customer's key (worth an index).
    pub indexes: Vec<String>,
    /// Columns of required fields (an empty value is an error).
    pub required: Vec<String>,
    /// The customer key's column, when this is the customer table: every row has a value,
    /// and no value repeats.
    pub unique: Vec<String>,
}

impl Schema {
    /// The layout of `table`, from every entity stored in it.
    pub fn table_layout(&self, table: &str) -> TableLayout {
        let mut layout = TableLayout::default();
        let entities = std::iter::once(&self.customer).chain(&self.related);
        if self.customer.table == table && !self.customer.key.is_empty() {
            layout.unique.push(self.customer.key.clone());
        }
        for entity in entities.filter(|e| e.table == table) {
            let keys = [
                Some(&entity.key).filter(|k| !k.is_empty()),
                entity.customer_key.as_ref(),
            ];
            for column in keys.into_iter().flatten() {
                if !layout.columns.contains(column) {
                    layout.columns.push(column.clone());
                }
            }
            for field in entity.fields.iter().filter(|f| f.via.is_none()) {
                layout.types.insert(field.column.clone(), field.ty);
                if field.required {
                    layout.required.push(field.column.clone());
                }
                if !layout.columns.contains(&field.column) {
                    layout.columns.push(field.column.clone());
                }
            }
            layout.indexes.extend(entity.customer_key.clone());
        }
        layout
    }

    /// A related entity by name.
    pub fn related_entity(&self, name: &str) -> Option<(usize, &Entity)> {
        self.related
            .iter()
            .enumerate()
            .find(|(_, e)| e.name == name)
    }
}

impl Entity {
    /// A field by name.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}
