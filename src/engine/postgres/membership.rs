//! A PostgreSQL client (or transaction) as the statements membership history needs.

use super::error::database_error;
use super::wire::{bound, cells};
use crate::diagnostics::Diagnostic;
use crate::engine::Cell;
use crate::sql::{Dialect, Postgres, Query};
use crate::value::Value;

/// Membership statements on a PostgreSQL client or transaction.
pub(super) struct Statements<'a, C>(pub(super) &'a mut C);

impl<C: postgres::GenericClient> crate::engine::membership::Statements for Statements<'_, C> {
    fn dialect(&self) -> &'static dyn Dialect {
        &Postgres
    }

    fn execute(&mut self, statement: &Query) -> Result<(), Diagnostic> {
        self.0
            .execute(statement.sql.as_str(), &bound(&statement.params))
            .map(|_| ())
            .map_err(|e| database_error("cannot record the membership", &e, None))
    }

    fn execute_batch(&mut self, sql: &str) -> Result<(), Diagnostic> {
        self.0
            .batch_execute(sql)
            .map_err(|e| database_error("cannot record the membership", &e, None))
    }

    fn rows(&mut self, query: &Query) -> Result<Vec<Vec<Cell>>, Diagnostic> {
        let failed =
            |e: postgres::Error| database_error("cannot read the membership history", &e, None);
        let found = self
            .0
            .query(query.sql.as_str(), &bound(&query.params))
            .map_err(failed)?;
        found.iter().map(|row| cells(row).map_err(failed)).collect()
    }

    fn has_table(&mut self, name: &str) -> Result<bool, Diagnostic> {
        let rows = self.rows(&Query {
            sql: "SELECT to_regclass($1) IS NOT NULL".into(),
            params: vec![Value::Text(name.to_string())],
        })?;
        Ok(rows.first().and_then(|r| r.first()) == Some(&Cell::Integer(1)))
    }
}
