//! Turns [`Diagnostic`]s into text: miette's graphical report for people, and a stable
//! plain form for snapshots.

use std::fmt;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use super::{Diagnostic, Severity};
use crate::source::{SourceId, SourceMap};

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
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn build(diagnostic: &Diagnostic, sources: &SourceMap) -> Report {
        let primary = diagnostic.location().map(|l| l.source);
        let mut report = Report {
            code: diagnostic.code.as_str(),
            severity: diagnostic.severity,
            message: diagnostic.message.clone(),
            help: diagnostic.help.clone(),
            source: primary.map(|id| named_source(sources, id)),
            labels: Vec::new(),
            related: Vec::new(),
        };
        for (i, label) in diagnostic.labels.iter().enumerate() {
            let text = Some(label.text.clone()).filter(|t| !t.is_empty());
            let span: miette::SourceSpan = label.location.span.into();
            if Some(label.location.source) == primary {
                let labeled = if i == 0 {
                    LabeledSpan::new_primary_with_span(text, span)
                } else {
                    LabeledSpan::new_with_span(text, span)
                };
                report.labels.push(labeled);
            } else {
                report.related.push(Report {
                    code: "",
                    severity: Severity::Note,
                    message: label.text.clone(),
                    help: None,
                    source: Some(named_source(sources, label.location.source)),
                    labels: vec![LabeledSpan::new_with_span(None, span)],
                    related: Vec::new(),
                });
            }
        }
        report
    }
}

fn named_source(sources: &SourceMap, id: SourceId) -> NamedSource<String> {
    let file = sources.get(id);
    NamedSource::new(file.name.clone(), file.text.to_string())
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
