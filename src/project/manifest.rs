//! `seg.toml`: where the database is, where segment files are, and the customer schema.
//! Every problem is a coded diagnostic pointing into the TOML.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::normalize::Normalize;
use crate::operators::Unit;
use crate::schema::{Entity, Field, RfmMethod, RfmScoring, Schema, Type};
use crate::source::{Location, SourceId, Span};

/// A parsed and validated manifest. Paths are as written (relative to the manifest).
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The as-of date when no `--as-of` is given, for a project whose data is a snapshot.
    pub as_of: Option<chrono::NaiveDate>,
    /// Where the data is: a SQLite file or a PostgreSQL URL.
    pub database: Option<DatabaseSetting>,
    /// CSV files that `seg load` turns into tables, by table name.
    pub data: Vec<DataSource>,
    /// Files or directories holding `.seg` files (empty: the whole project).
    pub segments: Vec<PathBuf>,
    /// The customer schema.
    pub schema: Schema,
    /// `[lints]`: which lints to allow, warn about or deny.
    pub lints: crate::lint::LintConfig,
    /// `[privacy] min_group_size`: previews (overlaps, breakdowns) hide groups of fewer
    /// customers than this, so no small group can be singled out (k-anonymity).
    pub min_group_size: u64,
}

/// The smallest group a preview shows when the manifest does not say.
pub const DEFAULT_MIN_GROUP_SIZE: u64 = 5;

/// One CSV file loaded into one table.
#[derive(Clone, Debug)]
pub struct DataSource {
    /// The table to create.
    pub table: String,
    /// The CSV file.
    pub path: PathBuf,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManifest {
    #[serde(default)]
    project: RawProject,
    #[serde(default)]
    database: RawDatabase,
    #[serde(default)]
    data: IndexMap<String, Spanned<String>>,
    customer: Spanned<RawEntity>,
    #[serde(default)]
    related: IndexMap<String, Spanned<RawEntity>>,
    rfm: Option<Spanned<RawRfm>>,
    #[serde(default)]
    lints: IndexMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    privacy: RawPrivacy,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPrivacy {
    min_group_size: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRfm {
    entity: Spanned<String>,
    amount: Spanned<String>,
    method: Option<Spanned<String>>,
    buckets: Option<Spanned<i64>>,
    window: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawProject {
    /// Accepted (projects name themselves); nothing reads it yet.
    #[serde(rename = "name")]
    _name: Option<String>,
    as_of: Option<Spanned<String>>,
    #[serde(default)]
    segments: Vec<String>,
}

/// `[database]`: one of `path`, `url` or `url_env`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DatabaseSetting {
    /// `path = "shop.db"`: a SQLite file, relative to the project.
    Path(PathBuf),
    /// `url = "postgresql://seg@localhost:5432/shop"`: a PostgreSQL database (the password
    /// comes from `PGPASSWORD`, never from the manifest).
    Url(String),
    /// `url_env = "DATABASE_URL"`: the PostgreSQL URL is in this environment variable.
    UrlEnv(String),
    /// `spark = "spark://host:7077"`: a Spark cluster, reading the `[data]` files.
    Spark(String),
    /// `spark_env = "SPARK_MASTER"`: the Spark master URL is in this environment variable.
    SparkEnv(String),
    /// `duckdb = "shop.duckdb"`: a DuckDB database file, relative to the project.
    DuckDb(PathBuf),
}

impl DatabaseSetting {
    /// The database file on this machine (relative to the project) that the setting names,
    /// if it names one, so that writers can refuse to write over it.
    pub fn local_file(&self) -> Option<&Path> {
        match self {
            DatabaseSetting::Path(path) | DatabaseSetting::DuckDb(path) => Some(path),
            DatabaseSetting::Url(_)
            | DatabaseSetting::UrlEnv(_)
            | DatabaseSetting::Spark(_)
            | DatabaseSetting::SparkEnv(_) => None,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    path: Option<String>,
    url: Option<Spanned<String>>,
    url_env: Option<String>,
    spark: Option<String>,
    spark_env: Option<String>,
    duckdb: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntity {
    name: Option<String>,
    table: Option<Spanned<String>>,
    key: Option<Spanned<String>>,
    customer_key: Option<Spanned<String>>,
    time: Option<Spanned<String>>,
    #[serde(default)]
    fields: IndexMap<String, Spanned<RawField>>,
}

/// `name = "text"` or `name = { type = "text", … }`.
enum RawField {
    Short(String),
    Full(Box<RawFieldTable>),
}

impl<'de> Deserialize<'de> for RawField {
    // By hand rather than `#[serde(untagged)]`, which buffers the input and so loses the
    // spans that `Spanned` fields inside the table need.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldVisitor;
        impl<'de> serde::de::Visitor<'de> for FieldVisitor {
            type Value = RawField;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a type name such as \"text\", or a table such as { type = \"text\" }")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawField, E> {
                Ok(RawField::Short(v.to_string()))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawField, A::Error> {
                RawFieldTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|table| RawField::Full(Box::new(table)))
            }
        }
        deserializer.deserialize_any(FieldVisitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFieldTable {
    #[serde(rename = "type")]
    ty: Option<Spanned<String>>,
    column: Option<String>,
    scale: Option<u32>,
    values: Option<Spanned<Vec<String>>>,
    normalize: Option<Spanned<Vec<Spanned<String>>>>,
    via: Option<Spanned<String>>,
    field: Option<Spanned<String>>,
    #[serde(default)]
    sensitive: bool,
    #[serde(default)]
    required: bool,
}

/// Parses and validates the manifest text of `source`.
pub fn parse(source: SourceId, text: &str) -> Result<Manifest, Vec<Diagnostic>> {
    let raw: RawManifest = toml::from_str(text).map_err(|e| {
        let span = e
            .span()
            .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
        let message = e.message().trim_end().to_string();
        vec![
            Diagnostic::error(Code::ManifestSyntax, format!("invalid seg.toml: {message}"))
                .with_label(source, span, "here"),
        ]
    })?;
    let mut v = Validator {
        source,
        errors: Vec::new(),
    };
    let related: Vec<Entity> = raw
        .related
        .iter()
        .map(|(name, entity)| v.entity(name, entity, true))
        .collect();
    let customer_name = raw.customer.get_ref().name.clone();
    let mut customer = v.entity(
        customer_name.as_deref().unwrap_or("customers"),
        &raw.customer,
        false,
    );
    v.resolve_via_fields(&mut customer, &raw.customer, &related);
    let rfm = raw.rfm.as_ref().and_then(|rfm| v.rfm(rfm, &related));
    let lints = v.lints(&raw.lints);
    let as_of = raw.project.as_of.as_ref().and_then(|text| {
        let date = crate::calendar::parse_as_of(text.get_ref());
        if let Err(problem) = &date {
            v.invalid(
                text.span(),
                format!("`as_of` is not a date: {problem}"),
                "expected YYYY-MM-DD",
            );
        }
        date.ok()
    });
    let database = v.database(raw.database);
    for (table, path) in &raw.data {
        // Engines compare table names ignoring case: `Seg_Members` is the same table.
        if crate::sql::ddl::MEMBERSHIP_TABLES
            .iter()
            .any(|own| own.eq_ignore_ascii_case(table))
        {
            v.invalid(
                path.span(),
                format!("`{table}` is seglang's own membership table"),
                "a table seglang keeps history in",
            )
            .help = Some("name the CSV file's table otherwise".to_string());
        }
    }
    let data = raw
        .data
        .iter()
        .map(|(table, path)| DataSource {
            table: table.clone(),
            path: PathBuf::from(path.get_ref()),
        })
        .collect();
    if !v.errors.is_empty() {
        v.errors.sort_by_key(|d| d.location().map(|l| l.span.start));
        return Err(v.errors);
    }

    Ok(Manifest {
        min_group_size: raw.privacy.min_group_size.unwrap_or(DEFAULT_MIN_GROUP_SIZE),
        as_of,
        database,
        data,
        segments: raw
            .project
            .segments
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        schema: Schema {
            customer,
            related,
            rfm,
        },
        lints,
    })
}

struct Validator {
    source: SourceId,
    errors: Vec<Diagnostic>,
}

impl Validator {
    /// `[database]`: one setting; a URL with a password in it is refused.
    fn database(&mut self, raw: RawDatabase) -> Option<DatabaseSetting> {
        let given = [
            raw.path.is_some(),
            raw.url.is_some(),
            raw.url_env.is_some(),
            raw.spark.is_some(),
            raw.spark_env.is_some(),
            raw.duckdb.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            self.errors.push(
                Diagnostic::error(
                    Code::ManifestInvalid,
                    "`[database]` names more than one database",
                )
                .with_help(
                    "give one of `path` (SQLite), `duckdb` (DuckDB), `url` or `url_env` (PostgreSQL), `spark` or `spark_env` (Spark)",
                ),
            );
            return None;
        }
        if let Some(url) = raw.url {
            let text = url.get_ref();
            if !super::is_postgres_url(text) {
                self.invalid(
                    url.span(),
                    format!("`{text}` is not a PostgreSQL URL"),
                    "write it as postgresql://USER@HOST:PORT/DATABASE",
                );
                return None;
            }
            if super::url_holds_password(text) {
                self.invalid(
                    url.span(),
                    "the database URL holds a password".to_string(),
                    "a password, in a committed file; set PGPASSWORD instead",
                );
                return None;
            }
            return Some(DatabaseSetting::Url(text.clone()));
        }
        if let Some(variable) = raw.url_env {
            return Some(DatabaseSetting::UrlEnv(variable));
        }
        if let Some(master) = raw.spark {
            return Some(DatabaseSetting::Spark(master));
        }
        if let Some(variable) = raw.spark_env {
            return Some(DatabaseSetting::SparkEnv(variable));
        }
        if let Some(file) = raw.duckdb {
            return Some(DatabaseSetting::DuckDb(PathBuf::from(file)));
        }
        raw.path.map(|p| DatabaseSetting::Path(PathBuf::from(p)))
    }

    fn location(&self, range: std::ops::Range<usize>) -> Location {
        Location {
            source: self.source,
            span: Span::new(range.start, range.end),
        }
    }

    fn invalid(
        &mut self,
        range: std::ops::Range<usize>,
        message: String,
        label: &str,
    ) -> &mut Diagnostic {
        self.errors.push(
            Diagnostic::error(Code::ManifestInvalid, message).with_label(
                self.source,
                Span::new(range.start, range.end),
                label,
            ),
        );
        self.errors.last_mut().expect("just pushed")
    }

    fn entity(&mut self, name: &str, raw: &Spanned<RawEntity>, related: bool) -> Entity {
        let entity = raw.get_ref();
        let table = entity
            .table
            .as_ref()
            .map_or_else(|| name.to_string(), |t| t.get_ref().clone());
        let key = match &entity.key {
            Some(key) => key.get_ref().clone(),
            None if related => String::new(),
            None => {
                self.invalid(
                    raw.span(),
                    "the customer entity has no `key`".into(),
                    "declared here",
                )
                .help = Some("add `key = \"id\"` (the column that identifies a customer)".into());
                String::new()
            }
        };
        let customer_key = match (&entity.customer_key, related) {
            (Some(k), true) => Some(k.get_ref().clone()),
            (None, true) => {
                self.invalid(
                    raw.span(),
                    format!("related entity `{name}` has no `customer_key`"),
                    "declared here",
                )
                .help = Some(
                    "add `customer_key = \"customer_id\"` (its column holding the customer's key)"
                        .into(),
                );
                None
            }
            (Some(k), false) => {
                self.invalid(
                    k.span(),
                    "`customer_key` belongs on related entities, not on the customer".into(),
                    "not allowed here",
                );
                None
            }
            (None, false) => None,
        };
        let fields: Vec<Field> = entity
            .fields
            .iter()
            .filter(|(_, f)| !matches!(f.get_ref(), RawField::Full(t) if t.via.is_some()))
            .filter_map(|(field_name, raw_field)| self.field(field_name, raw_field))
            .collect();
        let time = entity.time.as_ref().and_then(|time| {
            let found = fields.iter().find(|f| f.name == *time.get_ref());
            match found {
                Some(f) if matches!(f.ty, Type::Date | Type::Timestamp) => Some(f.column.clone()),
                Some(f) => {
                    self.invalid(
                        time.span(),
                        format!(
                            "`time` must name a date or timestamp field; `{}` is {}",
                            f.name, f.ty
                        ),
                        "not a date",
                    );
                    None
                }
                None => {
                    let help =
                        did_you_mean(time.get_ref(), fields.iter().map(|f| f.name.as_str()), "`");
                    self.invalid(
                        time.span(),
                        format!("`time` names unknown field `{}`", time.get_ref()),
                        "no such field",
                    )
                    .help = help;
                    None
                }
            }
        });
        Entity {
            name: name.to_string(),
            table,
            key,
            customer_key,
            fields,
            time,
            location: self.location(raw.span()),
        }
    }

    fn field(&mut self, name: &str, raw: &Spanned<RawField>) -> Option<Field> {
        let location = self.location(raw.span());
        let (type_name, type_span, table) = match raw.get_ref() {
            RawField::Short(type_name) => (type_name.as_str(), raw.span(), None),
            RawField::Full(table) => match &table.ty {
                Some(ty) => (ty.get_ref().as_str(), ty.span(), Some(table)),
                None => {
                    self.invalid(
                        raw.span(),
                        format!("field `{name}` has no `type`"),
                        "declared here",
                    )
                    .help = Some(format!("one of: {}", Type::NAMES.join(", ")));
                    return None;
                }
            },
        };
        let scale = table.and_then(|t| t.scale);
        let Some(ty) = Type::from_name(type_name, scale) else {
            let help = did_you_mean(type_name, Type::NAMES.iter().copied(), "`")
                .unwrap_or_else(|| format!("one of: {}", Type::NAMES.join(", ")));
            self.invalid(
                type_span,
                format!("unknown type `{type_name}` for field `{name}`"),
                "not a type",
            )
            .help = Some(help);
            return None;
        };
        let values = table.and_then(|t| t.values.as_ref());
        if let (Some(values), false) = (values, ty == Type::Text) {
            self.invalid(
                values.span(),
                format!("only text fields can list allowed values; `{name}` is {ty}"),
                "not allowed here",
            );
        }
        if let Some(field) = table.and_then(|t| t.field.as_ref()) {
            self.invalid(
                field.span(),
                "`field` is only allowed together with `via`".into(),
                "here",
            );
        }
        let normalize = self.normalize(name, ty, table.and_then(|t| t.normalize.as_ref()));
        Some(Field {
            name: name.to_string(),
            column: table
                .and_then(|t| t.column.clone())
                .unwrap_or_else(|| name.to_string()),
            ty,
            values: values.map(|v| v.get_ref().clone()),
            normalize,
            via: None,
            sensitive: table.is_some_and(|t| t.sensitive),
            required: table.is_some_and(|t| t.required),
            location,
        })
    }

    /// A text field's `normalize = ["case", "spaces"]`: what every comparison on it ignores.
    fn normalize(
        &mut self,
        name: &str,
        ty: Type,
        raw: Option<&Spanned<Vec<Spanned<String>>>>,
    ) -> Normalize {
        let mut normalize = Normalize::NONE;
        let Some(raw) = raw else {
            return normalize;
        };
        if ty != Type::Text {
            self.invalid(
                raw.span(),
                format!("only text fields can be normalized; `{name}` is {ty}"),
                "not allowed here",
            );
            return normalize;
        }
        for word in raw.get_ref() {
            match word.get_ref().as_str() {
                "case" => normalize.case = true,
                "spaces" => normalize.spaces = true,
                other => {
                    let help = if other == "trim" {
                        "`spaces` trims white space at both ends and reads each run of it \
                         inside as one space"
                            .to_string()
                    } else {
                        did_you_mean(other, ["case", "spaces"], "\"")
                            .unwrap_or_else(|| "write \"case\" or \"spaces\"".into())
                    };
                    self.invalid(
                        word.span(),
                        format!("`normalize` takes \"case\" and \"spaces\", not \"{other}\""),
                        "not a normalization",
                    )
                    .help = Some(help);
                }
            }
        }
        normalize
    }

    /// `[lints]`: `name = "allow" | "warn" | "deny"`, and `size-change-threshold = 0.2`.
    fn lints(&mut self, raw: &IndexMap<String, Spanned<toml::Value>>) -> crate::lint::LintConfig {
        use crate::lint::{Level, LintConfig};
        let mut config = LintConfig::default();
        for (name, value) in raw {
            if name == "size-change-threshold" {
                match value
                    .get_ref()
                    .as_float()
                    .or_else(|| value.get_ref().as_integer().map(|i| i as f64))
                {
                    Some(t) if t >= 0.0 => config.size_change_threshold = t,
                    _ => {
                        self.invalid(
                            value.span(),
                            "`size-change-threshold` is a fraction such as 0.2".into(),
                            "expected a number",
                        );
                    }
                }
                continue;
            }
            let Some((_, code)) = Code::LINTS.iter().find(|(n, _)| n == name) else {
                let names = Code::LINTS
                    .iter()
                    .map(|(n, _)| *n)
                    .chain(["size-change-threshold"]);
                let help = did_you_mean(name, names, "`");
                self.invalid(value.span(), format!("unknown lint `{name}`"), "not a lint")
                    .help = help;
                continue;
            };
            match value.get_ref().as_str().and_then(Level::from_name) {
                Some(level) => {
                    config.levels.insert(*code, level);
                }
                None => {
                    self.invalid(
                        value.span(),
                        format!("lint `{name}` must be \"allow\", \"warn\" or \"deny\""),
                        "not a level",
                    );
                }
            }
        }
        config
    }

    /// `[rfm]`: a related entity with a `time` and a money field.
    fn rfm(
        &mut self,
        raw: &Spanned<RawRfm>,
        related: &[Entity],
    ) -> Option<crate::schema::RfmSource> {
        let rfm = raw.get_ref();
        let Some(relation) = related.iter().position(|e| e.name == *rfm.entity.get_ref()) else {
            let help = did_you_mean(
                rfm.entity.get_ref(),
                related.iter().map(|e| e.name.as_str()),
                "`",
            );
            self.invalid(
                rfm.entity.span(),
                format!(
                    "`[rfm]` names unknown related entity `{}`",
                    rfm.entity.get_ref()
                ),
                "not a related entity",
            )
            .help = help;
            return None;
        };
        let entity = &related[relation];
        let time = entity
            .time
            .as_ref()
            .and_then(|column| entity.fields.iter().find(|f| f.column == *column));
        let Some(time) = time else {
            self.invalid(
                raw.span(),
                format!("RFM needs the time of each {} row", entity.name),
                "declared here",
            )
            .help = Some(format!(
                "add `time = \"<date field>\"` under [related.{}]",
                entity.name
            ));
            return None;
        };
        let amount = match entity.field(rfm.amount.get_ref()) {
            Some(f) if f.ty.is_numeric() => f,
            Some(f) => {
                self.invalid(
                    rfm.amount.span(),
                    format!("the RFM amount must be a number; `{}` is {}", f.name, f.ty),
                    "not a number",
                );
                return None;
            }
            None => {
                let help = did_you_mean(
                    rfm.amount.get_ref(),
                    entity.fields.iter().map(|f| f.name.as_str()),
                    "`",
                );
                self.invalid(
                    rfm.amount.span(),
                    format!("{} has no field `{}`", entity.name, rfm.amount.get_ref()),
                    "no such field",
                )
                .help = help;
                return None;
            }
        };
        let scoring = self.rfm_scoring(rfm)?;
        Some(crate::schema::RfmSource {
            relation,
            amount: amount.clone(),
            time: time.clone(),
            scoring,
        })
    }

    /// `method`, `buckets` and `window` of `[rfm]`.
    fn rfm_scoring(&mut self, rfm: &RawRfm) -> Option<RfmScoring> {
        let mut scoring = RfmScoring::default();
        let mut ok = true;
        if let Some(method) = &rfm.method {
            match method.get_ref().as_str() {
                "rank" => scoring.method = RfmMethod::Rank,
                "ntile" => scoring.method = RfmMethod::Ntile,
                other => {
                    ok = false;
                    let help = did_you_mean(other, ["rank", "ntile"], "\"").unwrap_or_else(|| {
                        "\"ntile\" for buckets of equal size, \"rank\" for shared ranks".into()
                    });
                    self.invalid(
                        method.span(),
                        format!("`method` is \"ntile\" or \"rank\", not \"{other}\""),
                        "not a method",
                    )
                    .help = Some(help);
                }
            }
        }
        if let Some(buckets) = &rfm.buckets {
            match u32::try_from(*buckets.get_ref()) {
                Ok(n) if (2..=100).contains(&n) => scoring.buckets = n,
                _ => {
                    ok = false;
                    self.invalid(
                        buckets.span(),
                        format!(
                            "`buckets` is a whole number from 2 to 100, not {}",
                            buckets.get_ref()
                        ),
                        "not a number of buckets",
                    )
                    .help = Some("4 for quartiles, 5 for quintiles, 10 for deciles".into());
                }
            }
        }
        if let Some(window) = &rfm.window {
            match parse_window(window.get_ref()) {
                Some(parsed) => scoring.window = Some(parsed),
                None => {
                    ok = false;
                    self.invalid(
                        window.span(),
                        format!("`window` is an amount of time such as \"2 years\", not \"{}\"", window.get_ref()),
                        "not an amount of time",
                    )
                    .help = Some(
                        "a whole number from 1 and days, weeks, months or years: \"90 days\", \"18 months\"".into(),
                    );
                }
            }
        }
        ok.then_some(scoring)
    }

    /// Customer fields declared `via = "orders"` take their column and type from the related
    /// entity's field of the same name (or the one named by `field`).
    fn resolve_via_fields(
        &mut self,
        customer: &mut Entity,
        raw: &Spanned<RawEntity>,
        related: &[Entity],
    ) {
        for (name, raw_field) in &raw.get_ref().fields {
            let RawField::Full(table) = raw_field.get_ref() else {
                continue;
            };
            let Some(via) = &table.via else { continue };
            let Some(index) = related.iter().position(|e| e.name == *via.get_ref()) else {
                let help =
                    did_you_mean(via.get_ref(), related.iter().map(|e| e.name.as_str()), "`")
                        .unwrap_or_else(|| "declare it under `[related.<name>]`".into());
                self.invalid(
                    via.span(),
                    format!("`via` names unknown related entity `{}`", via.get_ref()),
                    "not a related entity",
                )
                .help = Some(help);
                continue;
            };
            let entity = &related[index];
            let target_name = table
                .field
                .as_ref()
                .map_or(name.as_str(), |f| f.get_ref().as_str());
            let target_span = table.field.as_ref().map_or(raw_field.span(), |f| f.span());
            let Some(target) = entity.field(target_name) else {
                let help = did_you_mean(
                    target_name,
                    entity.fields.iter().map(|f| f.name.as_str()),
                    "`",
                );
                let d = self.invalid(
                    target_span,
                    format!(
                        "related entity `{}` has no field `{target_name}`",
                        entity.name
                    ),
                    "not a field there",
                );
                d.help = help;
                continue;
            };
            if table.ty.is_some()
                || table.column.is_some()
                || table.values.is_some()
                || table.normalize.is_some()
            {
                self.invalid(
                    raw_field.span(),
                    format!(
                        "field `{name}` takes its type, column, values and normalization from `{}`",
                        entity.name
                    ),
                    "remove `type`, `column`, `values` and `normalize` here",
                );
            }
            customer.fields.push(Field {
                name: name.clone(),
                via: Some(index),
                sensitive: table.sensitive || target.sensitive,
                required: target.required,
                location: self.location(raw_field.span()),
                ..target.clone()
            });
        }
    }
}

/// `"2 years"`, `"90 days"`, `"1 month"`: a window of whole units.
fn parse_window(text: &str) -> Option<(u32, Unit)> {
    let mut words = text.split_whitespace();
    let amount: u32 = words.next()?.parse().ok().filter(|n| *n >= 1)?;
    let unit = match words.next()?.to_ascii_lowercase().as_str() {
        "day" | "days" => Unit::Days,
        "week" | "weeks" => Unit::Weeks,
        "month" | "months" => Unit::Months,
        "year" | "years" => Unit::Years,
        _ => return None,
    };
    words.next().is_none().then_some((amount, unit))
}

#[cfg(test)]
mod tests;
