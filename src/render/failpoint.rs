//! The renderer's test-only fault hook: `SERENADE_FAILPOINT=pause-mid-encode:render_video`
//! stalls a render's frames after the first one while ffmpeg runs, so a crash test can stop
//! or kill the worker at that moment. Unset (always, outside those tests) it does nothing.

use std::time::Duration;

/// The environment variable that arms the hook (shared with the engine's failpoints).
const FAILPOINT_ENV: &str = "SERENADE_FAILPOINT";

/// Blocks the calling (blocking-pool) thread if the failpoint names this moment.
pub fn pause_mid_encode_if_armed() {
    if std::env::var(FAILPOINT_ENV).as_deref() == Ok("pause-mid-encode:render_video") {
        tracing::warn!("failpoint: pausing a render while ffmpeg encodes");
        std::thread::sleep(Duration::from_secs(60));
    }
}
