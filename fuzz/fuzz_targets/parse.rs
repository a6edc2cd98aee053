//! Fuzz target: any text through the parser and the formatter must not panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seglang::source::SourceId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (file, _) = seglang::syntax::parse(SourceId(0), text);
    for definition in &file.definitions {
        let _ = seglang::syntax::print::definition(definition);
    }
    let _ = seglang::syntax::parse_condition(SourceId(0), text);
    if let Ok(formatted) = seglang::format::format(SourceId(0), text) {
        // Formatting is idempotent.
        assert_eq!(seglang::format::format(SourceId(0), &formatted).ok().as_deref(), Some(formatted.as_str()));
    }
});
