//! `seg repl`: explore a customer base interactively. Each line is a condition (answered
//! with its count and a few members), a definition (checked and added to the session), or a
//! `:command`. Composes the same stages as the CLI; holds no language logic of its own.

/// Prints through [`Repl::say`]: a failed write ends the session instead of panicking.
macro_rules! say {
    ($repl:expr, $($arg:tt)*) => {
        $repl.say(&format!($($arg)*))
    };
}

/// [`say!`] with a newline.
macro_rules! sayln {
    ($repl:expr, $($arg:tt)*) => {
        $repl.say(&format!("{}\n", format_args!($($arg)*)))
    };
}

mod commands;
mod continuation;
mod estimate;
mod helper;
mod interrupt;
mod piped;

use std::cell::RefCell;
use std::io::IsTerminal;
use std::path::PathBuf;

use chrono::NaiveDate;
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{Config, Editor};

use crate::app::session::{Definitions, Session};
use crate::app::{Context, Failure};
use crate::check::ir::Program;
use crate::diagnostics::render::{Style, render_all};
use crate::diagnostics::{Code, Diagnostic};
use crate::engine::Database;
use crate::engine::{Cell, Rows};
use crate::output::{Shown, Unwritten, errln, errout, table_text, thousands, write_stdout};
use crate::source::{SourceFile, SourceId, Span};
use crate::sql::cache::{SESSION_TABLE, SessionFacts};
use crate::sql::{self, DEFAULT_DIALECT, Output};
use crate::syntax::{self, ast};
use estimate::EstimateMode;
use helper::SegHelper;
use piped::{Piped, PipedInput};

/// The name of the segment a typed condition is checked as (not a valid identifier, so it
/// cannot clash with a user's segment).
const QUERY: &str = "<query>";

/// Runs the REPL until `:quit` or Ctrl-D.
pub fn run(context: &Context) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    if !session.diagnostics.is_empty() {
        errout!("{}", session.render(&session.diagnostics, context.style));
        errln!("seg repl: the project has problems; segments with errors are left out\n");
    }
    let mut repl = Repl::new(session, context);
    interrupt::install();
    if std::io::stdin().is_terminal() {
        interactive(&mut repl)
    } else {
        piped(&mut repl)
    }
}

/// The greeting, with what the session holds.
fn greet(repl: &Repl) {
    sayln!(
        repl,
        "seglang {} — {} segments, as of {}. Type a condition, a definition, or :help.",
        env!("CARGO_PKG_VERSION"),
        repl.program.segments.len(),
        repl.as_of
    );
}

/// Inputs from a pipe or a file: no line editor, no history.
fn piped(repl: &mut Repl) -> Result<i32, Failure> {
    greet(repl);
    let mut input = PipedInput::new(std::io::stdin().lock());
    loop {
        if let Some(failed) = repl.unwritten.take() {
            return Err(Failure::from(failed));
        }
        match input.next_input() {
            Piped::Input(text) => {
                if repl.handle(&text) == Flow::Quit {
                    break;
                }
            }
            Piped::End => break,
            Piped::Unreadable(message) => {
                errln!("seg repl: {message}");
                return Ok(crate::app::EXIT_FAILURE);
            }
        }
    }
    match repl.unwritten.take() {
        Some(failed) => Err(Failure::from(failed)),
        None => Ok(0),
    }
}

/// Inputs typed at a terminal, through the line editor with completion and history.
fn interactive(repl: &mut Repl) -> Result<i32, Failure> {
    let builder = Config::builder().auto_add_history(true);
    let config = builder
        .clone()
        .max_history_size(1000)
        .unwrap_or(builder)
        .build();
    let mut editor: Editor<SegHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(editor) => editor,
        Err(error) => {
            errln!("seg repl: cannot start the line editor: {error}");
            return Ok(crate::app::EXIT_FAILURE);
        }
    };
    editor.set_helper(Some(SegHelper::new(repl)));
    // Only a regular file (or none yet) holds history: a device would be read forever
    // (`/dev/zero`) or refuse every write (`/dev/full`).
    let history = history_path().filter(|path| {
        let special = crate::files::is_special(path);
        if special {
            errln!(
                "warning: history {} is not a regular file; history is off",
                path.display()
            );
        }
        !special
    });
    if let Some(path) = &history
        && path.exists()
        && let Err(error) = editor.load_history(path)
    {
        errln!("warning: cannot read history {}: {error}", path.display());
    }
    greet(repl);
    let mut unwritten = None;
    loop {
        if let Some(failed) = repl.unwritten.take() {
            unwritten = Some(failed);
            break;
        }
        match editor.readline("seg> ") {
            Ok(line) => {
                if repl.handle(&line) == Flow::Quit {
                    break;
                }
                if let Some(helper) = editor.helper_mut() {
                    helper.refresh(repl);
                }
            }
            // Ctrl-C at the prompt clears the line.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(ReadlineError::Io(error)) if error.kind() == std::io::ErrorKind::InvalidData => {
                errln!("seg repl: cannot read the input: it is not UTF-8 text");
                return Ok(crate::app::EXIT_FAILURE);
            }
            // Writing the prompt failed: stdout is closed or full.
            Err(ReadlineError::Io(error)) => {
                unwritten = Some(Unwritten(error));
                break;
            }
            Err(error) => {
                errln!("seg repl: {error}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        let saved = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .map_err(ReadlineError::from);
        if let Err(error) = saved.and_then(|_| editor.save_history(path)) {
            errln!(
                "warning: cannot save history to {}: {error}",
                path.display()
            );
        }
    }
    match unwritten.or_else(|| repl.unwritten.take()) {
        Some(failed) => Err(Failure::from(failed)),
        None => Ok(0),
    }
}

/// `$SEGLANG_HISTORY`, or `history.txt` in the user's data directory under `seglang`.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SEGLANG_HISTORY") {
        return Some(PathBuf::from(path));
    }
    dirs::data_dir().map(|dir| dir.join("seglang").join("history.txt"))
}

/// Whether to keep reading input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Quit,
}

/// The number in a count's cell (none: no members).
fn count_in(cell: Option<&Cell>) -> u64 {
    match cell {
        Some(Cell::Integer(n)) => (*n).max(0) as u64,
        _ => 0,
    }
}

/// The REPL's state: the project, what was defined in this session, and the settings.
pub(crate) struct Repl {
    session: Session,
    /// Definitions typed or loaded in this session, each its own source.
    accepted: Vec<(SourceId, ast::File)>,
    /// The project and session definitions, checked.
    program: Program,
    database: Result<Box<dyn Database>, Diagnostic>,
    as_of: NaiveDate,
    /// How many members to show under a count.
    sample: u64,
    /// When to show an estimate from a sample before the exact count.
    estimate: EstimateMode,
    /// The number of customers, once counted.
    customers: Option<u64>,
    /// The last condition typed, checked (for `:explain`).
    last_query: Option<(Program, SourceId, ast::File)>,
    style: Style,
    inputs: usize,
    /// The first write to stdout that failed: the session ends after the line that met it.
    unwritten: RefCell<Option<Unwritten>>,
    /// The facts kept in the database's session table, and the data version they were
    /// computed at.
    kept: Option<(SessionFacts, Option<i64>)>,
}

impl Repl {
    fn new(session: Session, context: &Context) -> Repl {
        let style = context.style;
        let database = session
            .open_database(context, None)
            .map_err(first_diagnostic);
        Repl {
            program: session.program.clone(),
            as_of: session.as_of,
            session,
            accepted: Vec::new(),
            database,
            sample: 5,
            estimate: EstimateMode::Auto,
            customers: None,
            last_query: None,
            style,
            inputs: 0,
            unwritten: RefCell::new(None),
            kept: None,
        }
    }

    /// Handles one input (possibly several lines).
    pub(crate) fn handle(&mut self, line: &str) -> Flow {
        let text = line.trim();
        if text.is_empty() {
            return Flow::Continue;
        }
        if let Some(command) = text.strip_prefix(':') {
            return commands::run(self, command);
        }
        if is_definition(text) {
            self.define(text, "<input>");
        } else {
            self.query(text);
        }
        Flow::Continue
    }

    /// Writes `text` to stdout; after a failed write, nothing more is written and the
    /// session ends once the current line is handled.
    pub(crate) fn say(&self, text: &str) {
        let mut unwritten = self.unwritten.borrow_mut();
        if unwritten.is_none()
            && let Err(failed) = write_stdout(text)
        {
            *unwritten = Some(failed);
        }
    }

    /// Adds `text` as a source named like `<input 3>`.
    fn add_source(&mut self, text: &str, label: &str) -> SourceId {
        self.inputs += 1;
        let name = format!("{} {}", label.trim_end_matches('>'), self.inputs) + ">";
        self.session.sources.add(SourceFile {
            name,
            path: None,
            text: text.into(),
        })
    }

    /// Checks definitions and, if they are sound, adds them to the session.
    pub(crate) fn define(&mut self, text: &str, label: &str) -> bool {
        let id = self.add_source(text, label);
        let (file, syntax_errors) = syntax::parse(id, text);
        if !syntax_errors.is_empty() {
            self.show(&syntax_errors);
            return false;
        }
        let Some(program) = self.check_input(id, file.clone()) else {
            return false;
        };
        self.accepted.push((id, file.clone()));
        self.program = program;
        for definition in &file.definitions {
            match definition {
                ast::Definition::Segment(_) | ast::Definition::Split(_) => {
                    for name in definition.names() {
                        match self.count(&name.text) {
                            Ok(count) => {
                                sayln!(self, "segment {}: {}", name.text, member_count(count))
                            }
                            Err(error) => self.show(&[error]),
                        }
                    }
                }
                other => {
                    for name in other.names() {
                        sayln!(self, "defined {}", name.text);
                    }
                }
            }
        }
        true
    }

    /// Checks a condition, then prints its count and a sample of members. On a large base,
    /// first an estimate from a sample (with members from it), then the exact count.
    fn query(&mut self, text: &str) {
        let Some(program) = self.query_program(text) else {
            return;
        };
        // Facts the session keeps answer at once: no estimate first.
        let warm = self.kept_covers(&program);
        if !warm && self.estimate_first(&program) {
            return;
        }
        let result = self.exact(&program, self.sample);
        match result {
            Ok((count, rows)) => {
                sayln!(self, "{} (as of {})", member_count(count), self.as_of);
                if count > 0 && self.sample > 0 {
                    let schema = &self.session.project.manifest.schema;
                    let width = terminal_width();
                    say!(
                        self,
                        "{}",
                        table_text(
                            &rows,
                            |c| Shown::of(schema.customer.field(c).map(|f| f.ty)),
                            width
                        )
                    );
                }
            }
            Err(error) => self.show(&[error]),
        }
    }

    /// The exact number of members of the condition and its first `sample` members. From
    /// the facts the session keeps when the condition reads related rows (kept, or kept
    /// anew, on the first such condition: later ones over the same facts read one table),
    /// else the count and the members from one evaluation.
    fn exact(&mut self, program: &Program, sample: u64) -> Result<(u64, Rows), Diagnostic> {
        if let Some(answer) = self.answer_from_kept_facts(program, sample)? {
            return Ok(answer);
        }
        // A condition over related rows is evaluated once for the count and the members
        // together; one over the customer's own fields is cheaper counted, then its first
        // members read in key order (which stops at the first few).
        if sample > 0 && !SessionFacts::reads_related(program, QUERY) {
            let compile = |output| {
                sql::compile(program, QUERY, output, self.dialect(), self.as_of)
                    .expect("query segment")
            };
            let count = compile(Output::Count);
            let members = compile(Output::Members {
                limit: Some(sample),
            });
            return self.count_then_members(&count, Some(&members));
        }
        let output = if sample == 0 {
            Output::Count
        } else {
            Output::Preview { limit: sample }
        };
        let query = sql::compile(program, QUERY, output, self.dialect(), self.as_of)
            .expect("query segment");
        self.run_query(|db| {
            let mut rows = db.fetch(&query)?;
            // A count's one cell, or a preview's total in its last column.
            let count = count_in(rows.rows.first().and_then(|row| row.last()));
            if sample == 0 {
                return Ok((count, Rows::default()));
            }
            rows.columns.pop();
            for row in &mut rows.rows {
                row.pop();
            }
            Ok((count, rows))
        })
    }

    /// The count, then (when there are members and `members` is given) the first members.
    fn count_then_members(
        &self,
        count: &sql::Query,
        members: Option<&sql::Query>,
    ) -> Result<(u64, Rows), Diagnostic> {
        self.run_query(|db| {
            let count = db.count(count)?;
            let rows = match members {
                Some(members) if count > 0 => db.fetch(members)?,
                _ => Rows::default(),
            };
            Ok((count, rows))
        })
    }

    /// The facts the session keeps, if the data has not changed since they were kept
    /// (`version`: the data's version now).
    fn current_kept(&self, version: Option<i64>) -> Option<&SessionFacts> {
        self.kept
            .as_ref()
            .filter(|(_, at)| *at == version)
            .map(|(kept, _)| kept)
    }

    /// Whether the facts the session keeps (still current) answer the condition.
    fn kept_covers(&self, program: &Program) -> bool {
        let Some(needed) = SessionFacts::needed(program, QUERY, self.as_of) else {
            return false;
        };
        let version = self.run_query(|db| db.data_version()).ok().flatten();
        self.current_kept(version)
            .is_some_and(|kept| kept.covers(&needed))
    }

    /// The answer from the kept facts, keeping them first if they do not cover the
    /// condition (the ones kept and the new ones together) or the data changed since;
    /// `None` when the condition reads no related rows, uses RFM scores, or the engine
    /// keeps no rows.
    fn answer_from_kept_facts(
        &mut self,
        program: &Program,
        sample: u64,
    ) -> Result<Option<(u64, Rows)>, Diagnostic> {
        let Some(needed) = SessionFacts::needed(program, QUERY, self.as_of) else {
            return Ok(None);
        };
        let dialect = self.dialect();
        let version = self.run_query(|db| db.data_version())?;
        let facts = match self.current_kept(version) {
            Some(kept) if kept.covers(&needed) => kept.clone(),
            current => {
                let facts = current.map_or(needed.clone(), |kept| kept.merged(&needed));
                self.kept = None;
                let table = facts.table_query(program, dialect);
                let key = &program.customer.key;
                if !self.run_query(|db| db.keep_rows(SESSION_TABLE, &table, key))? {
                    return Ok(None);
                }
                self.kept = Some((facts.clone(), version));
                facts
            }
        };
        let count = facts
            .count_query(program, QUERY, dialect)
            .expect("query segment");
        let members = (sample > 0)
            .then(|| facts.members_query(program, QUERY, sample, dialect))
            .flatten();
        self.count_then_members(&count, members.as_ref()).map(Some)
    }

    /// Prints an estimate from a sample and its members, then the exact count; false
    /// (printing nothing) when no estimate applies: a small base, `:estimate off`, RFM
    /// scores (which rank every customer), or no database.
    fn estimate_first(&mut self, program: &Program) -> bool {
        let Some(customers) = self.customers() else {
            return false;
        };
        if !self
            .estimate
            .applies(customers, SessionFacts::reads_related(program, QUERY))
        {
            return false;
        }
        let one_in = estimate::one_in(customers);
        let Some(sample) = sql::sample_queries(
            program,
            QUERY,
            one_in,
            estimate::slice(self.inputs as u64, one_in),
            self.sample,
            self.dialect(),
            self.as_of,
        ) else {
            return false;
        };
        let started = std::time::Instant::now();
        let result =
            self.run_query(|db| Ok((db.fetch(&sample.estimate)?, db.fetch(&sample.members)?)));
        let (counts, rows) = match result {
            Ok(found) => found,
            Err(error) => {
                self.show(&[error]);
                return true;
            }
        };
        let count = |i: usize| count_in(counts.rows.first().and_then(|r| r.get(i)));
        let (sampled, members) = (count(0), count(1));
        sayln!(
            self,
            "{}",
            estimate::describe(members, sampled, customers, one_in, started.elapsed())
        );
        if members > 0 && self.sample > 0 {
            let schema = &self.session.project.manifest.schema;
            say!(
                self,
                "{}",
                table_text(
                    &rows,
                    |c| Shown::of(schema.customer.field(c).map(|f| f.ty)),
                    terminal_width()
                )
            );
        }
        match self.exact(program, 0).map(|(count, _)| count) {
            Ok(count) => sayln!(
                self,
                "{} (as of {}, exact)",
                member_count(count),
                self.as_of
            ),
            Err(error) => self.show(&[error]),
        }
        true
    }

    /// The number of customers, counted once per session.
    fn customers(&mut self) -> Option<u64> {
        if self.customers.is_none() {
            let query = sql::population_query(&self.program, self.dialect());
            self.customers = self.run_query(|db| db.count(&query)).ok();
        }
        self.customers
    }

    /// The program with `text` checked as the segment [`QUERY`]; `None` after showing problems.
    fn query_program(&mut self, text: &str) -> Option<Program> {
        let id = self.add_source(text, "<input>");
        let condition = match syntax::parse_condition(id, text) {
            Ok(condition) => condition,
            Err(error) => {
                self.show(&[error]);
                return None;
            }
        };
        let span = Span::new(0, text.len());
        let segment = ast::SegmentDef {
            doc: None,
            name: ast::Name {
                text: QUERY.into(),
                span,
            },
            condition,
            span,
        };
        let file = ast::File {
            definitions: vec![ast::Definition::Segment(segment)],
        };
        let program = self.check_input(id, file.clone())?;
        if program.segment(QUERY).is_none() {
            // It checked, but uses a definition of the project that did not (a metric in a
            // cycle, a broken segment): that problem is reported by `seg check`.
            self.show(&[Diagnostic::error(
                Code::UnknownName,
                "this condition uses a definition of the project that has problems",
            )
            .with_label(id, span, "uses it")
            .with_help("run `seg check` to see them")]);
            return None;
        }
        self.last_query = Some((program.clone(), id, file));
        Some(program)
    }

    /// Prints why customer `key` is or is not in `segment`, or in the last condition typed.
    pub(crate) fn explain(&mut self, key: &str, segment: Option<&str>) {
        let Some(target) = self.target(segment, ":explain KEY") else {
            return;
        };
        let definitions = target.definitions(&self.session.sources);
        let as_of = self.as_of;
        let result = self.run_query(|db| {
            let (name, label) = (&target.name, target.label());
            crate::app::explain::explanation(&definitions, name, label, key, db, as_of)
        });
        match result {
            Ok(text) => say!(self, "{text}"),
            Err(error) => self.show(&[error]),
        }
    }

    /// Prints the funnel of `segment`, or of the last condition typed.
    pub(crate) fn funnel(&mut self, segment: Option<&str>) {
        let Some(target) = self.target(segment, ":funnel") else {
            return;
        };
        let definitions = target.definitions(&self.session.sources);
        let as_of = self.as_of;
        let result = self.run_query(|db| {
            crate::app::funnel::funnel(&definitions, &target.name, db, as_of)
                .map_err(first_diagnostic)
        });
        match result {
            Ok((rows, _, _)) => say!(
                self,
                "{}",
                table_text(&rows, crate::app::funnel::shown, terminal_width())
            ),
            Err(error) => self.show(&[error]),
        }
    }

    /// Prints how the members of `segment` (or of the last condition typed) spread over
    /// the field `by`.
    pub(crate) fn breakdown(&mut self, by: &str, segment: Option<&str>) {
        let Some(target) = self.target(segment, ":breakdown FIELD") else {
            return;
        };
        let manifest = &self.session.project.manifest;
        let label = match target.name.as_str() {
            QUERY => target.label().to_string(),
            name => format!("segment {name}"),
        };
        let as_of = self.as_of;
        let result = self.run_query(|db| {
            crate::app::breakdown::breakdown(
                &target.program,
                &manifest.schema,
                &target.name,
                &label,
                by,
                manifest.min_group_size,
                db,
                as_of,
            )
            .map_err(first_diagnostic)
        });
        match result {
            Ok(breakdown) => {
                sayln!(self, "{}", breakdown.title);
                say!(
                    self,
                    "{}",
                    table_text(
                        &breakdown.rows_for_people(),
                        |c| breakdown.shown(c),
                        terminal_width()
                    )
                );
            }
            Err(error) => self.show(&[error]),
        }
    }

    /// Prints how much the named segments overlap, pair by pair.
    pub(crate) fn overlap(&mut self, names: &[&str]) {
        if names.len() < 2 {
            errln!(":overlap needs two or more segments, as in `:overlap Lapsed Champions`");
            return;
        }
        if let Some(unknown) = names.iter().find(|n| self.program.segment(n).is_none()) {
            errln!("no segment named `{unknown}`; :segments lists them");
            return;
        }
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let smallest = self.session.project.manifest.min_group_size;
        let (program, as_of) = (self.program.clone(), self.as_of);
        let result = self.run_query(|db| {
            crate::app::overlap::overlap(&program, &names, smallest, db, as_of)
                .map_err(first_diagnostic)
        });
        match result {
            Ok(overlap) => {
                sayln!(self, "{}", overlap.title);
                say!(
                    self,
                    "{}",
                    table_text(&overlap.matrix, |c| overlap.shown(c), terminal_width())
                );
            }
            Err(error) => self.show(&[error]),
        }
    }

    /// The program, files and segment name a command about `segment` (or, without one,
    /// the last condition typed) works on; `None` after saying what is missing.
    fn target(&self, segment: Option<&str>, usage: &str) -> Option<Target> {
        let mut files = self.session.files.clone();
        files.extend(self.accepted.iter().cloned());
        match segment {
            Some(name) if self.program.segment(name).is_some() => Some(Target {
                program: self.program.clone(),
                files,
                name: name.to_string(),
            }),
            Some(name) => {
                errln!("no segment named `{name}`; :segments lists them");
                None
            }
            None => match &self.last_query {
                Some((program, id, file)) => {
                    files.push((*id, file.clone()));
                    Some(Target {
                        program: program.clone(),
                        files,
                        name: QUERY.to_string(),
                    })
                }
                None => {
                    errln!("type a condition first, or name a segment: `{usage} Segment`");
                    None
                }
            },
        }
    }

    /// The program with `file` (typed as source `id`) added after this session's
    /// definitions; `None` after showing the problems in it.
    fn check_input(&mut self, id: SourceId, file: ast::File) -> Option<Program> {
        let mut files = self.accepted.clone();
        files.push((id, file));
        let (program, errors) = self.session.check_with(&files);
        let mine: Vec<Diagnostic> = errors
            .into_iter()
            .filter(|d| d.location().is_some_and(|l| l.source == id))
            .collect();
        if !mine.is_empty() {
            self.show(&mine);
            return None;
        }
        Some(program)
    }

    /// The number of members of a checked segment.
    fn count(&self, name: &str) -> Result<u64, Diagnostic> {
        let query = sql::compile(
            &self.program,
            name,
            Output::Count,
            self.dialect(),
            self.as_of,
        )
        .expect("segment exists");
        self.run_query(|db| db.count(&query))
    }

    /// The SQL dialect of the session's database (SQLite's when it could not be opened:
    /// `:sql` still prints something).
    pub(crate) fn dialect(&self) -> &'static dyn sql::Dialect {
        self.database
            .as_ref()
            .map_or(DEFAULT_DIALECT, |d| d.dialect())
    }

    /// Runs database work that Ctrl-C may cancel.
    fn run_query<T>(
        &self,
        work: impl FnOnce(&dyn Database) -> Result<T, Diagnostic>,
    ) -> Result<T, Diagnostic> {
        let database = self.database.as_ref().map_err(Clone::clone)?;
        interrupt::while_running(database.canceller(), || work(&**database))
    }

    fn show(&self, diagnostics: &[Diagnostic]) {
        errout!(
            "{}",
            render_all(diagnostics, &self.session.sources, self.style)
        );
    }
}

/// What a command about a segment (or the last condition typed) works on.
struct Target {
    /// The program holding it.
    program: Program,
    /// The files its definitions were written in.
    files: Vec<(SourceId, ast::File)>,
    /// The segment's name ([`QUERY`] for the last condition).
    name: String,
}

impl Target {
    /// The program with its files, for the commands that show a definition's text.
    fn definitions<'t>(&'t self, sources: &'t crate::source::SourceMap) -> Definitions<'t> {
        Definitions {
            program: &self.program,
            files: &self.files,
            sources,
        }
    }

    /// How output names it: the segment's name, or "the condition".
    fn label(&self) -> &str {
        if self.name == QUERY {
            "the condition"
        } else {
            &self.name
        }
    }
}

/// The terminal's width, or `$COLUMNS` when output is not a terminal.
fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size()
        .map(|(width, _)| width.0 as usize)
        .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
}

/// "1 member", "1,234 members".
fn member_count(count: u64) -> String {
    format!(
        "{} member{}",
        thousands(count),
        if count == 1 { "" } else { "s" }
    )
}

/// Whether typed text defines something rather than being a condition.
fn is_definition(text: &str) -> bool {
    text.starts_with("///") || crate::syntax::starts_definition(text)
}

fn first_diagnostic(failure: Failure) -> Diagnostic {
    failure.diagnostics.into_iter().next().unwrap_or_else(|| {
        Diagnostic::error(
            crate::diagnostics::Code::DatabaseError,
            "the database could not be opened",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::is_definition;

    #[test]
    fn definitions_are_told_from_conditions() {
        assert!(is_definition("segment A where x = 1"));
        assert!(is_definition("SET s = ['a']"));
        assert!(is_definition("occasion xmas from Dec 1 to Dec 26"));
        assert!(is_definition("metric ltv = sum(orders.amount)"));
        assert!(is_definition("split Base seed 'x' into A 50%, B 50%"));
        assert!(!is_definition("split = 'a'"));
        assert!(is_definition("/// doc\nsegment A where x = 1"));
        assert!(!is_definition("occasion in holidays"));
        assert!(!is_definition("occasion = 'christmas'"));
        assert!(!is_definition("metric_value > 3"));
        assert!(!is_definition("setting = 'x'"));
        assert!(!is_definition("metric = 3"));
    }
}
