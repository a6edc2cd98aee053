//! PostgreSQL (<https://www.postgresql.org/docs/current/sql.html>): standard SQL with `$n`
//! parameters, so it overrides almost nothing; the engine sends each parameter as the type
//! the server infers for it (see `engine/postgres/wire.rs`).

use super::dialect::Dialect;

/// The PostgreSQL dialect.
#[derive(Clone, Copy, Debug, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn name(&self) -> &'static str {
        "postgres"
    }
}
