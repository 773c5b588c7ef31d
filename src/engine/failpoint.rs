//! A test-only fault hook for the crash tests: `SERENADE_FAILPOINT=pause:<job kind>` makes
//! every run of that kind wait 60 s before working, so a test can kill or stop the worker
//! process at a known point. Workflows and the renderer read the same variable for their own
//! named moments. Unset (always, outside those tests) it does nothing.

use std::time::Duration;

/// The environment variable that arms the hooks.
pub const FAILPOINT_ENV: &str = "SERENADE_FAILPOINT";

/// The armed failpoint, if any.
pub fn armed() -> Option<String> {
    std::env::var(FAILPOINT_ENV).ok()
}

/// Waits if the failpoint names `kind`.
pub async fn pause_if_armed(kind: &str) {
    if armed()
        .as_deref()
        .and_then(|value| value.strip_prefix("pause:"))
        == Some(kind)
    {
        tracing::warn!(job.kind = kind, "failpoint: pausing this job");
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}

/// Waits (60 s) if the failpoint is exactly `moment`, a workflow's named point inside a step
/// (e.g. `pause-after-publish:jobs.persist_output`).
pub async fn pause_at(moment: &str) {
    if armed().as_deref() == Some(moment) {
        tracing::warn!(failpoint = moment, "failpoint: pausing here");
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}
