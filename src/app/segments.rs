//! Which segments a command is about, and how many members each has.

use super::Failure;
use super::session::Session;
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::engine::{Cell, Database};
use crate::sql;

/// Each segment's member count, in the order of `names`: one query per batch (the
/// aggregates a batch's segments share are computed once), up to `threads` batches side by
/// side.
pub(crate) fn count_segments(
    as_of: chrono::NaiveDate,
    program: &crate::check::ir::Program,
    database: &dyn Database,
    names: &[String],
    threads: usize,
) -> Result<Vec<(String, Cell)>, Failure> {
    let selected: Vec<&str> = names.iter().map(String::as_str).collect();
    let batches = sql::split_batches(program, &selected, threads);
    let queries: Vec<sql::Query> = batches
        .iter()
        .map(|batch| {
            sql::compile_counts(program, batch, database.dialect(), as_of).expect("segments exist")
        })
        .collect();
    let results = database.fetch_side_by_side(&queries)?;
    let mut found: Vec<(&str, Cell)> = Vec::new();
    for (batch, rows) in batches.iter().zip(results) {
        let row = rows.rows.into_iter().next().unwrap_or_default();
        found.extend(batch.iter().copied().zip(row));
    }
    Ok(names
        .iter()
        .filter_map(|name| {
            let (_, count) = found.iter().find(|(n, _)| n == name)?;
            Some((name.clone(), count.clone()))
        })
        .collect())
}

/// The named segment, or all segments in definition order.
pub(crate) fn selected_segments(
    session: &Session,
    name: Option<&str>,
) -> Result<Vec<String>, Failure> {
    let program = &session.program;
    match name {
        None => {
            let mut names: Vec<&crate::check::ir::Segment> = program.segments.iter().collect();
            names.sort_by_key(|s| (s.location.source, s.location.span.start));
            Ok(names.into_iter().map(|s| s.name.clone()).collect())
        }
        Some(name) if program.segment(name).is_some() => Ok(vec![name.to_string()]),
        Some(name) => {
            let help = did_you_mean(name, program.segments.iter().map(|s| s.name.as_str()), "`")
                .unwrap_or_else(|| "`seg list` shows the project's segments".into());
            Err(
                Diagnostic::error(Code::SegmentNotFound, format!("no segment named `{name}`"))
                    .with_help(help)
                    .into(),
            )
        }
    }
}
