//! `seg fmt`: one canonical layout for a segment file, with every comment kept.
//!
//! Definitions are printed by [`crate::syntax::print`], separated by one blank line
//! (consecutive imports stay together). Comment lines directly above a definition stay with
//! it; other comment blocks stand alone; a comment at the end of a definition's last line
//! stays there. A definition with a comment inside it is kept as written (trailing spaces
//! removed), so no comment ever moves into a different place. Formatting is idempotent.

use crate::diagnostics::Diagnostic;
use crate::source::SourceId;
use crate::syntax::{self, ast, print};

/// The file in canonical layout, or its syntax errors (a broken file is not reformatted).
pub fn format(source: SourceId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let (file, errors) = syntax::parse(source, text);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut blocks: Vec<Block> = Vec::new();
    let mut position = 0;
    for definition in &file.definitions {
        let span = definition.span();
        let (start, end) = (span.start as usize, span.end as usize);
        let gap = &text[position..start];
        let (trailing, standalone, leading) = split_gap(gap, position == 0, true);
        if let (Some(comment), Some(last)) = (trailing, blocks.last_mut()) {
            last.trailing = Some(comment);
        }
        blocks.extend(standalone.into_iter().map(Block::comments));
        let body = if has_comment(&text[start..end]) {
            verbatim(&text[start..end])
        } else {
            let mut lines = print::doc_lines(definition);
            lines.push(print::definition(definition));
            lines.join("\n")
        };
        let is_import = matches!(definition, ast::Definition::Import(_));
        blocks.push(Block {
            leading,
            body,
            trailing: None,
            is_import,
        });
        position = end;
    }
    let (trailing, standalone, leading) = split_gap(&text[position..], position == 0, false);
    if let (Some(comment), Some(last)) = (trailing, blocks.last_mut()) {
        last.trailing = Some(comment);
    }
    blocks.extend(standalone.into_iter().map(Block::comments));
    if !leading.is_empty() {
        blocks.push(Block::comments(leading));
    }
    Ok(render(&blocks))
}

/// A definition with its comments, or a block of comment lines alone.
struct Block {
    leading: Vec<String>,
    body: String,
    trailing: Option<String>,
    is_import: bool,
}

impl Block {
    fn comments(lines: Vec<String>) -> Block {
        Block {
            leading: lines,
            body: String::new(),
            trailing: None,
            is_import: false,
        }
    }
}

fn render(blocks: &[Block]) -> String {
    let mut out = String::new();
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 {
            let together = block.is_import && blocks[i - 1].is_import && block.leading.is_empty();
            out.push_str(if together { "\n" } else { "\n\n" });
        }
        let mut lines: Vec<String> = block.leading.clone();
        if !block.body.is_empty() {
            lines.push(block.body.clone());
        }
        let mut text = lines.join("\n");
        if let Some(comment) = &block.trailing {
            text.push(' ');
            text.push_str(comment);
        }
        out.push_str(&text);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Splits the text between two definitions into: a comment on the previous definition's
/// last line; standalone comment blocks; and the comment lines directly above the next
/// definition.
fn split_gap(
    gap: &str,
    at_file_start: bool,
    before_definition: bool,
) -> (Option<String>, Vec<Vec<String>>, Vec<String>) {
    let mut lines = gap.split('\n');
    let mut trailing = None;
    if !at_file_start {
        // The rest of the previous definition's last line.
        let rest = lines.next().unwrap_or("").trim();
        if !rest.is_empty() {
            trailing = Some(rest.to_string());
        }
    }
    let mut blocks: Vec<Vec<String>> = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let lines: Vec<&str> = lines.collect();
    // Before a definition, the last piece is its indentation, not a line of its own.
    let whole_lines = if before_definition {
        &lines[..lines.len().saturating_sub(1)]
    } else {
        &lines[..]
    };
    for line in whole_lines {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line.to_string());
        }
    }
    // Lines right above the definition (no blank line between) belong to it.
    (trailing, blocks, current)
}

/// Whether a definition's text holds a `//` comment (outside strings; `///` docs excepted).
fn has_comment(text: &str) -> bool {
    text.lines()
        .any(|line| syntax::comment_start(line).is_some())
}

/// A definition kept as written, without trailing spaces.
fn verbatim(text: &str) -> String {
    text.lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests;
