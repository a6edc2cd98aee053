//! Stage 4: run queries on a database and fetch rows; build a database from CSV files.
//! Takes [`crate::sql::Query`] values and never sees the syntax tree or the IR. Connections
//! are read-only unless the command must write, and then every write is one transaction.

pub mod introspect;
pub mod load;
pub mod membership;
pub mod sqlite;

use crate::diagnostics::{Code, Diagnostic};

/// A fetched value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Unknown.
    Null,
    /// A whole number.
    Integer(i64),
    /// A floating-point number as stored by the engine.
    Real(f64),
    /// Text.
    Text(String),
}

/// Rows returned by a query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// A database failure as a diagnostic, with advice for the common causes.
pub fn database_error(context: &str, error: &rusqlite::Error) -> Diagnostic {
    use rusqlite::ErrorCode;
    let code = error.sqlite_error_code();
    let help = match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Some("another program is writing to the database; try again when it has finished")
        }
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Some(
            "the file is not a SQLite database or is damaged; rebuild it (for example with `seg load`)",
        ),
        Some(ErrorCode::ReadOnly) => Some("the database is opened read-only for this command"),
        _ if error.to_string().contains("no such") => Some(
            "the database does not match seg.toml; check the table and column names in the manifest",
        ),
        _ => None,
    };
    if code == Some(ErrorCode::OperationInterrupted) {
        return Diagnostic::error(
            Code::QueryInterrupted,
            format!("{context}: query cancelled"),
        )
        .with_help("nothing was changed; run it again when you are ready");
    }
    let message = match code {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            format!("{context}: the database is locked")
        }
        _ => format!("{context}: {error}"),
    };
    let diagnostic = Diagnostic::error(Code::DatabaseError, message);
    match help {
        Some(help) => diagnostic.with_help(help),
        None => diagnostic,
    }
}
