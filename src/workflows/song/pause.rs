//! Pausing dispatch on account-level refusals: a 401/403 from any provider call records a
//! pause shared by every process (see `store::pause`); dispatch stops claiming `send` jobs, other
//! steps wait instead of failing, and the maintenance loop probes the provider (an
//! authenticated balance read, the `refresh_credits` job) once per interval until it answers.

use std::time::Duration;

use crate::clock::now_ms;
use crate::engine::millis;
use crate::provider::client::ProviderError;
use crate::state::AppState;
use crate::workflows::song::kinds::{queues, refresh_credits_now};

/// How long a step waits before looking again while dispatch is paused.
pub fn probe_interval(app: &AppState) -> Duration {
    app.retry_schedule()
        .first()
        .copied()
        .unwrap_or(Duration::from_secs(10))
}

/// Records an account-level refusal: dispatch pauses for every process.
pub async fn pause_dispatch(app: &AppState, error: &ProviderError) -> anyhow::Result<()> {
    let started = app
        .db
        .pause_provider(
            error.code(),
            &error.to_string(),
            now_ms(),
            millis(probe_interval(app)),
        )
        .await?;
    if started {
        tracing::error!(reason = error.code(), %error, "the provider refused our account: dispatch paused until a probe succeeds");
        app.metrics.provider_paused.set(1);
    }
    Ok(())
}

/// The provider answered an authenticated call: lift any pause.
pub async fn resume_dispatch(app: &AppState) -> anyhow::Result<()> {
    if app.db.resume_provider().await? {
        tracing::warn!("the provider accepts our account again: dispatch resumes");
        app.wakers.wake(queues::DISPATCH);
        app.wakers.wake(queues::PROVIDER);
    }
    app.metrics.provider_paused.set(0);
    Ok(())
}

/// Queues a probe when a pause is in force and its turn has come (any process may call it).
pub async fn probe_if_due(app: &AppState) {
    match app
        .db
        .take_pause_probe(now_ms(), millis(probe_interval(app)))
        .await
    {
        Ok(true) => match app.db.enqueue(&refresh_credits_now()).await {
            Ok(_) => app.wakers.wake(queues::MAINTENANCE),
            Err(error) => tracing::warn!(error = ?error, "queueing a provider probe failed"),
        },
        Ok(false) => {}
        Err(error) => tracing::warn!(error = ?error, "checking the dispatch pause failed"),
    }
}
