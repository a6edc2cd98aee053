//! REPL input that does not come from a terminal (a pipe, a file, a here-document): read
//! in time linear in its length, each input (its continuation lines included) capped at
//! [`MAX_FILE_BYTES`], so that `seg repl < /dev/zero` ends with a message instead of
//! exhausting the memory.

use std::io::{BufRead, Read};

use super::continuation::Continuation;
use crate::source::MAX_FILE_BYTES;

/// What the next read gave.
#[derive(Debug)]
pub(crate) enum Piped {
    /// One complete input, continuation lines joined with newlines.
    Input(String),
    /// The input ended.
    End,
    /// The input cannot be read on: too long, not UTF-8, or a read error.
    Unreadable(String),
}

/// Reads inputs one at a time from `reader`.
pub(crate) struct PipedInput<R> {
    reader: R,
    /// Whether anything was read yet (a byte-order mark may start the first input).
    started: bool,
}

impl<R: BufRead> PipedInput<R> {
    /// Reads from `reader`.
    pub(crate) fn new(reader: R) -> PipedInput<R> {
        PipedInput {
            reader,
            started: false,
        }
    }

    /// The next complete input: lines are read while the input so far asks for more.
    pub(crate) fn next_input(&mut self) -> Piped {
        let mut input: Vec<u8> = Vec::new();
        let mut state = Continuation::default();
        loop {
            let start = input.len();
            let room = (MAX_FILE_BYTES - start) as u64 + 1;
            let read = (&mut self.reader).take(room).read_until(b'\n', &mut input);
            let at_end = match read {
                Err(error) => return Piped::Unreadable(format!("cannot read the input: {error}")),
                Ok(0) if input.is_empty() => return Piped::End,
                Ok(0) => true,
                Ok(_) => false,
            };
            if input.len() > MAX_FILE_BYTES {
                return Piped::Unreadable(format!(
                    "an input is longer than {MAX_FILE_BYTES} bytes; split it over several definitions"
                ));
            }
            // The input ended, mid-line or in the middle of a continued input: what came
            // is the last input.
            let ended = at_end || !input.ends_with(b"\n");
            let Ok(line) = std::str::from_utf8(&input[start..]) else {
                return Piped::Unreadable("cannot read the input: it is not UTF-8 text".into());
            };
            state.feed(line);
            if ended || !state.incomplete() {
                break;
            }
        }
        let text = String::from_utf8(input).unwrap_or_default();
        // A byte-order mark is how some editors start UTF-8 text; it is not input.
        let text = match text.strip_prefix('\u{feff}') {
            Some(rest) if !self.started => rest,
            _ => &text,
        };
        self.started = true;
        let text = text.strip_suffix('\n').unwrap_or(text);
        let text = text.strip_suffix('\r').unwrap_or(text);
        Piped::Input(text.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(text: &[u8]) -> Vec<String> {
        let mut reader = PipedInput::new(text);
        let mut out = Vec::new();
        loop {
            match reader.next_input() {
                Piped::Input(line) => out.push(line),
                Piped::End => return out,
                Piped::Unreadable(message) => {
                    out.push(format!("! {message}"));
                    return out;
                }
            }
        }
    }

    #[test]
    fn an_input_that_ends_while_continued_is_the_last_one() {
        assert_eq!(inputs(b"newsletter and\n"), vec!["newsletter and"]);
        assert_eq!(inputs(b"x in ['a',\n"), vec!["x in ['a',"]);
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_not_input() {
        assert_eq!(inputs(b"\xef\xbb\xbfcity = 'x'\n"), vec!["city = 'x'"]);
    }

    #[test]
    fn continuation_lines_join_and_complete_lines_stand_alone() {
        assert_eq!(
            inputs(b"a = 1 and\nb = 2\r\n:count\n\nlast"),
            vec!["a = 1 and\nb = 2", ":count", "", "last"]
        );
    }

    #[test]
    fn an_endless_line_is_refused_without_reading_it_all() {
        let endless = std::io::BufReader::new(std::io::repeat(b'x'));
        let mut reader = PipedInput::new(endless);
        assert!(matches!(reader.next_input(), Piped::Unreadable(m) if m.contains("longer than")));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused() {
        let read = inputs(b"a = 1\n\xff\xfe\n");
        assert_eq!(read[0], "a = 1");
        assert!(read[1].contains("not UTF-8"), "{read:?}");
    }
}
