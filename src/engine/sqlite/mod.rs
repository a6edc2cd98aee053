//! SQLite through rusqlite (bundled): a database file opened read-only for queries, and
//! written in one transaction on a read-write connection of its own.

mod connection;
mod error;
mod introspect;
mod key_slices;
mod load;
mod membership;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::diagnostics::Diagnostic;
use crate::engine::{self, LoadSummary, Outcome, Run, TableRows};
use crate::sql::{Dialect, Query, Sqlite};

pub(super) use connection::Database;
pub(super) use load::in_memory;

use error::database_error;

/// A SQLite database file.
pub(super) struct Engine {
    path: PathBuf,
}

impl Engine {
    /// The database at `path` (which may not exist yet).
    pub(super) fn new(path: &Path) -> Engine {
        Engine {
            path: path.to_path_buf(),
        }
    }

    /// A read-write connection to the file, with seglang's SQL functions.
    fn open_for_writing(&self) -> Result<Connection, Diagnostic> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| {
            database_error(
                &format!("cannot open {} for writing", self.path.display()),
                &e,
            )
        })?;
        connection
            .busy_timeout(Duration::from_secs(2))
            .map_err(|e| database_error("cannot configure the connection", &e))?;
        connection::add_functions(&connection)?;
        Ok(connection)
    }
}

impl engine::Engine for Engine {
    fn dialect(&self) -> &'static dyn Dialect {
        &Sqlite
    }

    fn open_read_only(
        &self,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn engine::Database>, Diagnostic> {
        Ok(Box::new(
            Database::open_read_only(&self.path, timeout)?.with_timeout(timeout)?,
        ))
    }

    fn is_missing(&self) -> bool {
        !self.path.exists()
    }

    fn load(&self, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
        load::load(&self.path, tables)
    }

    fn apply(&self, statements: &[Query]) -> Result<(), Diagnostic> {
        let mut connection = self.open_for_writing()?;
        let transaction = connection
            .transaction()
            .map_err(|e| database_error("cannot start a transaction", &e))?;
        for statement in statements {
            transaction
                .execute(&statement.sql, connection::params(statement))
                .map_err(|e| database_error("cannot change the database", &e))?;
        }
        transaction
            .commit()
            .map_err(|e| database_error("cannot commit", &e))
    }

    fn materialize(
        &self,
        runs: &[Run],
        computed_at: &str,
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<Outcome>, Diagnostic> {
        let mut connection = self.open_for_writing()?;
        let failed = |e: rusqlite::Error| database_error("cannot record the membership", &e);
        let transaction = connection.transaction().map_err(failed)?;
        let outcomes = engine::membership::record(
            &mut membership::Statements(&transaction),
            runs,
            computed_at,
            progress,
        )?;
        transaction.commit().map_err(failed)?;
        Ok(outcomes)
    }
}
