//! Generates the retail example's data (`data/customers.csv`, `orders.csv`, `interests.csv`,
//! `contacts.csv`) deterministically from a fixed seed: the same files on every machine.
//! The data is a snapshot taken on 2025-12-01 (the project's `as_of` in seg.toml).
//!
//! Run from the repository root: `cargo run --example generate-retail`.

use std::fmt::Write as _;
use std::fs;

const CUSTOMERS: usize = 3000;
const SEED: u64 = 20_261_122;

/// SplitMix64: small, fast and fully deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    /// Picks from `(item, weight)` pairs.
    fn weighted<'a>(&mut self, items: &[(&'a str, u64)]) -> &'a str {
        let total: u64 = items.iter().map(|(_, w)| w).sum();
        let mut roll = self.below(total);
        for (item, weight) in items {
            if roll < *weight {
                return item;
            }
            roll -= weight;
        }
        items[0].0
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn date(days: i64) -> String {
    let (y, m, d) = civil(days);
    format!("{y:04}-{m:02}-{d:02}")
}

fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

const FIRST: &[&str] = &[
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Ines", "Jon", "Kemi", "Liam",
    "Maya", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vera", "Wei", "Yara",
    "Zoe",
];
const LAST: &[&str] = &[
    "Adams", "Brown", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Iyer", "Jones",
    "Kowalski", "Lopez", "Murphy", "Nguyen", "O'Brien", "Patel", "Rossi", "Smith", "Tanaka",
    "Walsh",
];

/// (occupation, industry, job titles, weight)
const OCCUPATIONS: &[(&str, &str, &[&str], u64)] = &[
    (
        "nurse",
        "healthcare",
        &[
            "Staff Nurse",
            "ICU Nurse",
            "Nurse Practitioner",
            "Senior Nurse",
        ],
        9,
    ),
    (
        "doctor",
        "healthcare",
        &["General Practitioner", "Surgeon", "Paediatrician"],
        4,
    ),
    (
        "paramedic",
        "healthcare",
        &["Paramedic", "Senior Paramedic"],
        3,
    ),
    (
        "teacher",
        "education",
        &["Primary Teacher", "Maths Teacher", "Head of Year"],
        9,
    ),
    (
        "engineer",
        "technology",
        &["Software Engineer", "Data Engineer", "Civil Engineer"],
        10,
    ),
    (
        "designer",
        "technology",
        &["Product Designer", "Graphic Designer"],
        5,
    ),
    (
        "sales",
        "retail",
        &["Sales Assistant", "Account Manager", "Store Manager"],
        9,
    ),
    ("driver", "transport", &["Delivery Driver", "Bus Driver"], 6),
    ("accountant", "finance", &["Accountant", "Auditor"], 6),
    ("student", "", &["Student"], 10),
    ("retired", "", &["Retired"], 8),
];

/// (country, region, cities)
const PLACES: &[(&str, &str, &[&str])] = &[
    ("UK", "London", &["London"]),
    ("UK", "North West", &["Manchester", "Liverpool"]),
    ("UK", "Scotland", &["Edinburgh", "Glasgow"]),
    ("IE", "Leinster", &["Dublin"]),
    ("US", "Northeast", &["New York", "Boston"]),
    ("US", "West", &["Seattle", "San Francisco"]),
    ("DE", "Bavaria", &["Munich"]),
    ("FR", "Ile-de-France", &["Paris"]),
];

const CATEGORIES: &[(&str, u64)] = &[
    ("books", 14),
    ("toys", 10),
    ("electronics", 10),
    ("health", 9),
    ("clothing", 14),
    ("home", 11),
    ("beauty", 9),
    ("school_supplies", 6),
    ("food", 17),
];

const INTERESTS: &[&str] = &[
    "hiking",
    "camping",
    "travel",
    "cooking",
    "fitness",
    "gaming",
    "reading",
    "gardening",
    "fashion",
    "budgeting",
];

const EMPLOYERS: &[&str] = &[
    "NHS",
    "City Council",
    "Acme Ltd",
    "Globex",
    "Initech",
    "Umbrella Health",
    "self-employed",
];

/// The occasion an order was bought for, given its month and day; often none.
fn occasion(rng: &mut Rng, month: u32, day: u32) -> &'static str {
    let seasonal = match (month, day) {
        (12, 1..=26) => Some("christmas"),
        (2, 1..=14) => Some("valentines"),
        (3, _) | (4, 1..=20) => Some("easter"),
        (10, 15..=31) => Some("halloween"),
        (11, 20..=30) => Some("black_friday"),
        (8, _) | (9, 1..=10) => Some("back_to_school"),
        (5, 1..=12) => Some("mothers_day"),
        (6, 10..=20) => Some("fathers_day"),
        _ => None,
    };
    match seasonal {
        Some(o) if rng.chance(65) => o,
        _ if rng.chance(12) => rng.pick(&["birthday", "birthday", "anniversary", "wedding"]),
        _ => "",
    }
}

fn main() {
    let mut rng = Rng(SEED);
    let mut customers = String::from(
        "id,name,email,gender,birthday,income,education,occupation,job_title,industry,employer,country,region,city,newsletter,loyalty_tier,signup_date\n",
    );
    let mut orders = String::from("id,customer_id,ordered_at,amount,category,occasion,channel\n");
    let mut interests = String::from("customer_id,interest\n");
    let mut contacts = String::from("id,customer_id,contacted_at,channel,campaign\n");
    let mut contact_id = 1;
    let first_signup = days_from_civil(2019, 1, 1);
    let last_day = days_from_civil(2025, 11, 30);
    let mut order_id = 1;

    for id in 1..=CUSTOMERS {
        let name = format!("{} {}", rng.pick(FIRST), rng.pick(LAST));
        let email = format!("customer{id}@example.com");
        let gender = rng.weighted(&[("female", 46), ("male", 44), ("nonbinary", 2), ("", 8)]);
        let birthday = date(days_from_civil(1950, 1, 1) + rng.below(365 * 55) as i64);
        let income = if rng.chance(12) {
            String::new()
        } else {
            money((18_000 + rng.below(110_000)) * 100)
        };
        let education = rng.weighted(&[
            ("high_school", 30),
            ("bachelor", 38),
            ("master", 16),
            ("doctorate", 4),
            ("", 12),
        ]);
        let roll = rng.below(OCCUPATIONS.iter().map(|o| o.3).sum::<u64>() + 5);
        let mut acc = 0;
        let mut job = None;
        for occupation in OCCUPATIONS {
            acc += occupation.3;
            if roll < acc {
                job = Some(occupation);
                break;
            }
        }
        let (occupation, industry, title) = match job {
            Some((o, i, titles, _)) => (*o, *i, rng.pick(titles)),
            None => ("", "", ""),
        };
        let employer =
            if occupation.is_empty() || occupation == "retired" || occupation == "student" {
                ""
            } else if industry == "healthcare" && rng.chance(70) {
                "NHS"
            } else {
                rng.pick(EMPLOYERS)
            };
        let (country, region, cities) = PLACES[rng.below(PLACES.len() as u64) as usize];
        let city = rng.pick(cities);
        let newsletter = if rng.chance(55) { "true" } else { "false" };
        let signup = first_signup + rng.below((last_day - first_signup - 30) as u64) as i64;

        // Skewed order counts: many customers buy once or never, a few buy often.
        let orders_count = match rng.below(100) {
            0..=9 => 0,
            10..=39 => 1 + rng.below(2),
            40..=79 => 2 + rng.below(5),
            80..=94 => 6 + rng.below(10),
            _ => 15 + rng.below(25),
        };
        let big_spender = rng.chance(20);
        let mut ltv_cents = 0;
        let mut order_days: Vec<i64> = (0..orders_count)
            .map(|_| signup + rng.below((last_day - signup) as u64) as i64)
            .collect();
        order_days.sort();
        for day in order_days {
            let (_, month, dom) = civil(day);
            let base = if big_spender {
                4_000 + rng.below(30_000)
            } else {
                500 + rng.below(9_000)
            };
            let cents = base + if rng.chance(10) { 0 } else { rng.below(100) };
            ltv_cents += cents;
            let category = rng.weighted(CATEGORIES);
            let occasion = occasion(&mut rng, month, dom);
            let time = format!(
                "{:02}:{:02}:{:02}",
                rng.below(24),
                rng.below(60),
                rng.below(60)
            );
            let channel = rng.weighted(&[("web", 55), ("store", 30), ("app", 15)]);
            let _ = writeln!(
                orders,
                "{order_id},{id},{} {time},{},{category},{occasion},{channel}",
                date(day),
                money(cents)
            );
            order_id += 1;
        }
        let loyalty = match ltv_cents {
            0 => "",
            c if c >= 150_000 => "gold",
            c if c >= 50_000 => "silver",
            _ => "bronze",
        };
        let _ = writeln!(
            customers,
            "{id},{},{email},{gender},{birthday},{income},{education},{occupation},{},{industry},{employer},{country},{},{},{newsletter},{loyalty},{}",
            csv_field(&name),
            csv_field(title),
            csv_field(region),
            csv_field(city),
            date(signup),
        );
        let mut chosen: Vec<&str> = Vec::new();
        for _ in 0..rng.below(4) {
            let interest = rng.pick(INTERESTS);
            if !chosen.contains(&interest) {
                chosen.push(interest);
                let _ = writeln!(interests, "{id},{interest}");
            }
        }
        for _ in 0..rng.below(3) {
            let day = last_day - rng.below(120) as i64;
            let channel = rng.weighted(&[("email", 70), ("sms", 20), ("post", 10)]);
            let campaign = rng.pick(&["winter_sale", "loyalty_bonus", "new_arrivals"]);
            let _ = writeln!(
                contacts,
                "{contact_id},{id},{},{channel},{campaign}",
                date(day)
            );
            contact_id += 1;
        }
    }
    fs::write("examples/retail/data/customers.csv", customers).expect("write customers.csv");
    fs::write("examples/retail/data/orders.csv", orders).expect("write orders.csv");
    fs::write("examples/retail/data/interests.csv", interests).expect("write interests.csv");
    fs::write("examples/retail/data/contacts.csv", contacts).expect("write contacts.csv");
    println!("wrote examples/retail/data/*.csv");
}
