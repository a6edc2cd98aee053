//! Every definition of the project by name, with the checks that need only the definition
//! itself: duplicate names, well-formed sets, valid occasion dates, metrics shadowing fields,
//! split shares that add up to 100%.

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
    pub segments: IndexMap<&'a str, SegmentEntry<'a>>,
    pub sets: IndexMap<&'a str, SetEntry<'a>>,
    pub occasions: IndexMap<&'a str, OccasionEntry<'a>>,
    pub metrics: IndexMap<&'a str, MetricEntry<'a>>,
}

/// A segment: written with `where`, or one bucket of a split.
pub struct SegmentEntry<'a> {
    pub source: SourceId,
    pub name: &'a ast::Name,
    pub body: SegmentBody<'a>,
}

/// What decides a segment's members.
pub enum SegmentBody<'a> {
    /// `segment Name where <condition>`.
    Condition(&'a ast::Condition),
    /// A bucket of a split: its hash range in hundredths of a percent (`None` when the
    /// split's shares are wrong, reported once at the split).
    Bucket {
        split: &'a ast::SplitDef,
        range: Option<(u32, u32)>,
    },
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
    pub checked: Option<super::ir::Expr>,
}

impl Defined for SegmentEntry<'_> {
    fn source(&self) -> SourceId {
        self.source
    }
    fn name_span(&self) -> Span {
        self.name.span
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
            if let ast::Definition::Split(split) = definition {
                let ranges = split_ranges(split, source, errors);
                for (i, bucket) in split.buckets.iter().enumerate() {
                    if is_duplicate(&bucket.name, source, &mut first_seen, errors) {
                        continue;
                    }
                    let body = SegmentBody::Bucket {
                        split,
                        range: ranges.as_ref().map(|r| r[i]),
                    };
                    definitions.segments.insert(
                        &bucket.name.text,
                        SegmentEntry {
                            source,
                            name: &bucket.name,
                            body,
                        },
                    );
                }
                continue;
            }
            let Some(name) = definition.names().pop() else {
                continue;
            };
            if is_duplicate(name, source, &mut first_seen, errors) {
                continue;
            }
            match definition {
                ast::Definition::Segment(s) => {
                    definitions.segments.insert(
                        &s.name.text,
                        SegmentEntry {
                            source,
                            name: &s.name,
                            body: SegmentBody::Condition(&s.condition),
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
                ast::Definition::Import(_) | ast::Definition::Split(_) => {}
            }
        }
    }
    definitions
}

/// Reports a name defined before; otherwise remembers where it is defined.
fn is_duplicate<'a>(
    name: &'a ast::Name,
    source: SourceId,
    first_seen: &mut IndexMap<&'a str, (SourceId, Span)>,
    errors: &mut Vec<Diagnostic>,
) -> bool {
    let Some(&(first_source, first_span)) = first_seen.get(name.text.as_str()) else {
        first_seen.insert(&name.text, (source, name.span));
        return false;
    };
    errors.push(
        Diagnostic::error(
            Code::DuplicateDefinition,
            format!("`{}` is defined twice", name.text),
        )
        .with_label(source, name.span, "defined again here")
        .with_label(first_source, first_span, "first defined here")
        .with_help("rename one of them; names are unique across the project"),
    );
    true
}

/// Each bucket's range of the hash (`from..to`, in hundredths of a percent, in order), if
/// the seed is not empty and the shares are positive, have at most two decimals and add
/// up to exactly 100%.
fn split_ranges(
    split: &ast::SplitDef,
    source: SourceId,
    errors: &mut Vec<Diagnostic>,
) -> Option<Vec<(u32, u32)>> {
    let before = errors.len();
    if matches!(&split.seed.kind, LiteralKind::Text(t) if t.is_empty()) {
        errors.push(
            Diagnostic::error(Code::BadSplit, "a split's seed must not be empty")
                .with_label(source, split.seed.span, "empty seed")
                .with_help("name the seed after the experiment, as in `seed 'spring-2026'`"),
        );
    }
    let mut shares = Vec::new();
    for bucket in &split.buckets {
        match hundredths(&bucket.share) {
            Some(share) if share > 0 => shares.push(share),
            Some(_) => errors.push(
                Diagnostic::error(
                    Code::BadSplit,
                    format!("bucket `{}` has no share", bucket.name.text),
                )
                .with_label(source, bucket.share_span, "0%")
                .with_help("give every bucket a share above 0%, or remove it"),
            ),
            None => errors.push(
                Diagnostic::error(
                    Code::BadSplit,
                    format!(
                        "bucket `{}`'s share {}% has more than two decimals",
                        bucket.name.text, bucket.share
                    ),
                )
                .with_label(source, bucket.share_span, "too precise")
                .with_help("shares are whole hundredths of a percent, as in `12.25%`"),
            ),
        }
    }
    if errors.len() > before {
        return None;
    }
    let total: u64 = shares.iter().map(|&s| u64::from(s)).sum();
    if total != 10_000 {
        let shown = percent(total);
        let help = if total < 10_000 {
            format!(
                "add a bucket for the other {}%, so that every customer of `{}` has one",
                percent(10_000 - total),
                split.base.text
            )
        } else {
            "lower the shares so that they add up to 100%".into()
        };
        errors.push(
            Diagnostic::error(
                Code::BadSplit,
                format!("the shares of this split add up to {shown}%, not 100%"),
            )
            .with_label(source, split.span, format!("{shown}% in all"))
            .with_help(help),
        );
        return None;
    }
    let mut from = 0;
    Some(
        shares
            .into_iter()
            .map(|share| {
                let range = (from, from + share);
                from += share;
                range
            })
            .collect(),
    )
}

/// A share as written (`12.5`) in hundredths of a percent (1250); `None` past two decimals
/// or beyond any sensible size.
fn hundredths(share: &str) -> Option<u32> {
    let (whole, fraction) = share.split_once('.').unwrap_or((share, ""));
    if fraction.len() > 2 || whole.len() > 6 {
        return None;
    }
    let whole: u32 = whole.parse().ok()?;
    let fraction: u32 = format!("{fraction:0<2}").parse().ok()?;
    Some(whole * 100 + fraction)
}

/// Hundredths of a percent as a percentage without needless zeros (`95`, `12.5`).
fn percent(hundredths: u64) -> String {
    let text = format!("{}.{:02}", hundredths / 100, hundredths % 100);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
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
