//! `reconcile`: ask the provider (authenticated `GET /generations/{id}`) where the generation
//! stands — woken early by any webhook, otherwise run after the webhook timeout and then
//! polled. Only the provider's own answer moves the submission; the slot is freed once the
//! terminal status is confirmed (a submission given up at the deadline keeps its slot until
//! the slot's own lease lapses).
//!
//! A generation the provider accepted is paid for, so no fault on the way to its answer fails
//! it before the deadline: timeouts, refused connections, 429, 5xx, unreadable bodies and a
//! 404 (the provider may not list a task it just created) back off without spending an
//! attempt. A 401/403 pauses dispatch and waits, deadline or not.

use std::time::Duration;

use super::provider_backoff;
use crate::clock::now_ms;
use crate::domain::ids::SessionId;
use crate::domain::submission::EntryStatus;
use crate::engine::{ClaimedJob, Outcome};
use crate::provider::client::ProviderError;
use crate::state::AppState;
use crate::workflows::song::kinds::{FetchDetails, queues, step};
use crate::workflows::song::steps::reconcile_commit::ProviderOutcome;

pub async fn run(
    app: &AppState,
    job: &ClaimedJob,
    submission: &SessionId,
) -> anyhow::Result<Outcome> {
    let Some(row) = app.db.pipeline_row(submission.as_str()).await? else {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    };
    let (Some(task_id), Some(sent_at)) = (row.llm_task_id.as_deref(), row.sent_to_llm) else {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    };
    if row.status() != EntryStatus::Processing {
        return Ok(Outcome::committed(app.db.complete_job(job).await?));
    }
    let provider = &app.config.provider;
    let elapsed = Duration::from_millis(u64::try_from(now_ms() - sent_at).unwrap_or(0));
    let past_deadline = elapsed >= provider.generation_deadline();

    let started = std::time::Instant::now();
    let answer = app.provider.generation(task_id).await;
    app.metrics.observe_provider_call(
        "get_generation",
        answer.as_ref().err().map(ProviderError::code),
        started.elapsed(),
    );
    let generation = match answer {
        Ok(generation) => generation,
        Err(error) if error.is_account_refusal() => {
            crate::workflows::song::pause::pause_dispatch(app, &error).await?;
            app.db
                .renew_slot(&row.session_id, super::send::slot_lease_ms(app))
                .await?;
            return Ok(provider_backoff(&error));
        }
        Err(_) if past_deadline => return Ok(deadline_failure()),
        Err(error) => {
            let until_deadline = provider.generation_deadline() - elapsed;
            return Ok(Outcome::Backoff {
                error: format!("{}: {error}", error.code()),
                after: error.retry_after().map(|after| after.min(until_deadline)),
            });
        }
    };

    match generation.status.as_str() {
        "SUCCESS" => {
            let next = step::<FetchDetails>(submission, app.max_attempts(), 0);
            let outcome = ProviderOutcome::Succeeded {
                full_response: &generation.raw,
                next,
            };
            let applied = app
                .db
                .complete_generation(job, submission.as_str(), outcome)
                .await?;
            if applied {
                tracing::info!(submission.id = %row.session_id, "the provider finished {}", row.session_id);
                app.wakers.wake(queues::PROVIDER);
                app.wakers.wake(queues::DISPATCH);
            }
            Ok(Outcome::committed(applied))
        }
        "FAILURE" => {
            let message = generation
                .error_message
                .as_deref()
                .unwrap_or("the provider could not make this song")
                .replace('\0', "");
            let outcome = ProviderOutcome::Failed {
                full_response: &generation.raw,
                message: &message,
            };
            let applied = app
                .db
                .complete_generation(job, submission.as_str(), outcome)
                .await?;
            if applied {
                app.wakers.wake(queues::DISPATCH);
            }
            Ok(Outcome::committed(applied))
        }
        in_progress => {
            app.db
                .set_provider_status(&row.session_id, in_progress)
                .await?;
            if past_deadline {
                return Ok(deadline_failure());
            }
            let until_deadline = provider.generation_deadline() - elapsed;
            let poll = Duration::from_secs(provider.reconcile_poll_seconds.max(1));
            Ok(Outcome::Snooze(poll.min(until_deadline)))
        }
    }
}

fn deadline_failure() -> Outcome {
    Outcome::fail("generation_deadline: no result from the provider by the deadline")
}
