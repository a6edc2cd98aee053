//! A DuckDB connection (or one inside its transaction) as the statements membership
//! history needs.

use ::duckdb::Connection;

use super::connection::params;
use super::error::database_error;
use super::values::cell;
use crate::diagnostics::Diagnostic;
use crate::engine::Cell;
use crate::sql::{Dialect, DuckDb, Query};
use crate::value::Value;

/// Membership statements on a DuckDB connection.
pub(super) struct Statements<'a>(pub(super) &'a Connection);

impl crate::engine::membership::Statements for Statements<'_> {
    fn dialect(&self) -> &'static dyn Dialect {
        &DuckDb
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
        let failed = |e: ::duckdb::Error| database_error("cannot read the membership history", &e);
        let mut statement = self.0.prepare(&query.sql).map_err(failed)?;
        let mut found = statement.query(params(query)).map_err(failed)?;
        let mut rows = Vec::new();
        while let Some(row) = found.next().map_err(failed)? {
            let width = row.as_ref().column_count();
            let values = (0..width)
                .map(|i| row.get::<_, ::duckdb::types::Value>(i).map(cell))
                .collect::<Result<Vec<_>, _>>()
                .map_err(failed)?;
            rows.push(values);
        }
        Ok(rows)
    }

    fn has_table(&mut self, name: &str) -> Result<bool, Diagnostic> {
        let rows = self.rows(&Query {
            sql: "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = $1".into(),
            params: vec![Value::Text(name.to_string())],
        })?;
        Ok(matches!(rows.first().and_then(|r| r.first()), Some(Cell::Integer(n)) if *n > 0))
    }
}
