//! Identifiers and timestamps in Replicate's shapes: 26-character lower-case base32 prediction
//! ids, `msg_…` webhook message ids, and UTC times like `2023-09-08T16:19:34.765994Z`.

use std::time::{SystemTime, UNIX_EPOCH};

use rand::RngExt;

const BASE32: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// A random prediction id, e.g. `gm3qorzdhgbfurvjtvhg6dckhu`.
pub fn prediction_id() -> String {
    random_base32(26)
}

/// A random webhook message id, e.g. `msg_3kq…`.
pub fn message_id() -> String {
    format!("msg_{}", random_base32(27))
}

fn random_base32(length: usize) -> String {
    let mut rng = rand::rng();
    (0..length)
        .map(|_| char::from(BASE32[rng.random_range(0..BASE32.len())]))
        .collect()
}

/// The current time, formatted as Replicate's API does.
pub fn now_utc() -> String {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format_utc(since_epoch.as_secs(), since_epoch.subsec_micros())
}

/// `YYYY-MM-DDThh:mm:ss.uuuuuuZ` for seconds since the epoch plus microseconds.
fn format_utc(seconds: u64, micros: u32) -> String {
    let (year, month, day) = date_of_day(seconds / 86_400);
    let time = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

/// The Gregorian date `days` after 1970-01-01, found by walking years then months (at most a
/// few hundred steps for any date this fake will see).
fn date_of_day(mut days: u64) -> (u64, u64, u64) {
    let mut year = 1970;
    loop {
        let length = if is_leap(year) { 366 } else { 365 };
        if days < length {
            break;
        }
        days -= length;
        year += 1;
    }
    let february = if is_leap(year) { 29 } else { 28 };
    let lengths = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 1;
    for length in lengths {
        if days < length {
            break;
        }
        days -= length;
        month += 1;
    }
    (year, month, days + 1)
}

fn is_leap(year: u64) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_replicate_shapes() {
        let id = prediction_id();
        assert_eq!(id.len(), 26);
        assert!(id.bytes().all(|b| BASE32.contains(&b)), "{id}");
        assert_ne!(prediction_id(), id);
        let message = message_id();
        assert!(message.starts_with("msg_") && message.len() == 31);
        assert!(!message.contains('.'));
    }

    #[test]
    fn times_are_utc_with_microseconds() {
        assert_eq!(format_utc(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(
            format_utc(1_694_189_974, 765_994),
            "2023-09-08T16:19:34.765994Z"
        );
        assert_eq!(format_utc(951_782_400, 1), "2000-02-29T00:00:00.000001Z");
        assert_eq!(format_utc(1_798_761_599, 0), "2026-12-31T23:59:59.000000Z");
        assert!(now_utc().ends_with('Z'));
    }
}
