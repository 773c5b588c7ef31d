//! Work any worker process does, without a leader: rescue jobs whose lease expired (their
//! worker died), run the workflows' tick hooks, and insert the registry's periodic jobs (their
//! `periodic_key` keeps it to one per period across all processes).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::backoff;
use super::instance::Engine;
use super::job::Context;
use super::settle::millis;

/// How often expired leases are looked for (and tick hooks run).
const RESCUE_INTERVAL: Duration = Duration::from_secs(2);
/// Lease expiries (worker crashes) a job may survive beyond its `max_attempts`.
pub const CRASH_ALLOWANCE: i32 = 3;
/// How often the periodic jobs are (idempotently) scheduled.
const SCHEDULE_INTERVAL: Duration = Duration::from_secs(30);

pub(crate) async fn run<C: Context>(engine: Engine<C>, shutdown: CancellationToken) {
    let mut rescue = tokio::time::interval(RESCUE_INTERVAL);
    let mut schedule = tokio::time::interval(SCHEDULE_INTERVAL);
    loop {
        tokio::select! {
            _ = rescue.tick() => {
                engine.rescue_expired().await;
                for hook in engine.registry.ticks() {
                    hook(&engine.ctx).await;
                }
            }
            _ = schedule.tick() => engine.schedule_periodic().await,
            () = shutdown.cancelled() => return,
        }
    }
}

impl<C: Context> Engine<C> {
    /// Returns expired jobs to the queue with backoff, or ends them through their kind's
    /// `on_exhausted` once crashes exceed the allowance (a job that kills its worker every
    /// time cannot loop forever).
    pub async fn rescue_expired(&self) {
        let db = self.ctx.db();
        let expired = match db.expired_jobs().await {
            Ok(expired) => expired,
            Err(error) => {
                tracing::warn!(error = ?error, "looking for expired leases failed");
                return;
            }
        };
        for job in expired {
            let handler = self.registry.handler(&job.kind);
            let result = match handler {
                Some(handler) if job.attempt >= job.max_attempts + CRASH_ALLOWANCE => {
                    tracing::error!(job.id = %job.id, job.kind = %job.kind, "lease expired on the last attempt");
                    let reason = format!("{}: the worker stopped on every attempt", job.kind);
                    handler.exhausted(&self.ctx, &job, &reason).await
                }
                _ => {
                    let delay =
                        backoff::retry_delay(&self.settings.retry_schedule, job.attempt, None);
                    tracing::warn!(job.id = %job.id, job.kind = %job.kind, "rescuing a job whose lease expired");
                    db.rescue_job(&job, millis(delay)).await.map_err(Into::into)
                }
            };
            match result {
                Ok(_) => self.ctx.wakers().wake(&job.queue),
                Err(error) => {
                    tracing::warn!(job.id = %job.id, error = ?error, "rescuing a job failed")
                }
            }
        }
    }

    /// Inserts this round's periodic jobs unless some process already did.
    pub async fn schedule_periodic(&self) {
        for job in self
            .registry
            .periodic_jobs(&self.ctx, crate::clock::now_ms())
        {
            match self.ctx.db().enqueue(&job).await {
                Ok(true) => self.ctx.wakers().wake(job.queue),
                Ok(false) => {}
                Err(error) => {
                    tracing::warn!(job.kind = job.kind, error = ?error, "scheduling periodic work failed")
                }
            }
        }
    }
}
