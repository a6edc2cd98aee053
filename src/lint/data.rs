//! Checks that need the data: customer keys that repeat or are missing, segments with no
//! members, and segments whose size moved beyond a threshold against a committed baseline
//! file of sizes.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::check::ir::Program;
use crate::diagnostics::{Code, Diagnostic};

/// The largest baseline read, in bytes: ample for a hundred thousand segments.
const MAX_BASELINE_BYTES: usize = 16 << 20;

/// `sizes.json`: each segment's member count when the baseline was last updated.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Baseline {
    /// Format version.
    pub version: u32,
    /// The as-of date the sizes were counted at.
    pub as_of: String,
    /// Member count by segment name.
    pub segments: BTreeMap<String, u64>,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn read(path: &Path) -> Result<Baseline, Diagnostic> {
        let bytes = crate::files::read_limited(path, MAX_BASELINE_BYTES).map_err(|e| {
            Diagnostic::error(
                Code::FileUnreadable,
                format!("cannot read baseline {}: {e}", path.display()),
            )
            .with_help("create it with `seg check --db --baseline FILE --update-baseline`")
        })?;
        serde_json::from_slice(&bytes).map_err(|e| {
            Diagnostic::error(
                Code::FileUnreadable,
                format!("{} is not a baseline file: {e}", path.display()),
            )
        })
    }

    /// Writes the baseline, sorted, one segment per line, whole (a crash leaves the old
    /// file or the new).
    pub fn write(&self, path: &Path) -> Result<(), Diagnostic> {
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        crate::files::write_whole(path, text.as_bytes()).map_err(|e| {
            Diagnostic::error(
                Code::OutputUnwritable,
                format!("cannot write baseline {}: {e}", path.display()),
            )
        })
    }
}

/// A warning for each checked segment with no members.
pub fn empty_segments(
    program: &Program,
    counts: &BTreeMap<String, u64>,
    as_of: &str,
) -> Vec<Diagnostic> {
    program
        .segments
        .iter()
        .filter(|s| counts.get(&s.name) == Some(&0))
        .map(|s| {
            Diagnostic::warning(
                Code::EmptySegment,
                format!("segment `{}` has no members as of {as_of}", s.name),
            )
            .with_label(s.location.source, s.location.span, "empty")
            .with_help("check its conditions against the data (`seg repl` helps), or remove it")
        })
        .collect()
}

/// A warning for each segment whose size moved by more than `threshold` (a fraction) from
/// the baseline. Segments new since the baseline are not reported.
pub fn size_changes(
    program: &Program,
    counts: &BTreeMap<String, u64>,
    baseline: &Baseline,
    threshold: f64,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for segment in &program.segments {
        let (Some(&now), Some(&before)) = (
            counts.get(&segment.name),
            baseline.segments.get(&segment.name),
        ) else {
            continue;
        };
        let change = if before == 0 {
            if now == 0 { 0.0 } else { f64::INFINITY }
        } else {
            (now as f64 - before as f64) / before as f64
        };
        if change.abs() > threshold {
            let percent = if change.is_finite() {
                format!("{:+.0}%", change * 100.0)
            } else {
                "from none".into()
            };
            out.push(
                Diagnostic::warning(
                    Code::SizeChange,
                    format!(
                        "segment `{}` has {now} member{}, {before} in the baseline ({percent}, beyond {:.0}%)",
                        segment.name,
                        if now == 1 { "" } else { "s" },
                        threshold * 100.0
                    ),
                )
                .with_label(segment.location.source, segment.location.span, "size changed")
                .with_help("if the change is expected, update the baseline with `--update-baseline`"),
            );
        }
    }
    out
}

/// An error when `repeated` rows of the customer table repeat another row's key or
/// `missing` rows have none (seg::E045).
pub fn customer_keys(program: &Program, repeated: u64, missing: u64) -> Option<Diagnostic> {
    if repeated == 0 && missing == 0 {
        return None;
    }
    let (table, key) = (&program.customer.table, &program.customer.key);
    let plural = |n: u64| if n == 1 { "row" } else { "rows" };
    let message = match (repeated, missing) {
        (0, m) => format!("{m} {} of `{table}` {} no key in `{key}`", plural(m), if m == 1 { "has" } else { "have" }),
        (r, 0) => format!(
            "{r} {} of `{table}` {} a key in `{key}`",
            plural(r),
            if r == 1 { "repeats" } else { "repeat" }
        ),
        (r, m) => format!(
            "{r} {} of `{table}` {} a key in `{key}`, and {m} {} none",
            plural(r),
            if r == 1 { "repeats" } else { "repeat" },
            if m == 1 { "has" } else { "have" }
        ),
    };
    Some(
        Diagnostic::error(Code::CustomerKeys, message).with_help(
            "a customer with two rows counts twice; fix the table where it is made, or set `[customer] key` to a column that identifies one customer",
        ),
    )
}
