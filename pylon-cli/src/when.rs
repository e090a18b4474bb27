//! Times and durations as the command line writes them.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

/// A duration such as `90d`, `12h`, `1h30m`, `45s`, `250ms` or `2w`: one or
/// more whole numbers, each with a unit (`ms`, `s`, `m`, `h`, `d`, `w`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid =
        || format!("{text:?} is not a duration: write e.g. 90d, 12h, 1h30m, 45s or 250ms");
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(invalid());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit_seconds: u64 = match &rest[..unit_len] {
            "ms" => {
                total = total.saturating_add(Duration::from_millis(number));
                rest = &rest[unit_len..];
                continue;
            }
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 604_800,
            _ => return Err(invalid()),
        };
        let seconds = number.checked_mul(unit_seconds).ok_or_else(invalid)?;
        total = total.saturating_add(Duration::from_secs(seconds));
        rest = &rest[unit_len..];
    }
    Ok(total)
}

/// An instant: RFC 3339 (`2026-03-01T12:00:00Z`) or a date (`2026-03-01`,
/// midnight UTC).
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    Err(format!(
        "{text:?} is not a time: write RFC 3339 (2026-03-01T12:00:00Z) or a date (2026-03-01)"
    ))
}

/// `--since`: a duration before `now`, or an instant.
pub fn parse_since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(duration) = parse_duration(text) {
        let delta = TimeDelta::from_std(duration).map_err(|_| format!("{text:?} is too long"))?;
        return now
            .checked_sub_signed(delta)
            .ok_or_else(|| format!("{text:?} reaches before the earliest time"));
    }
    parse_instant(text).map_err(|_| {
        format!("{text:?} is neither a duration (90d, 12h) nor a time (2026-03-01, RFC 3339)")
    })
}

/// `d:hh:mm:ss`-style text for an ETA or an elapsed time.
pub fn human(duration: Duration) -> String {
    let seconds = duration.as_secs();
    let (days, hours, minutes, seconds) = (
        seconds / 86_400,
        seconds / 3_600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    if days > 0 {
        format!("{days}d{hours:02}h{minutes:02}m")
    } else if hours > 0 {
        format!("{hours}h{minutes:02}m{seconds:02}s")
    } else if minutes > 0 {
        format!("{minutes}m{seconds:02}s")
    } else {
        format!("{}.{}s", seconds, duration.subsec_millis() / 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_combine_units() {
        assert_eq!(
            parse_duration("90d").unwrap(),
            Duration::from_secs(90 * 86_400)
        );
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5_400));
        assert_eq!(parse_duration("0s").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(
            parse_duration("2w").unwrap(),
            Duration::from_secs(1_209_600)
        );
        for bad in [
            "",
            "d",
            "10",
            "10x",
            "h10",
            "1.5h",
            "99999999999999999999d",
            "-1d",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn instants_are_rfc3339_or_dates() {
        assert_eq!(
            parse_instant("2026-03-01").unwrap().to_rfc3339(),
            "2026-03-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_instant("2026-03-01T12:00:00+02:00")
                .unwrap()
                .to_rfc3339(),
            "2026-03-01T10:00:00+00:00"
        );
        assert!(parse_instant("March").is_err());
        assert!(parse_instant("2026-13-01").is_err());
    }

    #[test]
    fn since_is_a_duration_back_or_an_instant() {
        let now = parse_instant("2026-03-31T00:00:00Z").unwrap();
        assert_eq!(
            parse_since("30d", now).unwrap().to_rfc3339(),
            "2026-03-01T00:00:00+00:00"
        );
        assert_eq!(
            parse_since("2026-01-01", now).unwrap().to_rfc3339(),
            "2026-01-01T00:00:00+00:00"
        );
        assert!(parse_since("yesterday", now).is_err());
        assert!(parse_since("999999999w", now).is_err());
    }

    #[test]
    fn human_times_are_short() {
        assert_eq!(human(Duration::from_millis(2_345)), "2.3s");
        assert_eq!(human(Duration::from_secs(125)), "2m05s");
        assert_eq!(human(Duration::from_secs(3_725)), "1h02m05s");
        assert_eq!(human(Duration::from_secs(90_000)), "1d01h00m");
    }
}
