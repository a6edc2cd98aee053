//! The DuckDB engine: a database file and the Parquet files read in place; every change in
//! one transaction on a read-write connection of its own.

use std::path::PathBuf;
use std::time::Duration;

use ::duckdb::Connection;

use super::connection::{Access, Database, WRITER_WAIT, open, params};
use super::error::database_error;
use crate::diagnostics::Diagnostic;
use crate::engine::{self, LoadSummary, Outcome, Run, TableRows};
use crate::project::DuckDbTarget;
use crate::sql::{Dialect, DuckDb, Query};

/// A DuckDB database file, with the project's Parquet tables.
pub(in crate::engine) struct Engine {
    path: PathBuf,
    parquet: Vec<(String, PathBuf)>,
}

impl Engine {
    /// The database of `target` (whose file may not exist yet).
    pub(in crate::engine) fn new(target: &DuckDbTarget) -> Engine {
        Engine {
            path: target.path.clone(),
            parquet: target.parquet.clone(),
        }
    }

    /// Runs `work` in one transaction on a read-write connection: all of it or none.
    fn in_transaction<T>(
        &self,
        what: &str,
        work: impl FnOnce(&Connection) -> Result<T, Diagnostic>,
    ) -> Result<T, Diagnostic> {
        let connection = open(&self.path, Access::Write, WRITER_WAIT, &self.parquet)?;
        let failed = |e: ::duckdb::Error| database_error(what, &e);
        connection.execute_batch("BEGIN TRANSACTION").map_err(failed)?;
        match work(&connection) {
            Ok(done) => {
                connection.execute_batch("COMMIT").map_err(failed)?;
                Ok(done)
            }
            Err(error) => {
                let _ = connection.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }
}

impl engine::Engine for Engine {
    fn dialect(&self) -> &'static dyn Dialect {
        &DuckDb
    }

    fn open_read_only(
        &self,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn engine::Database>, Diagnostic> {
        Ok(Box::new(Database::open_read_only(
            &self.path,
            &self.parquet,
            timeout,
        )?))
    }

    fn is_missing(&self) -> bool {
        !self.path.exists()
    }

    fn reads_parquet(&self) -> bool {
        true
    }

    fn load(&self, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
        super::load::load(&self.path, tables)
    }

    fn apply(&self, statements: &[Query]) -> Result<(), Diagnostic> {
        self.in_transaction("cannot change the database", |connection| {
            for statement in statements {
                connection
                    .execute(&statement.sql, params(statement))
                    .map_err(|e| database_error("cannot change the database", &e))?;
            }
            Ok(())
        })
    }

    fn materialize(
        &self,
        runs: &[Run],
        computed_at: &str,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<Outcome>, Diagnostic> {
        self.in_transaction("cannot record the membership", |connection| {
            engine::membership::record(
                &mut super::membership::Statements(connection),
                runs,
                computed_at,
                progress,
            )
        })
    }
}
