//! Splits through the real binary: each bucket holds exactly the base's customers whose
//! seeded MD5 bucket falls in its share (worked out here, independently of seglang), the
//! buckets partition the base, and a customer keeps its bucket when the data grows.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{seg, temp_dir};
use md5::{Digest, Md5};

/// The bucket as docs/semantics.md defines it: the first four bytes of
/// MD5(seed ':' key), big-endian, modulo 10,000.
fn bucket(seed: &str, key: &str) -> u32 {
    let digest = Md5::digest(format!("{seed}:{key}").as_bytes());
    u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 10_000
}

/// A project of `keys` customers, every third one in Leeds, split 85% / 10% / 5%.
fn project(keys: &[String], seed: &str) -> common::TestDir {
    let dir = temp_dir("split");
    std::fs::write(
        dir.join("seg.toml"),
        "[database]\npath = \"split.db\"\n[data]\ncustomers = \"customers.csv\"\n\
         [customer]\ntable = \"customers\"\nkey = \"id\"\n[customer.fields]\ncity = \"text\"\n",
    )
    .unwrap();
    write_customers(&dir, keys);
    std::fs::create_dir(dir.join("segments")).unwrap();
    std::fs::write(
        dir.join("segments/test.seg"),
        format!(
            "segment Leeds where city = 'Leeds'\n\
             split Leeds seed '{seed}' into Campaign 85%, Holdout 10%, Pilot 5%\n"
        ),
    )
    .unwrap();
    dir
}

fn write_customers(dir: &Path, keys: &[String]) {
    let mut csv = String::from("id,city\n");
    for (i, key) in keys.iter().enumerate() {
        let city = if i % 3 == 0 { "Leeds" } else { "York" };
        csv.push_str(&format!("{key},{city}\n"));
    }
    std::fs::write(dir.join("customers.csv"), csv).unwrap();
}

/// The keys `seg export` lists for `segment`.
fn exported(dir: &Path, segment: &str) -> BTreeSet<String> {
    let out = seg(dir, &["export", segment, "--fields", "city"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_string())
        .collect()
}

/// What each bucket should hold, worked out from the keys.
fn expected(keys: &[String], seed: &str) -> [BTreeSet<String>; 3] {
    let mut buckets: [BTreeSet<String>; 3] = Default::default();
    for (i, key) in keys.iter().enumerate() {
        if i % 3 != 0 {
            continue;
        }
        let b = bucket(seed, key);
        let which = if b < 8500 {
            0
        } else if b < 9500 {
            1
        } else {
            2
        };
        buckets[which].insert(key.clone());
    }
    buckets
}

fn check_buckets(dir: &Path, keys: &[String], seed: &str) -> [BTreeSet<String>; 3] {
    let want = expected(keys, seed);
    let got = ["Campaign", "Holdout", "Pilot"].map(|s| exported(dir, s));
    assert_eq!(got, want);
    got
}

#[test]
fn buckets_hold_the_customers_whose_hash_falls_in_their_share() {
    let keys: Vec<String> = (1..=3000).map(|k| k.to_string()).collect();
    let dir = project(&keys, "spring-2026");
    let [campaign, holdout, pilot] = check_buckets(&dir, &keys, "spring-2026");
    // The buckets partition the 1,000 customers of Leeds, near their shares.
    assert_eq!(campaign.len() + holdout.len() + pilot.len(), 1000);
    assert!((800..=900).contains(&campaign.len()), "{}", campaign.len());
    assert!((70..=130).contains(&holdout.len()), "{}", holdout.len());
    assert!((25..=75).contains(&pilot.len()), "{}", pilot.len());
    // Hand-checked with `printf 'spring-2026:1' | md5sum` (edf228ff… → 3,992,070,399 →
    // bucket 399): customer 1 is in Leeds and in the campaign.
    assert!(campaign.contains("1"));

    // `seg run` counts agree with the members.
    let run = seg(&dir, &["run", "--format", "csv"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!("Holdout,{}", holdout.len())),
        "{}",
        run.stdout
    );
}

#[test]
fn a_customer_keeps_its_bucket_when_the_data_grows_and_a_new_seed_reshuffles() {
    let keys: Vec<String> = (1..=1500).map(|k| k.to_string()).collect();
    let dir = project(&keys, "s1");
    let before = check_buckets(&dir, &keys, "s1");

    let more: Vec<String> = (1..=3000).map(|k| k.to_string()).collect();
    write_customers(&dir, &more);
    let load = seg(&dir, &["load"]);
    assert_eq!(load.code, 0, "{}", load.stderr);
    let after = check_buckets(&dir, &more, "s1");
    for (old, new) in before.iter().zip(&after) {
        assert!(old.is_subset(new), "a customer changed bucket");
    }

    let reseeded = project(&more, "s2");
    let shuffled = check_buckets(&reseeded, &more, "s2");
    assert_ne!(shuffled[1], after[1], "a new seed gives a new holdout");
}

#[test]
fn text_keys_are_split_by_their_text() {
    let keys: Vec<String> = (1..=900).map(|k| format!("C-{k:04}")).collect();
    let dir = project(&keys, "text");
    let buckets = check_buckets(&dir, &keys, "text");
    assert_eq!(buckets.iter().map(BTreeSet::len).sum::<usize>(), 300);
}

#[test]
fn explain_shows_the_customers_bucket() {
    let keys: Vec<String> = (1..=30).map(|k| k.to_string()).collect();
    let dir = project(&keys, "spring-2026");
    let explain = |segment: &str| {
        let out = seg(
            &dir,
            &[
                "explain",
                segment,
                "--customer",
                "1",
                "--as-of",
                "2026-01-01",
            ],
        );
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout
    };
    // Bucket 399 (see above): inside the campaign's 0–8499, outside the holdout's.
    insta::assert_snapshot!(format!("{}\n{}", explain("Campaign"), explain("Holdout")));
}

#[test]
fn funnel_of_a_bucket_shows_its_base_and_its_share_of_the_hash() {
    let keys: Vec<String> = (1..=600).map(|k| k.to_string()).collect();
    let dir = project(&keys, "f");
    let holdout = expected(&keys, "f")[1].len();
    // Without the base: every customer whose bucket is in 8500–9499.
    let anyone = keys
        .iter()
        .filter(|k| (8500..9500).contains(&bucket("f", k)))
        .count();
    let out = seg(&dir, &["funnel", "Holdout", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Tools get the share as a fraction.
    let share = |n: usize, of: usize| (n as f64 / of as f64).to_string();
    assert_eq!(
        out.stdout,
        format!(
            "step,condition,members,kept,without_it\n\
             0,all customers,600,,\n\
             1,Leeds,200,{},{anyone}\n\
             2,split bucket 8500 to 9499 (seed 'f'),{holdout},{},200\n",
            share(200, 600),
            share(holdout, 200)
        )
    );
}
