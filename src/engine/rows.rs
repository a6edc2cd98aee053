//! What a query returns, whatever the engine: plain values and rows.

/// A fetched value.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Unknown.
    Null,
    /// A whole number.
    Integer(i64),
    /// A floating-point number as stored by the engine.
    Real(f64),
    /// Text.
    Text(String),
}

/// Rows returned by a query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// Rows on their way to a [`crate::engine::Database::fetch_each`] sink: handed over
/// `at_once` at a time, and at the end the rest (possibly none, so that the column names
/// always arrive). Every backend that streams gathers its rows through one.
pub(super) struct Batches<'s> {
    columns: Vec<String>,
    rows: Vec<Vec<Cell>>,
    at_once: usize,
    sink: &'s mut dyn FnMut(Rows) -> std::ops::ControlFlow<()>,
}

impl<'s> Batches<'s> {
    /// Batches of `at_once` rows of `columns` for `sink`.
    pub(super) fn new(
        columns: Vec<String>,
        at_once: usize,
        sink: &'s mut dyn FnMut(Rows) -> std::ops::ControlFlow<()>,
    ) -> Batches<'s> {
        Batches {
            columns,
            rows: Vec::new(),
            at_once,
            sink,
        }
    }

    /// Adds a row; `Break` when the sink wants no more.
    pub(super) fn push(&mut self, row: Vec<Cell>) -> std::ops::ControlFlow<()> {
        self.rows.push(row);
        if self.rows.len() < self.at_once {
            return std::ops::ControlFlow::Continue(());
        }
        let batch = Rows {
            columns: self.columns.clone(),
            rows: std::mem::take(&mut self.rows),
        };
        (self.sink)(batch)
    }

    /// Hands over the rows left.
    pub(super) fn finish(self) {
        let _ = (self.sink)(Rows {
            columns: self.columns,
            rows: self.rows,
        });
    }
}

/// Every row of a query that hands its rows over in batches (`stream` runs it with a sink),
/// gathered into one [`Rows`]: how a backend that streams fetches all at once.
pub(super) fn gathered(
    stream: impl FnOnce(
        &mut dyn FnMut(Rows) -> std::ops::ControlFlow<()>,
    ) -> Result<(), crate::diagnostics::Diagnostic>,
) -> Result<Rows, crate::diagnostics::Diagnostic> {
    let mut all = Rows::default();
    stream(&mut |rows| {
        if all.columns.is_empty() {
            all.columns = rows.columns;
        }
        all.rows.extend(rows.rows);
        std::ops::ControlFlow::Continue(())
    })?;
    Ok(all)
}
