//! The registry of stable error codes. Each code has a section in `docs/errors.md`; a test
//! keeps the two in step. Codes are never renumbered or reused.

/// Every stable diagnostic code seglang emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    /// The text does not follow the grammar.
    Syntax,
    /// Two definitions share a name.
    DuplicateDefinition,
    /// A field name that the schema does not define.
    UnknownField,
    /// A set name used with `in` that no file defines.
    UnknownSet,
    /// A bare name that is neither a segment nor a boolean field.
    UnknownName,
    /// An operator or value that does not fit the field's type.
    TypeMismatch,
    /// A text value outside the field's declared allowed values.
    ValueNotAllowed,
    /// Segments that refer to each other in a loop.
    ReferenceCycle,
    /// A list that is empty or mixes value types.
    BadList,
    /// A decimal literal more precise than its field.
    ScaleExceeded,
    /// A literal that cannot be a value (31 February, an integer too large).
    InvalidLiteral,
    /// `entity.field` where the entity is not in the schema.
    UnknownEntity,
    /// Files that import each other in a loop.
    ImportCycle,
    /// An `import` names a file that does not exist.
    ImportNotFound,
    /// An occasion name used with `during` that no file defines.
    UnknownOccasion,
    /// A name defined in a file that this file does not import.
    NotImported,
    /// A segment test file that cannot be read as tests.
    TestFile,
    /// A split whose seed is empty or whose shares are not positive or do not add up to 100%.
    BadSplit,
    /// An `import` that reaches outside the project's folder.
    ImportOutsideProject,
    /// `--dialect` names no dialect seglang writes.
    UnknownDialect,
    /// No `seg.toml` was found.
    ManifestNotFound,
    /// `seg.toml` is not valid TOML or has misnamed keys.
    ManifestSyntax,
    /// `seg.toml` parses but describes an impossible schema.
    ManifestInvalid,
    /// The database file does not exist.
    DatabaseMissing,
    /// The database could not be opened or queried.
    DatabaseError,
    /// A CSV data file could not be loaded.
    DataLoad,
    /// A query was cancelled (Ctrl-C) or ran past its time limit.
    QueryInterrupted,
    /// The manifest names a table or column the database does not have.
    SchemaDrift,
    /// A file could not be read.
    FileUnreadable,
    /// A segment named on the command line does not exist.
    SegmentNotFound,
    /// An export names a sensitive field without `--include-sensitive`.
    SensitiveExport,
    /// `--customer KEY` names no customer.
    CustomerNotFound,
    /// The customer table's keys repeat, or some rows have none.
    CustomerKeys,
    /// Standard output could not be written (a full disk, a device error).
    OutputUnwritable,
    /// A command-line value that does not parse (`--timeout soon`).
    BadArgument,
    /// A funnel of more steps than it can show.
    FunnelTooLong,
    /// `seg schema infer` found nothing to describe.
    SchemaInfer,
    /// Conditions nested deeper than the parser allows.
    NestingTooDeep,
    /// A segment file larger than the limit.
    FileTooLarge,
    /// More definitions in one file than the limit.
    TooManyDefinitions,
    /// Segment references deeper or more numerous than the limits.
    ReferencesTooDeep,
    /// A query larger than the engine takes (values bound, depth, columns).
    QueryTooLarge,
    /// Lint: a segment targets customers by a sensitive attribute without a justification.
    SensitiveAttribute,
    /// Lint: conditions that can never all hold.
    Contradiction,
    /// Lint: a condition that always holds.
    Tautology,
    /// Lint: the same condition twice in one `and` / `or`.
    DuplicateCondition,
    /// Lint: a set, occasion or metric that nothing uses.
    UnusedDefinition,
    /// Lint: a segment with the name of a customer field.
    ShadowedField,
    /// Lint (with `--db`): a segment with no members.
    EmptySegment,
    /// Lint (with `--db --baseline`): a segment whose size moved beyond the threshold.
    SizeChange,
    /// A related table that segments read has no index on its customer key.
    MissingIndex,
}

impl Code {
    /// Every code, in registry order.
    #[cfg(test)]
    pub const ALL: &'static [Code] = &[
        Code::Syntax,
        Code::DuplicateDefinition,
        Code::UnknownField,
        Code::UnknownSet,
        Code::UnknownName,
        Code::TypeMismatch,
        Code::ValueNotAllowed,
        Code::ReferenceCycle,
        Code::BadList,
        Code::ScaleExceeded,
        Code::InvalidLiteral,
        Code::UnknownEntity,
        Code::ImportCycle,
        Code::ImportNotFound,
        Code::UnknownOccasion,
        Code::NotImported,
        Code::TestFile,
        Code::BadSplit,
        Code::ImportOutsideProject,
        Code::ManifestNotFound,
        Code::ManifestSyntax,
        Code::ManifestInvalid,
        Code::DatabaseMissing,
        Code::DatabaseError,
        Code::DataLoad,
        Code::QueryInterrupted,
        Code::SchemaDrift,
        Code::FileUnreadable,
        Code::SegmentNotFound,
        Code::SensitiveExport,
        Code::CustomerNotFound,
        Code::UnknownDialect,
        Code::CustomerKeys,
        Code::OutputUnwritable,
        Code::BadArgument,
        Code::FunnelTooLong,
        Code::SchemaInfer,
        Code::NestingTooDeep,
        Code::FileTooLarge,
        Code::TooManyDefinitions,
        Code::ReferencesTooDeep,
        Code::QueryTooLarge,
        Code::SensitiveAttribute,
        Code::Contradiction,
        Code::Tautology,
        Code::DuplicateCondition,
        Code::UnusedDefinition,
        Code::ShadowedField,
        Code::EmptySegment,
        Code::SizeChange,
        Code::MissingIndex,
    ];

    /// Every lint, by the name `[lints]` in seg.toml uses.
    pub const LINTS: &'static [(&'static str, Code)] = &[
        ("sensitive-attribute", Code::SensitiveAttribute),
        ("contradiction", Code::Contradiction),
        ("tautology", Code::Tautology),
        ("duplicate-condition", Code::DuplicateCondition),
        ("unused-definition", Code::UnusedDefinition),
        ("shadowed-field", Code::ShadowedField),
        ("empty-segment", Code::EmptySegment),
        ("size-change", Code::SizeChange),
        ("missing-index", Code::MissingIndex),
    ];

    /// The stable string shown to users and machines.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Syntax => "seg::E001",
            Code::DuplicateDefinition => "seg::E002",
            Code::UnknownField => "seg::E003",
            Code::UnknownSet => "seg::E004",
            Code::UnknownName => "seg::E005",
            Code::TypeMismatch => "seg::E006",
            Code::ValueNotAllowed => "seg::E007",
            Code::ReferenceCycle => "seg::E008",
            Code::BadList => "seg::E009",
            Code::ScaleExceeded => "seg::E010",
            Code::InvalidLiteral => "seg::E011",
            Code::UnknownEntity => "seg::E012",
            Code::ImportCycle => "seg::E013",
            Code::ImportNotFound => "seg::E014",
            Code::UnknownOccasion => "seg::E015",
            Code::NotImported => "seg::E016",
            Code::TestFile => "seg::E017",
            Code::BadSplit => "seg::E018",
            Code::ImportOutsideProject => "seg::E019",
            Code::ManifestNotFound => "seg::E020",
            Code::ManifestSyntax => "seg::E021",
            Code::ManifestInvalid => "seg::E022",
            Code::DatabaseMissing => "seg::E030",
            Code::DatabaseError => "seg::E031",
            Code::DataLoad => "seg::E032",
            Code::QueryInterrupted => "seg::E033",
            Code::SchemaDrift => "seg::E034",
            Code::FileUnreadable => "seg::E040",
            Code::SegmentNotFound => "seg::E041",
            Code::SensitiveExport => "seg::E042",
            Code::CustomerNotFound => "seg::E043",
            Code::UnknownDialect => "seg::E044",
            Code::CustomerKeys => "seg::E045",
            Code::OutputUnwritable => "seg::E046",
            Code::BadArgument => "seg::E047",
            Code::FunnelTooLong => "seg::E048",
            Code::SchemaInfer => "seg::E050",
            Code::NestingTooDeep => "seg::E060",
            Code::FileTooLarge => "seg::E061",
            Code::TooManyDefinitions => "seg::E062",
            Code::ReferencesTooDeep => "seg::E063",
            Code::QueryTooLarge => "seg::E064",
            Code::SensitiveAttribute => "seg::W001",
            Code::Contradiction => "seg::W002",
            Code::Tautology => "seg::W003",
            Code::DuplicateCondition => "seg::W004",
            Code::UnusedDefinition => "seg::W005",
            Code::ShadowedField => "seg::W006",
            Code::EmptySegment => "seg::W007",
            Code::SizeChange => "seg::W008",
            Code::MissingIndex => "seg::W009",
        }
    }
}

impl Code {
    /// A one-line description, for rule lists (SARIF) and documentation.
    pub fn title(self) -> &'static str {
        match self {
            Code::Syntax => "syntax error",
            Code::DuplicateDefinition => "duplicate definition",
            Code::UnknownField => "unknown field",
            Code::UnknownSet => "unknown set",
            Code::UnknownName => "unknown name",
            Code::TypeMismatch => "type mismatch",
            Code::ValueNotAllowed => "value not allowed",
            Code::ReferenceCycle => "reference cycle",
            Code::BadList => "bad list",
            Code::ScaleExceeded => "too precise",
            Code::InvalidLiteral => "invalid literal",
            Code::UnknownEntity => "unknown entity",
            Code::ImportCycle => "import cycle",
            Code::ImportNotFound => "import not found",
            Code::UnknownOccasion => "unknown occasion",
            Code::NotImported => "not imported",
            Code::TestFile => "invalid test file",
            Code::BadSplit => "bad split",
            Code::ImportOutsideProject => "import outside the project",
            Code::ManifestNotFound => "no manifest",
            Code::ManifestSyntax => "manifest syntax",
            Code::ManifestInvalid => "invalid manifest",
            Code::DatabaseMissing => "database missing",
            Code::DatabaseError => "database error",
            Code::DataLoad => "data load failed",
            Code::QueryInterrupted => "query cancelled",
            Code::SchemaDrift => "schema drift",
            Code::FileUnreadable => "unreadable file",
            Code::SegmentNotFound => "no such segment",
            Code::SensitiveExport => "sensitive field in an export",
            Code::CustomerNotFound => "no such customer",
            Code::UnknownDialect => "no such dialect",
            Code::CustomerKeys => "customer keys repeat or are missing",
            Code::OutputUnwritable => "cannot write the output",
            Code::BadArgument => "invalid argument",
            Code::FunnelTooLong => "funnel too long",
            Code::SchemaInfer => "nothing to infer",
            Code::NestingTooDeep => "nesting too deep",
            Code::FileTooLarge => "file too large",
            Code::TooManyDefinitions => "too many definitions",
            Code::ReferencesTooDeep => "segment references too deep",
            Code::QueryTooLarge => "query too large for the engine",
            Code::SensitiveAttribute => "sensitive attribute",
            Code::Contradiction => "contradiction",
            Code::Tautology => "tautology",
            Code::DuplicateCondition => "duplicate condition",
            Code::UnusedDefinition => "unused definition",
            Code::ShadowedField => "segment shadows a field",
            Code::EmptySegment => "empty segment",
            Code::SizeChange => "segment size changed",
            Code::MissingIndex => "missing index",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique() {
        let strings: HashSet<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(strings.len(), Code::ALL.len());
    }

    #[test]
    fn every_code_has_a_section_in_the_error_docs() {
        let docs = include_str!("../../docs/errors.md");
        for code in Code::ALL {
            let heading = format!("## {}", code.as_str());
            assert!(docs.contains(&heading), "docs/errors.md lacks `{heading}`");
        }
    }
}
