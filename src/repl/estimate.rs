//! The REPL's first answer on a large customer base: an estimate from a sample of about
//! [`SAMPLE_SIZE`] customers, printed within about 100 ms, before the exact count.

use std::time::Duration;

use crate::output::thousands;

/// When to show an estimate before the exact count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EstimateMode {
    /// Above [`AUTO_ABOVE`] customers.
    Auto,
    /// Always (on a small base the sample may be everyone, and the estimate exact).
    On,
    /// Never.
    Off,
}

/// Customers in a sample, roughly: the margin of error is then within ±1 percentage point.
pub const SAMPLE_SIZE: u64 = 10_000;

/// `Auto` estimates first above this many customers (below it, exact counts are quick).
pub const AUTO_ABOVE: u64 = 100_000;

/// Up to how many customers a condition on their own fields is counted exactly at once in
/// auto mode (a scan of a million customers takes about 60 ms on SQLite).
pub const OWN_FIELDS_EXACT_UP_TO: u64 = 1_500_000;

impl EstimateMode {
    /// Parses the argument of `:estimate`.
    pub fn parse(text: &str) -> Option<EstimateMode> {
        match text {
            "auto" => Some(EstimateMode::Auto),
            "on" => Some(EstimateMode::On),
            "off" => Some(EstimateMode::Off),
            _ => None,
        }
    }

    /// Whether to estimate first on a base of `customers`, for a condition that reads
    /// related rows or only the customers' own fields. In auto mode, a condition on the
    /// customers' own fields is one scan of the customer table, answered exactly within
    /// about 100 ms up to `OWN_FIELDS_EXACT_UP_TO` customers.
    pub fn applies(self, customers: u64, reads_related: bool) -> bool {
        match self {
            EstimateMode::Auto if !reads_related => customers > OWN_FIELDS_EXACT_UP_TO,
            EstimateMode::Auto => customers > AUTO_ABOVE,
            EstimateMode::On => customers > 0,
            EstimateMode::Off => false,
        }
    }

    /// Its name, as `:estimate` takes it.
    pub fn name(self) -> &'static str {
        match self {
            EstimateMode::Auto => "auto",
            EstimateMode::On => "on",
            EstimateMode::Off => "off",
        }
    }
}

/// One customer in how many to sample from `customers`.
pub fn one_in(customers: u64) -> u64 {
    (customers / SAMPLE_SIZE).max(1)
}

/// Which slice of `one_in` the `ask`-th estimate of the session samples: a different one
/// each time (from the session's start time and the ask's number), so that asking again
/// is a new sample rather than the same miss repeated.
pub fn slice(ask: u64, one_in: u64) -> u64 {
    static SESSION: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let session = *SESSION.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |t| t.as_nanos() as u64)
    });
    // SplitMix64: consecutive asks land on unrelated slices.
    let mut z = session.wrapping_add(ask.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31)) % one_in.max(1)
}

/// The line shown for an estimate: `members` of `sampled` customers were in the segment.
/// The margin is the 95% interval of a simple random sample (normal approximation, with
/// the finite-population correction); a sample of everyone is exact.
pub fn describe(members: u64, sampled: u64, customers: u64, one_in: u64, took: Duration) -> String {
    let ms = took.as_secs_f64() * 1000.0;
    if sampled == 0 {
        return format!("no customers in the sample ({ms:.0} ms)");
    }
    if sampled >= customers {
        return format!(
            "{} member{} (estimate from every customer, {ms:.0} ms)",
            thousands(members),
            if members == 1 { "" } else { "s" }
        );
    }
    let (n, total) = (sampled as f64, customers as f64);
    let share = members as f64 / n;
    let estimate = (share * total).round() as u64;
    let margin = 1.96 * total * (share * (1.0 - share) / n).sqrt() * (1.0 - n / total).sqrt();
    format!(
        "≈ {} ± {} members (estimate from {} sampled customers, one in {}; {ms:.0} ms)",
        thousands(estimate),
        thousands(margin.round() as u64),
        thousands(sampled),
        thousands(one_in)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_margin_is_the_95_percent_interval() {
        // p = 0.1 of n = 10,000 from 1,000,000: 1.96 × 1e6 × sqrt(0.09 / 1e4) × sqrt(0.99)
        // = 1.96 × 1e6 × 0.003 × 0.994987 = 5,850.5.
        let text = describe(1_000, 10_000, 1_000_000, 100, Duration::from_millis(80));
        assert_eq!(
            text,
            "≈ 100,000 ± 5,851 members (estimate from 10,000 sampled customers, one in 100; 80 ms)"
        );
    }

    #[test]
    fn a_sample_of_everyone_is_exact() {
        let text = describe(7, 3_000, 3_000, 1, Duration::from_millis(3));
        assert_eq!(text, "7 members (estimate from every customer, 3 ms)");
    }

    #[test]
    fn auto_estimates_only_large_bases() {
        assert!(!EstimateMode::Auto.applies(AUTO_ABOVE, true));
        assert!(EstimateMode::Auto.applies(AUTO_ABOVE + 1, true));
        // The customers' own fields are counted exactly at once up to a larger base.
        assert!(!EstimateMode::Auto.applies(1_000_000, false));
        assert!(EstimateMode::Auto.applies(OWN_FIELDS_EXACT_UP_TO + 1, false));
        assert!(EstimateMode::On.applies(3, false));
        assert!(!EstimateMode::Off.applies(10_000_000, true));
        assert_eq!(one_in(1_000_000), 100);
        assert_eq!(one_in(3_000), 1);
    }
}
