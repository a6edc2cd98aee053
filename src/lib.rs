//! seglang: a declarative language for customer segments.
//!
//! ```text
//! source ─▶ syntax ─▶ check ─▶ sql ─▶ engine
//!  text     AST with   typed    SQL +   run on a
//!           spans      IR       params  database
//! ```
//!
//! Each stage is a module; data flows one way. `syntax` knows no schema, `check` knows no
//! SQL, `sql` opens no connection, `engine` never sees the AST. `cli` composes the stages;
//! `diagnostics` reports problems from all of them. See `docs/architecture.md`.

pub mod app;
pub mod check;
pub mod cli;
pub mod diagnostics;
pub mod engine;
pub mod project;
pub mod reference;
pub mod repl;
pub mod schema;
pub mod segtest;
pub mod source;
pub mod sql;
pub mod syntax;
pub mod value;

pub mod calendar;
pub mod format;
pub mod lint;
pub mod operators;
pub mod output;
pub mod split;
#[cfg(test)]
mod test_support;

/// Runs `seg` with the process's arguments (the command line, and the REPL for `seg repl`);
/// returns the exit code.
pub fn main() -> i32 {
    cli::run(repl::run)
}
