//! `seg list`: the project's segments, where they are defined, and their documentation.

use crate::app::session::Session;
use crate::app::{Context, EXIT_PROBLEMS, Failure};
use crate::output::{errln, outln};

pub fn run(context: &Context) -> Result<i32, Failure> {
    let session = Session::open(context, &[])?;
    let mut segments: Vec<(String, String, Option<String>)> = Vec::new();
    for (source, file) in &session.files {
        for definition in &file.definitions {
            let position = session.position(*source, definition.span().start);
            for name in definition.segment_names() {
                let doc = definition.doc().map(str::to_string);
                segments.push((name.text.clone(), position.clone(), doc));
            }
        }
    }
    let width = segments
        .iter()
        .map(|(name, _, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, position, doc) in &segments {
        outln!("{name:width$}  {position}")?;
        for line in doc.iter().flat_map(|d| d.lines()) {
            outln!("{:width$}    {line}", "")?;
        }
    }
    if session.has_errors() {
        errln!("\nseg list: some segments have errors; run `seg check` for details");
        return Ok(EXIT_PROBLEMS);
    }
    Ok(0)
}
