//! A test-only fault hook for the crash tests: `SERENADE_FAILPOINT=pause:<job kind>` makes
//! every run of that step wait 60 s before working, and `pause-after-post:send` makes `send`
//! wait after the provider accepted the POST but before the task id is stored
//! (`pause-after-post:send:<seconds>` sets that wait), and `pause-mid-encode:render_video`
//! stalls a render's frames after the first one while ffmpeg runs — so a test can kill or stop
//! the worker process at a known point. Unset (always, outside those tests) it does nothing.

use std::time::Duration;

use crate::db::jobs::JobKind;

/// The environment variable that arms the hook.
pub const FAILPOINT_ENV: &str = "SERENADE_FAILPOINT";

/// Waits if the failpoint names `kind`.
pub async fn pause_if_armed(kind: JobKind) {
    let Ok(value) = std::env::var(FAILPOINT_ENV) else {
        return;
    };
    if value.strip_prefix("pause:") == Some(kind.as_str()) {
        tracing::warn!(job.kind = kind.as_str(), "failpoint: pausing this step");
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

/// Waits if the failpoint names the moment after an accepted POST.
pub async fn pause_after_post_if_armed() {
    let Ok(value) = std::env::var(FAILPOINT_ENV) else {
        return;
    };
    let Some(rest) = value.strip_prefix("pause-after-post:send") else {
        return;
    };
    let seconds = match rest.strip_prefix(':') {
        Some(seconds) => seconds.parse().unwrap_or(60),
        None if rest.is_empty() => 60,
        None => return,
    };
    tracing::warn!(
        seconds,
        "failpoint: pausing after the provider accepted the POST"
    );
    tokio::time::sleep(Duration::from_secs(seconds)).await;
}

/// Blocks the calling (blocking-pool) thread if the failpoint names the moment ffmpeg has
/// started encoding a render's frames.
pub fn pause_mid_encode_if_armed() {
    if std::env::var(FAILPOINT_ENV).as_deref() == Ok("pause-mid-encode:render_video") {
        tracing::warn!("failpoint: pausing a render while ffmpeg encodes");
        std::thread::sleep(Duration::from_secs(60));
    }
}
