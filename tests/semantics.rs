//! The documented semantics (docs/semantics.md), checked end to end: the real `seg` binary
//! runs every segment of the ten-customer shop fixture on SQLite, and the members must be
//! exactly the ones worked out by hand below from `tests/fixtures/shop/data/*.csv`.

mod common;

use common::{copy_project, member_keys, seg};

/// Each shop segment and its members, derived by hand from the fixture's CSV files.
const EXPECTED: &[(&str, &[i64])] = &[
    // Ann (620.00, christmas) and Ivy (999.99, mothers_day). Not Bob (500.00 is not > 500),
    // Cat (only a birthday order), Fay ('Nurse' is not 'nurse'), Hal (ltv unknown).
    ("HighValueNurses", &[1, 9]),
    // `!=` holds only for a known value: Eve's unknown occupation is excluded.
    ("NotNurse", &[4, 6, 7, 10]),
    // `not` is the complement: Eve is included.
    ("NotANurse", &[4, 5, 6, 7, 10]),
    ("UnknownOccupation", &[5]),
    ("KnownOccupation", &[1, 2, 3, 4, 6, 7, 8, 9, 10]),
    // No order with a holiday occasion: Cat (birthday), Gus (no occasion), Jon (no orders).
    ("NoHolidayShopping", &[3, 7, 10]),
    // Some order with a known occasion outside the set: Cat (birthday), Ivy (back_to_school).
    ("OccasionNotInHolidays", &[3, 9]),
    ("Londoners", &[1, 3, 6, 9]),
    // Gus's city is unknown: in neither `city = 'London'` nor `city != 'London'`.
    ("NotLondon", &[2, 4, 5, 8, 10]),
    ("NotInLondonList", &[2, 4, 5, 8, 10]),
    ("Quoted", &[10]),
    ("Subscribed", &[1, 3, 4, 6, 8]),
    // Gus's newsletter flag is unknown: `not newsletter` includes him...
    ("NotSubscribed", &[2, 5, 7, 9, 10]),
    // ...but `newsletter = false` holds only for a known false.
    ("SubscribedFalse", &[2, 5, 9, 10]),
    // Both bounds inclusive: Bob's 500.00 and Fay's 800.00 are in.
    ("MidValue", &[1, 2, 3, 5, 6]),
    // Hal's unknown ltv is in neither.
    ("OutsideMidValue", &[4, 7, 9, 10]),
    ("RecentSignups", &[6, 7, 8, 10]),
    // Timestamps compare by their date: Eve's order at 23:59:59 on the 24th counts.
    ("ChristmasEveOrder", &[5]),
    // Fay's order on 2025-04-10 at 11:00 is on that date, not after it.
    ("OrderedAfterApril10", &[9]),
    // Exact, case-sensitive: London ×4 and O'Fallon.
    ("CityContainsOn", &[1, 3, 6, 9, 10]),
    ("CityStartsWithL", &[1, 2, 3, 5, 6, 9]),
    // 52000.50 > 52000.49; unknown incomes are excluded.
    ("IncomeAbove", &[3, 5, 7, 10]),
    ("FrequentVisitors", &[1, 7, 9]),
    ("NursesOrParis", &[1, 4, 9]),
    ("NotHighValueNurses", &[2, 3, 4, 5, 6, 7, 8, 10]),
    // Each test on a related field is checked on its own: some toys order, some christmas order.
    ("ToysAndChristmas", &[1, 2, 8]),
    ("Everyone", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    // Some order has no occasion: Ann's books order, Gus's electronics order.
    ("OrderWithoutOccasion", &[1, 7]),
];

#[test]
fn every_shop_segment_has_exactly_the_members_worked_out_by_hand() {
    let project = copy_project("tests/fixtures/shop");
    let load = seg(&project, &["load"]);
    assert_eq!(load.code, 0, "{}", load.stderr);
    let mut mismatches = Vec::new();
    for (segment, expected) in EXPECTED {
        let out = seg(&project, &["run", "--segment", segment, "--format", "csv"]);
        assert_eq!(out.code, 0, "{segment}: {}", out.stderr);
        let members = member_keys(&out.stdout);
        if members != *expected {
            mismatches.push(format!("{segment}: expected {expected:?}, got {members:?}"));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn counts_agree_with_member_lists() {
    let project = copy_project("tests/fixtures/shop");
    let out = seg(&project, &["run", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let counts: Vec<(String, usize)> = out
        .stdout
        .lines()
        .skip(1)
        .map(|line| {
            let (name, count) = line.split_once(',').unwrap();
            (name.to_string(), count.parse().unwrap())
        })
        .collect();
    assert_eq!(counts.len(), EXPECTED.len(), "every segment is counted");
    for (segment, expected) in EXPECTED {
        let count = counts.iter().find(|(n, _)| n == segment).map(|(_, c)| *c);
        assert_eq!(count, Some(expected.len()), "{segment}");
    }
}
