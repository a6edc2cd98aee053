//! Rows rendered as they arrive, in every format, so that listing a segment of any size
//! holds only the rows of one batch: the header once, a table's columns widened as wider
//! values come (never narrowed), a JSON array opened before the first row and closed after
//! the last.

use super::{
    Format, Shown, Table, csv_lines, for_people, for_tools, json_lines, json_objects,
    markdown_lines, people_kinds, tool_kinds,
};
use std::ops::ControlFlow;

use crate::diagnostics::Diagnostic;
use crate::engine::{Database, Rows};
use crate::sql::Query;

/// A listing being printed, batch by batch.
pub struct RowStream {
    format: Format,
    /// The table printed so far (its widths), once a batch was printed.
    table: Option<Table>,
    /// Whether anything was printed yet.
    started: bool,
}

impl RowStream {
    /// A listing in `format`, nothing printed yet.
    pub fn new(format: Format) -> RowStream {
        RowStream {
            format,
            table: None,
            started: false,
        }
    }

    /// The text of the next batch of rows; `shown` says how each column (by name) is shown.
    pub fn next(&mut self, rows: &Rows, shown: impl Fn(&str) -> Shown) -> String {
        let kinds: Vec<Shown> = rows.columns.iter().map(|c| shown(c)).collect();
        let first = !self.started;
        let text = match self.format {
            Format::Table => {
                let table = Table::new(&for_people(rows, &kinds), &people_kinds(&kinds));
                let table = match &self.table {
                    Some(earlier) => table.continuing(earlier),
                    None => table,
                };
                let text = table.render_lines(usize::MAX, first);
                self.table = Some(Table {
                    cells: Vec::new(),
                    ..table
                });
                text
            }
            Format::Markdown => {
                markdown_lines(&for_people(rows, &kinds), &people_kinds(&kinds), first)
            }
            Format::Csv => csv_lines(&for_tools(rows, &kinds), &tool_kinds(&kinds), first),
            Format::Jsonl => json_lines(&for_tools(rows, &kinds), &tool_kinds(&kinds)),
            Format::Json => {
                // As `serde_json::to_string_pretty` writes an array: two spaces in.
                let tools = for_tools(rows, &kinds);
                let kinds = tool_kinds(&kinds);
                let mut text = String::new();
                for object in json_objects(&tools, &kinds) {
                    text.push_str(if self.started || !text.is_empty() {
                        ",\n"
                    } else {
                        "[\n"
                    });
                    let pretty = serde_json::to_string_pretty(&object).unwrap_or_default();
                    let indented: Vec<String> =
                        pretty.lines().map(|line| format!("  {line}")).collect();
                    text.push_str(&indented.join("\n"));
                }
                if !text.is_empty() {
                    self.started = true;
                }
                return text;
            }
        };
        self.started = true;
        text
    }

    /// The text that ends the listing (a JSON array is closed; an empty one is `[]`).
    pub fn end(self) -> &'static str {
        match self.format {
            Format::Json if self.started => "\n]\n",
            Format::Json => "[]\n",
            _ => "",
        }
    }
}

/// Runs `query` on `database` and hands its rows, rendered in `format` as they come, to
/// `write` (stdout, or a file being written whole); stops at the first failed write.
/// Returns the number of rows.
pub fn stream_rows<E: From<Diagnostic>>(
    database: &dyn Database,
    query: &Query,
    format: Format,
    shown: impl Fn(&str) -> Shown,
    mut write: impl FnMut(&str) -> Result<(), E>,
) -> Result<usize, E> {
    let mut listing = RowStream::new(format);
    let mut rows_written = 0;
    let mut failed = None;
    database.fetch_each(query, &mut |rows| {
        rows_written += rows.rows.len();
        match write(&listing.next(&rows, &shown)) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => {
                failed = Some(error);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(error) = failed {
        return Err(error);
    }
    write(listing.end())?;
    Ok(rows_written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Cell;
    use crate::schema::Type;

    fn rows(range: std::ops::Range<i64>) -> Rows {
        Rows {
            columns: vec!["customer_key".into(), "name".into(), "ltv".into()],
            rows: range
                .map(|i| {
                    vec![
                        Cell::Integer(i * 1000),
                        Cell::Text(format!("n{i}")),
                        Cell::Text(format!("{i}.50")),
                    ]
                })
                .collect(),
        }
    }

    fn shown(column: &str) -> Shown {
        if column == "ltv" {
            Shown::Field(Type::Money)
        } else {
            Shown::Plain
        }
    }

    #[test]
    fn batches_print_what_the_whole_would_for_machines() {
        for format in [Format::Csv, Format::Json, Format::Jsonl, Format::Markdown] {
            let whole = crate::output::render_rows(&rows(0..7), format, shown);
            let mut stream = RowStream::new(format);
            let mut text = String::new();
            for batch in [0..3, 3..3, 3..7, 7..7] {
                text.push_str(&stream.next(&rows(batch), shown));
            }
            text.push_str(stream.end());
            assert_eq!(text, whole, "{format:?}");
        }
        let mut empty = RowStream::new(Format::Json);
        let text = empty.next(&rows(0..0), shown) + empty.end();
        assert_eq!(
            text,
            crate::output::render_rows(&rows(0..0), Format::Json, shown)
        );
    }

    #[test]
    fn a_table_in_parts_has_one_header_and_columns_that_only_grow() {
        let mut stream = RowStream::new(Format::Table);
        let first = stream.next(&rows(0..2), shown);
        let later = stream.next(&rows(2000..2001), shown);
        let again = stream.next(&rows(3..4), shown);
        assert_eq!(
            first.lines().filter(|l| l.contains("customer_key")).count(),
            1
        );
        assert!(!later.contains("customer_key") && !again.contains("customer_key"));
        // The wider key widened the column, and later rows keep the width.
        let width = |line: &str| line.find("n").unwrap();
        assert_eq!(
            width(later.lines().next().unwrap()),
            width(again.lines().next().unwrap())
        );
    }
}
