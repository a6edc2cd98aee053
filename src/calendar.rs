//! Calendar arithmetic with seglang's documented rules (docs/semantics.md), done here rather
//! than in SQL so that every engine gets the same dates: months and years clamp to the end
//! of a shorter month, and a 29 February date has its anniversary on 28 February in common
//! years.

use chrono::{Datelike, Days, Months, NaiveDate};

use crate::syntax::ast::{Direction, Unit};

/// The first date of the language (docs/semantics.md): 1 January 1000 (Spark cannot take
/// an earlier date as a parameter).
pub const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1000, 1, 1).expect("a date");

/// The last date of the language: 31 December 9999.
pub const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");

/// `date` moved by `amount` units (negative: earlier). Months and years clamp to the last
/// day of the target month: 31 January + 1 month is 28 (or 29) February. A date beyond the
/// language's range stops at its end ([`FIRST_DAY`], [`LAST_DAY`]), the same on every
/// engine.
pub fn shift(date: NaiveDate, amount: i64, unit: Unit) -> NaiveDate {
    let magnitude = amount.unsigned_abs();
    let moved = match unit {
        Unit::Days | Unit::Weeks => {
            let days = Days::new(if unit == Unit::Weeks {
                magnitude * 7
            } else {
                magnitude
            });
            if amount < 0 {
                date.checked_sub_days(days)
            } else {
                date.checked_add_days(days)
            }
        }
        Unit::Months | Unit::Years => {
            let months = if unit == Unit::Years {
                magnitude * 12
            } else {
                magnitude
            };
            let months = Months::new(u32::try_from(months).unwrap_or(u32::MAX));
            if amount < 0 {
                date.checked_sub_months(months)
            } else {
                date.checked_add_months(months)
            }
        }
    };
    moved
        .unwrap_or(if amount < 0 { FIRST_DAY } else { LAST_DAY })
        .clamp(FIRST_DAY, LAST_DAY)
}

/// An as-of date as people give it (`--as-of`, `:as-of`, `as_of` in seg.toml): exactly
/// `YYYY-MM-DD`, within the language's dates (1000-01-01 to 9999-12-31).
pub fn parse_as_of(text: &str) -> Result<NaiveDate, String> {
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|_| shaped)
        .ok_or_else(|| format!("`{text}` is not a date (YYYY-MM-DD)"))?;
    if !(FIRST_DAY..=LAST_DAY).contains(&date) {
        return Err(format!(
            "`{text}` is outside the dates seg works with ({FIRST_DAY} to {LAST_DAY})"
        ));
    }
    Ok(date)
}

/// The latest birth date of someone at least `years` old on `as_of`. Someone born on 29
/// February turns a year older on 28 February in common years.
pub fn born_by(as_of: NaiveDate, years: i64) -> NaiveDate {
    let bound = shift(as_of, -years, Unit::Years);
    let feb_28_of_common_year = as_of.month() == 2 && as_of.day() == 28 && !is_leap(as_of.year());
    if feb_28_of_common_year && is_leap(bound.year()) {
        return NaiveDate::from_ymd_opt(bound.year(), 2, 29).unwrap_or(bound);
    }
    bound
}

/// The dates of a window of `amount` units ending at `as_of` (`Last`: after `as_of - amount`,
/// up to and including `as_of`) or starting at it (`Next`: from `as_of`, before
/// `as_of + amount`). Returned as (first, last), both inclusive.
pub fn window(
    as_of: NaiveDate,
    direction: Direction,
    amount: u32,
    unit: Unit,
) -> (NaiveDate, NaiveDate) {
    let amount = i64::from(amount);
    // A window always holds the as-of date itself, even where the language's first or
    // last day cuts it short.
    match direction {
        Direction::Last => (
            shift(shift(as_of, -amount, unit), 1, Unit::Days).min(as_of),
            as_of,
        ),
        Direction::Next => (
            as_of,
            shift(shift(as_of, amount, unit), -1, Unit::Days).max(as_of),
        ),
    }
}

/// A date's month and day as one number, `MMDD` (24 December is 1224).
pub fn month_day(date: NaiveDate) -> u32 {
    date.month() * 100 + date.day()
}

/// The `MMDD` ranges (inclusive) of the anniversaries that fall in a window: a date's
/// anniversary is its month and day, and 29 February's is 28 February in common years.
pub fn anniversary_ranges(first: NaiveDate, last: NaiveDate) -> Vec<(u32, u32)> {
    let mut days: Vec<u32> = Vec::new();
    let mut day = first;
    while day <= last && days.len() < 366 {
        days.push(month_day(day));
        if day.month() == 2 && day.day() == 28 && !is_leap(day.year()) {
            days.push(229);
        }
        day = shift(day, 1, Unit::Days);
    }
    ranges(days)
}

/// The `MMDD` ranges of a yearly window from `start` to `end` (month, day), wrapping the
/// year end when `end` is before `start`.
pub fn yearly_ranges(start: (u32, u32), end: (u32, u32)) -> Vec<(u32, u32)> {
    let (from, to) = (start.0 * 100 + start.1, end.0 * 100 + end.1);
    if from <= to {
        vec![(from, to)]
    } else {
        vec![(from, 1231), (101, to)]
    }
}

/// Whether (month, day) exists in a leap year.
pub fn is_month_day(month: u32, day: u32) -> bool {
    NaiveDate::from_ymd_opt(2000, month, day).is_some()
}

fn is_leap(year: i32) -> bool {
    NaiveDate::from_ymd_opt(year, 2, 29).is_some()
}

/// Sorts `MMDD` values and merges runs of consecutive days (in a leap-year calendar).
fn ranges(mut days: Vec<u32>) -> Vec<(u32, u32)> {
    days.sort_unstable();
    days.dedup();
    let ordinal = |mmdd: u32| {
        NaiveDate::from_ymd_opt(2000, mmdd / 100, mmdd % 100).map_or(0, |d| d.ordinal())
    };
    let mut out: Vec<(u32, u32)> = Vec::new();
    for day in days {
        match out.last_mut() {
            Some((_, end)) if ordinal(day) == ordinal(*end) + 1 => *end = day,
            _ => out.push((day, day)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn as_of_dates_are_read_strictly() {
        assert_eq!(parse_as_of("2025-06-30"), Ok(d("2025-06-30")));
        for wrong in [
            "2025-1-1",
            "0001-01-01",
            "2025-06-30 ",
            "+2025-06-30",
            "2025-02-30",
        ] {
            assert!(parse_as_of(wrong).is_err(), "{wrong}");
        }
        // The last day works, and a window from it still holds the day itself.
        let last = parse_as_of("9999-12-31").unwrap();
        let (first, end) = window(last, Direction::Next, 14, Unit::Days);
        assert_eq!((first, end), (last, last));
    }

    #[test]
    fn months_clamp_at_month_ends() {
        assert_eq!(shift(d("2026-01-31"), 1, Unit::Months), d("2026-02-28"));
        assert_eq!(shift(d("2024-01-31"), 1, Unit::Months), d("2024-02-29"));
        assert_eq!(shift(d("2026-05-31"), -3, Unit::Months), d("2026-02-28"));
        assert_eq!(shift(d("2024-02-29"), 1, Unit::Years), d("2025-02-28"));
        assert_eq!(shift(d("2024-02-29"), -4, Unit::Years), d("2020-02-29"));
        assert_eq!(shift(d("2026-03-01"), -2, Unit::Weeks), d("2026-02-15"));
    }

    #[test]
    fn windows_hold_exactly_their_length_in_days() {
        assert_eq!(
            window(d("2026-11-22"), Direction::Last, 90, Unit::Days),
            (d("2026-08-25"), d("2026-11-22"))
        );
        assert_eq!(
            window(d("2026-11-22"), Direction::Next, 14, Unit::Days),
            (d("2026-11-22"), d("2026-12-05"))
        );
        assert_eq!(
            window(d("2026-03-31"), Direction::Last, 1, Unit::Months),
            (d("2026-03-01"), d("2026-03-31"))
        );
        assert_eq!(
            window(d("2026-03-30"), Direction::Last, 1, Unit::Months),
            (d("2026-03-01"), d("2026-03-30"))
        );
    }

    #[test]
    fn age_boundaries_with_29_february() {
        // 25 on the 25th birthday, not the day before.
        assert_eq!(born_by(d("2026-06-15"), 25), d("2001-06-15"));
        // Born 2000-02-29: 26 on 2026-02-28, since 2026 has no 29 February.
        assert_eq!(born_by(d("2026-02-28"), 26), d("2000-02-29"));
        // In a leap year the birthday is the 29th: still 23 on 2024-02-28.
        assert_eq!(born_by(d("2024-02-28"), 24), d("2000-02-28"));
        assert_eq!(born_by(d("2024-02-29"), 24), d("2000-02-29"));
    }

    #[test]
    fn anniversaries_wrap_the_year_and_place_29_february() {
        let (first, last) = window(d("2026-12-25"), Direction::Next, 12, Unit::Days);
        assert_eq!(
            anniversary_ranges(first, last),
            vec![(101, 105), (1225, 1231)]
        );
        let (first, last) = window(d("2027-02-27"), Direction::Next, 2, Unit::Days);
        assert_eq!(anniversary_ranges(first, last), vec![(227, 229)]);
        let (first, last) = window(d("2028-02-27"), Direction::Next, 2, Unit::Days);
        assert_eq!(anniversary_ranges(first, last), vec![(227, 228)]);
        let (first, last) = window(d("2026-06-01"), Direction::Next, 2, Unit::Years);
        assert_eq!(anniversary_ranges(first, last), vec![(101, 1231)]);
    }

    #[test]
    fn yearly_windows() {
        assert_eq!(yearly_ranges((12, 1), (12, 26)), vec![(1201, 1226)]);
        assert_eq!(
            yearly_ranges((12, 20), (1, 5)),
            vec![(1220, 1231), (101, 105)]
        );
        assert!(is_month_day(2, 29) && !is_month_day(2, 30) && !is_month_day(13, 1));
    }
}
