//! SQLite's errors as seglang's coded failures.

use rusqlite::ErrorCode;

use crate::diagnostics::Diagnostic;
use crate::engine::failure::{self, Cause};

/// SQLite's words for a query past its limits.
const TOO_LARGE: &[&str] = &[
    "too many SQL variables",
    "variable number must be between",
    "Expression tree is too large",
    "too many columns",
    "no query solution",
    "too many terms",
    "parser stack overflow",
];

/// A SQLite failure while doing `context`.
pub(super) fn database_error(context: &str, error: &rusqlite::Error) -> Diagnostic {
    let cause = match error.sqlite_error_code() {
        Some(ErrorCode::OperationInterrupted) => Cause::Cancelled,
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Cause::Locked,
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Cause::NotADatabase,
        Some(ErrorCode::ReadOnly) => Cause::ReadOnly,
        Some(ErrorCode::TooBig) => Cause::TooLarge,
        _ if error.to_string().contains("no such") => Cause::NoSuchObject,
        _ if TOO_LARGE.iter().any(|m| error.to_string().contains(m)) => Cause::TooLarge,
        _ => Cause::Other,
    };
    failure::database_error(context, cause, &error.to_string())
}
