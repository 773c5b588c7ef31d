//! Wall-clock time as the service stores it: milliseconds since the Unix epoch, the one
//! timestamp representation in both databases. (Leases and schedules compare database time;
//! this clock stamps what the process itself records.)

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX)
}
