//! Work any worker process does, without a leader: rescue jobs whose lease expired (their
//! worker died), and schedule the periodic jobs — the credit refresh every
//! `CREDITS_REFRESH_MINUTES` and the daily cleanup — once per period across all processes.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{backoff, millis};
use crate::app::AppState;
use crate::db::jobs::{JobKind, Lane, NewJob};
use crate::db::now_ms;
use crate::domain::timestamp::rfc3339_from_ms;

/// How often expired leases are looked for.
const RESCUE_INTERVAL: Duration = Duration::from_secs(2);
/// Lease expiries (worker crashes) a job may survive beyond its `max_attempts`.
pub const CRASH_ALLOWANCE: i32 = 3;
/// How often the periodic jobs are (idempotently) scheduled.
const SCHEDULE_INTERVAL: Duration = Duration::from_secs(30);

pub async fn run(app: AppState, shutdown: CancellationToken) {
    let mut rescue = tokio::time::interval(RESCUE_INTERVAL);
    let mut schedule = tokio::time::interval(SCHEDULE_INTERVAL);
    loop {
        tokio::select! {
            _ = rescue.tick() => {
                rescue_expired(&app).await;
                super::pause::probe_if_due(&app).await;
            }
            _ = schedule.tick() => schedule_periodic(&app).await,
            () = shutdown.cancelled() => return,
        }
    }
}

/// Returns expired jobs to the queue with backoff, or fails their submission after the last
/// attempt (a job that crashes its worker every time cannot loop forever).
pub async fn rescue_expired(app: &AppState) {
    let expired = match app.db.expired_jobs().await {
        Ok(expired) => expired,
        Err(error) => {
            tracing::warn!(error = ?error, "looking for expired leases failed");
            return;
        }
    };
    for job in expired {
        // A crash is not the step's fault, so it gets a few rescues beyond its error budget;
        // a job that kills its worker every time still ends.
        let result = if job.attempt >= job.max_attempts + CRASH_ALLOWANCE {
            tracing::error!(job.id = %job.id, job.kind = job.kind.as_str(), "lease expired on the last attempt");
            let reason = format!("{}: the worker stopped on every attempt", job.kind.as_str());
            app.db.fail_submission(&job, &reason, false).await
        } else {
            let delay = backoff::retry_delay(&app.retry_schedule(), job.attempt, None);
            tracing::warn!(job.id = %job.id, job.kind = job.kind.as_str(), "rescuing a job whose lease expired");
            app.db.rescue_job(&job, millis(delay)).await
        };
        match result {
            Ok(_) => app.wakers.wake(job.kind.lane()),
            Err(error) => tracing::warn!(job.id = %job.id, error = ?error, "rescuing a job failed"),
        }
    }
}

/// Inserts this period's credit refresh and today's cleanup unless some process already did.
pub async fn schedule_periodic(app: &AppState) {
    let now = now_ms();
    let period = millis(app.config.provider.credits_refresh()).max(1);
    let day = rfc3339_from_ms(now).chars().take(10).collect::<String>();
    for (kind, key) in [
        (JobKind::RefreshCredits, format!("credits:{}", now / period)),
        (JobKind::Cleanup, format!("cleanup:{day}")),
    ] {
        let job = NewJob {
            kind,
            submission_id: None,
            delay_ms: 0,
            max_attempts: 3,
            unique_key: None,
            periodic_key: Some(key),
        };
        match app.db.enqueue(&job).await {
            Ok(true) => app.wakers.wake(Lane::Maintenance),
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(job.kind = kind.as_str(), error = ?error, "scheduling periodic work failed")
            }
        }
    }
}
