//! Fuzz target: any text through parse, check, the lints and the SQL generator (against the
//! shop fixture's schema) must not panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seglang::check::{self, Imports};
use seglang::source::SourceId;

const MANIFEST: &str = include_str!("../../tests/fixtures/shop/seg.toml");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let schema = seglang::project::manifest::parse(SourceId(0), MANIFEST).expect("fixture manifest").schema;
    let (file, _) = seglang::syntax::parse(SourceId(1), text);
    let files = [(SourceId(1), file)];
    let (program, _) = check::check(&files, &Imports::default(), &schema);
    let _ = seglang::lint::lint(&files, &schema);
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).expect("date");
    for segment in &program.segments {
        let query = seglang::sql::compile(&program, &segment.name, seglang::sql::Output::Count, &seglang::sql::Sqlite, as_of);
        assert!(query.is_some());
    }
});
