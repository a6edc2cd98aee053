//! DuckDB's errors as seglang's coded failures. DuckDB reports its errors by kind in the
//! message (`INTERRUPT Error: …`, `Catalog Error: …`), so the kind is read from there.

use crate::diagnostics::Diagnostic;
use crate::engine::failure::{self, Cause};

/// A DuckDB failure while doing `context`.
pub(super) fn database_error(context: &str, error: &::duckdb::Error) -> Diagnostic {
    let detail = error.to_string();
    failure::database_error(context, cause(&detail), &detail)
}

/// What a DuckDB message says went wrong.
pub(super) fn cause(detail: &str) -> Cause {
    if detail.starts_with("INTERRUPT Error") {
        Cause::Cancelled
    } else if is_lock_held(detail) {
        Cause::Locked
    } else if detail.contains("not a valid DuckDB database file") {
        Cause::NotADatabase
    } else if detail.contains("read-only mode") {
        Cause::ReadOnly
    } else if detail.starts_with("Catalog Error")
        || (detail.starts_with("Binder Error") && detail.contains("not found"))
    {
        Cause::NoSuchObject
    } else if detail.contains("stack overflow") || detail.contains("Maximum recursion depth") {
        Cause::TooLarge
    } else {
        Cause::Other
    }
}

/// Whether another process holds the database file (DuckDB lets one process write it, or
/// any number read it).
pub(super) fn is_lock_held(detail: &str) -> bool {
    detail.contains("Could not set lock on file")
}
