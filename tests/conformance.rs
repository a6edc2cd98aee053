//! The cross-engine conformance suite: one corpus of segments (tests/fixtures/conformance:
//! every construct, aimed at unknown values, text case, month ends and 29 February, money at
//! the cent, empty aggregates) on every engine seglang executes — SQLite, PostgreSQL and
//! DuckDB — at several as-of dates. Each engine's members must equal the reference
//! evaluator's (src/reference.rs), computed here from the CSV files; the example project
//! must give the same members on every engine through the real `seg` binary.
//!
//! PostgreSQL needs a server, DuckDB seg built with it, Spark a cluster: those legs are
//! `#[ignore = "needs …"]`, reported as ignored by `cargo test`; `.ci/run` provides the
//! engines and runs them with `--ignored`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use common::{copy_project, seg};
use seglang::check::ir::Unit;
use seglang::check::{self, Imports, ir::Program};
use seglang::engine::table_rows::read_csv;
use seglang::engine::{self, Cell, Database, Location, TableLoad, TableRows};
use seglang::project::{DuckDbTarget, Project};
use seglang::reference::{self, Dataset, Datum, Key, Row};
use seglang::schema::{RfmMethod, RfmScoring, Schema, Type};
use seglang::source::SourceMap;
use seglang::sql::{self, Dialect, DuckDb, Output, Postgres, Sqlite};
use seglang::value::{Decimal, Value};

const CORPUS: &str = "tests/fixtures/conformance";

/// As-of dates: a month end, 29 February, the last day of February in a common year.
const AS_OF: [&str; 3] = ["2025-03-31", "2024-02-29", "2025-02-28"];

/// Members by segment, as keys.
type Members = BTreeMap<String, BTreeSet<Key>>;

/// The corpus project: its checked program, its tables, and the same rows as a dataset.
struct Corpus {
    program: Program,
    tables: Vec<TableLoad>,
    data: Dataset,
}

fn corpus() -> Corpus {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(CORPUS);
    let mut sources = SourceMap::default();
    let project = Project::load(&root, &mut sources).expect("the corpus project loads");
    let mut files = Vec::new();
    for path in project.segment_files_and_problems().0 {
        let id = seglang::project::read_source(&path, path.display().to_string(), &mut sources)
            .expect("readable");
        let (file, errors) = seglang::syntax::parse(id, &sources.get(id).text);
        assert!(errors.is_empty(), "{errors:?}");
        files.push((id, file));
    }
    let schema = &project.manifest.schema;
    let (program, errors) = check::check(&files, &Imports::default(), schema);
    assert!(errors.is_empty(), "{errors:?}");
    let tables: Vec<TableLoad> = project
        .manifest
        .data
        .iter()
        .map(|source| {
            let layout = schema.table_layout(&source.table);
            TableLoad {
                table: source.table.clone(),
                csv: root.join(&source.path),
                types: layout.types,
                indexes: layout.indexes,
                required: layout.required,
                unique: layout.unique,
            }
        })
        .collect();
    let data = dataset(schema, &tables);
    Corpus {
        program,
        tables,
        data,
    }
}

/// The CSV rows as the reference evaluator reads them, each cell of its declared type.
fn dataset(schema: &Schema, tables: &[TableLoad]) -> Dataset {
    let rows_of = |table: &str| -> Vec<Row> {
        let load = tables
            .iter()
            .find(|t| t.table == table)
            .expect("a CSV file");
        let mut reader = csv::Reader::from_path(&load.csv).expect("readable CSV");
        let headers = reader.headers().expect("a header").clone();
        reader
            .records()
            .map(|record| {
                let record = record.expect("a record");
                headers
                    .iter()
                    .zip(record.iter())
                    .filter(|(_, cell)| !cell.is_empty())
                    .map(|(column, cell)| (column.to_string(), datum(load.types.get(column), cell)))
                    .collect()
            })
            .collect()
    };
    Dataset {
        customers: rows_of(&schema.customer.table),
        related: schema.related.iter().map(|r| rows_of(&r.table)).collect(),
    }
}

fn datum(ty: Option<&Type>, cell: &str) -> Datum {
    match ty {
        Some(Type::Text) => Datum::Text(cell.to_string()),
        Some(Type::Integer) => Datum::Integer(cell.parse().expect("an integer")),
        Some(Type::Decimal(_) | Type::Money) => {
            Datum::Decimal(Decimal::parse(cell).expect("a decimal"))
        }
        Some(Type::Bool) => Datum::Bool(cell == "true"),
        Some(Type::Date) => {
            Datum::Date(NaiveDate::parse_from_str(cell, "%Y-%m-%d").expect("a date"))
        }
        Some(Type::Timestamp) => Datum::Timestamp(
            NaiveDateTime::parse_from_str(cell, "%Y-%m-%d %H:%M:%S").expect("a timestamp"),
        ),
        None => cell
            .parse()
            .map_or_else(|_| Datum::Text(cell.to_string()), Datum::Integer),
    }
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date")
}

fn key(cell: &Cell) -> Key {
    match cell {
        Cell::Integer(n) => reference::key_of(&Datum::Integer(*n)),
        Cell::Text(t) => reference::key_of(
            &t.parse()
                .map_or_else(|_| Datum::Text(t.clone()), Datum::Integer),
        ),
        other => panic!("unexpected key {other:?}"),
    }
}

/// Every segment's members on `database`, through the real compiler.
fn members_on(
    database: &dyn Database,
    program: &Program,
    dialect: &dyn Dialect,
    as_of: NaiveDate,
) -> Members {
    program
        .segments
        .iter()
        .map(|segment| {
            let query = sql::compile(program, &segment.name, Output::Keys, dialect, as_of)
                .expect("a segment");
            let rows = database.fetch(&query).unwrap_or_else(|e| {
                panic!(
                    "`{}` fails on {}: {e:?}\n{query}",
                    segment.name,
                    dialect.name()
                )
            });
            (
                segment.name.clone(),
                rows.rows.iter().map(|r| key(&r[0])).collect(),
            )
        })
        .collect()
}

fn reference_members(corpus: &Corpus, program: &Program, as_of: NaiveDate) -> Members {
    program
        .segments
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                reference::members(program, &s.name, &corpus.data, as_of),
            )
        })
        .collect()
}

/// Ways of cutting RFM scores (`[rfm]` `method`, `buckets`, `window`), as seg.toml lines:
/// the corpus's own (shared-rank quintiles over all rows), then others.
const SCORINGS: [(&str, RfmScoring); 4] = [
    (
        "",
        RfmScoring {
            method: RfmMethod::Rank,
            buckets: 5,
            window: None,
        },
    ),
    (
        "method = \"ntile\"\n",
        RfmScoring {
            method: RfmMethod::Ntile,
            buckets: 5,
            window: None,
        },
    ),
    (
        "method = \"ntile\"\nbuckets = 4\nwindow = \"1 year\"\n",
        RfmScoring {
            method: RfmMethod::Ntile,
            buckets: 4,
            window: Some((1, Unit::Years)),
        },
    ),
    (
        "method = \"rank\"\nbuckets = 10\nwindow = \"90 days\"\n",
        RfmScoring {
            method: RfmMethod::Rank,
            buckets: 10,
            window: Some((90, Unit::Days)),
        },
    ),
];

/// The corpus's program under each of [`SCORINGS`], named by its seg.toml lines.
fn under_each_scoring(corpus: &Corpus) -> Vec<(String, Program)> {
    SCORINGS
        .iter()
        .map(|(lines, scoring)| {
            let mut program = corpus.program.clone();
            program.rfm.as_mut().expect("the corpus has [rfm]").scoring = *scoring;
            (format!("[rfm] {}", lines.replace('\n', " ")), program)
        })
        .collect()
}

/// Every segment under every scoring and as-of date on `database`, against the reference.
fn conforms(database: &dyn Database, corpus: &Corpus, dialect: &dyn Dialect, engine: &str) {
    for (scoring, program) in under_each_scoring(corpus) {
        for as_of in AS_OF.map(date) {
            let got = members_on(database, &program, dialect, as_of);
            let problems = differences(
                &format!("{engine} as of {as_of} with {scoring}"),
                &got,
                &reference_members(corpus, &program, as_of),
            );
            assert!(problems.is_empty(), "{}", problems.join("\n"));
        }
    }
}

/// Each segment whose members differ, with both sides: empty when the engine conforms.
fn differences(engine: &str, got: &Members, want: &Members) -> Vec<String> {
    want.iter()
        .filter(|(name, members)| got.get(*name) != Some(members))
        .map(|(name, members)| {
            format!(
                "{engine} `{name}`: {:?}, reference {members:?}",
                got.get(name)
            )
        })
        .collect()
}

#[test]
fn the_corpus_means_the_same_on_sqlite_as_in_the_reference() {
    let corpus = corpus();
    let dir = common::temp_dir("conformance-sqlite");
    let path = dir.join("corpus.db");
    let sqlite = engine::connect(&Location::File(path));
    sqlite
        .load(&rows_of(&corpus.tables))
        .expect("the corpus loads into SQLite");
    let database = sqlite.open_read_only(None).expect("SQLite opens");
    conforms(&*database, &corpus, &Sqlite, "SQLite");
}

#[test]
#[ignore = "needs PostgreSQL: SEG_TEST_POSTGRES_URL (.ci/run starts a server and runs ignored tests)"]
fn the_corpus_means_the_same_on_postgresql_as_in_the_reference() {
    let url = common::postgres::fresh_database("conformance");
    let corpus = corpus();
    let postgres = engine::connect(&Location::Postgres(url));
    postgres
        .load(&rows_of(&corpus.tables))
        .expect("the corpus loads into PostgreSQL");
    let database = postgres.open_read_only(None).expect("PostgreSQL opens");
    conforms(&*database, &corpus, &Postgres, "PostgreSQL");
}

#[test]
#[ignore = "needs seg built with DuckDB: cargo test --features duckdb -- --ignored (.ci/run does)"]
fn the_corpus_means_the_same_on_duckdb_as_in_the_reference() {
    let corpus = corpus();
    let dir = common::temp_dir("conformance-duckdb");
    let duckdb = engine::connect(&Location::DuckDb(DuckDbTarget {
        path: dir.join("corpus.duckdb"),
        parquet: Vec::new(),
    }));
    duckdb
        .load(&rows_of(&corpus.tables))
        .expect("the corpus loads into DuckDB");
    let database = duckdb.open_read_only(None).expect("DuckDB opens");
    conforms(&*database, &corpus, &DuckDb, "DuckDB");
}

/// A copy of a project pointed at the Spark cluster instead of its SQLite file.
fn on_spark(relative: &str, database: &str, master: &str) -> common::TestDir {
    let project = copy_project(relative);
    let manifest = project.join("seg.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        text.replace(database, &format!("spark = \"{master}\"")),
    )
    .unwrap();
    project
}

/// Every segment's members on Spark, in one job of seg's own Spark engine: the queries as
/// `seg compile --format json` writes them for the project.
fn spark_members(project: &Path, as_of: &str) -> Members {
    let compiled = seg(project, &["compile", "--format", "json", "--as-of", as_of]);
    assert_eq!(compiled.code, 0, "{}", compiled.stderr);
    let (names, queries): (Vec<String>, Vec<sql::Query>) = compiled
        .stdout
        .lines()
        .map(|line| {
            let json: serde_json::Value = serde_json::from_str(line).expect("a JSON query");
            let name = json["segments"][0].as_str().expect("a segment").to_string();
            let params = json["params"]
                .as_array()
                .expect("params")
                .iter()
                .map(|p| {
                    // Numbers are JSON numbers (their exact digits), the rest strings.
                    let value = &p["value"];
                    let text = value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_string);
                    match p["type"].as_str().expect("a type") {
                        "text" => Value::Text(text),
                        "integer" => Value::Integer(text.parse().expect("an integer")),
                        "decimal" => Value::Decimal(Decimal::parse(&text).expect("a decimal")),
                        "date" => Value::Date(date(&text)),
                        "bool" => Value::Bool(value.as_bool().expect("a boolean")),
                        other => panic!("unknown parameter type {other}"),
                    }
                })
                .collect();
            let sql = json["sql"].as_str().expect("SQL").to_string();
            (name, sql::Query { sql, params })
        })
        .unzip();
    let mut sources = SourceMap::default();
    let location = Project::load(project, &mut sources)
        .expect("the project loads")
        .database()
        .expect("a Spark project")
        .expect("a database");
    let database = engine::connect(&location)
        .open_read_only(None)
        .expect("spark-submit is found");
    let rows = database
        .fetch_side_by_side(&queries)
        .expect("the Spark job runs")
        .expect("one job reads one state");
    names
        .into_iter()
        .zip(rows)
        .map(|(name, rows)| (name, rows.rows.iter().map(|r| key(&r[0])).collect()))
        .collect()
}

/// On Spark, one job per as-of date.
#[test]
#[ignore = "needs a Spark cluster: SEG_TEST_SPARK_MASTER and SPARK_HOME (.ci/run starts one and runs ignored tests)"]
fn the_corpus_means_the_same_on_spark_as_in_the_reference() {
    let master = common::engines::spark_master();
    let corpus = corpus();
    let project = on_spark(CORPUS, "path = \"conformance.db\"", &master);
    for as_of in AS_OF {
        let got = spark_members(&project, as_of);
        let problems = differences(
            &format!("Spark as of {as_of}"),
            &got,
            &reference_members(&corpus, &corpus.program, date(as_of)),
        );
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }
    // One other way of cutting RFM scores, at one date (a Spark job takes a minute).
    let (lines, scoring) = SCORINGS[2];
    let manifest = project.join("seg.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, format!("{text}{lines}")).unwrap();
    let mut program = corpus.program.clone();
    program.rfm.as_mut().expect("the corpus has [rfm]").scoring = scoring;
    let got = spark_members(&project, AS_OF[0]);
    let problems = differences(
        &format!("Spark as of {} with {lines}", AS_OF[0]),
        &got,
        &reference_members(&corpus, &program, date(AS_OF[0])),
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `seg run -s NAME --format csv` member keys of every segment, by segment.
fn members_through_seg(project: &Path) -> BTreeMap<String, Vec<String>> {
    let run = seg(project, &["run", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .skip(1)
        .map(|line| {
            let name = line.split(',').next().unwrap().to_string();
            let out = seg(project, &["run", "--segment", &name, "--format", "csv"]);
            assert_eq!(out.code, 0, "{}", out.stderr);
            let keys = out
                .stdout
                .lines()
                .skip(1)
                .map(|l| l.split(',').next().unwrap().to_string())
                .collect();
            (name, keys)
        })
        .collect()
}

/// Points a copy of the example at another database (`database`: its `[database]`
/// setting) instead of its SQLite file.
fn point_database(project: &Path, database: &str) {
    common::edit_manifest(project, "path = \"retail.db\"", database);
}

#[test]
#[ignore = "needs PostgreSQL: SEG_TEST_POSTGRES_URL (.ci/run starts a server and runs ignored tests)"]
fn the_example_gives_the_same_members_on_postgresql_through_seg() {
    let url = common::postgres::fresh_database("retail");
    let sqlite = copy_project("examples/retail");
    let postgres = copy_project("examples/retail");
    point_database(&postgres, &format!("url = \"{url}\""));
    the_same_as_on_sqlite(&postgres, &sqlite);
}

/// The example in `other` (pointed at another engine) loads, gives every segment the same
/// members as in `sqlite`, and checks, indexes and keeps membership history the same way.
fn the_same_as_on_sqlite(other: &Path, sqlite: &Path) {
    let load = seg(other, &["load"]);
    assert_eq!(load.code, 0, "{}", load.stderr);
    assert!(
        load.stderr.contains("customers: 3,000 rows"),
        "{}",
        load.stderr
    );

    let on_sqlite = members_through_seg(sqlite);
    assert_eq!(on_sqlite.len(), 49);
    assert_eq!(members_through_seg(other), on_sqlite);

    // The data-aware checks, indexes and membership history work there too.
    let check = seg(other, &["check", "--db"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    let index = seg(other, &["index", "--apply"]);
    assert_eq!(index.code, 0, "{}", index.stderr);
    let advice = seg(other, &["index", "--format", "csv"]);
    assert!(!advice.stdout.contains("missing"), "{}", advice.stdout);
    let first = seg(other, &["materialize", "--segment", "Lapsed"]);
    assert_eq!(
        first.stdout, "Lapsed: 1,288 members (run 1)\n",
        "{}",
        first.stderr
    );
    let again = seg(other, &["materialize", "--segment", "Lapsed"]);
    assert_eq!(
        again.stdout,
        "Lapsed: 1,288 members, unchanged since run 1\n"
    );
    let later = seg(
        other,
        &[
            "materialize",
            "--segment",
            "Lapsed",
            "--as-of",
            "2026-01-01",
        ],
    );
    assert_eq!(later.code, 0, "{}", later.stderr);
    let diff = seg(other, &["diff", "Lapsed", "--format", "csv"]);
    let sqlite_first = seg(sqlite, &["materialize", "--segment", "Lapsed"]);
    let sqlite_later = seg(
        sqlite,
        &[
            "materialize",
            "--segment",
            "Lapsed",
            "--as-of",
            "2026-01-01",
        ],
    );
    assert_eq!((sqlite_first.code, sqlite_later.code), (0, 0));
    assert_eq!(
        diff.stdout,
        seg(sqlite, &["diff", "Lapsed", "--format", "csv"]).stdout
    );
}

#[test]
#[ignore = "needs seg built with DuckDB: cargo test --features duckdb -- --ignored (.ci/run does)"]
fn the_example_gives_the_same_members_on_duckdb_through_seg() {
    let sqlite = copy_project("examples/retail");
    let duckdb = copy_project("examples/retail");
    point_database(&duckdb, "duckdb = \"retail.duckdb\"");
    the_same_as_on_sqlite(&duckdb, &sqlite);
}

/// The example pointed at Spark: `seg run` counts as on SQLite, and every segment's members.
#[test]
#[ignore = "needs a Spark cluster: SEG_TEST_SPARK_MASTER and SPARK_HOME (.ci/run starts one and runs ignored tests)"]
fn the_example_gives_the_same_members_on_spark() {
    let master = common::engines::spark_master();
    let sqlite = copy_project("examples/retail");
    let spark = on_spark("examples/retail", "path = \"retail.db\"", &master);
    let counts = |project: &Path| {
        let run = seg(project, &["run", "--format", "csv"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout
    };
    assert_eq!(counts(&spark), counts(&sqlite));

    let on_sqlite = members_through_seg(&sqlite);
    let got = spark_members(&spark, "2025-12-01");
    for (segment, keys) in on_sqlite {
        let want: BTreeSet<Key> = keys.iter().map(|k| key(&Cell::Text(k.clone()))).collect();
        assert_eq!(got[&segment], want, "`{segment}` differs on Spark");
    }
}

/// The corpus tables' rows, read from their CSV files.
fn rows_of(tables: &[TableLoad]) -> Vec<TableRows> {
    tables
        .iter()
        .map(|t| read_csv(t).expect("the corpus CSV reads"))
        .collect()
}

/// The RFM edge cases worked out by hand (tests/common/rfm_edges.rs) on PostgreSQL.
#[test]
#[ignore = "needs PostgreSQL: SEG_TEST_POSTGRES_URL (.ci/run starts a server and runs ignored tests)"]
fn rfm_buckets_at_their_edges_on_postgresql() {
    let url = common::postgres::fresh_database("rfm_edges");
    let problems = common::rfm_edges::mismatches(&format!("url = \"{url}\""));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The RFM edge cases worked out by hand on DuckDB.
#[test]
#[ignore = "needs seg built with DuckDB: cargo test --features duckdb -- --ignored (.ci/run does)"]
fn rfm_buckets_at_their_edges_on_duckdb() {
    let problems = common::rfm_edges::mismatches("duckdb = \"rfm.duckdb\"");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The RFM edge cases worked out by hand on Spark: one job per `[rfm]` setting.
#[test]
#[ignore = "needs a Spark cluster: SEG_TEST_SPARK_MASTER and SPARK_HOME (.ci/run starts one and runs ignored tests)"]
fn rfm_buckets_at_their_edges_on_spark() {
    let master = common::engines::spark_master();
    let mut problems = Vec::new();
    for (rfm, cases) in common::rfm_edges::CASES {
        let project = common::rfm_edges::project(rfm, "path = \"rfm.db\"");
        common::edit_manifest(
            &project,
            "path = \"rfm.db\"",
            &format!("spark = \"{master}\""),
        );
        let got = spark_members(&project, "2025-06-30");
        for (segment, expected) in *cases {
            let want: BTreeSet<Key> = expected
                .iter()
                .map(|k| reference::key_of(&Datum::Integer(*k)))
                .collect();
            if got.get(*segment) != Some(&want) {
                problems.push(format!(
                    "Spark [rfm] {} {segment}: {:?}, by hand {expected:?}",
                    rfm.replace('\n', " "),
                    got.get(*segment)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
