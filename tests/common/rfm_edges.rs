//! RFM buckets at their edges, worked out by hand: a small project whose scores tie at
//! the cuts, under shared ranks, equal buckets (`ntile`) and a window, on any engine
//! (`database` is the project's `[database]` line).
//!
//! Ten customers with orders of 10.00 each (customer 11 has none). All latest orders fall on
//! 2025-06-01, so recency ties everyone. Orders per customer: 1, 2, 3 → 1; 4, 5, 6, 7 → 2;
//! 9, 10 → 3; 8 → 5, four of them in January 2024, outside a 90-day window up to
//! 2025-06-30.

use super::{TestDir, member_keys, seg, temp_dir};

/// Segments and their members.
type Members = &'static [(&'static str, &'static [i64])];

/// Each `[rfm]` setting and the members it gives, by segment.
pub const CASES: &[(&str, Members)] = &[
    // Shared ranks, quartiles: 1 + ⌊4 × (rank − 1) / 10⌋. Two orders rank 4 (score 2), three
    // rank 8 (score 3), five rank 10 (score 4); everyone ties on recency, rank 1.
    (
        "method = \"rank\"\nbuckets = 4\n",
        &[
            ("F4", &[8]),
            ("F3", &[9, 10]),
            ("F2", &[4, 5, 6, 7]),
            ("F1", &[1, 2, 3]),
            ("R4", &[]),
            ("R1", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
            ("M4", &[8]),
            ("Scored", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
            ("Unscored", &[11]),
        ],
    ),
    // NTILE(4) of ten: buckets of 3, 3, 2, 2 in order of value, ties by key read as text,
    // shorter first ("9" before "10"). Frequency: 1 2 3 | 4 5 6 | 7 9 | 10 8.
    (
        "method = \"ntile\"\nbuckets = 4\n",
        &[
            ("F4", &[8, 10]),
            ("F3", &[7, 9]),
            ("F2", &[4, 5, 6]),
            ("F1", &[1, 2, 3]),
            // Everyone ties on recency: cut by key alone.
            ("R4", &[9, 10]),
            ("R1", &[1, 2, 3]),
            ("M4", &[8, 10]),
            ("Unscored", &[11]),
        ],
    ),
    // In the 90 days up to 2025-06-30, customer 8 has one order: 1 2 3 | 8 4 5 | 6 7 | 9 10.
    (
        "method = \"ntile\"\nbuckets = 4\nwindow = \"90 days\"\n",
        &[
            ("F4", &[9, 10]),
            ("F3", &[6, 7]),
            ("F2", &[4, 5, 8]),
            ("F1", &[1, 2, 3]),
            ("R4", &[9, 10]),
            ("M4", &[9, 10]),
            ("Unscored", &[11]),
        ],
    ),
];

/// The project with `rfm` lines in its `[rfm]`, loaded.
pub fn project(rfm: &str, database: &str) -> TestDir {
    let dir = temp_dir("rfm-edges");
    let counts: &[(i64, usize)] = &[
        (1, 1),
        (2, 1),
        (3, 1),
        (4, 2),
        (5, 2),
        (6, 2),
        (7, 2),
        (8, 5),
        (9, 3),
        (10, 3),
    ];
    let mut orders = String::from("id,customer_id,ordered_at,amount\n");
    let mut id = 0;
    for &(customer, count) in counts {
        for n in 0..count {
            id += 1;
            let date = if customer == 8 && n > 0 {
                "2024-01-15"
            } else {
                "2025-06-01"
            };
            orders.push_str(&format!("{id},{customer},{date},10.00\n"));
        }
    }
    let customers: String = (1..=11).map(|k| format!("{k}\n")).collect();
    std::fs::write(dir.join("customers.csv"), format!("id\n{customers}")).unwrap();
    std::fs::write(dir.join("orders.csv"), orders).unwrap();
    std::fs::write(
        dir.join("seg.toml"),
        format!(
            "[project]\nas_of = \"2025-06-30\"\n[database]\n{database}\n\
             [data]\ncustomers = \"customers.csv\"\norders = \"orders.csv\"\n\
             [customer]\nkey = \"id\"\n[related.orders]\nkey = \"id\"\ncustomer_key = \"customer_id\"\n\
             time = \"ordered_at\"\n[related.orders.fields]\nordered_at = \"date\"\namount = \"money\"\n\
             [rfm]\nentity = \"orders\"\namount = \"amount\"\n{rfm}"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("rfm.seg"),
        "segment F4 where frequency_score = 4\nsegment F3 where frequency_score = 3\n\
         segment F2 where frequency_score = 2\nsegment F1 where frequency_score = 1\n\
         segment R4 where recency_score = 4\nsegment R1 where recency_score = 1\n\
         segment M4 where monetary_score = 4\nsegment Scored where recency_score >= 1\n\
         segment Unscored where not (recency_score >= 1)\n",
    )
    .unwrap();
    let load = seg(&dir, &["load"]);
    assert_eq!(load.code, 0, "{}", load.stderr);
    dir
}

/// Every case on a project whose database is `database`: the differences from the members
/// worked out by hand (empty when all agree).
pub fn mismatches(database: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (rfm, cases) in CASES {
        let dir = project(rfm, database);
        for (segment, expected) in *cases {
            let out = seg(&dir, &["run", "--segment", segment, "--format", "csv"]);
            assert_eq!(out.code, 0, "{segment}: {}", out.stderr);
            let members = member_keys(&out.stdout);
            if members != *expected {
                problems.push(format!(
                    "[rfm] {} {segment}: expected {expected:?}, got {members:?}",
                    rfm.replace('\n', " ")
                ));
            }
        }
    }
    problems
}
