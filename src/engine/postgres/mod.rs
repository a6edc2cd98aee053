//! PostgreSQL through the `postgres` crate: connect from a URL (the password from the
//! environment), run queries in read-only transactions with a statement timeout, and write
//! (loads, indexes, membership) in one transaction on a connection of its own.

mod connection;
mod error;
mod load;
mod membership;
mod tls;
mod wire;

use std::time::Duration;

use postgres::Client;
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::diagnostics::{Code, Diagnostic};
use crate::engine::{self, LoadSummary, Outcome, Run, TableRows};
use crate::project::redacted_url;
use crate::sql::{Dialect, Postgres, Query};

use error::{database_error, server_message};

/// Where the password comes from: never the manifest.
pub const PASSWORD_VARIABLE: &str = "PGPASSWORD";

/// A PostgreSQL database, by URL.
pub(super) struct Engine {
    url: String,
}

impl Engine {
    /// The database at `url` (not connected yet).
    pub(super) fn new(url: &str) -> Engine {
        Engine {
            url: url.to_string(),
        }
    }

    /// Runs `work` in one transaction on a new read-write connection; commits only if it
    /// succeeds.
    fn write<T>(
        &self,
        work: impl FnOnce(&mut postgres::Transaction<'_>) -> Result<T, Diagnostic>,
    ) -> Result<T, Diagnostic> {
        let mut client = connect(&self.url)?;
        let mut transaction = client
            .transaction()
            .map_err(|e| database_error("cannot start a transaction", &e, None))?;
        let result = work(&mut transaction)?;
        transaction
            .commit()
            .map_err(|e| database_error("cannot commit", &e, None))?;
        Ok(result)
    }
}

impl engine::Engine for Engine {
    fn dialect(&self) -> &'static dyn Dialect {
        &Postgres
    }

    fn open_read_only(
        &self,
        timeout: Option<Duration>,
    ) -> Result<Box<dyn engine::Database>, Diagnostic> {
        Ok(Box::new(connection::Database::open_read_only(
            &self.url, timeout,
        )?))
    }

    fn load(&self, tables: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
        let mut client = connect(&self.url)?;
        load::retrying(|| {
            let mut transaction = client
                .transaction()
                .map_err(|e| database_error("cannot start a transaction", &e, None))?;
            let summary = load::replace_tables(&mut transaction, tables)?;
            transaction
                .commit()
                .map_err(|e| database_error("cannot commit the load", &e, None))?;
            Ok(summary)
        })
    }

    fn apply(&self, statements: &[Query]) -> Result<(), Diagnostic> {
        self.write(|transaction| {
            for statement in statements {
                transaction
                    .execute(statement.sql.as_str(), &wire::bound(&statement.params))
                    .map_err(|e| database_error("cannot change the database", &e, None))?;
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
        self.write(|transaction| {
            engine::membership::record(
                &mut membership::Statements(transaction),
                runs,
                computed_at,
                progress,
            )
        })
    }
}

/// Connects to `url`, taking the password from `PGPASSWORD` when set, encrypted as its
/// `sslmode` says (see `tls.rs`).
fn connect(url: &str) -> Result<Client, Diagnostic> {
    connect_with_tls(url).map(|(client, _)| client)
}

/// [`connect`], and the TLS connector it used (a cancel request goes the same way).
fn connect_with_tls(url: &str) -> Result<(Client, MakeRustlsConnect), Diagnostic> {
    let shown = redacted_url(url);
    let (url, tls) = tls::split(url)?;
    let mut config: postgres::Config = url.parse().map_err(|e| {
        Diagnostic::error(
            Code::ManifestInvalid,
            format!("`{shown}` is not a PostgreSQL URL: {e}"),
        )
        .with_help("write it as postgresql://USER@HOST:PORT/DATABASE")
    })?;
    if let Ok(password) = std::env::var(PASSWORD_VARIABLE) {
        config.password(password);
    }
    config.connect_timeout(Duration::from_secs(10));
    config.ssl_mode(tls.ssl_mode());
    let connector = tls.connector()?;
    let client = config.connect(connector.clone()).map_err(|e| {
        Diagnostic::error(
            Code::DatabaseMissing,
            format!(
                "cannot connect to PostgreSQL at {shown}: {}",
                server_message(&e)
            ),
        )
        .with_help(format!(
            "check that the server runs and the URL in seg.toml is right (with `sslmode` as the server needs it); the password comes from ${PASSWORD_VARIABLE}"
        ))
    })?;
    Ok((client, connector))
}
