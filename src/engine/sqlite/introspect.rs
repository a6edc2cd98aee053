//! Reads what a SQLite database holds (tables, columns, keys, a profile of each column's
//! values) so `seg schema infer` can propose a manifest.

use rusqlite::Connection;
use rusqlite::types::Value as SqlValue;

use super::error::database_error;
use crate::diagnostics::Diagnostic;
use crate::schema::{ColumnInfo, MAX_LISTED_VALUES, Shape, Stored, TableInfo};
use crate::sql::{Sqlite, ddl};

/// Describes every user table (not seglang's membership history) of the database.
pub(super) fn tables(connection: &Connection) -> Result<Vec<TableInfo>, Diagnostic> {
    let error = |e: rusqlite::Error| database_error("cannot read the database schema", &e);
    let mut statement = connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .map_err(error)?;
    let names: Vec<String> = statement
        .query_map([], |row| row.get(0))
        .map_err(error)?
        .collect::<Result<_, _>>()
        .map_err(error)?;
    names
        .into_iter()
        .filter(|name| !ddl::MEMBERSHIP_TABLES.contains(&name.as_str()))
        .map(|name| table(connection, name))
        .collect()
}

fn table(connection: &Connection, name: String) -> Result<TableInfo, Diagnostic> {
    let error = |e: rusqlite::Error| database_error(&format!("cannot read table {name}"), &e);
    let mut statement = connection
        .prepare("SELECT name, upper(type), pk FROM pragma_table_info(?1) ORDER BY cid")
        .map_err(error)?;
    let columns: Vec<(String, String, i64)> = statement
        .query_map([&name], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .map_err(error)?
        .collect::<Result<_, _>>()
        .map_err(error)?;
    let mut statement = connection
        .prepare("SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?1)")
        .map_err(error)?;
    let foreign_keys = statement
        .query_map([&name], |row| Ok((row.get(0)?, row.get(1)?)))
        .map_err(error)?
        .collect::<Result<_, _>>()
        .map_err(error)?;
    let quoted_table = quote(&name);
    let rows: i64 = connection
        .query_row(&format!("SELECT count(*) FROM {quoted_table}"), [], |r| {
            r.get(0)
        })
        .map_err(error)?;
    let mut infos = Vec::new();
    for (column, declared, pk) in columns {
        let sql = format!(
            "SELECT DISTINCT {} FROM {quoted_table} WHERE {} IS NOT NULL LIMIT 10000",
            quote(&column),
            quote(&column)
        );
        let mut statement = connection.prepare(&sql).map_err(error)?;
        let values: Vec<SqlValue> = statement
            .query_map([], |row| row.get(0))
            .map_err(error)?
            .collect::<Result<_, _>>()
            .map_err(error)?;
        let shape = shape(&values);
        // A short list of values that repeat (not one per row, like names) reads as a vocabulary.
        let vocabulary = values.len() <= MAX_LISTED_VALUES && (values.len() as i64) * 2 <= rows;
        let distinct = (shape == Shape::Text && vocabulary).then(|| {
            let mut texts: Vec<String> = values
                .iter()
                .filter_map(|v| match v {
                    SqlValue::Text(t) => Some(t.clone()),
                    _ => None,
                })
                .collect();
            texts.sort();
            texts
        });
        infos.push(ColumnInfo {
            name: column,
            declared,
            primary_key: pk > 0,
            shape,
            distinct,
        });
    }
    Ok(TableInfo {
        name,
        columns: infos,
        foreign_keys,
    })
}

fn shape(values: &[SqlValue]) -> Shape {
    if values.is_empty() {
        return Shape::Empty;
    }
    let all = |test: &dyn Fn(&SqlValue) -> bool| values.iter().all(test);
    if all(&|v| matches!(v, SqlValue::Integer(0 | 1))) && values.len() <= 2 {
        return Shape::Boolean;
    }
    if all(&|v| matches!(v, SqlValue::Integer(_))) {
        return Shape::Integer;
    }
    if all(&|v| matches!(v, SqlValue::Integer(_) | SqlValue::Real(_))) {
        let scale = values
            .iter()
            .filter_map(|v| match v {
                SqlValue::Real(r) => {
                    let text = r.to_string();
                    Some(text.split_once('.').map_or(0, |(_, f)| f.len() as u32))
                }
                _ => None,
            })
            .max()
            .unwrap_or(0);
        return Shape::Decimal(scale);
    }
    let texts = || {
        values.iter().filter_map(|v| {
            if let SqlValue::Text(t) = v {
                Some(t.as_str())
            } else {
                None
            }
        })
    };
    if all(&|v| matches!(v, SqlValue::Text(_))) {
        if texts().all(|t| chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_ok()) {
            return Shape::Date;
        }
        let timestamp = |t: &str| {
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").is_ok()
                || chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").is_ok()
        };
        if texts().all(timestamp) {
            return Shape::Timestamp;
        }
    }
    Shape::Text
}

fn quote(ident: &str) -> String {
    ddl::quoted(&Sqlite, ident)
}

/// The catalog query for every table's and view's columns, in order, with their declared
/// types.
pub(super) const COLUMNS: &str = "SELECT m.name, p.name, p.type FROM sqlite_master AS m, \
     pragma_table_info(m.name) AS p WHERE m.type IN ('table', 'view') ORDER BY m.name, p.cid";

/// What a declared type makes a column hold: its affinity
/// (<https://www.sqlite.org/datatype3.html#determination_of_column_affinity>). Every
/// column may still hold values of other kinds; `value_kinds` samples them.
pub(super) fn stored_type(declared: &str) -> Stored {
    let upper = declared.to_ascii_uppercase();
    if upper.contains("INT") {
        Stored::Integer
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|t| upper.contains(t)) {
        Stored::Text
    } else if upper.is_empty() || upper.contains("BLOB") {
        Stored::Anything
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|t| upper.contains(t)) {
        Stored::Float
    } else if upper.contains("TIME") {
        // NUMERIC affinity; ISO text stays text (the sample checks it).
        Stored::Timestamp
    } else if upper.contains("DATE") {
        Stored::Date
    } else {
        Stored::Numeric
    }
}

/// How many rows `value_kinds` looks at, at each end of a table: enough to see a column
/// that took values of another kind (a load of text into a number column), little enough
/// that every command pays about a millisecond for it.
pub(super) const SAMPLE_ROWS: u64 = 256;

/// The catalog query for every index's columns, in order.
pub(super) const INDEXES: &str = "SELECT m.name, l.name, i.name FROM sqlite_master AS m, \
     pragma_index_list(m.name) AS l, pragma_index_info(l.name) AS i WHERE m.type = 'table' \
     ORDER BY m.name, l.name, i.seqno";
