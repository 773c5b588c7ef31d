//! The `Retry-After` header in both of its HTTP forms: delay-seconds (`30`) or an IMF-fixdate
//! (`Sun, 06 Nov 1994 08:49:37 GMT`), turned into a wait from `now`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The wait a `Retry-After` value asks for; a date in the past means no wait. `None` when
/// the value is neither form.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = UNIX_EPOCH + Duration::from_secs(imf_fixdate_seconds(value)?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Unix seconds of an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
fn imf_fixdate_seconds(value: &str) -> Option<u64> {
    let mut fields = value.split_ascii_whitespace();
    let _weekday = fields.next()?.strip_suffix(',')?;
    let day: u64 = fields.next()?.parse().ok()?;
    let month = fields.next()?;
    let month = MONTHS.iter().position(|name| *name == month)? as u64 + 1;
    let year: u64 = fields.next()?.parse().ok()?;
    let mut clock = fields.next()?.split(':').map(str::parse::<u64>);
    let (hour, minute, second) = (
        clock.next()?.ok()?,
        clock.next()?.ok()?,
        clock.next()?.ok()?,
    );
    if fields.next()? != "GMT" || fields.next().is_some() || clock.next().is_some() {
        return None;
    }
    if !(1..=31).contains(&day) || year < 1970 || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// Days from 1970-01-01 to a Gregorian date on or after it.
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    // Count from March so that February's leap day ends the counting year.
    let (year, month) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let day_of_year = (153 * month + 2) / 5 + day - 1;
    let leap_days = year / 4 - year / 100 + year / 400;
    year * 365 + leap_days + day_of_year - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn delay_seconds_are_read_as_they_are() {
        assert_eq!(
            parse_retry_after("30", at(0)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse_retry_after(" 0 ", at(0)), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-3", at(0)), None);
        assert_eq!(parse_retry_after("soon", at(0)), None);
    }

    #[test]
    fn http_dates_become_a_wait_from_now() {
        // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example).
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(imf_fixdate_seconds(date), Some(784_111_777));
        assert_eq!(
            parse_retry_after(date, at(784_111_747)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after(date, at(784_200_000)),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn leap_days_and_year_ends_are_counted() {
        assert_eq!(
            imf_fixdate_seconds("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(0)
        );
        assert_eq!(
            imf_fixdate_seconds("Tue, 29 Feb 2000 00:00:00 GMT"),
            Some(951_782_400)
        );
        assert_eq!(
            imf_fixdate_seconds("Thu, 31 Dec 2026 23:59:59 GMT"),
            Some(1_798_761_599)
        );
    }

    #[test]
    fn other_date_forms_are_refused() {
        for bad in [
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(imf_fixdate_seconds(bad), None, "{bad}");
        }
    }
}
