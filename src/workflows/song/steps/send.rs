//! `send`: take a provider slot and POST the generation. The POST is never retried blindly:
//! when an earlier attempt may have reached the provider (it started but no task id was
//! stored), the step first looks for a callback carrying that generation's task id on the
//! submission's own webhook URL, and only after a quiet window — counted from that first
//! unanswered POST, across snoozes, restarts and crashes — concludes the POST was lost, sends
//! again and records the possible duplicate.
//!
//! How each answer is read: a task id → sent. No answer, a timeout, a reset after sending,
//! any 5xx (a gateway may fail after the origin accepted) or a 2xx without a task id → "may
//! exist": the slot is kept and the adoption window runs. 429 or a connection never made →
//! not created: the slot is freed and the POST waits, spending no attempt. 401/403 → the
//! account is refused: dispatch pauses for every process (see `song::pause`). 402 →
//! credits gate. 400/422 → the request itself is wrong: the submission fails with the reason.

use std::time::Duration;

use super::provider_backoff;
use crate::clock::now_ms;
use crate::domain::ids::SessionId;
use crate::domain::prompt::generation_prompt;
use crate::engine::Job;
use crate::engine::backoff::jittered;
use crate::engine::millis;
use crate::engine::{ClaimedJob, Outcome};
use crate::provider::client::{GenerationRequest, ProviderError};
use crate::state::AppState;
use crate::workflows::song::kinds::{Reconcile, Send, queues, refresh_credits_now, step};
use crate::workflows::song::steps::send_commit::SendStart;
use crate::workflows::song::store::row::PipelineRow;

/// Extra slot lease beyond the generation deadline.
const SLOT_MARGIN: Duration = Duration::from_secs(300);

/// How long a provider slot is leased: the whole generation and a margin (also renewed by
/// `reconcile` while a paused account keeps the generation unresolved).
pub(super) fn slot_lease_ms(app: &AppState) -> i64 {
    millis(app.config.provider.generation_deadline() + SLOT_MARGIN)
}

pub async fn run(
    app: &AppState,
    job: &ClaimedJob,
    submission: &SessionId,
) -> anyhow::Result<Outcome> {
    let slot_lease = slot_lease_ms(app);
    let (row, earlier_attempt_at) = match app
        .db
        .begin_send(job, submission.as_str(), slot_lease)
        .await?
    {
        SendStart::Ready {
            row,
            earlier_attempt_at,
        } => (row, earlier_attempt_at),
        SendStart::NoSlot => {
            return Ok(Outcome::Snooze(jittered(
                Duration::from_millis(300),
                Duration::from_millis(700),
            )));
        }
        SendStart::AlreadySent | SendStart::NotPending => {
            return Ok(Outcome::committed(app.db.complete_job(job).await?));
        }
        SendStart::LeaseLost => return Ok(Outcome::LeaseLost),
    };

    let resending = earlier_attempt_at.is_some();
    if let Some(started_at) = earlier_attempt_at {
        match adoptable_task(app, &row.session_id).await? {
            Adoption::Found(task_id) => {
                tracing::warn!(submission.id = %row.session_id, %task_id, "adopting a generation whose POST answer was lost");
                return accepted(app, job, submission, &row, &task_id, slot_lease).await;
            }
            Adoption::NoneYet => {}
            Adoption::Unconfirmed(error) => {
                if error.is_account_refusal() {
                    crate::workflows::song::pause::pause_dispatch(app, &error).await?;
                }
                return Ok(provider_backoff(&error));
            }
        }
        let quiet_for = Duration::from_millis(u64::try_from(now_ms() - started_at).unwrap_or(0));
        let window = app.config.provider.adoption_window();
        if quiet_for < window {
            return Ok(Outcome::Snooze(window - quiet_for));
        }
        tracing::warn!(submission.id = %row.session_id, "no callback after an unanswered POST; sending again (it may bill twice)");
        app.db.restart_adoption_window(&row.session_id).await?;
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
    let may_have_created = match &sent {
        Ok(_) => true,
        Err(error) => error.may_have_been_accepted(),
    };
    if resending && may_have_created {
        app.db.count_possible_duplicate(&row.session_id).await?;
    }
    match sent {
        Ok(task_id) => {
            pause_after_post_if_armed().await;
            accepted(app, job, submission, &row, &task_id, slot_lease).await
        }
        Err(error) => refused(app, &row, error).await,
    }
}

/// What the callbacks say about an earlier, unanswered POST.
enum Adoption {
    /// A task id the provider confirms: the earlier POST created this generation.
    Found(String),
    /// No callback names a generation the provider knows (yet).
    NoneYet,
    /// A candidate could not be checked now (the provider is unreachable or refusing).
    Unconfirmed(ProviderError),
}

/// A task id from a callback (or from a POST answer that came back after this job changed
/// hands) that the provider confirms.
async fn adoptable_task(app: &AppState, session_id: &str) -> anyhow::Result<Adoption> {
    for task_id in app.db.event_task_ids(session_id).await? {
        match app.provider.generation(&task_id).await {
            Ok(_) => return Ok(Adoption::Found(task_id)),
            Err(ProviderError::NotFound) => continue,
            Err(error) => return Ok(Adoption::Unconfirmed(error)),
        }
    }
    Ok(Adoption::NoneYet)
}

async fn accepted(
    app: &AppState,
    job: &ClaimedJob,
    submission: &SessionId,
    row: &PipelineRow,
    task_id: &str,
    slot_lease: i64,
) -> anyhow::Result<Outcome> {
    let reconcile = step::<Reconcile>(
        submission,
        app.max_attempts(),
        millis(app.config.provider.webhook_timeout()),
    );
    let applied = app
        .db
        .complete_send(job, submission.as_str(), task_id, slot_lease, reconcile)
        .await?;
    if applied {
        tracing::info!(submission.id = %row.session_id, %task_id, "submission {} sent to the provider", row.session_id);
        app.wakers.wake(queues::PROVIDER);
    } else {
        // Another worker holds the job now (this one stalled past its lease). It must not
        // lose a generation that was created and billed: leave the task id where its
        // adoption check looks, as if a callback had brought it.
        tracing::warn!(submission.id = %row.session_id, %task_id, "lease lost after the provider accepted; recording the task id for the new owner");
        let body = serde_json::json!({ "task_id": task_id, "source": "post_answer" }).to_string();
        app.db
            .record_provider_event(&row.session_id, Some(task_id), POST_ANSWER, &body, now_ms())
            .await?;
        if app.db.wake_job(Send::KIND, &row.session_id).await? {
            app.wakers.wake(queues::DISPATCH);
        }
    }
    Ok(Outcome::committed(applied))
}

/// The status under which a POST's own answer is recorded in the callback inbox when it
/// arrives after the job changed hands.
const POST_ANSWER: &str = "POST_ANSWERED";

/// Reads a failed POST: whether the provider can have accepted it decides whether the slot
/// is kept (it may be generating) or freed; only a refusal of the request itself fails it.
async fn refused(
    app: &AppState,
    row: &PipelineRow,
    error: ProviderError,
) -> anyhow::Result<Outcome> {
    let message = format!("{}: {error}", error.code());
    match error {
        ProviderError::NoResponse(_) | ProviderError::Decode(_) | ProviderError::Server { .. } => {
            tracing::warn!(submission.id = %row.session_id, %message, "the POST may have created a generation; keeping its slot and waiting for a callback");
            Ok(Outcome::Snooze(jittered(
                Duration::from_millis(500),
                Duration::from_millis(500),
            )))
        }
        ProviderError::InsufficientCredits => {
            app.db.send_refused(&row.session_id).await?;
            app.db.store_credits(0, 0, now_ms()).await?;
            app.db.enqueue(&refresh_credits_now()).await?;
            app.wakers.wake(queues::MAINTENANCE);
            Ok(Outcome::Snooze(jittered(
                Duration::from_secs(30),
                Duration::from_secs(30),
            )))
        }
        ProviderError::Unauthorized { .. } => {
            app.db.send_refused(&row.session_id).await?;
            crate::workflows::song::pause::pause_dispatch(app, &error).await?;
            app.wakers.wake(queues::DISPATCH);
            Ok(provider_backoff(&error))
        }
        ProviderError::NotSent(_) | ProviderError::RateLimited { .. } => {
            app.db.send_refused(&row.session_id).await?;
            app.wakers.wake(queues::DISPATCH);
            Ok(provider_backoff(&error))
        }
        ProviderError::NotFound => {
            app.db.send_refused(&row.session_id).await?;
            app.wakers.wake(queues::DISPATCH);
            Ok(Outcome::retry(message))
        }
        ProviderError::Rejected { .. } => {
            app.db.send_refused(&row.session_id).await?;
            Ok(Outcome::fail(message))
        }
    }
}

/// The crash tests' hook after an accepted POST, before its task id is stored:
/// `SERENADE_FAILPOINT=pause-after-post:send[:<seconds>]` waits there (60 s by default).
async fn pause_after_post_if_armed() {
    let Some(value) = crate::engine::failpoint::armed() else {
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
