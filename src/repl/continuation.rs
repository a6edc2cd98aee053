//! Whether an input goes on over the next line: brackets left open, or a last word that
//! needs more (`and`, `where`, …). Kept as running state, so that each line costs its own
//! length however many lines came before (8,000 lines of `newsletter and` stay fast).

/// What has been seen of an input so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct Continuation {
    /// Whether the input so far is a `:command` (never continued).
    command: Option<bool>,
    /// Brackets opened and not yet closed.
    depth: i64,
    /// Inside a quoted string.
    in_string: bool,
    /// The last word seen, in lower case.
    last_word: String,
}

impl Continuation {
    /// Takes in the next line of the input.
    pub(crate) fn feed(&mut self, line: &str) {
        if self.command.is_none() && !line.trim().is_empty() {
            self.command = Some(line.trim_start().starts_with(':'));
        }
        // A comment (`//`, `///`) runs to the end of the line: its brackets and words do
        // not count.
        let mut code_end = line.len();
        let mut previous = ' ';
        for (at, c) in line.char_indices() {
            match c {
                '\'' => self.in_string = !self.in_string,
                '/' if previous == '/' && !self.in_string => {
                    code_end = at - 1;
                    break;
                }
                '(' | '[' if !self.in_string => self.depth += 1,
                ')' | ']' if !self.in_string => self.depth -= 1,
                _ => {}
            }
            previous = c;
        }
        if let Some(word) = line[..code_end].split_whitespace().next_back() {
            self.last_word = word.to_ascii_lowercase();
        }
    }

    /// Whether more lines must follow before the input is complete.
    pub(crate) fn incomplete(&self) -> bool {
        if self.command == Some(true) {
            return false;
        }
        self.depth > 0
            || matches!(
                self.last_word.as_str(),
                "and" | "or" | "not" | "where" | "between" | "," | "="
            )
    }
}

/// Whether `input` (possibly several lines) needs more lines.
pub(crate) fn is_incomplete(input: &str) -> bool {
    let mut state = Continuation::default();
    for line in input.lines() {
        state.feed(line);
    }
    state.incomplete()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incomplete_input_continues_on_the_next_line() {
        assert!(is_incomplete("city = 'London' and"));
        assert!(is_incomplete("(a = 1 or b = 2"));
        assert!(is_incomplete("x in ['a',"));
        assert!(is_incomplete("x in ['a',\n"));
        assert!(is_incomplete("city = 'London' AND\n\n"));
        assert!(!is_incomplete("city = 'London'"));
        assert!(!is_incomplete("name = 'Ann and'"));
        assert!(!is_incomplete(":sql a and"));
        assert!(!is_incomplete("(a = 1 or\nb = 2)"));
        assert!(!is_incomplete("/// doc [x"));
        assert!(!is_incomplete("city = 'x' // and"));
        assert!(is_incomplete("city = 'a//b' and"));
    }
}
