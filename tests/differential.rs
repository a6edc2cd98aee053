//! Differential testing: random data that fits a schema and random well-typed segments using
//! every construct; SQLite and PostgreSQL (through the real compiler and engines) must return
//! exactly the members the reference evaluator (src/reference.rs) computes from the IR. A
//! second oracle: a segment and its negation partition the customers (ternary-logic
//! partitioning, after SQLancer). The PostgreSQL leg runs where a test server is configured
//! (`.ci/run` starts one; see tests/common/postgres.rs).
//!
//! `cargo test --test differential` runs `CASES` cases; set `PROPTEST_CASES` for a long run
//! (docs/testing.md). A failure is shrunk by proptest; add it to `regressions()` below.

mod common;

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use seglang::check::{self, Imports};
use seglang::engine::{self, Cell, Location, TableRows};
use seglang::project::manifest;
use seglang::reference::{self, Dataset, Datum, Key, Row};
use seglang::source::SourceId;
use seglang::sql::{self, KeyRange, Output, Postgres, Sqlite};
use seglang::value::Decimal;

/// Cases in the normal test run.
const CASES: u32 = 1500;

const MANIFEST: &str = r#"
[customer]
table = "customers"
key = "id"
[customer.fields]
occupation = { type = "text", values = ["nurse", "Nurse", "teacher", ""] }
city = "text"
ltv = "money"
visits = "integer"
newsletter = "bool"
signup_date = "date"
birthday = "date"
occasion = { via = "orders" }
[related.orders]
key = "id"
customer_key = "customer_id"
time = "ordered_at"
[related.orders.fields]
ordered_at = "timestamp"
amount = "money"
category = "text"
occasion = "text"
[rfm]
entity = "orders"
amount = "amount"
"#;

/// Definitions every generated segment may use.
const PREAMBLE: &str = "\
set holidays = ['christmas', 'easter']
occasion xmas from Dec 20 to Jan 5
metric spend = sum(orders.amount)
segment Base where visits >= 2 or occupation = 'nurse'
split Base seed 'differential' into BaseA 37.5%, BaseB 0.01%, BaseC 62.49%
";

/// A generated customer: each field may be unknown (`None`).
#[derive(Clone, Debug)]
struct Customer {
    occupation: Option<&'static str>,
    city: Option<&'static str>,
    ltv: Option<&'static str>,
    visits: Option<i64>,
    newsletter: Option<bool>,
    signup_date: Option<NaiveDate>,
    birthday: Option<NaiveDate>,
}

#[derive(Clone, Debug)]
struct Order {
    customer: usize,
    ordered_at: Option<NaiveDateTime>,
    amount: Option<&'static str>,
    category: Option<&'static str>,
    occasion: Option<&'static str>,
}

fn date() -> impl Strategy<Value = NaiveDate> {
    // Near the as-of dates, month ends, 29 February and the year end.
    prop::sample::select(vec![
        "2000-02-29",
        "1999-12-30",
        "2000-06-30",
        "2000-07-01",
        "1975-02-28",
        "2024-02-29",
        "2025-01-31",
        "2025-02-28",
        "2025-03-01",
        "2025-03-31",
        "2025-04-01",
        "2025-05-31",
        "2025-06-01",
        "2025-06-29",
        "2025-06-30",
        "2025-07-01",
        "2024-12-20",
        "2024-12-31",
        "2025-01-05",
        "2025-12-31",
        "2024-06-30",
    ])
    .prop_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
}

fn customer() -> impl Strategy<Value = Customer> {
    (
        prop::option::of(prop::sample::select(vec!["nurse", "Nurse", "teacher", ""])),
        prop::option::of(prop::sample::select(vec![
            "London",
            "Leeds",
            "london",
            "",
            " London",
            "O'Fallon",
            "LONDON\t",
            "lon\u{a0} don",
            "ÉCOLE",
            "école",
            "İstanbul",
            "STRAẞE",
            "straße",
            "\u{3000}",
        ])),
        prop::option::of(prop::sample::select(vec![
            "500.00", "500.01", "499.99", "0.00", "1000", "0.10",
        ])),
        prop::option::of(prop::sample::select(vec![-1i64, 0, 1, 2, 5, 10])),
        prop::option::of(any::<bool>()),
        prop::option::of(date()),
        prop::option::of(date()),
    )
        .prop_map(
            |(occupation, city, ltv, visits, newsletter, signup_date, birthday)| Customer {
                occupation,
                city,
                ltv,
                visits,
                newsletter,
                signup_date,
                birthday,
            },
        )
}

fn order(customers: usize) -> impl Strategy<Value = Order> {
    (
        0..customers + 2, // some orders belong to no customer
        prop::option::of((
            date(),
            prop::sample::select(vec!["00:00:00", "12:30:00", "23:59:59"]),
        )),
        prop::option::of(prop::sample::select(vec![
            "0.10", "0.20", "0.01", "100.00", "500.00", "99.99",
        ])),
        prop::option::of(prop::sample::select(vec![
            "toys", "books", "Toys", "", " TOYS",
        ])),
        prop::option::of(prop::sample::select(vec![
            "christmas",
            "easter",
            "birthday",
            "Christmas ",
        ])),
    )
        .prop_map(|(customer, at, amount, category, occasion)| Order {
            customer,
            ordered_at: at.map(|(d, t)| {
                NaiveDateTime::parse_from_str(&format!("{d} {t}"), "%Y-%m-%d %H:%M:%S").unwrap()
            }),
            amount,
            category,
            occasion,
        })
}

/// A test of one value, as segment source text.
fn atom() -> impl Strategy<Value = String> {
    let text = prop::sample::select(vec![
        "occupation = 'nurse'",
        "occupation != 'nurse'",
        "occupation = 'Nurse'",
        "occupation = ''",
        "occupation in ['nurse', 'teacher']",
        "occupation not in ['nurse']",
        "occupation is unknown",
        "occupation is known",
        "city = 'London'",
        "city != 'London'",
        "city contains 'on'",
        "city starts with 'L'",
        "city = ''",
        "city = 'O''Fallon'",
        "city = 'london' ignoring case",
        "city = 'London' ignoring spaces",
        "city != 'LONDON' ignoring case and spaces",
        "city = '' ignoring spaces",
        "city in ['london', 'école', 'lon don'] ignoring case and spaces",
        "city not in ['istanbul', 'strasse'] ignoring case",
        "city = 'straße' ignoring case",
        "city contains 'ON' ignoring case",
        "city contains ' ' ignoring spaces",
        "city starts with ' lon' ignoring spaces and case",
        "city ends with 'DON' ignoring case",
        "city ends with 'don'",
        "city ends with ''",
        "orders.category = 'TOYS' ignoring case",
        "occasion has any of ['CHRISTMAS', 'easter '] ignoring case and spaces",
        "any(orders where category starts with 'T' ignoring case)",
        "any(orders) then any(orders) within 30 days",
        "any(orders) then any(orders) within 0 days",
        "any(orders where category = 'toys') then any(orders where category = 'books') within 10 days",
        "any(orders where category = 'toys') then not any(orders) within 14 days",
        "any(orders where category = 'books') then not any(orders where category = 'toys') within 2 weeks",
        "any(orders) then any(orders where amount > 50) within 1 week and not any(orders where category = 'books') in between",
        "not (any(orders where occasion = 'christmas') then any(orders) within 60 days)",
        "count(orders where category = 'toys') / count(orders) >= 0.5",
        "sum(orders.amount where category = 'toys') / sum(orders.amount) > 0.5",
        "avg(orders.amount where ordered_at in last 90 days) > 1.2 * avg(orders.amount)",
        "ltv - spend > 400",
        "2 * ltv + 0.01 > 1000.01",
        "visits / (visits - 2) > 0",
        "ltv / count(orders) between 0.15 and 500",
        "recency_score + frequency_score >= 8",
        "max(orders.amount) - min(orders.amount) = 0",
        "any(orders where amount * 2 > 100)",
        "ltv > 500",
        "ltv >= 500.00",
        "ltv < 500.01",
        "ltv between 499.99 and 500.01",
        "ltv not between 0 and 500",
        "ltv = 0.10",
        "visits > 1",
        "visits <= 0",
        "visits in [1, 2]",
        "visits between -1 and 2",
        "newsletter",
        "newsletter = false",
        "not newsletter",
        "signup_date < 2025-06-01",
        "signup_date >= 2025-06-30",
        "signup_date = today",
        "signup_date < 1 year ago",
        "signup_date in last 30 days",
        "signup_date in last 1 month",
        "signup_date in next 2 weeks",
        "signup_date between 2025-01-31 and 2025-03-01",
        "age(birthday) >= 25",
        "age(birthday) = 25",
        "age(birthday) between 20 and 30",
        "age(birthday) < 1",
        "anniversary(birthday) in next 14 days",
        "anniversary(birthday) in last 3 days",
        "orders.category = 'toys'",
        "orders.category != 'toys'",
        "occasion in holidays",
        "occasion not in holidays",
        "orders.ordered_at during xmas",
        "orders.ordered_at not during xmas",
        "orders.ordered_at in last 90 days",
        "orders.ordered_at = 2024-12-20",
        "orders.amount > 99.99",
        "count(orders) >= 2",
        "count(orders) = 0",
        "count(orders where amount > 50) >= 1",
        "count(orders.amount) = 1",
        "count(distinct orders.category) >= 2",
        "sum(orders.amount) > 100",
        "sum(orders.amount) = 0.30",
        "sum(orders.amount where category = 'toys') < 0.21",
        "avg(orders.amount) < 50",
        "avg(orders.amount) = 0.15",
        "avg(orders.amount) between 0.1 and 100",
        "min(orders.amount) <= 0.10",
        "max(orders.ordered_at) < 2025-01-01",
        "first(orders.amount) > 1",
        "last(orders.category) = 'toys'",
        "last(orders.ordered_at) < 180 days ago",
        "first(orders.ordered_at) < 2025-03-01",
        "first(orders.ordered_at) between 2024-12-20 and 2025-06-30",
        "any(orders where category = 'toys' and amount >= 100)",
        "any(orders)",
        "any(orders where ordered_at during xmas)",
        "any(orders where ordered_at in last 90 days and category = 'toys')",
        "any(orders where ordered_at between 2024-12-01 and 2025-01-31)",
        "count(orders where ordered_at in last 1 year) = 0",
        "recency_score between 2 and 4",
        "recency_score >= 4",
        "frequency_score = 1",
        "monetary_score <= 2",
        "spend > 100",
        "Base",
        "BaseA",
        "BaseC",
        "(BaseA or BaseB)",
    ]);
    text.prop_map(str::to_string)
}

/// Conditions combining atoms with `and`, `or` and `not`, up to three levels deep.
fn condition() -> impl Strategy<Value = String> {
    atom().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

fn as_of() -> impl Strategy<Value = NaiveDate> {
    prop::sample::select(vec![
        "2025-06-30",
        "2024-02-29",
        "2025-02-28",
        "2025-12-31",
        "2025-03-31",
    ])
    .prop_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap())
}

#[derive(Clone, Debug)]
struct Case {
    customers: Vec<Customer>,
    orders: Vec<Order>,
    condition: String,
    as_of: NaiveDate,
    /// How RFM scores are cut: lines added to the manifest's `[rfm]`.
    rfm: &'static str,
}

/// Ways of cutting RFM scores, as `[rfm]` lines: shared-rank quintiles over all rows (the
/// default), equal buckets, and windows.
const SCORINGS: [&str; 4] = [
    "",
    "method = \"ntile\"\n",
    "method = \"ntile\"\nbuckets = 3\nwindow = \"90 days\"\n",
    "buckets = 10\nwindow = \"1 year\"\n",
];

fn case() -> impl Strategy<Value = Case> {
    prop::collection::vec(customer(), 0..12).prop_flat_map(|customers| {
        let n = customers.len();
        (
            Just(customers),
            prop::collection::vec(order(n), 0..20),
            condition(),
            as_of(),
            prop::sample::select(SCORINGS.to_vec()),
        )
            .prop_map(|(customers, orders, condition, as_of, rfm)| Case {
                customers,
                orders,
                condition,
                as_of,
                rfm,
            })
    })
}

/// Runs one case on SQLite and on the reference (and on PostgreSQL when `postgres`);
/// panics on any difference.
fn run(case: &Case, postgres: bool) {
    let schema = manifest::parse(SourceId(0), &format!("{MANIFEST}{}", case.rfm))
        .expect("manifest")
        .schema;
    let text = format!(
        "{PREAMBLE}segment S where {}\nsegment NotS where not ({})\n",
        case.condition, case.condition
    );
    let (file, errors) = seglang::syntax::parse(SourceId(1), &text);
    assert!(
        errors.is_empty(),
        "generated segment does not parse: {errors:?}\n{text}"
    );
    let (program, errors) = check::check(&[(SourceId(1), file)], &Imports::default(), &schema);
    assert!(
        errors.is_empty(),
        "generated segment does not check: {errors:?}\n{text}"
    );

    let (tables, dataset) = data(case, &schema);
    let database = engine::scratch(&tables).expect("fixture database");
    let everyone: BTreeSet<Key> = (1..=case.customers.len() as i64).map(number_key).collect();
    let mut members = HashMap::new();
    for name in ["S", "NotS"] {
        let query =
            sql::compile(&program, name, Output::Keys, &Sqlite, case.as_of).expect("segment");
        let rows = database.fetch(&query).expect("query runs");
        let from_sql = keys_of(&rows);
        let from_reference = reference::members(&program, name, &dataset, case.as_of);
        assert_eq!(
            from_sql, from_reference,
            "SQLite and the reference disagree on `{name}` as of {}\n{}\nSQL:\n{query}",
            case.as_of, case.condition
        );
        // Counted alone (the form `seg run --count -s` sends: a set joined to the
        // customers where the condition is one set), the size is the same.
        let count =
            sql::compile(&program, name, Output::Count, &Sqlite, case.as_of).expect("segment");
        assert_eq!(
            database.count(&count).expect("the count runs"),
            from_sql.len() as u64,
            "the count of `{name}` differs from its members as of {}\n{}\nSQL:\n{count}",
            case.as_of,
            case.condition
        );
        // Counted in slices of the customer keys (what `seg run --count -s` runs side by
        // side on a large SQLite file with two cores or more), the slices add up to it.
        let n = case.customers.len() as i64;
        let (a, b) = (n / 3, 2 * n / 3);
        let slices = [
            KeyRange {
                after: None,
                upto: Some(a),
            },
            KeyRange {
                after: Some(a),
                upto: Some(b),
            },
            KeyRange {
                after: Some(b),
                upto: None,
            },
        ];
        let sliced: Option<Vec<_>> = slices
            .iter()
            .map(|r| sql::compile_count_slice(&program, name, &Sqlite, case.as_of, *r))
            .collect();
        match sliced {
            Some(queries) => assert_eq!(
                queries
                    .iter()
                    .map(|q| database.count(q).expect("a slice runs"))
                    .sum::<u64>(),
                from_sql.len() as u64,
                "the slices of `{name}` add up to another size as of {}\n{}\nSQL:\n{}",
                case.as_of,
                case.condition,
                queries[1]
            ),
            None => assert!(case.condition.contains("_score"), "{}", case.condition),
        }
        members.insert(name, from_sql);
    }
    // From a REPL session's kept facts (the facts of `S` kept in a table beside each
    // customer, then `S` and `NotS` counted from it), the sizes are the same.
    if let Some(kept) = sql::cache::SessionFacts::needed(&program, "S", case.as_of) {
        let table = kept.table_query(&program, &Sqlite);
        assert!(
            database
                .keep_rows(sql::cache::SESSION_TABLE, &table, "id")
                .expect("the facts are kept"),
            "SQLite keeps rows"
        );
        for name in ["S", "NotS"] {
            let count = kept.count_query(&program, name, &Sqlite).expect("segment");
            assert_eq!(
                database.count(&count).expect("the kept count runs"),
                members[name].len() as u64,
                "the count of `{name}` from kept facts differs as of {}\n{}\nSQL:\n{table}\n{count}",
                case.as_of,
                case.condition
            );
        }
    }
    // Counted together in one batch (shared facts), the sizes are the same.
    let batch =
        sql::compile_counts(&program, &["S", "NotS"], &Sqlite, case.as_of).expect("segments");
    let counts = database.fetch(&batch).expect("batch runs");
    let batch_counts: Vec<&Cell> = counts.rows[0].iter().collect();
    for (i, name) in ["S", "NotS"].iter().enumerate() {
        assert_eq!(
            batch_counts[i],
            &Cell::Integer(members[name].len() as i64),
            "the batch count of `{name}` differs as of {}\n{}\nSQL:\n{batch}",
            case.as_of,
            case.condition
        );
    }
    // The sample preview (aggregates probed per customer) of one customer in k, slice by
    // slice: rows are inserted in key order, so slice j is the keys that leave j over k.
    for (one_in, slice) in [(1i64, 0i64), (2, 0), (2, 1)] {
        let Some(sample) = sql::sample_queries(
            &program,
            "S",
            one_in as u64,
            slice as u64,
            1000,
            &Sqlite,
            case.as_of,
        ) else {
            break; // RFM: no sample preview
        };
        let sample_keys: BTreeSet<Key> = (1..=case.customers.len() as i64)
            .filter(|n| n % one_in == slice)
            .map(number_key)
            .collect();
        let expected: BTreeSet<Key> = members["S"].intersection(&sample_keys).cloned().collect();
        let rows = database.fetch(&sample.members).expect("sample members run");
        let sampled = keys_of(&rows);
        assert_eq!(
            sampled, expected,
            "the 1-in-{one_in} sample of `S` differs as of {}\n{}\nSQL:\n{}",
            case.as_of, case.condition, sample.members
        );
        let estimate = database.fetch(&sample.estimate).expect("estimate runs");
        assert_eq!(
            estimate.rows[0][1],
            Cell::Integer(expected.len() as i64),
            "the 1-in-{one_in} estimate of `S` differs\n{}\nSQL:\n{}",
            case.condition,
            sample.estimate
        );
    }
    if postgres {
        on_postgres(postgres_database(), &program, &tables, &members, case);
    }
    // A condition and its negation partition the customers.
    assert!(
        members["S"].is_disjoint(&members["NotS"]),
        "S and not S overlap: {}",
        case.condition
    );
    let union: BTreeSet<Key> = members["S"].union(&members["NotS"]).cloned().collect();
    assert_eq!(
        union, everyone,
        "S and not S miss customers: {}",
        case.condition
    );
}

/// This run's PostgreSQL test database.
fn postgres_database() -> &'static str {
    static URL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    URL.get_or_init(|| common::postgres::fresh_database("differential"))
}

/// The same case on PostgreSQL: the same members as SQLite and the reference (`members`),
/// one segment at a time and in a batch.
fn on_postgres(
    url: &str,
    program: &seglang::check::ir::Program,
    tables: &[TableRows],
    members: &HashMap<&str, BTreeSet<Key>>,
    case: &Case,
) {
    let postgres = engine::connect(&Location::Postgres(url.to_string()));
    postgres
        .load(tables)
        .expect("the case loads into PostgreSQL");
    let database = postgres.open_read_only(None).expect("PostgreSQL opens");
    for name in ["S", "NotS"] {
        let query =
            sql::compile(program, name, Output::Keys, &Postgres, case.as_of).expect("segment");
        let rows = database.fetch(&query).expect("query runs on PostgreSQL");
        assert_eq!(
            keys_of(&rows),
            members[name],
            "PostgreSQL and the reference disagree on `{name}` as of {}\n{}\nSQL:\n{query}",
            case.as_of,
            case.condition
        );
    }
    // The sample preview: the customers whose key hash under `sample` is a multiple of k.
    for (one_in, slice) in [(1u64, 0u64), (3, 0), (3, 2)] {
        let Some(sample) =
            sql::sample_queries(program, "S", one_in, slice, 1000, &Postgres, case.as_of)
        else {
            break; // RFM: no sample preview
        };
        let sampled: BTreeSet<Key> = (1..=case.customers.len() as i64)
            .filter(|n| {
                u64::from(seglang::split::key_hash("sample", &n.to_string())) % one_in == slice
            })
            .map(number_key)
            .collect();
        let expected: BTreeSet<Key> = members["S"].intersection(&sampled).cloned().collect();
        let rows = database
            .fetch(&sample.members)
            .expect("sample runs on PostgreSQL");
        assert_eq!(
            keys_of(&rows),
            expected,
            "the PostgreSQL 1-in-{one_in} sample of `S` differs\n{}\nSQL:\n{}",
            case.condition,
            sample.members
        );
    }
    let batch =
        sql::compile_counts(program, &["S", "NotS"], &Postgres, case.as_of).expect("segments");
    let counts = database.fetch(&batch).expect("batch runs on PostgreSQL");
    for (i, name) in ["S", "NotS"].iter().enumerate() {
        assert_eq!(
            counts.rows[0][i],
            Cell::Integer(members[name].len() as i64),
            "the PostgreSQL batch count of `{name}` differs as of {}\n{}\nSQL:\n{batch}",
            case.as_of,
            case.condition
        );
    }
}

/// The keys in the first column of `rows` (integers here).
fn keys_of(rows: &seglang::engine::Rows) -> BTreeSet<Key> {
    rows.rows
        .iter()
        .map(|r| match &r[0] {
            Cell::Integer(n) => number_key(*n),
            other => panic!("unexpected key {other:?}"),
        })
        .collect()
}

fn number_key(n: i64) -> Key {
    reference::key_of(&Datum::Integer(n))
}

/// The case's rows as SQLite tables (text cells, as a CSV would hold) and as a dataset.
fn data(case: &Case, schema: &seglang::schema::Schema) -> (Vec<TableRows>, Dataset) {
    let mut dataset = Dataset {
        customers: Vec::new(),
        related: vec![Vec::new()],
    };
    let customers_layout = schema.table_layout("customers");
    let mut customer_rows = Vec::new();
    for (i, c) in case.customers.iter().enumerate() {
        let id = i as i64 + 1;
        let mut row = Row::new();
        row.insert("id".into(), Datum::Integer(id));
        let mut put = |column: &str, datum: Option<Datum>| {
            if let Some(d) = datum {
                row.insert(column.into(), d);
            }
        };
        put("occupation", c.occupation.map(|t| Datum::Text(t.into())));
        put("city", c.city.map(|t| Datum::Text(t.into())));
        put(
            "ltv",
            c.ltv.map(|t| Datum::Decimal(Decimal::parse(t).unwrap())),
        );
        put("visits", c.visits.map(Datum::Integer));
        put("newsletter", c.newsletter.map(Datum::Bool));
        put("signup_date", c.signup_date.map(Datum::Date));
        put("birthday", c.birthday.map(Datum::Date));
        customer_rows.push((i + 1, cells(&customers_layout.columns, &row)));
        dataset.customers.push(row);
    }
    let orders_layout = schema.table_layout("orders");
    let mut order_rows = Vec::new();
    for (i, o) in case.orders.iter().enumerate() {
        let mut row = Row::new();
        row.insert("id".into(), Datum::Integer(i as i64 + 1));
        row.insert("customer_id".into(), Datum::Integer(o.customer as i64));
        let mut put = |column: &str, datum: Option<Datum>| {
            if let Some(d) = datum {
                row.insert(column.into(), d);
            }
        };
        put("ordered_at", o.ordered_at.map(Datum::Timestamp));
        put(
            "amount",
            o.amount.map(|t| Datum::Decimal(Decimal::parse(t).unwrap())),
        );
        put("category", o.category.map(|t| Datum::Text(t.into())));
        put("occasion", o.occasion.map(|t| Datum::Text(t.into())));
        order_rows.push((i + 1, cells(&orders_layout.columns, &row)));
        dataset.related[0].push(row);
    }
    let table = |name: &str, layout: seglang::schema::TableLayout, rows| TableRows {
        table: name.into(),
        columns: layout.columns,
        rows: seglang::engine::table_rows::RowSource::Memory(rows),
        types: layout.types,
        indexes: layout.indexes,
        required: layout.required,
        unique: layout.unique,
        origin: format!("generated {name}"),
    };
    (
        vec![
            table("customers", customers_layout, customer_rows),
            table("orders", orders_layout, order_rows),
        ],
        dataset,
    )
}

/// A row as text cells (`None`: unknown; an empty string stays an empty string).
fn cells(columns: &[String], row: &Row) -> Vec<Option<String>> {
    columns
        .iter()
        .map(|c| {
            row.get(c).map(|datum| match datum {
                Datum::Text(t) => t.clone(),
                Datum::Integer(n) => n.to_string(),
                Datum::Decimal(d) => d.to_string(),
                Datum::Date(d) => d.to_string(),
                Datum::Timestamp(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
                Datum::Bool(b) => b.to_string(),
            })
        })
        .collect()
}

/// `CASES`, or `PROPTEST_CASES` from the environment for a long run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(CASES)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn sqlite_agrees_with_the_reference_evaluator(case in case()) {
        run(&case, false);
    }

    #[test]
    #[ignore = "needs PostgreSQL: SEG_TEST_POSTGRES_URL (.ci/run starts a server and runs ignored tests)"]
    fn postgresql_agrees_with_sqlite_and_the_reference_evaluator(case in case()) {
        run(&case, true);
    }
}
