//! The REPL's `:commands`.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use super::estimate::EstimateMode;
use super::{Flow, QUERY, Repl};
use crate::files::Unreadable;
use crate::output::{errln, thousands};
use crate::project::InputFile;
use crate::sql::{self, Output};
use crate::syntax::ast;

const HELP: &str = "\
Type a condition to see how many customers match and a few of them:
  occupation = 'nurse' and ltv > 500
Type a definition to add it to this session:
  segment Nurses where occupation = 'nurse'
  set cities = ['London', 'Leeds']      metric spend = sum(orders.amount)
  occasion christmas from Dec 1 to Dec 26
A line ending in `and`, `or` or an open bracket continues on the next line.

Commands:
  :help            this text
  :schema          fields and their types, related entities, metrics
  :segments        segments with their documentation and member counts
  :sql EXPR        the SQL and parameters for a condition or a segment name
  :explain KEY [S] why customer KEY is or is not in segment S (or the last condition)
  :funnel [S]      the count after each condition of S (or the last condition)
  :breakdown F [S] how the members of S (or the last condition) spread over field F
  :overlap A B …   customers in both of each pair of segments, and the Jaccard index
  :sample N        show N members under each count (now {sample})
  :estimate MODE   first an estimate from a sample, then the exact count:
                   auto (above 100,000 customers), on or off (now {estimate})
  :as-of DATE      count relative dates from DATE (now {as_of})
  :save FILE       append this session's definitions to FILE
  :load FILE       check and add the definitions in FILE
  :quit            leave (or Ctrl-D); Ctrl-C cancels a running query";

/// Runs one command (the text after `:`).
pub fn run(repl: &mut Repl, command: &str) -> Flow {
    let (name, argument) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    let argument = argument.trim();
    match name {
        "help" | "h" | "?" => {
            let help = HELP
                .replace("{sample}", &repl.sample.to_string())
                .replace("{as_of}", &repl.as_of.to_string())
                .replace("{estimate}", repl.estimate.name());
            sayln!(repl, "{help}");
        }
        "quit" | "q" | "exit" => return Flow::Quit,
        "schema" => say!(repl, "{}", schema(repl)),
        "segments" => segments(repl),
        "sql" => sql(repl, argument),
        "sample" => match argument.parse::<u64>() {
            Ok(n) => {
                repl.sample = n;
                sayln!(repl, "showing {n} members under each count");
            }
            Err(_) => errln!(":sample needs a number, as in `:sample 10`"),
        },
        "estimate" => match EstimateMode::parse(argument) {
            Some(mode) => {
                repl.estimate = mode;
                sayln!(repl, "estimates first: {}", mode.name());
            }
            None => errln!(":estimate takes auto, on or off"),
        },
        "as-of" => match crate::calendar::parse_as_of(argument) {
            Ok(date) => {
                repl.as_of = date;
                sayln!(repl, "as of {date}");
            }
            Err(problem) => errln!(":as-of needs a date, as in `:as-of 2025-06-30`: {problem}"),
        },
        "explain" => {
            let mut words = argument.split_whitespace();
            match words.next() {
                Some(key) => repl.explain(key, words.next()),
                None => errln!(
                    ":explain needs a customer key, as in `:explain 256` or `:explain 256 Lapsed`"
                ),
            }
        }
        "funnel" => repl.funnel((!argument.is_empty()).then_some(argument)),
        "overlap" => repl.overlap(&argument.split_whitespace().collect::<Vec<_>>()),
        "breakdown" => {
            let mut words = argument.split_whitespace();
            match words.next() {
                Some(field) => repl.breakdown(field, words.next()),
                None => errln!(
                    ":breakdown needs a field, as in `:breakdown city` or `:breakdown city Lapsed`"
                ),
            }
        }
        "save" => save(repl, argument),
        "load" => load(repl, argument),
        _ => errln!("unknown command `:{name}`; :help lists the commands"),
    }
    Flow::Continue
}

fn schema(repl: &Repl) -> String {
    let schema = &repl.session.project.manifest.schema;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} (key {}):",
        schema.customer.name, schema.customer.key
    );
    for field in &schema.customer.fields {
        let via = field
            .via
            .map(|i| format!(", one per {} row", schema.related[i].name))
            .unwrap_or_default();
        let values = field
            .values
            .as_ref()
            .map(|v| format!(" [{}]", v.join(", ")))
            .unwrap_or_default();
        let _ = writeln!(out, "  {}: {}{via}{values}", field.name, field.ty);
    }
    for entity in &schema.related {
        let _ = writeln!(out, "{} (many per customer):", entity.name);
        for field in &entity.fields {
            let values = field
                .values
                .as_ref()
                .map(|v| format!(" [{}]", v.join(", ")))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}.{}: {}{values}",
                entity.name, field.name, field.ty
            );
        }
    }
    let metrics: Vec<&str> = all_definitions(repl)
        .filter_map(|d| match d {
            ast::Definition::Metric(m) => Some(m.name.text.as_str()),
            _ => None,
        })
        .collect();
    if !metrics.is_empty() {
        let _ = writeln!(out, "metrics: {}", metrics.join(", "));
    }
    if let Some(rfm) = &schema.rfm {
        let method = match rfm.scoring.method {
            crate::schema::RfmMethod::Rank => "shared ranks",
            crate::schema::RfmMethod::Ntile => "equal buckets",
        };
        let _ = writeln!(
            out,
            "scores: recency_score, frequency_score, monetary_score (1-{}, {method})",
            rfm.scoring.buckets
        );
    }
    out
}

fn all_definitions(repl: &Repl) -> impl Iterator<Item = &ast::Definition> {
    repl.session
        .files
        .iter()
        .chain(&repl.accepted)
        .flat_map(|(_, f)| &f.definitions)
}

fn segments(repl: &Repl) {
    let docs: Vec<(&str, Option<&str>)> = all_definitions(repl)
        .flat_map(|d| {
            d.segment_names()
                .into_iter()
                .map(|n| (n.text.as_str(), d.doc()))
        })
        .collect();
    let width = docs.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, doc) in docs {
        if repl.program.segment(name).is_none() {
            sayln!(repl, "{name:width$}  (has errors)");
            continue;
        }
        let count = match repl.count(name) {
            Ok(count) => thousands(count),
            Err(error) => {
                repl.show(&[error]);
                return;
            }
        };
        let doc = doc.and_then(|d| d.lines().next()).unwrap_or("");
        sayln!(repl, "{name:width$}  {count:>9}  {doc}");
    }
}

fn sql(repl: &mut Repl, argument: &str) {
    if argument.is_empty() {
        errln!(":sql needs a condition or a segment name");
        return;
    }
    let (program, name) = if repl.program.segment(argument).is_some() {
        (repl.program.clone(), argument.to_string())
    } else {
        match repl.query_program(argument) {
            Some(program) => (program, QUERY.to_string()),
            None => return,
        }
    };
    let query = sql::compile(&program, &name, Output::Keys, repl.dialect(), repl.as_of)
        .expect("segment exists");
    say!(repl, "{query}");
}

/// Appends the session's definitions to `file`, with imports of the project's segment files
/// so that `seg check` accepts it.
fn save(repl: &Repl, argument: &str) {
    if argument.is_empty() {
        errln!(":save needs a file name");
        return;
    }
    if repl.accepted.is_empty() {
        errln!("nothing to save: no definitions in this session yet");
        return;
    }
    let target = PathBuf::from(argument);
    let directory = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut text = String::new();
    for (id, _) in &repl.session.files {
        let Some(path) = &repl.session.sources.get(*id).path else {
            continue;
        };
        if paths_equal(path, &target) {
            continue;
        }
        if let Some(relative) = relative_path(directory, path) {
            let _ = writeln!(text, "import '{}'", relative.replace('\'', "''"));
        }
    }
    for (id, _) in &repl.accepted {
        // In the canonical layout, as `seg fmt` would write it.
        let typed = &repl.session.sources.get(*id).text;
        let formatted = crate::format::format(*id, typed).unwrap_or_else(|_| typed.to_string());
        let _ = write!(text, "\n{}\n", formatted.trim());
    }
    // The definitions are added to a segment file (or a new file); the manifest, tests,
    // data and database are never written.
    let input = repl.session.input_file(&target);
    let segment_file = target.extension().is_some_and(|e| e == "seg");
    if let Some(input) = input
        && !(input == InputFile::SegmentFile && segment_file)
    {
        repl.show(&[crate::project::refused_output(
            &target,
            "the session",
            input,
        )]);
        return;
    }
    let existing = match crate::files::read_limited(&target, crate::source::MAX_FILE_BYTES) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(Unreadable::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(problem) => {
            errln!("cannot add to {}: {problem}", target.display());
            return;
        }
    };
    let separator = if existing.is_empty() || existing.ends_with("\n\n") {
        ""
    } else if existing.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let whole = format!("{existing}{separator}{}", text.trim_start());
    // Written whole: a crash or a full disk leaves the file as it was.
    match crate::files::write_whole(&target, whole.as_bytes()) {
        Ok(()) => sayln!(
            repl,
            "saved {} definitions to {}",
            repl.accepted.len(),
            target.display()
        ),
        Err(error) => errln!("cannot write {}: {error}", target.display()),
    }
}

fn load(repl: &mut Repl, argument: &str) {
    // Read as a segment file is: only a regular file, within the size limit, as UTF-8.
    let name = format!("<{argument}>");
    let text = match crate::project::read_source(
        Path::new(argument),
        name.clone(),
        &mut repl.session.sources,
    ) {
        Ok(id) => repl.session.sources.get(id).text.clone(),
        Err(problem) => {
            repl.show(&[problem]);
            return;
        }
    };
    // The file's own imports name project files the REPL already sees.
    let body: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("import "))
        .collect::<Vec<_>>()
        .join("\n");
    if repl.define(&body, &name) {
        sayln!(repl, "loaded {argument}");
    }
}

fn paths_equal(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `path` relative to `directory`, `/`-separated.
fn relative_path(directory: &Path, path: &Path) -> Option<String> {
    let directory = directory.canonicalize().ok()?;
    let path = path.canonicalize().ok()?;
    let from: Vec<Component<'_>> = directory.components().collect();
    let to: Vec<Component<'_>> = path.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Some(parts.join("/"))
}
