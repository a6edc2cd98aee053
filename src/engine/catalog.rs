//! What a database's catalog says, read the same way on every engine: each backend runs its
//! own catalog query and these turn the rows into tables' columns and indexes.

use std::collections::HashMap;

use super::{Cell, Index, Rows};
use crate::schema::{Stored, StoredColumn};
use crate::sql::Query;

/// A catalog query (no parameters).
pub(super) fn query(sql: &str) -> Query {
    Query {
        sql: sql.to_string(),
        params: Vec::new(),
    }
}

/// Each table's columns, by table.
pub type Columns = HashMap<String, Vec<StoredColumn>>;

/// Rows of (table, column, declared type), in column order: each table's columns, their
/// declared types read by the engine's `stored` rule.
pub(super) fn columns(rows: Rows, stored: fn(&str) -> Stored) -> Columns {
    let mut out: Columns = HashMap::new();
    for row in rows.rows {
        if let [Cell::Text(table), Cell::Text(column), declared, ..] = row.as_slice() {
            let declared = match declared {
                Cell::Text(t) => t.clone(),
                _ => String::new(),
            };
            out.entry(table.clone()).or_default().push(StoredColumn {
                name: column.clone(),
                stored: stored(&declared),
                declared,
            });
        }
    }
    out
}

/// Rows of (table, index, column), ordered by table, index and position: each index's
/// table and columns in order.
pub(super) fn indexes(rows: Rows) -> Vec<Index> {
    let mut out: Vec<(String, String, Vec<String>)> = Vec::new();
    for row in rows.rows {
        let [Cell::Text(table), Cell::Text(index), Cell::Text(column), ..] = row.as_slice() else {
            continue;
        };
        match out.last_mut() {
            Some((t, i, columns)) if t == table && i == index => columns.push(column.clone()),
            _ => out.push((table.clone(), index.clone(), vec![column.clone()])),
        }
    }
    out.into_iter()
        .map(|(table, _, columns)| (table, columns))
        .collect()
}
