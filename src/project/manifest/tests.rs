use super::*;
use crate::diagnostics::render::{Style, render_all};
use crate::source::{SourceFile, SourceMap};

fn problems(text: &str) -> String {
    let mut sources = SourceMap::default();
    let id = sources.add(SourceFile {
        name: "seg.toml".into(),
        path: None,
        text: text.into(),
    });
    match parse(id, text) {
        Ok(_) => panic!("expected problems"),
        Err(diagnostics) => render_all(&diagnostics, &sources, Style::Plain),
    }
}

fn manifest(text: &str) -> Manifest {
    parse(SourceId(0), text).unwrap_or_else(|d| panic!("{d:?}"))
}

#[test]
fn a_field_through_a_relation_takes_the_related_column_and_type() {
    let m = manifest(
        r#"
[database]
path = "x.db"
[customer]
table = "people"
key = "pid"
[customer.fields]
job = { type = "text", column = "occupation", values = ["nurse"] }
occasion = { via = "orders" }
kind = { via = "orders", field = "category", sensitive = true }
[related.orders]
table = "purchases"
customer_key = "person"
[related.orders.fields]
occasion = { type = "text", values = ["christmas"] }
category = "text"
price = { type = "decimal", scale = 3 }
"#,
    );
    let customer = &m.schema.customer;
    assert_eq!(
        (customer.table.as_str(), customer.key.as_str()),
        ("people", "pid")
    );
    let job = customer.field("job").unwrap();
    assert_eq!(
        (job.column.as_str(), job.values.as_deref()),
        ("occupation", Some(&["nurse".to_string()][..]))
    );
    let occasion = customer.field("occasion").unwrap();
    assert_eq!(
        (occasion.via, occasion.ty, occasion.column.as_str()),
        (Some(0), Type::Text, "occasion")
    );
    assert_eq!(
        occasion.values.as_deref(),
        Some(&["christmas".to_string()][..])
    );
    let kind = customer.field("kind").unwrap();
    assert_eq!((kind.column.as_str(), kind.sensitive), ("category", true));
    let orders = &m.schema.related[0];
    assert_eq!(
        (orders.table.as_str(), orders.customer_key.as_deref()),
        ("purchases", Some("person"))
    );
    assert_eq!(orders.field("price").unwrap().ty, Type::Decimal(Some(3)));
    assert_eq!(m.database, Some(DatabaseSetting::Path("x.db".into())));
}

#[test]
fn a_postgres_url_is_accepted_without_a_password_and_refused_with_one() {
    let parse = |database: &str| {
        let text = format!("[database]\n{database}\n[customer]\nkey = \"id\"\n");
        parse(SourceId(0), &text)
    };
    let url = "postgresql://seg@db.example.com:5432/shop";
    assert_eq!(
        parse(&format!("url = \"{url}\"")).unwrap().database,
        Some(DatabaseSetting::Url(url.into()))
    );
    assert_eq!(
        parse("url_env = \"DATABASE_URL\"").unwrap().database,
        Some(DatabaseSetting::UrlEnv("DATABASE_URL".into()))
    );
    let refused = |database: &str| {
        let errors = parse(database).unwrap_err();
        (errors[0].code, errors[0].message.clone())
    };
    assert_eq!(
        refused("url = \"postgresql://seg:secret@db:5432/shop\""),
        (
            Code::ManifestInvalid,
            "the database URL holds a password".into()
        )
    );
    assert_eq!(
        refused("url = \"mysql://db/shop\""),
        (
            Code::ManifestInvalid,
            "`mysql://db/shop` is not a PostgreSQL URL".into()
        )
    );
    assert_eq!(
        refused("path = \"x.db\"\nurl = \"postgresql://db/shop\"").1,
        "`[database]` names more than one database"
    );
}

#[test]
fn toml_syntax_errors_point_into_the_file() {
    insta::assert_snapshot!(problems("[customer]\ntable = \"customers\nkey = \"id\"\n"));
}

#[test]
fn misnamed_keys_are_rejected() {
    insta::assert_snapshot!(problems(
        "[customer]\ntabel = \"customers\"\nkey = \"id\"\n"
    ));
}

#[test]
fn schema_problems_are_all_reported() {
    insta::assert_snapshot!(problems(
        r#"[customer]
table = "customers"

[customer.fields]
occupation = "strng"
age = { type = "integer", values = ["1"] }
occasion = { via = "ordrs" }
channel = { via = "orders" }
note = { field = "x", type = "text" }

[related.orders]
table = "orders"

[related.orders.fields]
amount = "money"
"#
    ));
}

#[test]
fn the_example_in_the_manifest_docs_is_valid() {
    let docs = include_str!("../../../docs/manifest.md");
    let start = docs.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = start + docs[start..].find("```").expect("end of block");
    let m = manifest(&docs[start..end]);
    assert_eq!(m.schema.customer.field("kind").unwrap().column, "category");
    assert_eq!(m.schema.customer.field("full_name").unwrap().column, "name");
    assert!(m.schema.customer.field("gender").unwrap().sensitive);
}

#[test]
fn a_duckdb_file_is_a_database_of_its_own_and_names_its_file() {
    let parse = |database: &str| {
        let text = format!("[database]\n{database}\n[customer]\nkey = \"id\"\n");
        parse(SourceId(0), &text)
    };
    let setting = parse("duckdb = \"shop.duckdb\"").unwrap().database;
    assert_eq!(setting, Some(DatabaseSetting::DuckDb("shop.duckdb".into())));
    assert_eq!(
        setting.as_ref().and_then(DatabaseSetting::local_file),
        Some(std::path::Path::new("shop.duckdb"))
    );
    let errors = parse("duckdb = \"shop.duckdb\"\npath = \"shop.db\"").unwrap_err();
    assert_eq!(errors[0].code, Code::ManifestInvalid);
    assert!(errors[0].message.contains("more than one database"));
}

#[test]
fn a_data_table_named_like_the_membership_tables_in_any_case_is_refused() {
    for name in ["seg_members", "Seg_Members", "SEG_RUNS"] {
        let text = format!("[data]\n{name} = \"x.csv\"\n[customer]\nkey = \"id\"\n");
        let errors = parse(SourceId(0), &text).unwrap_err();
        assert_eq!(errors[0].code, Code::ManifestInvalid, "{name}");
        assert!(
            errors[0].message.contains("membership table"),
            "{name}: {}",
            errors[0].message
        );
    }
}

#[test]
fn normalize_names_case_and_spaces_on_text_fields_only() {
    let m = manifest(
        r#"
[database]
path = "x.db"
[customer]
key = "id"
[customer.fields]
employer = { type = "text", normalize = ["spaces", "case"] }
city = { type = "text", normalize = ["case"] }
"#,
    );
    let field = |name: &str| m.schema.customer.field(name).unwrap().normalize;
    assert!(field("employer").case && field("employer").spaces);
    assert!(field("city").case && !field("city").spaces);
    insta::assert_snapshot!(problems(
        r#"[customer]
key = "id"
[customer.fields]
title = { type = "text", normalize = ["trim", "cse"] }
ltv = { type = "money", normalize = ["case"] }
"#
    ));
}

#[test]
fn rfm_takes_a_method_a_number_of_buckets_and_a_window() {
    let rfm = |lines: &str| {
        format!(
            "[customer]\nkey = \"id\"\n[related.orders]\ncustomer_key = \"cid\"\ntime = \"at\"\n\
             [related.orders.fields]\nat = \"date\"\namount = \"money\"\n\
             [rfm]\nentity = \"orders\"\namount = \"amount\"\n{lines}"
        )
    };
    let scoring = |lines: &str| manifest(&rfm(lines)).schema.rfm.unwrap().scoring;
    assert_eq!(scoring(""), RfmScoring::default());
    assert_eq!(
        scoring("method = \"ntile\"\nbuckets = 10\nwindow = \"18 months\"\n"),
        RfmScoring {
            method: RfmMethod::Ntile,
            buckets: 10,
            window: Some((18, Unit::Months)),
        }
    );
    assert_eq!(scoring("window = \"1 year\"\n").window, Some((1, Unit::Years)));
    insta::assert_snapshot!(problems(&rfm(
        "method = \"quintile\"\nbuckets = 1\nwindow = \"2 fortnights\"\n"
    )));
}
