//! `send`: take a provider slot and POST the generation. The POST is never retried blindly:
//! when an earlier attempt may have reached the provider (it started but no task id was
//! stored), the step first looks for a callback carrying that generation's task id on the
//! submission's own webhook URL, and only after a quiet window concludes the POST was lost.

use std::time::Duration;

use anyhow::Context;

use crate::app::AppState;
use crate::db::jobs::{ClaimedJob, JobKind, Lane, NewJob};
use crate::db::now_ms;
use crate::db::pipeline::{PipelineRow, SendStart};
use crate::domain::prompt::generation_prompt;
use crate::pipeline::backoff::jittered;
use crate::pipeline::millis;
use crate::pipeline::outcome::StepOutcome;
use crate::provider::client::{GenerationRequest, ProviderError};

/// How long to wait for a callback before concluding an unanswered POST never arrived.
const ADOPTION_WINDOW: Duration = Duration::from_secs(120);
/// Extra slot lease beyond the generation deadline.
const SLOT_MARGIN: Duration = Duration::from_secs(300);

pub async fn run(app: &AppState, job: &ClaimedJob) -> anyhow::Result<StepOutcome> {
    let slot_lease = millis(app.config.provider.generation_deadline() + SLOT_MARGIN);
    let (row, earlier_attempt_at) = match app.db.begin_send(job, slot_lease).await? {
        SendStart::Ready {
            row,
            earlier_attempt_at,
        } => (row, earlier_attempt_at),
        SendStart::NoSlot => {
            return Ok(StepOutcome::Snooze(jittered(
                Duration::from_millis(300),
                Duration::from_millis(700),
            )));
        }
        SendStart::AlreadySent | SendStart::NotPending => {
            return Ok(StepOutcome::committed(app.db.complete_job(job).await?));
        }
        SendStart::LeaseLost => return Ok(StepOutcome::LeaseLost),
    };

    if let Some(started_at) = earlier_attempt_at {
        if let Some(task_id) = adoptable_task(app, &row.session_id).await? {
            tracing::warn!(submission.id = %row.session_id, %task_id, "adopting a generation whose POST answer was lost");
            return accepted(app, job, &row, &task_id, slot_lease).await;
        }
        let quiet_for = Duration::from_millis(u64::try_from(now_ms() - started_at).unwrap_or(0));
        if quiet_for < ADOPTION_WINDOW {
            return Ok(StepOutcome::Snooze(ADOPTION_WINDOW - quiet_for));
        }
        tracing::warn!(submission.id = %row.session_id, "no callback after an unanswered POST; sending again");
    }

    let request = GenerationRequest {
        prompt: generation_prompt(
            &row.owner_name,
            &row.pet_type,
            &row.pet_name,
            &row.music_vibe,
        ),
        tags: None,
        instrumental: false,
        output_format: if app.config.provider.output_format == "m4a" {
            "m4a"
        } else {
            "mp3"
        },
        output_bit_rate: 192,
        webhook_url: Some(format!(
            "{}/api/webhook/{}.{}",
            app.config.webhook_base_url(),
            row.session_id,
            row.webhook_token
        )),
    };
    let started = std::time::Instant::now();
    let sent = app.provider.create_generation(&request).await;
    app.metrics.observe_provider_call(
        "create_generation",
        sent.as_ref().err().map(ProviderError::code),
        started.elapsed(),
    );
    match sent {
        Ok(task_id) => {
            crate::pipeline::failpoint::pause_after_post_if_armed().await;
            accepted(app, job, &row, &task_id, slot_lease).await
        }
        Err(error) => refused(app, &row, error).await,
    }
}

/// A task id from a callback that the provider confirms.
async fn adoptable_task(app: &AppState, session_id: &str) -> anyhow::Result<Option<String>> {
    for task_id in app.db.event_task_ids(session_id).await? {
        match app.provider.generation(&task_id).await {
            Ok(_) => return Ok(Some(task_id)),
            Err(ProviderError::NotFound) => continue,
            Err(error) => return Err(error).context("confirming a generation from a callback"),
        }
    }
    Ok(None)
}

async fn accepted(
    app: &AppState,
    job: &ClaimedJob,
    row: &PipelineRow,
    task_id: &str,
    slot_lease: i64,
) -> anyhow::Result<StepOutcome> {
    let reconcile = NewJob::step(
        JobKind::Reconcile,
        &row.session_id,
        app.max_attempts(),
        millis(app.config.provider.webhook_timeout()),
    );
    let applied = app
        .db
        .complete_send(job, task_id, slot_lease, reconcile)
        .await?;
    if applied {
        tracing::info!(submission.id = %row.session_id, %task_id, "submission {} sent to the provider", row.session_id);
        app.wakers.wake(Lane::Provider);
    }
    Ok(StepOutcome::committed(applied))
}

/// Classifies a failed POST: whether the provider can have accepted it decides whether the
/// slot is kept (it may be generating) or freed.
async fn refused(
    app: &AppState,
    row: &PipelineRow,
    error: ProviderError,
) -> anyhow::Result<StepOutcome> {
    let message = error.to_string();
    match error {
        ProviderError::NoResponse(_) | ProviderError::Decode(_) => Ok(StepOutcome::Retry {
            error: format!("{message}; the generation may exist, so its slot is kept"),
            after: None,
        }),
        ProviderError::InsufficientCredits => {
            app.db.send_refused(&row.session_id).await?;
            app.db.store_credits(0, 0, now_ms()).await?;
            app.db.enqueue(&refresh_credits_now()).await?;
            app.wakers.wake(Lane::Maintenance);
            Ok(StepOutcome::Snooze(jittered(
                Duration::from_secs(30),
                Duration::from_secs(30),
            )))
        }
        ProviderError::NotSent(_)
        | ProviderError::RateLimited { .. }
        | ProviderError::Server { .. }
        | ProviderError::NotFound => {
            app.db.send_refused(&row.session_id).await?;
            app.wakers.wake(Lane::Dispatch);
            Ok(StepOutcome::Retry {
                error: message,
                after: error.retry_after(),
            })
        }
        ProviderError::Unauthorized { .. } | ProviderError::Rejected { .. } => {
            Ok(StepOutcome::fail(format!("{}: {message}", error.code())))
        }
    }
}

/// A one-off balance refresh (after a 402), unique while queued.
pub fn refresh_credits_now() -> NewJob {
    NewJob {
        kind: JobKind::RefreshCredits,
        submission_id: None,
        delay_ms: 0,
        max_attempts: 3,
        unique_key: Some("refresh_credits:now".into()),
        periodic_key: None,
    }
}
