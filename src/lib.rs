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

// The library: the pipeline's stages, for tools and tests that compile and run segments
// (parse, check, compile to SQL, run on an engine, evaluate by reference).
pub mod check;
pub mod diagnostics;
pub mod engine;
pub mod format;
pub mod lint;
pub mod project;
pub mod reference;
pub mod schema;
pub mod source;
pub mod split;
pub mod sql;
pub mod syntax;
pub mod value;

// The application and its front ends, and the leaves only they and the stages use.
mod app;
mod calendar;
mod cli;
mod operators;
mod output;
mod repl;
mod segtest;
#[cfg(test)]
mod test_support;

/// Runs `seg` with the process's arguments (the command line, and the REPL for `seg repl`);
/// returns the exit code.
pub fn main() -> i32 {
    cli::run(repl::run)
}
