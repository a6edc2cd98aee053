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
    assert_eq!(m.database.as_deref(), Some(std::path::Path::new("x.db")));
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
