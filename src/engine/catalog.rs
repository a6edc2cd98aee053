//! What a database's catalog says, read the same way on every engine: each backend runs its
//! own catalog query and these turn the rows into tables' columns and indexes.

use std::collections::HashMap;

use super::{Cell, Index, Rows};
use crate::sql::Query;

/// A catalog query (no parameters).
pub(super) fn query(sql: &str) -> Query {
    Query {
        sql: sql.to_string(),
        params: Vec::new(),
    }
}

/// Rows of (table, column), in column order: each table's columns.
pub(super) fn columns(rows: Rows) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for row in rows.rows {
        if let [Cell::Text(table), Cell::Text(column), ..] = row.as_slice() {
            out.entry(table.clone()).or_default().push(column.clone());
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
