//! seglang: a declarative language for customer segments.
//!
//! ```text
//! source ─▶ syntax ─▶ check ─▶ sql ─▶ engine
//!  text     AST with   typed    SQL +   run on a
//!           spans      IR       params  database
//! ```
//!
//! Each stage is a module; data flows one way. `syntax` knows no schema, `check` knows no
//! SQL, `sql` opens no connection, `engine` never sees the AST. `app` composes the stages
//! for the two front ends, `cli` and `repl`; `diagnostics` reports problems from all of
//! them. See `docs/architecture.md`.

// The pipeline's stages: public with the `internals` feature (seglang's own tests, benches
// and fuzzers), private otherwise, so that rustc reports what nothing uses.
macro_rules! stages {
    ($($name:ident),* $(,)?) => {
        $(
            #[cfg(feature = "internals")]
            pub mod $name;
            #[cfg(not(feature = "internals"))]
            mod $name;
        )*
    };
}

stages!(
    check,
    diagnostics,
    engine,
    format,
    lint,
    normalize,
    project,
    schema,
    source,
    split,
    sql,
    syntax,
    value,
);

/// The reference evaluator: members computed straight from the IR, for differential tests.
#[cfg(feature = "internals")]
pub mod reference;

// The application and its front ends, and the leaves only they and the stages use.
mod app;
mod calendar;
mod cli;
mod files;
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
