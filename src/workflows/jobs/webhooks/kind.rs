//! The `jobs.webhook` kind: one attempt per run, then — delivered, or 410 Gone — the event
//! is done; a refused URL or a vanished job ends it; any other failure (an error status, a
//! timeout, no connection) comes back after a growing delay ([`RETRY_SCHEDULE`], or longer
//! if the endpoint's `Retry-After` asks) until [`MAX_ATTEMPTS`](super::event::MAX_ATTEMPTS)
//! are spent. The job it reports on is never touched: the client sees the attempts on it.

use std::time::Duration;

use super::deliver::{Delivery, deliver};
use super::event::{KIND, QUEUE, WebhookEventPayload};
use crate::engine::backoff::jittered;
use crate::engine::{ClaimedJob, Job, Outcome, millis};
use crate::state::AppState;

/// Delays before the 2nd, 3rd, … attempt; the last one repeats.
pub const RETRY_SCHEDULE: [Duration; 6] = [
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(2 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(60 * 60),
];

/// Delivers one webhook event.
pub struct SendWebhook;

/// The scheduled delay after failed attempt `attempt` (1-based).
pub fn scheduled_delay(attempt: i32) -> Duration {
    let index = usize::try_from(attempt.max(1) - 1).unwrap_or(0);
    RETRY_SCHEDULE
        .get(index)
        .or(RETRY_SCHEDULE.last())
        .copied()
        .unwrap_or(Duration::from_secs(60))
}

/// The wait after failed attempt `attempt`: the schedule (up to a tenth longer, so a burst of
/// failures spreads out), or the endpoint's `Retry-After` if that is longer.
pub fn retry_delay(attempt: i32, retry_after: Option<Duration>) -> Duration {
    let base = scheduled_delay(attempt);
    jittered(base, base / 10).max(retry_after.unwrap_or_default())
}

impl Job for SendWebhook {
    const KIND: &'static str = KIND;
    const QUEUE: &'static str = QUEUE;
    type Context = AppState;
    type Payload = WebhookEventPayload;

    async fn run(
        &self,
        app: &AppState,
        job: &ClaimedJob,
        payload: WebhookEventPayload,
    ) -> anyhow::Result<Outcome> {
        Ok(match deliver(app, &payload, job.attempt).await? {
            Delivery::Delivered { .. } | Delivery::Gone => {
                Outcome::committed(app.db.complete_job(job).await?)
            }
            Delivery::Refused(error) => {
                Outcome::fail(format!("webhook refused ({}): {error}", error.code()))
            }
            Delivery::Abandoned(reason) => Outcome::fail(format!("webhook abandoned: {reason}")),
            // The engine hands the last failure to `on_exhausted`, which ends the job.
            Delivery::Failed { error, .. } if job.is_last_attempt() => Outcome::retry(error),
            // The engine's retry delays are the song pipeline's (and capped at minutes):
            // requeue on the webhook schedule instead, spending the attempt the same way.
            Delivery::Failed { error, retry_after } => {
                let delay = retry_delay(job.attempt, retry_after);
                Outcome::committed(app.db.retry_job(job, millis(delay), &error).await?)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_grows_and_then_holds() {
        let delays: Vec<u64> = (1..=9).map(|n| scheduled_delay(n).as_secs()).collect();
        assert_eq!(delays, [5, 30, 120, 600, 1800, 3600, 3600, 3600, 3600]);
        assert_eq!(scheduled_delay(0), Duration::from_secs(5));
        assert_eq!(scheduled_delay(-3), Duration::from_secs(5));
    }

    #[test]
    fn a_retry_waits_its_step_plus_a_little_or_what_the_endpoint_asks() {
        for attempt in 1..=8 {
            let base = scheduled_delay(attempt);
            let delay = retry_delay(attempt, None);
            assert!(
                delay >= base && delay <= base + base / 10,
                "{attempt}: {delay:?}"
            );
        }
        let asked = Duration::from_secs(900);
        assert_eq!(retry_delay(1, Some(asked)), asked);
        assert!(retry_delay(6, Some(Duration::from_secs(1))) >= Duration::from_secs(3600));
    }
}
