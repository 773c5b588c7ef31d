//! Applying an attempt's outcome to its job: snooze, backoff (no attempt spent), retry, or —
//! after the last attempt or a `Fail` — the kind's own `on_exhausted`.

use std::time::Duration;

use super::backoff;
use super::instance::Engine;
use super::job::{Context, Handler};
use super::outcome::Outcome;
use super::queue::rows::ClaimedJob;

pub(crate) async fn settle<C: Context>(
    engine: &Engine<C>,
    handler: &dyn Handler<C>,
    job: &ClaimedJob,
    outcome: Outcome,
) {
    let kind = job.kind.as_str();
    let owner = job.owner.as_deref().unwrap_or_default();
    let db = engine.ctx.db();
    let schedule = &engine.settings.retry_schedule;
    let result = match outcome {
        Outcome::Done => Ok(true),
        Outcome::LeaseLost => {
            tracing::warn!(job.id = %job.id, job.kind = kind, "the job was taken over; nothing written");
            Ok(true)
        }
        Outcome::Snooze(after) => db.snooze_job(job, millis(after)).await.map_err(Into::into),
        Outcome::Backoff { error, after } => {
            let delay = backoff::transient_delay(schedule, job.transient_streak(), after);
            tracing::warn!(job.id = %job.id, job.kind = kind, job.owner = owner, %error, retry_in_ms = millis(delay), "{kind} backs off (no attempt spent)");
            db.backoff_job(job, millis(delay), &error)
                .await
                .map_err(Into::into)
        }
        Outcome::Retry { error, .. } if job.is_last_attempt() => {
            tracing::error!(job.id = %job.id, job.kind = kind, job.owner = owner, %error, "{kind} failed after {} attempts", job.attempt);
            handler
                .exhausted(&engine.ctx, job, &format!("{kind}: {error}"))
                .await
        }
        Outcome::Retry { error, after } => {
            let delay = backoff::retry_delay(schedule, job.attempt, after);
            tracing::warn!(job.id = %job.id, job.kind = kind, job.owner = owner, %error, retry_in_ms = millis(delay), "{kind} will retry");
            db.retry_job(job, millis(delay), &error)
                .await
                .map_err(Into::into)
        }
        Outcome::Fail { reason } => {
            tracing::error!(job.id = %job.id, job.kind = kind, job.owner = owner, %reason, "{kind} cannot succeed");
            handler.exhausted(&engine.ctx, job, &reason).await
        }
    };
    match result {
        Ok(true) => {}
        Ok(false) => {
            tracing::warn!(job.id = %job.id, job.kind = kind, "lease lost before the outcome was recorded")
        }
        Err(error) => {
            tracing::error!(job.id = %job.id, job.kind = kind, error = ?error, "recording the outcome failed; the lease will expire and rescue it")
        }
    }
}

/// Milliseconds in a duration, saturating.
pub fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
