//! A SQLite connection (or transaction) as the statements membership history needs.

use rusqlite::Connection;

use super::connection::{cell, params};
use super::error::database_error;
use crate::diagnostics::Diagnostic;
use crate::engine::Cell;
use crate::sql::{Dialect, Query, Sqlite};
use crate::value::Value;

/// Membership statements on a SQLite connection.
pub(super) struct Statements<'a>(pub(super) &'a Connection);

impl crate::engine::membership::Statements for Statements<'_> {
    fn dialect(&self) -> &'static dyn Dialect {
        &Sqlite
    }

    fn execute(&mut self, statement: &Query) -> Result<(), Diagnostic> {
        self.0
            .execute(&statement.sql, params(statement))
            .map(|_| ())
            .map_err(|e| database_error("cannot record the membership", &e))
    }

    fn execute_batch(&mut self, sql: &str) -> Result<(), Diagnostic> {
        self.0
            .execute_batch(sql)
            .map_err(|e| database_error("cannot record the membership", &e))
    }

    fn rows(&mut self, query: &Query) -> Result<Vec<Vec<Cell>>, Diagnostic> {
        let failed = |e: rusqlite::Error| database_error("cannot read the membership history", &e);
        let mut statement = self.0.prepare(&query.sql).map_err(failed)?;
        let width = statement.column_count();
        statement
            .query_map(params(query), |row| {
                (0..width).map(|i| row.get(i).map(cell)).collect()
            })
            .map_err(failed)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(failed)
    }

    fn has_table(&mut self, name: &str) -> Result<bool, Diagnostic> {
        let rows = self.rows(&Query {
            sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = ?1)".into(),
            params: vec![Value::Text(name.to_string())],
        })?;
        Ok(rows.first().and_then(|r| r.first()) == Some(&Cell::Integer(1)))
    }
}
