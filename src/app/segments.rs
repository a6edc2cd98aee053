//! Which segments a command is about, and how many members each has.

use super::Failure;
use super::session::Session;
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::engine::{Cell, Database};
use crate::sql;
use std::path::PathBuf;

/// Each segment's member count, in the order of `names`: one query per batch (the
/// aggregates a batch's segments share are computed once), up to `threads` batches side by
/// side. A batch of one segment is that segment's own query, the form written for one
/// question (filters in `WHERE`, `HAVING`, semi-joins), not the batch's shared facts
/// joined back to every customer.
pub(crate) fn count_segments(
    as_of: chrono::NaiveDate,
    program: &crate::check::ir::Program,
    database: &dyn Database,
    names: &[String],
    threads: usize,
) -> Result<Vec<(String, Cell)>, Failure> {
    if let [name] = names
        && let Some(count) = count_in_slices(as_of, program, database, name, threads)?
    {
        return Ok(vec![(name.clone(), count)]);
    }
    let selected: Vec<&str> = names.iter().map(String::as_str).collect();
    let batches = sql::split_batches(program, &selected, threads);
    let queries: Vec<sql::Query> = batches
        .iter()
        .map(|batch| {
            match batch.as_slice() {
                [one] => sql::compile(program, one, sql::Output::Count, database.dialect(), as_of),
                _ => sql::compile_counts(program, batch, database.dialect(), as_of),
            }
            .expect("segments exist")
        })
        .collect();
    let (batches, results) = match database.fetch_side_by_side(&queries)? {
        Some(results) => (batches, results),
        // The batches did not read one state of the data: all in one query, which does.
        None => {
            let all = sql::compile_counts(program, &selected, database.dialect(), as_of)
                .expect("segments exist");
            (vec![selected.clone()], vec![database.fetch(&all)?])
        }
    };
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

/// One segment's count as the sum of counts over slices of the customer keys, at most one
/// per thread side by side, where the engine runs a query on one core and the keys can be
/// sliced exactly ([`Database::key_slices`]); `None` where they cannot, with one thread,
/// for a segment that reads RFM scores, or when the slices did not read one state of the
/// data (then one query counts).
fn count_in_slices(
    as_of: chrono::NaiveDate,
    program: &crate::check::ir::Program,
    database: &dyn Database,
    name: &str,
    threads: usize,
) -> Result<Option<Cell>, Failure> {
    if threads < 2 {
        return Ok(None);
    }
    let customer = &program.customer;
    let related: Vec<(&str, &str)> = program
        .related
        .iter()
        .map(|r| (r.table.as_str(), r.customer_key.as_str()))
        .collect();
    let Some(ranges) = database.key_slices((&customer.table, &customer.key), &related, threads)?
    else {
        return Ok(None);
    };
    let Some(queries) = ranges
        .into_iter()
        .map(|range| sql::compile_count_slice(program, name, database.dialect(), as_of, range))
        .collect::<Option<Vec<_>>>()
    else {
        return Ok(None);
    };
    let members = database.count_side_by_side(&queries)?;
    Ok(members.map(|n| Cell::Integer(i64::try_from(n).unwrap_or(i64::MAX))))
}

/// The named segment, or all segments in definition order. A command about one segment
/// takes its exact name: a pattern could pick several.
pub(crate) fn selected_segments(
    session: &Session,
    name: Option<&str>,
) -> Result<Vec<String>, Failure> {
    if let Some(name) = name.filter(|n| is_pattern(n)) {
        return Err(Diagnostic::error(
            Code::SegmentNotFound,
            format!("`{name}` is a pattern; this command is about one segment"),
        )
        .with_help("name the segment exactly; `seg list` shows them")
        .into());
    }
    let selection = Selection {
        names: name.map(str::to_string).into_iter().collect(),
        ..Selection::default()
    };
    select(session, &selection)
}

/// Which segments a command is about. A segment is selected when any selector picks it;
/// with no selectors, every segment is.
#[derive(Debug, Default)]
pub(crate) struct Selection {
    /// Names, or patterns where `*` stands for any run of characters and `?` for one
    /// (`Spring*`).
    pub names: Vec<String>,
    /// Segment files: the segments defined in them.
    pub files: Vec<PathBuf>,
    /// Tags of a `/// tags: …` documentation line.
    pub tags: Vec<String>,
}

impl Selection {
    /// Whether it names exactly one segment by its plain name (for commands that then show
    /// that one segment's members).
    pub(crate) fn one_name(&self) -> Option<&str> {
        match (
            self.names.as_slice(),
            self.files.is_empty(),
            self.tags.is_empty(),
        ) {
            ([name], true, true) if !is_pattern(name) => Some(name),
            _ => None,
        }
    }
}

/// The selected segments in definition order; each selector that picks nothing is
/// `seg::E041` (a misspelt name gets a suggestion).
pub(crate) fn select(session: &Session, selection: &Selection) -> Result<Vec<String>, Failure> {
    let program = &session.program;
    let mut segments: Vec<&crate::check::ir::Segment> = program.segments.iter().collect();
    segments.sort_by_key(|s| (s.location.source, s.location.span.start));
    let everything =
        selection.names.is_empty() && selection.files.is_empty() && selection.tags.is_empty();
    if everything {
        return Ok(segments.into_iter().map(|s| s.name.clone()).collect());
    }
    let mut picked = vec![false; segments.len()];
    let mut pick = |picks: &dyn Fn(&crate::check::ir::Segment) -> bool| {
        let mut any = false;
        for (i, segment) in segments.iter().enumerate() {
            if picks(segment) {
                picked[i] = true;
                any = true;
            }
        }
        any
    };
    for name in &selection.names {
        if !pick(&|s| matches(name, &s.name)) {
            return Err(no_segment_named(session, name));
        }
    }
    for file in &selection.files {
        let wanted = file.canonicalize().unwrap_or_else(|_| file.clone());
        let in_file = |s: &crate::check::ir::Segment| {
            session
                .sources
                .get(s.location.source)
                .path
                .as_ref()
                .is_some_and(|p| p.canonicalize().is_ok_and(|p| p == wanted))
        };
        if !pick(&in_file) {
            return Err(Diagnostic::error(
                Code::SegmentNotFound,
                format!("no segment of the project is defined in {}", file.display()),
            )
            .with_help("`seg list` shows each segment with its file")
            .into());
        }
    }
    let tags = segment_tags(session);
    for tag in &selection.tags {
        let tagged = |s: &crate::check::ir::Segment| {
            tags.get(s.name.as_str())
                .is_some_and(|t| t.iter().any(|t| t.eq_ignore_ascii_case(tag)))
        };
        if !pick(&tagged) {
            let known: Vec<&str> = tags.values().flatten().map(String::as_str).collect();
            let help = did_you_mean(tag, known, "`").unwrap_or_else(|| {
                "tag a segment with a `/// tags: …` line in its documentation".into()
            });
            return Err(Diagnostic::error(
                Code::SegmentNotFound,
                format!("no segment is tagged `{tag}`"),
            )
            .with_help(help)
            .into());
        }
    }
    Ok(segments
        .into_iter()
        .zip(picked)
        .filter(|(_, picked)| *picked)
        .map(|(s, _)| s.name.clone())
        .collect())
}

fn no_segment_named(session: &Session, name: &str) -> Failure {
    let program = &session.program;
    if is_pattern(name) {
        return Diagnostic::error(
            Code::SegmentNotFound,
            format!("no segment matches `{name}`"),
        )
        .with_help(
            "`*` stands for any run of characters, `?` for one; `seg list` shows the segments",
        )
        .into();
    }
    let help = did_you_mean(name, program.segments.iter().map(|s| s.name.as_str()), "`")
        .unwrap_or_else(|| "`seg list` shows the project's segments".into());
    Diagnostic::error(Code::SegmentNotFound, format!("no segment named `{name}`"))
        .with_help(help)
        .into()
}

/// Each segment's tags, by name.
fn segment_tags(session: &Session) -> std::collections::HashMap<&str, Vec<String>> {
    let mut tags = std::collections::HashMap::new();
    for (_, file) in &session.files {
        for definition in &file.definitions {
            let own = definition.tags();
            for name in definition.segment_names() {
                tags.insert(name.text.as_str(), own.clone());
            }
        }
    }
    tags
}

fn is_pattern(name: &str) -> bool {
    name.contains(['*', '?'])
}

/// Whether `name` matches `pattern`, where `*` is any run of characters and `?` one.
fn matches(pattern: &str, name: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let name: Vec<char> = name.chars().collect();
    let (mut p, mut n) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while n < name.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == name[n]) {
            p += 1;
            n += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, n));
            p += 1;
        } else if let Some((star_p, star_n)) = star {
            p = star_p + 1;
            n = star_n + 1;
            star = Some((star_p, star_n + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn patterns_match_runs_and_single_characters() {
        assert!(matches("Spring*", "Spring2026"));
        assert!(matches("Spring*", "Spring"));
        assert!(matches("*Holdout", "SpringHoldout"));
        assert!(matches("S?ring*out", "SpringHoldout"));
        assert!(matches("*", "Anything"));
        assert!(matches("Lapsed", "Lapsed"));
        assert!(!matches("Lapsed", "Lapsed2"));
        assert!(!matches("Spring*", "spring"));
        assert!(!matches("?", ""));
        assert!(matches("*a*b*", "xxaxxbxx"));
        assert!(!matches("*a*b*", "xxbxxaxx"));
    }
}
