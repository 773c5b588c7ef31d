//! One worker loop per lane: claim a job when a permit is free (woken at once by in-process
//! notifies, polling as the correctness path), run its step in its own task (the panic
//! boundary) while a heartbeat renews the lease, and settle the outcome. On shutdown it stops
//! claiming, lets running steps finish within the grace period, then releases the rest
//! without spending their attempt.
//!
//! A lost lease aborts the step, except a provider POST in flight: aborting it would throw
//! away the answer (and with it the task id of a generation already billed); it is left to
//! finish, and its completion, fenced by the claim token, records the task id without
//! touching the job.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::outcome::StepOutcome;
use super::{backoff, steps};
use crate::app::AppState;
use crate::db::DbError;
use crate::db::jobs::{ClaimedJob, JobKind, Lane};

/// How often an idle lane looks for work when nothing woke it.
const IDLE_POLL: Duration = Duration::from_millis(500);

/// Runs `lane` with `concurrency` jobs at a time until `shutdown`.
pub async fn run_lane(
    app: AppState,
    lane: Lane,
    concurrency: usize,
    worker_id: String,
    shutdown: CancellationToken,
) {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let hard_stop = CancellationToken::new();
    let mut running = JoinSet::new();
    loop {
        while running.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = shutdown.cancelled() => break,
        };
        if lane == Lane::Dispatch && !super::dispatch_allowed(&app).await {
            drop(permit);
            idle(&app, lane, &shutdown).await;
            continue;
        }
        match app.db.claim_job(lane, &worker_id, app.lease_ms()).await {
            Ok(Some(job)) => {
                tracing::debug!(job.id = %job.id, job.kind = job.kind.as_str(), "claimed {}", job.kind.as_str());
                running.spawn(execute(app.clone(), job, permit, hard_stop.clone()));
            }
            Ok(None) => {
                drop(permit);
                idle(&app, lane, &shutdown).await;
            }
            Err(error) => {
                drop(permit);
                tracing::warn!(lane = lane.as_str(), error = ?error, "claiming a job failed");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    () = shutdown.cancelled() => break,
                }
            }
        }
    }
    let grace = app.config.http.shutdown_grace();
    if tokio::time::timeout(grace, async {
        while running.join_next().await.is_some() {}
    })
    .await
    .is_err()
    {
        tracing::warn!(
            lane = lane.as_str(),
            "grace period over; releasing running jobs"
        );
        hard_stop.cancel();
        while running.join_next().await.is_some() {}
    }
}

async fn idle(app: &AppState, lane: Lane, shutdown: &CancellationToken) {
    tokio::select! {
        () = app.wakers.for_lane(lane).notified() => {}
        () = tokio::time::sleep(IDLE_POLL) => {}
        () = shutdown.cancelled() => {}
    }
}

/// Runs one claimed job to an outcome and settles it.
async fn execute(
    app: AppState,
    job: ClaimedJob,
    permit: OwnedSemaphorePermit,
    hard_stop: CancellationToken,
) {
    let lease_lost = CancellationToken::new();
    let heartbeat = tokio::spawn(keep_lease(app.clone(), job.clone(), lease_lost.clone()));
    let started = std::time::Instant::now();
    let mut step = tokio::spawn(steps::run(app.clone(), job.clone()));
    let outcome = tokio::select! {
        joined = &mut step => outcome_of(joined),
        () = lease_lost.cancelled() => {
            if job.kind == JobKind::Send {
                // Its completion is fenced; let the POST's answer arrive and be recorded.
                let _ = (&mut step).await;
            } else {
                step.abort();
            }
            StepOutcome::LeaseLost
        }
        () = hard_stop.cancelled() => {
            step.abort();
            if let Err(error) = app.db.snooze_job(&job, 0).await {
                tracing::warn!(job.id = %job.id, error = ?error, "releasing a job at shutdown failed");
            }
            heartbeat.abort();
            return;
        }
    };
    heartbeat.abort();
    app.metrics
        .observe_step(job.kind.as_str(), step_result(&outcome), started.elapsed());
    settle(&app, &job, outcome).await;
    drop(permit);
}

/// What a finished step task means: a database that is briefly unreachable is a transient
/// fault (no attempt spent); any other error, or a panic, spends the attempt.
fn outcome_of(joined: Result<anyhow::Result<StepOutcome>, tokio::task::JoinError>) -> StepOutcome {
    match joined {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(error)) if database_unavailable(&error) => StepOutcome::Backoff {
            error: format!("database unavailable: {error:#}"),
            after: None,
        },
        Ok(Err(error)) => StepOutcome::retry(format!("{error:#}")),
        Err(join) if join.is_panic() => StepOutcome::retry("the step panicked"),
        Err(_) => StepOutcome::retry("the step was cancelled"),
    }
}

fn database_unavailable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<DbError>()
            .is_some_and(DbError::is_unavailable)
    })
}

fn step_result(outcome: &StepOutcome) -> &'static str {
    match outcome {
        StepOutcome::Done => "done",
        StepOutcome::Retry { .. } => "retry",
        StepOutcome::Backoff { .. } => "backoff",
        StepOutcome::Snooze(_) => "snooze",
        StepOutcome::Fail { .. } => "fail",
        StepOutcome::LeaseLost => "lease_lost",
    }
}

/// Renews the lease every third of its length; cancels `lost` once it cannot.
async fn keep_lease(app: AppState, job: ClaimedJob, lost: CancellationToken) {
    let lease_ms = app.lease_ms();
    let every = Duration::from_millis(u64::try_from(lease_ms / 3).unwrap_or(1000));
    loop {
        tokio::time::sleep(every).await;
        match app.db.heartbeat_job(&job, lease_ms).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job.id = %job.id, job.kind = job.kind.as_str(), "lease lost; abandoning the step");
                lost.cancel();
                return;
            }
            Err(error) => tracing::warn!(job.id = %job.id, error = ?error, "heartbeat failed"),
        }
    }
}

/// Applies a step's outcome to its job (and, on failure, its submission).
pub async fn settle(app: &AppState, job: &ClaimedJob, outcome: StepOutcome) {
    let kind = job.kind.as_str();
    let result = match outcome {
        StepOutcome::Done => Ok(true),
        StepOutcome::LeaseLost => {
            tracing::warn!(job.id = %job.id, job.kind = kind, "the job was taken over; nothing written");
            Ok(true)
        }
        StepOutcome::Snooze(after) => app.db.snooze_job(job, millis(after)).await,
        StepOutcome::Backoff { error, after } => {
            let delay =
                backoff::transient_delay(&app.retry_schedule(), job.transient_streak(), after);
            tracing::warn!(job.id = %job.id, job.kind = kind, submission.id = job.submission(), %error, retry_in_ms = millis(delay), "{kind} backs off (no attempt spent)");
            app.db.backoff_job(job, millis(delay), &error).await
        }
        StepOutcome::Retry { error, .. } if job.is_last_attempt() => {
            tracing::error!(job.id = %job.id, job.kind = kind, submission.id = job.submission(), %error, "{kind} failed after {} attempts", job.attempt);
            app.db
                .fail_submission(job, &format!("{kind}: {error}"), false)
                .await
        }
        StepOutcome::Retry { error, after } => {
            let delay = backoff::retry_delay(&app.retry_schedule(), job.attempt, after);
            tracing::warn!(job.id = %job.id, job.kind = kind, submission.id = job.submission(), %error, retry_in_ms = millis(delay), "{kind} will retry");
            app.db.retry_job(job, millis(delay), &error).await
        }
        StepOutcome::Fail {
            reason,
            provider_reported,
        } => {
            tracing::error!(job.id = %job.id, job.kind = kind, submission.id = job.submission(), %reason, "submission failed at {kind}");
            app.db
                .fail_submission(job, &reason, provider_reported)
                .await
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

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
