//! SQL text plus its parameters. On purpose there is no way to append a runtime string as
//! SQL: text goes in as `&'static str`, names through [`SqlWriter::ident`] (quoted by the
//! dialect), values through [`SqlWriter::param`] (bound, never printed), and only the
//! compiler's own constants as [`SqlWriter::number`].

use super::dialect::Dialect;
use crate::value::Value;

/// The 1-based position of a bound parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamId(pub usize);

/// Builds one query.
pub struct SqlWriter<'d> {
    dialect: &'d dyn Dialect,
    sql: String,
    params: Vec<Value>,
    indent: usize,
}

impl<'d> SqlWriter<'d> {
    /// An empty query for `dialect`.
    pub fn new(dialect: &'d dyn Dialect) -> SqlWriter<'d> {
        SqlWriter {
            dialect,
            sql: String::new(),
            params: Vec::new(),
            indent: 0,
        }
    }

    /// The dialect being written.
    pub fn dialect(&self) -> &'d dyn Dialect {
        self.dialect
    }

    /// Appends fixed SQL text.
    pub fn sql(&mut self, text: &'static str) -> &mut Self {
        self.sql.push_str(text);
        self
    }

    /// Appends a whole number the compiler chose itself (a position, a constant); a
    /// number cannot carry SQL, and user values are bound instead.
    pub fn number(&mut self, n: u64) -> &mut Self {
        self.sql.push_str(&n.to_string());
        self
    }

    /// Appends a quoted identifier.
    pub fn ident(&mut self, name: &str) -> &mut Self {
        self.dialect.quote_ident(&mut self.sql, name);
        self
    }

    /// Appends `alias.column`, both quoted.
    pub fn column(&mut self, alias: &'static str, column: &str) -> &mut Self {
        self.sql(alias).sql(".").ident(column)
    }

    /// Binds a value and appends its placeholder.
    pub fn param(&mut self, value: Value) -> ParamId {
        let id = self.bind(value);
        self.placeholder(id);
        id
    }

    /// Binds a value without writing its placeholder yet (for a dialect that places it,
    /// maybe twice).
    pub fn bind(&mut self, value: Value) -> ParamId {
        self.params.push(value);
        ParamId(self.params.len())
    }

    /// Appends the placeholder of an already bound value (to use it twice).
    pub fn placeholder(&mut self, id: ParamId) -> &mut Self {
        self.dialect.placeholder(&mut self.sql, id.0);
        self
    }

    /// Starts a new line at the current indentation.
    pub fn newline(&mut self) -> &mut Self {
        self.sql.push('\n');
        for _ in 0..self.indent {
            self.sql.push_str("  ");
        }
        self
    }

    /// Runs `body` one level further indented.
    pub fn indented(&mut self, body: impl FnOnce(&mut Self)) -> &mut Self {
        self.indent += 1;
        body(self);
        self.indent -= 1;
        self
    }

    /// The finished query.
    pub fn finish(self) -> super::Query {
        super::Query {
            sql: self.sql,
            params: self.params,
        }
    }
}
