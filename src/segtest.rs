//! Segment test files (`*.test.toml`): small fixture rows for the customer table and related
//! tables, and the members (or non-members) named segments must have at a given as-of date.
//! This module reads them; `seg test` runs them (see `cli/test.rs`).
//!
//! ```toml
//! [[test]]
//! name = "a nurse who spent 600 on a christmas order is a high-value nurse"
//! as_of = "2025-06-30"
//! [test.rows]
//! customers = [{ id = 1, occupation = "nurse" }, { id = 2, occupation = "nurse" }]
//! orders = [{ customer_id = 1, amount = "600.00", occasion = "christmas" }]
//! [[test.expect]]
//! segment = "HighValueNurses"
//! members = [1]
//! non_members = [2]
//! ```

use chrono::NaiveDate;
use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceId, Span};

/// One test: fixture rows and expectations.
#[derive(Clone, Debug)]
pub struct TestCase {
    /// What the test shows.
    pub name: String,
    /// The date relative dates count from.
    pub as_of: NaiveDate,
    /// Rows by table.
    pub rows: Vec<FixtureTable>,
    /// What the segments must contain.
    pub expect: Vec<Expectation>,
}

/// The fixture rows of one table.
#[derive(Clone, Debug)]
pub struct FixtureTable {
    /// The table's name.
    pub table: String,
    /// Where its rows are written.
    pub span: Span,
    /// Each row maps column names to values as text (empty: unknown).
    pub rows: Vec<IndexMap<String, String>>,
}

/// The members one segment must (not) have.
#[derive(Clone, Debug)]
pub struct Expectation {
    /// The segment.
    pub segment: String,
    /// Where the segment is named.
    pub span: Span,
    /// Exactly these members, if given.
    pub members: Option<Vec<String>>,
    /// None of these.
    pub non_members: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    test: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    as_of: Spanned<String>,
    #[serde(default)]
    rows: IndexMap<String, Spanned<Vec<IndexMap<String, toml::Value>>>>,
    expect: Vec<RawExpect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    segment: Spanned<String>,
    members: Option<Vec<toml::Value>>,
    #[serde(default)]
    non_members: Vec<toml::Value>,
}

/// Reads the tests of one file.
pub fn parse(source: SourceId, text: &str) -> Result<Vec<TestCase>, Diagnostic> {
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let span = e
            .span()
            .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
        Diagnostic::error(
            Code::TestFile,
            format!("invalid test file: {}", e.message().trim_end()),
        )
        .with_label(source, span, "here")
        .with_help("see docs/testing.md for the format of segment tests")
    })?;
    raw.test
        .into_iter()
        .map(|case| {
            let as_of =
                NaiveDate::parse_from_str(case.as_of.get_ref(), "%Y-%m-%d").map_err(|_| {
                    let range = case.as_of.span();
                    Diagnostic::error(
                        Code::TestFile,
                        format!("`as_of` is not a date: '{}'", case.as_of.get_ref()),
                    )
                    .with_label(
                        source,
                        Span::new(range.start, range.end),
                        "expected YYYY-MM-DD",
                    )
                })?;
            let rows = case
                .rows
                .into_iter()
                .map(|(table, rows)| {
                    let range = rows.span();
                    let rows = rows
                        .into_inner()
                        .into_iter()
                        .map(|row| row.into_iter().map(|(k, v)| (k, cell(&v))).collect());
                    FixtureTable {
                        table,
                        span: Span::new(range.start, range.end),
                        rows: rows.collect(),
                    }
                })
                .collect();
            let expect = case
                .expect
                .into_iter()
                .map(|e| {
                    let range = e.segment.span();
                    Expectation {
                        segment: e.segment.into_inner(),
                        span: Span::new(range.start, range.end),
                        members: e.members.map(|m| m.iter().map(cell).collect()),
                        non_members: e.non_members.iter().map(cell).collect(),
                    }
                })
                .collect();
            Ok(TestCase {
                name: case.name,
                as_of,
                rows,
                expect,
            })
        })
        .collect()
}

/// A TOML value as the text a CSV cell would hold.
fn cell(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        other => other.to_string(),
    }
}
