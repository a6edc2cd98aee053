//! Machine-readable forms of diagnostics for CI: a documented JSON schema
//! (docs/check-output.md), GitHub workflow annotations, and SARIF 2.1.0 for code scanning.

use serde_json::{Value, json};

use super::{Code, Diagnostic, Label, Severity};
use crate::source::SourceMap;

/// The version of the JSON output's schema; bumped only on an incompatible change.
pub const JSON_VERSION: u32 = 1;

/// `{"version": 1, "diagnostics": [...], "summary": {...}}`.
pub fn json(diagnostics: &[Diagnostic], sources: &SourceMap, files_checked: usize) -> String {
    let items: Vec<Value> = diagnostics
        .iter()
        .map(|d| json_diagnostic(d, sources))
        .collect();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let document = json!({
        "version": JSON_VERSION,
        "diagnostics": items,
        "summary": { "errors": errors, "warnings": warnings, "files": files_checked },
    });
    serde_json::to_string_pretty(&document).unwrap_or_default()
}

fn json_diagnostic(diagnostic: &Diagnostic, sources: &SourceMap) -> Value {
    let mut value = json!({
        "code": diagnostic.code.as_str(),
        "severity": severity_name(diagnostic.severity),
        "message": diagnostic.message,
        "help": diagnostic.help,
    });
    let position = diagnostic.labels.first().map(|l| position(l, sources));
    if let (Some(position), Some(object)) = (position, value.as_object_mut()) {
        for (key, field) in position.as_object().into_iter().flatten() {
            object.insert(key.clone(), field.clone());
        }
        let labels: Vec<Value> = diagnostic
            .labels
            .iter()
            .map(|l| position_with_text(l, sources))
            .collect();
        object.insert("labels".into(), Value::Array(labels));
    }
    value
}

/// File, 1-based line and column (in characters) of start and end, and the byte span.
fn position(label: &Label, sources: &SourceMap) -> Value {
    let file = sources.get(label.location.source);
    let span = label.location.span;
    let (line, column) = sources.line_col(label.location.source, span.start);
    let (end_line, end_column) = sources.line_col(label.location.source, span.end);
    json!({
        "file": file.name,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "span": { "start": span.start, "end": span.end },
    })
}

fn position_with_text(label: &Label, sources: &SourceMap) -> Value {
    let mut value = position(label, sources);
    if let Some(object) = value.as_object_mut() {
        object.insert("text".into(), Value::String(label.text.clone()));
    }
    value
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// One `::error file=…,line=…::message` line per diagnostic, as GitHub Actions reads them.
pub fn github(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        let level = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = vec![format!(
            "title={}",
            escape_property(diagnostic.code.as_str())
        )];
        if let Some(label) = diagnostic.labels.first() {
            let file = sources.get(label.location.source);
            let (line, column) = sources.line_col(label.location.source, label.location.span.start);
            let (end_line, end_column) = sources.line_col(label.location.source, label.location.span.end);
            properties.insert(0, format!("file={}", escape_property(&file.name)));
            properties.insert(
                1,
                format!("line={line},col={column},endLine={end_line},endColumn={end_column}"),
            );
        }
        let mut message = diagnostic.message.clone();
        if let Some(help) = &diagnostic.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} {}::{}\n",
            properties.join(","),
            escape_data(&message)
        ));
    }
    out
}

/// GitHub's escaping for the message part of a workflow command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's escaping for a property value of a workflow command.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log with one run; rules are the codes that occur.
pub fn sarif(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut codes: Vec<Code> = diagnostics.iter().map(|d| d.code).collect();
    codes.sort();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|code| {
            json!({
                "id": code.as_str(),
                "name": code.title().replace(' ', "-"),
                "shortDescription": { "text": code.title() },
                "help": { "text": format!("{}: see docs/errors.md, section {}", code.title(), code.as_str()) },
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!(" (help: {help})"));
            }
            let locations: Vec<Value> = d
                .labels
                .first()
                .map(|l| sarif_location(l, sources))
                .into_iter()
                .collect();
            let related: Vec<Value> = d
                .labels
                .iter()
                .skip(1)
                .enumerate()
                .map(|(i, l)| {
                    let mut location = sarif_location(l, sources);
                    if let Some(object) = location.as_object_mut() {
                        object.insert("id".into(), json!(i));
                        object.insert("message".into(), json!({ "text": l.text }));
                    }
                    location
                })
                .collect();
            let mut result = json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": codes.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": level,
                "message": { "text": text },
                "locations": locations,
            });
            if !related.is_empty()
                && let Some(object) = result.as_object_mut()
            {
                object.insert("relatedLocations".into(), Value::Array(related));
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "seg",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

fn sarif_location(label: &Label, sources: &SourceMap) -> Value {
    let file = sources.get(label.location.source);
    let span = label.location.span;
    let (start_line, start_column) = sources.line_col(label.location.source, span.start);
    let (end_line, end_column) = sources.line_col(label.location.source, span.end);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file.name },
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column,
                "byteOffset": span.start,
                "byteLength": span.end - span.start,
            },
        },
    })
}
