//! A read-only PostgreSQL connection: every transaction read-only, statements stopped after
//! the time limit, rows fetched in the binary format, cancel from another thread.

use std::ops::ControlFlow;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use postgres::Client;
use tokio_postgres_rustls::MakeRustlsConnect;

use super::error::database_error;
use super::membership::Statements;
use super::wire::{bound, cells};
use crate::diagnostics::Diagnostic;
use crate::engine::catalog;
use crate::engine::membership::{changes, history};
use crate::engine::rows::Batches;
use crate::engine::{Canceller, Cell, Rows, RunInfo};
use crate::schema::Stored;
use crate::sql::{Dialect, Postgres, Query};

/// An open PostgreSQL connection.
pub(super) struct Database {
    client: Mutex<Client>,
    /// How a cancel request reaches the server (as the connection did).
    tls: MakeRustlsConnect,
    url: String,
    timeout: Option<Duration>,
}

impl Database {
    /// Connects to `url`; every transaction on the connection is read-only, and statements
    /// stop after `timeout`.
    pub(super) fn open_read_only(
        url: &str,
        timeout: Option<Duration>,
    ) -> Result<Database, Diagnostic> {
        let (mut client, tls) = super::connect_with_tls(url)?;
        let mut setup = String::from("SET default_transaction_read_only = on");
        if let Some(timeout) = timeout {
            setup.push_str(&format!(
                "; SET statement_timeout = {}",
                timeout.as_millis().max(1)
            ));
        }
        client
            .batch_execute(&setup)
            .map_err(|e| database_error("cannot configure the connection", &e, None))?;
        Ok(Database {
            client: Mutex::new(client),
            tls,
            url: url.to_string(),
            timeout,
        })
    }

    /// The connection (held while one query runs).
    fn client(&self) -> MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn error(&self, context: &str, error: &postgres::Error) -> Diagnostic {
        database_error(context, error, self.timeout)
    }
}

impl crate::engine::Database for Database {
    fn dialect(&self) -> &'static dyn Dialect {
        &Postgres
    }

    fn fetch(&self, query: &Query) -> Result<Rows, Diagnostic> {
        let mut client = self.client();
        let statement = client
            .prepare(&query.sql)
            .map_err(|e| self.error("cannot prepare the query", &e))?;
        let columns = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let found = client
            .query(&statement, &bound(&query.params))
            .map_err(|e| self.error("query failed", &e))?;
        let rows = found
            .iter()
            .map(|row| cells(row).map_err(|e| self.error("cannot read a row", &e)))
            .collect::<Result<_, _>>()?;
        Ok(Rows { columns, rows })
    }

    /// Rows as the server sends them (`query_raw`), a few thousand at a time.
    fn fetch_each(
        &self,
        query: &Query,
        sink: &mut dyn FnMut(Rows) -> ControlFlow<()>,
    ) -> Result<(), Diagnostic> {
        use postgres::fallible_iterator::FallibleIterator;
        let mut client = self.client();
        let statement = client
            .prepare(&query.sql)
            .map_err(|e| self.error("cannot prepare the query", &e))?;
        let columns: Vec<String> = statement
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect();
        let mut found = client
            .query_raw(&statement, bound(&query.params))
            .map_err(|e| self.error("query failed", &e))?;
        let mut batches = Batches::new(columns, crate::engine::ROWS_AT_ONCE, sink);
        while let Some(row) = found.next().map_err(|e| self.error("query failed", &e))? {
            let cells = cells(&row).map_err(|e| self.error("cannot read a row", &e))?;
            if batches.push(cells).is_break() {
                return Ok(());
            }
        }
        batches.finish();
        Ok(())
    }

    fn reopen(&self) -> Result<Option<Box<dyn crate::engine::Database>>, Diagnostic> {
        Ok(Some(Box::new(Database::open_read_only(
            &self.url,
            self.timeout,
        )?)))
    }

    fn canceller(&self) -> Canceller {
        let token = self.client().cancel_token();
        let tls = self.tls.clone();
        Canceller::new(move || {
            let _ = token.cancel_query(tls.clone());
        })
    }

    /// Every table's column names (in the connection's search path).
    /// Every table's, view's and materialized view's columns, as a query names them: of
    /// the tables on the search path, the one a bare name finds (`pg_table_is_visible`). A
    /// domain counts as its base type, an enum as `enum`.
    fn columns(&self) -> Result<catalog::Columns, Diagnostic> {
        let rows = self.fetch(&catalog::query(
            "SELECT c.relname::text, a.attname::text, \
               CASE WHEN t.typtype = 'e' THEN 'enum' \
                    WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) \
                    ELSE format_type(a.atttypid, a.atttypmod) END \
             FROM pg_class AS c \
             JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
             JOIN pg_type AS t ON t.oid = a.atttypid \
             WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f') AND pg_table_is_visible(c.oid) \
             ORDER BY c.relname, a.attnum",
        ))?;
        Ok(catalog::columns(rows, stored_type))
    }

    fn indexes(&self) -> Result<Option<Vec<crate::engine::Index>>, Diagnostic> {
        let rows = self.fetch(&catalog::query(
            "SELECT t.relname::text, i.relname::text, a.attname::text \
             FROM pg_index AS x \
             JOIN pg_class AS t ON t.oid = x.indrelid \
             JOIN pg_class AS i ON i.oid = x.indexrelid \
             JOIN pg_namespace AS n ON n.oid = t.relnamespace \
             CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, position) \
             JOIN pg_attribute AS a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE n.nspname = ANY (current_schemas(false)) \
             ORDER BY 1, 2, k.position",
        ))?;
        Ok(Some(catalog::indexes(rows)))
    }

    /// The planner's estimate (`reltuples`, kept by `ANALYZE` and autovacuum); `None`
    /// before the table was ever analyzed.
    fn approximate_rows(&self, table: &str) -> Result<Option<u64>, Diagnostic> {
        let mut query = catalog::query(
            "SELECT c.reltuples::bigint FROM pg_class AS c \
             JOIN pg_namespace AS n ON n.oid = c.relnamespace \
             WHERE c.relname = $1 AND n.nspname = ANY (current_schemas(false)) \
             ORDER BY array_position(current_schemas(false), n.nspname) LIMIT 1",
        );
        query.params.push(crate::value::Value::Text(table.to_string()));
        let rows = self.fetch(&query)?;
        Ok(match rows.rows.first().and_then(|r| r.first()) {
            Some(Cell::Integer(n)) if *n >= 0 => Some(*n as u64),
            _ => None,
        })
    }

    fn history(&self, segment: &str) -> Result<Vec<RunInfo>, Diagnostic> {
        history(&mut Statements(&mut *self.client()), segment)
    }

    fn changes(&self, from: i64, to: i64) -> Result<(Vec<Cell>, Vec<Cell>), Diagnostic> {
        changes(&mut Statements(&mut *self.client()), from, to)
    }
}

/// What a column of the catalog's `data_type` holds.
fn stored_type(declared: &str) -> Stored {
    match declared {
        "bigint" | "integer" | "smallint" => Stored::Integer,
        t if t.starts_with("numeric") => Stored::Numeric,
        "real" | "double precision" => Stored::Float,
        "boolean" => Stored::Bool,
        "date" => Stored::Date,
        t if t.starts_with("timestamp") => Stored::Timestamp,
        "text" | "name" | "enum" => Stored::Text,
        t if t.starts_with("character") => Stored::Text,
        _ => Stored::Other,
    }
}
