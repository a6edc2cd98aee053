//! SQLite's errors as seglang's coded failures.

use rusqlite::ErrorCode;

use crate::diagnostics::Diagnostic;
use crate::engine::failure::{self, Cause};

/// A SQLite failure while doing `context`.
pub(super) fn database_error(context: &str, error: &rusqlite::Error) -> Diagnostic {
    let cause = match error.sqlite_error_code() {
        Some(ErrorCode::OperationInterrupted) => Cause::Cancelled,
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Cause::Locked,
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Cause::NotADatabase,
        Some(ErrorCode::ReadOnly) => Cause::ReadOnly,
        _ if error.to_string().contains("no such") => Cause::NoSuchObject,
        _ => Cause::Other,
    };
    failure::database_error(context, cause, &error.to_string())
}
