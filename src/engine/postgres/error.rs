//! PostgreSQL's errors as seglang's coded failures.

use std::time::Duration;

use postgres::error::SqlState;

use crate::diagnostics::Diagnostic;
use crate::engine::failure::{self, Cause, TIME_LIMIT_HELP};

/// A PostgreSQL failure while doing `context`; a statement stopped by the connection's
/// `timeout` reads as the time limit.
pub(super) fn database_error(
    context: &str,
    error: &postgres::Error,
    timeout: Option<Duration>,
) -> Diagnostic {
    let code = error.code();
    if code == Some(&SqlState::QUERY_CANCELED)
        && let Some(timeout) = timeout
        && server_message(error).contains("statement timeout")
    {
        return failure::time_limit(timeout, TIME_LIMIT_HELP);
    }
    let cause = match code {
        Some(c) if *c == SqlState::QUERY_CANCELED => Cause::Cancelled,
        Some(c) if *c == SqlState::UNDEFINED_TABLE || *c == SqlState::UNDEFINED_COLUMN => {
            Cause::NoSuchObject
        }
        Some(c) if *c == SqlState::READ_ONLY_SQL_TRANSACTION => Cause::ReadOnly,
        Some(c) if *c == SqlState::LOCK_NOT_AVAILABLE => Cause::Locked,
        Some(c)
            if *c == SqlState::STATEMENT_TOO_COMPLEX
                || *c == SqlState::PROGRAM_LIMIT_EXCEEDED
                || *c == SqlState::TOO_MANY_COLUMNS =>
        {
            Cause::TooLarge
        }
        // The client refuses more than 65,535 parameters before sending.
        None if server_message(error).contains("parameters") => Cause::TooLarge,
        _ => Cause::Other,
    };
    let message = server_message(error);
    let diagnostic = failure::database_error(context, cause, &message);
    if message.contains("und-x-icu") {
        // `ignoring case` folds under ICU's root collation (sql/postgres.rs).
        return diagnostic.with_help(
            "`ignoring case` needs PostgreSQL built with ICU (the collation \"und-x-icu\"), \
             as the packages of Debian, Ubuntu, Red Hat and the cloud services are; \
             without it, compare the text as stored",
        );
    }
    diagnostic
}

/// The server's own message where there is one ("db error: …" says little), else the
/// client's with its cause ("error serializing parameter 1" says which, not why).
pub(super) fn server_message(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return db.message().to_string();
    }
    match std::error::Error::source(error) {
        Some(cause) => format!("{error}: {cause}"),
        None => error.to_string(),
    }
}
