//! The DuckDB engine in a seg built without the `duckdb` feature: every operation says so,
//! and how to get a seg that has it.

use std::time::Duration;

use crate::diagnostics::{Code, Diagnostic};
use crate::engine::{self, LoadSummary, Outcome, Run, TableRows};
use crate::project::DuckDbTarget;
use crate::sql::{Dialect, DuckDb, Query};

/// A DuckDB database this seg cannot open.
pub(in crate::engine) struct Engine;

impl Engine {
    /// The database of `target` (never opened).
    pub(in crate::engine) fn new(_target: &DuckDbTarget) -> Engine {
        Engine
    }
}

/// The one error every operation gives.
fn not_built() -> Diagnostic {
    Diagnostic::error(
        Code::DatabaseError,
        "this seg was built without DuckDB, and seg.toml names a DuckDB database",
    )
    .with_help("install seg with DuckDB: `cargo install --path . --features duckdb` (its C++ library takes about 20 minutes to build)")
}

impl engine::Engine for Engine {
    fn dialect(&self) -> &'static dyn Dialect {
        &DuckDb
    }

    fn open_read_only(&self, _: Option<Duration>) -> Result<Box<dyn engine::Database>, Diagnostic> {
        Err(not_built())
    }

    fn reads_parquet(&self) -> bool {
        true
    }

    fn load(&self, _: &[TableRows]) -> Result<LoadSummary, Diagnostic> {
        Err(not_built())
    }

    fn apply(&self, _: &[Query]) -> Result<(), Diagnostic> {
        Err(not_built())
    }

    fn materialize(
        &self,
        _: &[Run],
        _: &str,
        _: &mut dyn FnMut(usize),
    ) -> Result<Vec<Outcome>, Diagnostic> {
        Err(not_built())
    }
}
