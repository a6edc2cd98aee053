//! `--timeout` values: a number of seconds or a number with a unit, parsed strictly, so that
//! `inf`, `NaN` or `1e20` is a coded error instead of a panic or a silent "no limit".

use std::time::Duration;

use crate::diagnostics::Code;

/// The longest time limit: a day. Anything longer is no limit in practice, and a bound
/// keeps every value representable.
const LONGEST: Duration = Duration::from_secs(24 * 60 * 60);

/// Parses `30`, `1.5`, `500ms`, `30s`, `2m` or `1h` into a duration from a millisecond to a
/// day; the error names the code and the accepted forms.
pub fn parse(text: &str) -> Result<Duration, String> {
    let invalid = || {
        format!(
            "{}: `{text}` is not a time limit; write seconds (`30`, `1.5`) or a number with a \
             unit (`500ms`, `30s`, `2m`, `1h`), from 1ms to 24h",
            Code::BadArgument.as_str()
        )
    };
    let trimmed = text;
    let (number, unit_seconds) = [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)]
        .iter()
        .find_map(|(unit, seconds)| trimmed.strip_suffix(unit).map(|n| (n, *seconds)))
        .unwrap_or((trimmed, 1.0));
    let plain = !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && number.chars().filter(|c| *c == '.').count() <= 1
        && number.chars().any(|c| c.is_ascii_digit());
    if !plain {
        return Err(invalid());
    }
    let seconds = number.parse::<f64>().map_err(|_| invalid())? * unit_seconds;
    if !(seconds >= 0.001 && seconds <= LONGEST.as_secs_f64()) {
        return Err(invalid());
    }
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_parse_strictly() {
        assert_eq!(parse("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse("24h"), Ok(LONGEST));
        for bad in [
            "",
            " 30",
            "30 ",
            "0.0000001",
            "0",
            "0s",
            "-1",
            "inf",
            "NaN",
            "1e20",
            "1e3",
            "25h",
            "1.2.3",
            "s",
            ".",
            "30 s",
            "abc",
            "2d",
            "+5",
            "1_000",
        ] {
            let error = parse(bad).expect_err(bad);
            assert!(error.starts_with("seg::E047"), "{bad}: {error}");
        }
    }
}
