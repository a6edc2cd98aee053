//! Turns [`Diagnostic`]s into text: miette's graphical report for people, and a stable
//! plain form for snapshots.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan};

use super::excerpt::{Excerpt, visible};
use super::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};

/// How to draw reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Colours and unicode when the terminal supports them.
    Terminal,
    /// Unicode, no colour, 80 columns: deterministic, for tests and logs.
    Plain,
}

/// Renders one diagnostic as a miette report.
pub fn render(diagnostic: &Diagnostic, sources: &SourceMap, style: Style) -> String {
    let handler = match style {
        Style::Terminal => GraphicalReportHandler::new().with_links(false),
        Style::Plain => GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(80)
            .with_links(false),
    };
    let report = Report::build(diagnostic, sources);
    let mut out = String::new();
    handler
        .render_report(&mut out, &report)
        .expect("writing to a String cannot fail");
    out
}

/// Renders many diagnostics, separated by blank lines.
pub fn render_all(diagnostics: &[Diagnostic], sources: &SourceMap, style: Style) -> String {
    diagnostics
        .iter()
        .map(|d| render(d, sources, style))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A miette view of one diagnostic: labels in the primary file are drawn together; labels in
/// other files become related reports with their own source.
#[derive(Debug)]
struct Report {
    code: &'static str,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Option<Excerpt>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn build(diagnostic: &Diagnostic, sources: &SourceMap) -> Report {
        let primary = diagnostic.location().map(|l| l.source);
        let drawn = &diagnostic.labels[..diagnostic.labels.len().min(MOST_LABELS)];
        let in_primary: Vec<Span> = drawn
            .iter()
            .filter(|l| Some(l.location.source) == primary)
            .map(|l| l.location.span)
            .collect();
        let (source, mut spans) = match primary {
            Some(id) => {
                let (excerpt, spans) = Excerpt::new(sources, id, &in_primary);
                (Some(excerpt), spans.into_iter())
            }
            None => (None, Vec::new().into_iter()),
        };
        let mut report = Report {
            code: diagnostic.code.as_str(),
            severity: diagnostic.severity,
            message: visible(&diagnostic.message).into_owned(),
            help: with_left_out(
                diagnostic.help.as_deref().map(|h| visible(h).into_owned()),
                diagnostic.labels.len() - drawn.len(),
            ),
            source,
            labels: Vec::new(),
            related: Vec::new(),
        };
        for (i, label) in drawn.iter().enumerate() {
            let text = Some(visible(&label.text).into_owned()).filter(|t| !t.is_empty());
            if Some(label.location.source) == primary {
                // The excerpt gave one span per primary label, in order.
                let Some(span) = spans.next() else { continue };
                let labeled = if i == 0 {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                };
                report.labels.push(labeled);
            } else {
                let (excerpt, spans) =
                    Excerpt::new(sources, label.location.source, &[label.location.span]);
                report.related.push(Report {
                    code: "",
                    severity: Severity::Note,
                    message: visible(&label.text).into_owned(),
                    help: None,
                    source: Some(excerpt),
                    labels: spans
                        .into_iter()
                        .map(|span| LabeledSpan::new_with_span(None, span))
                        .collect(),
                    related: Vec::new(),
                });
            }
        }
        report
    }
}

/// Labels drawn per report: past a handful, more arrows only hide the message (and miette's
/// drawing grows with their square).
const MOST_LABELS: usize = 8;

/// The help, followed by how many places were not drawn.
fn with_left_out(help: Option<String>, left_out: usize) -> Option<String> {
    if left_out == 0 {
        return help;
    }
    let note = format!(
        "{left_out} more place{} not shown (`seg check --format json` lists every one)",
        if left_out == 1 { "" } else { "s" }
    );
    Some(match help {
        Some(help) => format!("{help}\n{note}"),
        None => note,
    })
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty()).then(|| Box::new(self.labels.iter().cloned()) as Box<_>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty())
            .then(|| Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)) as Box<_>)
    }
}
