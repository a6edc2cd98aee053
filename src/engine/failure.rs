//! Engine failures as coded diagnostics, one wording for every backend: each backend maps
//! its own error to a [`Cause`], and the message and advice are written here once.

use std::time::Duration;

use super::Cell;
use crate::diagnostics::{Code, Diagnostic};

/// Why a database operation failed, as far as a user can act on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cause {
    /// The query was cancelled (Ctrl-C).
    Cancelled,
    /// Another program holds a lock.
    Locked,
    /// The file is not a database, or it is damaged.
    NotADatabase,
    /// A write on a read-only connection.
    ReadOnly,
    /// A table or column the manifest names is not there.
    NoSuchObject,
    /// The query goes past a limit of the engine (values bound, depth, columns).
    TooLarge,
    /// Anything else.
    Other,
}

/// A failed operation as a diagnostic: `context` says what was being done, `detail` is the
/// engine's own message.
pub(super) fn database_error(context: &str, cause: Cause, detail: &str) -> Diagnostic {
    let help = match cause {
        Cause::Cancelled => {
            return Diagnostic::error(
                Code::QueryInterrupted,
                format!("{context}: query cancelled"),
            )
            .with_help("nothing was changed; run it again when you are ready");
        }
        Cause::Locked => {
            return Diagnostic::error(
                Code::DatabaseError,
                format!("{context}: the database is locked"),
            )
            .with_help(
                "another program is writing to the database; try again when it has finished",
            );
        }
        Cause::NotADatabase => Some(
            "the file is not a database this engine reads, or it is damaged; rebuild it (for example with `seg load`)",
        ),
        Cause::ReadOnly => Some("the database is opened read-only for this command"),
        Cause::NoSuchObject => Some(
            "the database does not match seg.toml; check the table and column names in the manifest",
        ),
        Cause::TooLarge => {
            return Diagnostic::error(
                Code::QueryTooLarge,
                format!("{context}: the query is larger than the engine takes ({})", clipped(detail)),
            )
            .with_help(
                "shorten the longest lists and conditions, or split the segment into several and combine them",
            );
        }
        Cause::Other => None,
    };
    Diagnostic::error(Code::DatabaseError, format!("{context}: {}", clipped(detail)))
        .with_optional_help(help.map(str::to_string))
}

/// An engine's message, cut after a few hundred characters: some quote the whole query,
/// which can run to megabytes.
fn clipped(detail: &str) -> String {
    const LONGEST: usize = 400;
    if detail.len() <= LONGEST {
        return detail.to_string();
    }
    let mut end = LONGEST;
    while !detail.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} … ({} more bytes)", &detail[..end], detail.len() - end)
}

/// A query stopped by the time limit (seg::E033); `help` says what to change.
pub(super) fn time_limit(timeout: Duration, help: &str) -> Diagnostic {
    Diagnostic::error(
        Code::QueryInterrupted,
        format!(
            "the query ran longer than the time limit of {}s",
            timeout.as_secs_f64()
        ),
    )
    .with_help(help.to_string())
}

/// The advice for a query that ran out of time on a database with indexes.
pub(super) const TIME_LIMIT_HELP: &str = "raise --timeout, or make the segment cheaper (an index on the related table's customer key helps)";

/// What an engine cannot do, with where to do it instead.
pub(super) fn unsupported(what: &str, help: &str) -> Diagnostic {
    Diagnostic::error(Code::DatabaseError, what.to_string()).with_help(help.to_string())
}

/// Something that should not happen, reported instead of a panic.
pub(super) fn internal(what: &str) -> Diagnostic {
    Diagnostic::error(Code::DatabaseError, what.to_string())
}

/// The one integer a count query returns.
pub(super) fn count_of(rows: &[Vec<Cell>]) -> Result<u64, Diagnostic> {
    match rows.first().and_then(|r| r.first()) {
        Some(Cell::Integer(n)) => Ok((*n).max(0) as u64),
        other => Err(internal(&format!("a count query returned {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_engine_message_quoting_a_huge_query_is_clipped() {
        let detail = format!("too many variables in {}", "SELECT ✓ ".repeat(100_000));
        let diagnostic = database_error("cannot prepare the query", Cause::Other, &detail);
        assert!(diagnostic.message.len() < 500, "{}", diagnostic.message.len());
        assert!(diagnostic.message.starts_with("cannot prepare the query: too many variables"));
        assert!(diagnostic.message.ends_with("more bytes)"), "{}", diagnostic.message);
        let short = database_error("cannot open", Cause::Other, "disk I/O error");
        assert_eq!(short.message, "cannot open: disk I/O error");
    }
}
