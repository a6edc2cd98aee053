//! Problems shown to the user: what is wrong, where, and what might fix it.
//!
//! Every stage reports through [`Diagnostic`]; nothing else is printed as an error.
//! Rendering (human text through miette, or machine-readable forms) lives in [`render`].

mod codes;
mod excerpt;
pub mod formats;
pub mod render;

pub use codes::Code;
pub use excerpt::visible;

use crate::source::{Location, SourceId, Span};

/// How serious a problem is: errors fail a run, warnings are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Context for another diagnostic (a place in another file).
    Note,
    /// Something a user may want to change.
    Warning,
    /// Something that stops the segment from running.
    Error,
}

/// A labelled place in a source file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub location: Location,
    /// What the place has to do with the problem.
    pub text: String,
}

/// One problem: a stable code, a message, the places it concerns, and help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code (`seg::E003`).
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong, lower case, no final period.
    pub message: String,
    /// The places involved; the first is the primary one.
    pub labels: Vec<Label>,
    /// A suggestion ("did you mean `occupation`?").
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error with no location yet.
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: clipped(message.into()),
            labels: Vec::new(),
            help: None,
        }
    }

    /// A warning (a lint) with no location yet.
    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds a labelled span in a source.
    pub fn with_label(mut self, source: SourceId, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            location: Location { source, span },
            text: text.into(),
        });
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(clipped(help.into()));
        self
    }

    /// Sets the help line if there is one.
    pub fn with_optional_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help.map(clipped);
        }
        self
    }

    /// The primary location, if any.
    pub fn location(&self) -> Option<Location> {
        self.labels.first().map(|l| l.location)
    }
}

/// A message cut in its middle past [`LONGEST_MESSAGE`] bytes: a 70,000-digit literal or
/// name quoted in a message would otherwise be the whole report.
fn clipped(text: String) -> String {
    if text.len() <= LONGEST_MESSAGE {
        return text;
    }
    let boundary = |mut at: usize| {
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let head = boundary(LONGEST_MESSAGE * 2 / 3);
    let tail = boundary(text.len() - LONGEST_MESSAGE / 4);
    format!(
        "{} … ({} bytes) … {}",
        &text[..head],
        tail - head,
        &text[tail..]
    )
}

/// Bytes of a message or help line shown whole.
const LONGEST_MESSAGE: usize = 400;

/// "did you mean `x`?" for the closest of `candidates` to `wrong`, if any is close enough.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    quote: &str,
) -> Option<String> {
    closest(wrong, candidates).map(|best| format!("did you mean {quote}{best}{quote}?"))
}

/// The longest word, in characters, that gets a suggestion: a typo is a short slip, and
/// comparing long words costs the product of their lengths.
const LONGEST_SUGGESTED: usize = 64;

/// How much comparing (in pairs of characters) suggestions may cost in one check of a
/// project: past it, no more suggestions are made, so a file of thousands of long
/// misspelled names costs a fraction of a second, not minutes.
const SUGGESTION_BUDGET: u64 = 10_000_000;

thread_local! {
    /// The comparing done since [`reset_suggestion_budget`].
    static SUGGESTION_WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Starts a new budget for suggestions (a check of the whole project starts one).
pub fn reset_suggestion_budget() {
    SUGGESTION_WORK.set(0);
}

/// The candidate closest to `wrong` by edit distance (case-insensitive), if close enough
/// to be a plausible typo. Candidates whose length alone rules them out are not compared,
/// and the comparing of one check is capped (`SUGGESTION_BUDGET`), so the cost stays
/// small however many names and candidates there are.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_length = wrong.chars().count();
    if wrong_length > LONGEST_SUGGESTED {
        return None;
    }
    let affordable = |length: usize| {
        let work = SUGGESTION_WORK.get() + 2 * (length * wrong_length) as u64;
        SUGGESTION_WORK.set(work);
        work <= SUGGESTION_BUDGET
    };
    let wrong_lower = wrong.to_lowercase();
    candidates
        .into_iter()
        .filter_map(|c| {
            let length = c.chars().count();
            let allowed = (length.max(wrong_length) / 3).max(1);
            // The distance is at least the difference in length.
            if length > LONGEST_SUGGESTED
                || length.abs_diff(wrong_length) > allowed
                || !affordable(length)
            {
                return None;
            }
            let distance = strsim::damerau_levenshtein(&wrong_lower, &c.to_lowercase());
            // Ties go to the candidate closest in case too ('nruse' → 'nurse', not 'Nurse').
            let exact = strsim::damerau_levenshtein(wrong, c);
            (distance <= allowed).then_some((distance, exact, c))
        })
        .min_by_key(|(distance, exact, c)| (*distance, *exact, *c))
        .map(|(_, _, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_and_case_but_not_strangers() {
        let values = ["nurse", "teacher", "engineer"];
        assert_eq!(closest("nruse", values), Some("nurse"));
        assert_eq!(closest("Nurse", values), Some("nurse"));
        assert_eq!(closest("nruse", ["Nurse", "nurse"]), Some("nurse"));
        assert_eq!(closest("NRUSE", ["Nurse", "nurse"]), Some("Nurse"));
        assert_eq!(closest("enginer", values), Some("engineer"));
        assert_eq!(closest("plumber", values), None);
        assert_eq!(
            did_you_mean("ocupation", ["occupation", "income"], "`").as_deref(),
            Some("did you mean `occupation`?")
        );
    }

    #[test]
    fn long_words_are_not_compared_at_all() {
        // 100,000 characters against 10,000 long candidates: without the length rules this
        // is 10^12 steps.
        let long = "x".repeat(100_000);
        let candidates: Vec<String> = (0..10_000).map(|i| format!("{long}{i}")).collect();
        assert_eq!(closest(&long, candidates.iter().map(String::as_str)), None);
        let many: Vec<String> = (0..10_000).map(|i| format!("field_{i}")).collect();
        assert_eq!(
            closest("unrelated_name", many.iter().map(String::as_str)),
            None
        );
        assert_eq!(closest("feld_42", many.iter().map(String::as_str)), Some("field_42"));
    }
}
