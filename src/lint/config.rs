//! `[lints]` in seg.toml: each lint allowed, warned about (the default) or denied.

use std::collections::HashMap;

use crate::diagnostics::{Code, Diagnostic, Severity};

/// What to do about one lint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Do not report it.
    Allow,
    /// Report it as a warning.
    Warn,
    /// Report it as an error.
    Deny,
}

impl Level {
    /// Parses `allow`, `warn` or `deny`.
    pub fn from_name(name: &str) -> Option<Level> {
        match name {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }
}

/// The project's lint settings.
#[derive(Clone, Debug)]
pub struct LintConfig {
    /// Levels set in seg.toml; unlisted lints warn.
    pub levels: HashMap<Code, Level>,
    /// The relative size change (0.2 = 20%) beyond which `size-change` reports a segment.
    pub size_change_threshold: f64,
}

impl Default for LintConfig {
    fn default() -> LintConfig {
        LintConfig {
            levels: HashMap::new(),
            size_change_threshold: 0.2,
        }
    }
}

impl LintConfig {
    /// Applies the configured levels: drops allowed lints, turns denied ones into errors.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter_map(
                |mut d| match self.levels.get(&d.code).copied().unwrap_or(Level::Warn) {
                    Level::Allow => None,
                    Level::Warn => Some(d),
                    Level::Deny => {
                        d.severity = Severity::Error;
                        Some(d)
                    }
                },
            )
            .collect()
    }
}
