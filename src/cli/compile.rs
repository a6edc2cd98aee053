//! `seg compile [--segment NAME] [--count | --batch] [--dialect NAME] [--format json]`: the
//! SQL and its parameters, as it would run, for the project's engine or another one.

use super::selection::SelectionArgs;
use crate::app::session::Session;
use crate::app::{Context, Failure};
use crate::diagnostics::{Code, Diagnostic};
use crate::output::{out, outln};
use crate::sql::{self, Dialect, Output, Query};
use crate::value::Value;

/// Arguments of `seg compile`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Which segments (default: every segment).
    #[command(flatten)]
    selection: SelectionArgs,
    /// What the query returns: members' keys, or their count.
    #[arg(long)]
    count: bool,
    /// One query counting every selected segment, with the aggregates they share computed
    /// once (what `seg run` runs).
    #[arg(long, conflicts_with = "count")]
    batch: bool,
    /// The SQL dialect: sqlite, postgres, duckdb, bigquery, snowflake or spark (default: the
    /// project's database's).
    #[arg(long, value_name = "NAME")]
    dialect: Option<String>,
    /// `json`: one object per query, with its segments, SQL and typed parameters, for tools
    /// that run the SQL themselves.
    #[arg(long, value_enum, default_value_t = CompileFormat::Sql)]
    format: CompileFormat,
}

/// How `seg compile` prints.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompileFormat {
    /// SQL text with its parameters in comments.
    Sql,
    /// JSON Lines: `{"segments": [...], "sql": "...", "params": [{"type": ..., "value": ...}]}`.
    Json,
}

pub fn run(context: &Context, args: Args) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    session.require_clean()?;
    let names = crate::app::segments::select(&session, &args.selection.selection())?;
    let dialect = dialect(&session, args.dialect.as_deref())?;
    if args.batch {
        let selected: Vec<&str> = names.iter().map(String::as_str).collect();
        let query = sql::compile_counts(&session.program, &selected, dialect, session.as_of)
            .expect("segments exist");
        if args.format == CompileFormat::Json {
            outln!("{}", json(&names, &query))?;
            return Ok(0);
        }
        outln!(
            "-- {} segments counted in one query, as of {}",
            names.len(),
            session.as_of
        )?;
        out!("{query}")?;
        return Ok(0);
    }
    let output = if args.count {
        Output::Count
    } else {
        Output::Keys
    };
    for (i, name) in names.iter().enumerate() {
        let segment = session
            .program
            .segment(name)
            .expect("selected from the program");
        let query = sql::compile(&session.program, name, output, dialect, session.as_of)
            .expect("segment exists");
        if args.format == CompileFormat::Json {
            outln!("{}", json(std::slice::from_ref(name), &query))?;
            continue;
        }
        if i > 0 {
            outln!()?;
        }
        let position = session.position(segment.location.source, segment.location.span.start);
        outln!("-- segment {name} ({position}), as of {}", session.as_of)?;
        out!("{query}")?;
    }
    Ok(0)
}

/// The dialect asked for, or the one of the project's database (SQLite without one).
fn dialect(session: &Session, name: Option<&str>) -> Result<&'static dyn Dialect, Failure> {
    let Some(name) = name else {
        return Ok(match session.project.database() {
            Ok(Some(location)) => crate::engine::connect(&location).dialect(),
            _ => sql::DEFAULT_DIALECT,
        });
    };
    sql::dialect_named(name).ok_or_else(|| {
        let known: Vec<&str> = sql::DIALECTS.iter().map(|d| d.name()).collect();
        Failure::from(
            Diagnostic::error(
                Code::UnknownDialect,
                format!("no SQL dialect called `{name}`"),
            )
            .with_help(format!("choose one of {}", known.join(", "))),
        )
    })
}

/// A query as one line of JSON: its segments, its SQL, and each parameter with its type.
fn json(segments: &[String], query: &Query) -> String {
    let params: Vec<serde_json::Value> = query.params.iter().map(Value::typed_json).collect();
    serde_json::json!({ "segments": segments, "sql": query.sql, "params": params }).to_string()
}
