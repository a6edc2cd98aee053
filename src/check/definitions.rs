//! Every definition of the project by name, with the checks that need only the definition
//! itself: duplicate names, well-formed sets, valid occasion dates, metrics shadowing fields.

use indexmap::IndexMap;

use super::ir::Occasion;
use super::scope::Defined;
use crate::calendar;
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::schema::Schema;
use crate::source::{SourceId, Span};
use crate::syntax::ast::{self, LiteralKind};

/// Every definition by name (the first one wins a duplicate).
pub struct Definitions<'a> {
    pub segments: IndexMap<&'a str, Entry<'a, ast::SegmentDef>>,
    pub sets: IndexMap<&'a str, SetEntry<'a>>,
    pub occasions: IndexMap<&'a str, OccasionEntry<'a>>,
    pub metrics: IndexMap<&'a str, MetricEntry<'a>>,
}

/// A definition and its file.
pub struct Entry<'a, T> {
    pub source: SourceId,
    pub definition: &'a T,
}

/// A set; `broken` when empty or mixed (reported once at the definition, not at each use).
pub struct SetEntry<'a> {
    pub source: SourceId,
    pub definition: &'a ast::SetDef,
    pub broken: bool,
}

/// An occasion with its checked window (`None` if its dates are wrong).
pub struct OccasionEntry<'a> {
    pub source: SourceId,
    pub definition: &'a ast::OccasionDef,
    pub checked: Option<Occasion>,
}

/// A metric with its checked aggregate (`None` until checked, or if wrong).
pub struct MetricEntry<'a> {
    pub source: SourceId,
    pub definition: &'a ast::MetricDef,
    pub checked: Option<super::ir::Aggregate>,
}

impl Defined for Entry<'_, ast::SegmentDef> {
    fn source(&self) -> SourceId {
        self.source
    }
    fn name_span(&self) -> Span {
        self.definition.name.span
    }
}

impl Defined for SetEntry<'_> {
    fn source(&self) -> SourceId {
        self.source
    }
    fn name_span(&self) -> Span {
        self.definition.name.span
    }
}

impl Defined for OccasionEntry<'_> {
    fn source(&self) -> SourceId {
        self.source
    }
    fn name_span(&self) -> Span {
        self.definition.name.span
    }
}

impl Defined for MetricEntry<'_> {
    fn source(&self) -> SourceId {
        self.source
    }
    fn name_span(&self) -> Span {
        self.definition.name.span
    }
}

/// Collects definitions from all files, reporting duplicates and problems local to one definition.
pub fn collect_definitions<'a>(
    files: &'a [(SourceId, ast::File)],
    schema: &Schema,
    errors: &mut Vec<Diagnostic>,
) -> Definitions<'a> {
    let mut definitions = Definitions {
        segments: IndexMap::new(),
        sets: IndexMap::new(),
        occasions: IndexMap::new(),
        metrics: IndexMap::new(),
    };
    let mut first_seen: IndexMap<&str, (SourceId, Span)> = IndexMap::new();
    for (source, file) in files {
        let source = *source;
        for definition in &file.definitions {
            let Some(name) = definition.name() else {
                continue;
            };
            if let Some(&(first_source, first_span)) = first_seen.get(name.text.as_str()) {
                errors.push(
                    Diagnostic::error(
                        Code::DuplicateDefinition,
                        format!("`{}` is defined twice", name.text),
                    )
                    .with_label(source, name.span, "defined again here")
                    .with_label(first_source, first_span, "first defined here")
                    .with_help("rename one of them; names are unique across the project"),
                );
                continue;
            }
            first_seen.insert(&name.text, (source, name.span));
            match definition {
                ast::Definition::Segment(s) => {
                    definitions.segments.insert(
                        &s.name.text,
                        Entry {
                            source,
                            definition: s,
                        },
                    );
                }
                ast::Definition::Set(s) => {
                    let broken = !set_is_well_formed(s, source, errors);
                    definitions.sets.insert(
                        &s.name.text,
                        SetEntry {
                            source,
                            definition: s,
                            broken,
                        },
                    );
                }
                ast::Definition::Occasion(o) => {
                    let checked = occasion(o, source, errors);
                    definitions.occasions.insert(
                        &o.name.text,
                        OccasionEntry {
                            source,
                            definition: o,
                            checked,
                        },
                    );
                }
                ast::Definition::Metric(m) => {
                    if let Some(field) = schema.customer.field(&m.name.text) {
                        errors.push(
                            Diagnostic::error(
                                Code::DuplicateDefinition,
                                format!("`{}` is both a customer field and a metric", m.name.text),
                            )
                            .with_label(source, m.name.span, "metric defined here")
                            .with_label(
                                field.location.source,
                                field.location.span,
                                "field declared here",
                            )
                            .with_help("rename the metric, or remove the field from seg.toml"),
                        );
                        continue;
                    }
                    definitions.metrics.insert(
                        &m.name.text,
                        MetricEntry {
                            source,
                            definition: m,
                            checked: None,
                        },
                    );
                }
                ast::Definition::Import(_) => {}
            }
        }
    }
    definitions
}

/// A set must be non-empty and hold one kind of value (integers and decimals mix).
fn set_is_well_formed(set: &ast::SetDef, source: SourceId, errors: &mut Vec<Diagnostic>) -> bool {
    let items = &set.values.items;
    let Some(first) = items.first() else {
        errors.push(
            Diagnostic::error(Code::BadList, format!("set `{}` is empty", set.name.text))
                .with_label(source, set.values.span, "no values")
                .with_help("add at least one value"),
        );
        return false;
    };
    let kind = |l: &ast::Literal| match l.kind {
        LiteralKind::Text(_) => "text",
        LiteralKind::Integer | LiteralKind::Decimal => "number",
        LiteralKind::Date => "date",
        LiteralKind::Bool(_) => "boolean",
    };
    match items.iter().find(|item| kind(item) != kind(first)) {
        None => true,
        Some(odd) => {
            errors.push(
                Diagnostic::error(
                    Code::BadList,
                    format!(
                        "set `{}` mixes {} and {} values",
                        set.name.text,
                        kind(first),
                        kind(odd)
                    ),
                )
                .with_label(source, odd.span, format!("{} value", kind(odd)))
                .with_label(source, first.span, format!("{} value", kind(first)))
                .with_help("a set holds values of one type"),
            );
            false
        }
    }
}

/// An occasion's window; its months and days must exist.
fn occasion(
    definition: &ast::OccasionDef,
    source: SourceId,
    errors: &mut Vec<Diagnostic>,
) -> Option<Occasion> {
    let start = month_day(&definition.start, source, errors);
    let end = month_day(&definition.end, source, errors);
    Some(Occasion {
        start: start?,
        end: end?,
    })
}

fn month_day(
    written: &ast::MonthDay,
    source: SourceId,
    errors: &mut Vec<Diagnostic>,
) -> Option<(u32, u32)> {
    let Some(month) = written.month_number() else {
        let short = ast::MONTH_NAMES.iter().map(|m| &m[..3]);
        let help = did_you_mean(
            &written.month.text,
            ast::MONTH_NAMES.iter().copied().chain(short),
            "`",
        )
        .unwrap_or_else(|| "write a month as `Dec` or `December`".into());
        errors.push(
            Diagnostic::error(
                Code::InvalidLiteral,
                format!("`{}` is not a month", written.month.text),
            )
            .with_label(source, written.month.span, "not a month")
            .with_help(help),
        );
        return None;
    };
    let day: u32 = written.day.parse().unwrap_or(0);
    if !calendar::is_month_day(month, day) {
        errors.push(
            Diagnostic::error(
                Code::InvalidLiteral,
                format!(
                    "{} has no day {}",
                    ast::MONTH_NAMES[month as usize - 1],
                    written.day
                ),
            )
            .with_label(source, written.span, "no such day")
            .with_help("occasion windows name days that exist every year (29 February is allowed)"),
        );
        return None;
    }
    Some((month, day))
}
