//! PostgreSQL through the `postgres` crate: connect from a URL (the password from the
//! environment), run queries in read-only transactions with a statement timeout, fetch
//! rows, cancel from another thread, and write (loads, indexes, membership) in one
//! transaction on a connection of its own.

use std::sync::Mutex;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::{Client, NoTls};

use super::pg_wire::{bound, cells};
use super::{Cell, Rows};
use crate::diagnostics::{Code, Diagnostic};
use crate::sql::Query;

/// Where the password comes from: never the manifest.
pub const PASSWORD_VARIABLE: &str = "PGPASSWORD";

/// An open PostgreSQL connection.
pub struct Database {
    client: Mutex<Client>,
    url: String,
    timeout: Option<Duration>,
}

/// Cancels the query running on a connection, from another thread (Ctrl-C).
#[derive(Clone)]
pub struct Canceller(postgres::CancelToken);

impl Canceller {
    /// Asks the server to cancel the running query (it then fails with seg::E033).
    pub fn cancel(&self) {
        let _ = self.0.cancel_query(NoTls);
    }
}

impl Database {
    /// Connects to `url`; every transaction on the connection is read-only, and statements
    /// stop after `timeout`.
    pub fn open_read_only(url: &str, timeout: Option<Duration>) -> Result<Database, Diagnostic> {
        let mut client = connect(url)?;
        let mut setup = String::from("SET default_transaction_read_only = on");
        if let Some(timeout) = timeout {
            setup.push_str(&format!(
                "; SET statement_timeout = {}",
                timeout.as_millis().max(1)
            ));
        }
        client
            .batch_execute(&setup)
            .map_err(|e| database_error("cannot configure the connection", &e))?;
        Ok(Database {
            client: Mutex::new(client),
            url: url.to_string(),
            timeout,
        })
    }

    /// Another read-only connection to the same database, for work on another thread.
    pub fn reopen(&self) -> Result<Database, Diagnostic> {
        Database::open_read_only(&self.url, self.timeout)
    }

    /// The server URL, without a password.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What cancels the running query.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.client().cancel_token())
    }

    /// Runs a query returning one integer (a count).
    pub fn count(&self, query: &Query) -> Result<u64, Diagnostic> {
        let rows = self.fetch(query)?;
        match rows.rows.first().and_then(|r| r.first()) {
            Some(Cell::Integer(n)) => Ok((*n).max(0) as u64),
            other => Err(Diagnostic::error(
                Code::DatabaseError,
                format!("a count query returned {other:?}"),
            )),
        }
    }

    /// Runs a query and fetches all its rows.
    pub fn fetch(&self, query: &Query) -> Result<Rows, Diagnostic> {
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

    /// Every table's column names (in the connection's search path).
    pub fn columns(&self) -> Result<std::collections::HashMap<String, Vec<String>>, Diagnostic> {
        let rows = self
            .client()
            .query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = ANY (current_schemas(false)) \
                 ORDER BY table_name, ordinal_position",
                &[],
            )
            .map_err(|e| self.error("cannot read the database schema", &e))?;
        let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
        for row in rows {
            out.entry(row.get(0)).or_default().push(row.get(1));
        }
        Ok(out)
    }

    /// Every index: its table and its columns in order.
    pub fn indexes(&self) -> Result<Vec<(String, Vec<String>)>, Diagnostic> {
        let rows = self
            .client()
            .query(
                "SELECT t.relname::text, i.relname::text, a.attname::text \
                 FROM pg_index AS x \
                 JOIN pg_class AS t ON t.oid = x.indrelid \
                 JOIN pg_class AS i ON i.oid = x.indexrelid \
                 JOIN pg_namespace AS n ON n.oid = t.relnamespace \
                 CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, position) \
                 JOIN pg_attribute AS a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                 WHERE n.nspname = ANY (current_schemas(false)) \
                 ORDER BY 1, 2, k.position",
                &[],
            )
            .map_err(|e| self.error("cannot read the database's indexes", &e))?;
        let mut out: Vec<(String, String, Vec<String>)> = Vec::new();
        for row in rows {
            let (table, index, column): (String, String, String) =
                (row.get(0), row.get(1), row.get(2));
            match out.last_mut() {
                Some((t, i, columns)) if *t == table && *i == index => columns.push(column),
                _ => out.push((table, index, vec![column])),
            }
        }
        Ok(out.into_iter().map(|(t, _, c)| (t, c)).collect())
    }

    /// The connection (held while one query runs).
    pub fn client(&self) -> std::sync::MutexGuard<'_, Client> {
        self.client.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn error(&self, context: &str, error: &postgres::Error) -> Diagnostic {
        if error.code() == Some(&SqlState::QUERY_CANCELED)
            && let Some(timeout) = self.timeout
            && source_text(error).contains("statement timeout")
        {
            return Diagnostic::error(
                Code::QueryInterrupted,
                format!(
                    "the query ran longer than the time limit of {}s",
                    timeout.as_secs_f64()
                ),
            )
            .with_help("raise --timeout, or make the segment cheaper (an index on the related table's customer key helps)");
        }
        database_error(context, error)
    }
}

/// Runs statements in one transaction on a new read-write connection to `url`: every one
/// takes effect, or none does.
pub fn execute_all(url: &str, statements: &[Query]) -> Result<(), Diagnostic> {
    write(url, |transaction| {
        for statement in statements {
            transaction
                .execute(statement.sql.as_str(), &bound(&statement.params))
                .map_err(|e| database_error("cannot change the database", &e))?;
        }
        Ok(())
    })
}

/// Runs `work` in one transaction on a new read-write connection to `url`; commits only if
/// it succeeds.
pub fn write<T>(
    url: &str,
    work: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<T, Diagnostic>,
) -> Result<T, Diagnostic> {
    let mut client = connect(url)?;
    let mut transaction = client
        .transaction()
        .map_err(|e| database_error("cannot start a transaction", &e))?;
    let result = work(&mut transaction)?;
    transaction
        .commit()
        .map_err(|e| database_error("cannot commit", &e))?;
    Ok(result)
}

/// Connects to `url`, taking the password from `PGPASSWORD` when set.
fn connect(url: &str) -> Result<Client, Diagnostic> {
    let mut config: postgres::Config = url.parse().map_err(|e| {
        Diagnostic::error(
            Code::ManifestInvalid,
            format!("`{url}` is not a PostgreSQL URL: {e}"),
        )
        .with_help("write it as postgresql://USER@HOST:PORT/DATABASE")
    })?;
    if let Ok(password) = std::env::var(PASSWORD_VARIABLE) {
        config.password(password);
    }
    config.connect_timeout(Duration::from_secs(10));
    config.connect(NoTls).map_err(|e| {
        Diagnostic::error(
            Code::DatabaseMissing,
            format!("cannot connect to PostgreSQL at {url}: {}", source_text(&e)),
        )
        .with_help(format!(
            "check that the server runs and the URL in seg.toml is right; the password comes from ${PASSWORD_VARIABLE}"
        ))
    })
}

/// A PostgreSQL failure as a diagnostic: a cancelled query is seg::E033.
pub fn database_error(context: &str, error: &postgres::Error) -> Diagnostic {
    if error.code() == Some(&SqlState::QUERY_CANCELED) {
        return Diagnostic::error(
            Code::QueryInterrupted,
            format!("{context}: query cancelled"),
        )
        .with_help("nothing was changed; run it again when you are ready");
    }
    let help = match error.code() {
        Some(c) if *c == SqlState::UNDEFINED_TABLE || *c == SqlState::UNDEFINED_COLUMN => Some(
            "the database does not match seg.toml; check the table and column names in the manifest",
        ),
        Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => {
            Some("the database is opened read-only for this command")
        }
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE => {
            Some("another program holds a lock on the table; try again when it has finished")
        }
        _ => None,
    };
    let diagnostic = Diagnostic::error(
        Code::DatabaseError,
        format!("{context}: {}", source_text(error)),
    );
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}

/// The server's own message where there is one ("db error: …" says little).
fn source_text(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_string(),
        None => error.to_string(),
    }
}
