//! One worker loop per queue: ask the queue's gates, claim a job when a permit is free (woken
//! at once by in-process notifies, polling as the correctness path), run it in its own task
//! (the panic boundary) while a heartbeat renews the lease, and settle the outcome. On
//! shutdown it stops claiming, lets running jobs finish within the grace period, then releases
//! the rest without spending their attempt.
//!
//! A lost lease aborts the job, unless its kind asks to finish (`FINISH_AFTER_LEASE_LOSS`):
//! aborting a remote call in flight could throw away an answer that cost money; its writes are
//! fenced by the claim token, so letting it finish changes nothing it no longer owns.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::instance::Engine;
use super::job::{Context, Handler};
use super::outcome::Outcome;
use super::queue::rows::ClaimedJob;
use super::registry::QueueSpec;
use super::settle::settle;
use crate::db::DbError;

impl<C: Context> Engine<C> {
    /// Starts every queue's loop and the maintenance loop of one worker process.
    pub fn start(&self, worker_id: &str, shutdown: &CancellationToken, tasks: &mut JoinSet<()>) {
        for index in 0..self.registry.queues().len() {
            tasks.spawn(run_queue(
                self.clone(),
                index,
                worker_id.to_owned(),
                shutdown.clone(),
            ));
        }
        tasks.spawn(super::maintenance::run(self.clone(), shutdown.clone()));
    }

    /// The claim condition of `spec`'s gates, in the database's dialect.
    pub(crate) fn gate_condition(&self, spec: &QueueSpec<C>) -> Option<String> {
        let dialect = self.ctx.db().dialect();
        let conditions: Vec<&str> = spec
            .gates
            .iter()
            .filter_map(|gate| gate.claim_condition())
            .map(|sql| sql.pick(dialect))
            .collect();
        (!conditions.is_empty()).then(|| conditions.join(" and "))
    }

    /// True when every gate of `spec` admits a claim now.
    pub(crate) async fn admitted(&self, spec: &QueueSpec<C>) -> bool {
        for gate in &spec.gates {
            if !gate.admits(&self.ctx).await {
                return false;
            }
        }
        true
    }

    /// Claims the next job of `spec`'s queue that its gates admit.
    pub(crate) async fn claim(
        &self,
        spec: &QueueSpec<C>,
        condition: Option<&str>,
        worker_id: &str,
    ) -> Result<Option<ClaimedJob>, DbError> {
        if !self.admitted(spec).await {
            return Ok(None);
        }
        self.ctx
            .db()
            .claim_job(spec.name, condition, worker_id, self.settings.lease_ms)
            .await
    }
}

/// Runs queue number `index` of the registry until `shutdown`.
pub(crate) async fn run_queue<C: Context>(
    engine: Engine<C>,
    index: usize,
    worker_id: String,
    shutdown: CancellationToken,
) {
    let Some(spec) = engine.registry.queues().get(index) else {
        return;
    };
    let condition = engine.gate_condition(spec);
    let permits = Arc::new(Semaphore::new(spec.concurrency.max(1)));
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
        match engine.claim(spec, condition.as_deref(), &worker_id).await {
            Ok(Some(job)) => {
                tracing::debug!(job.id = %job.id, job.kind = %job.kind, "claimed {}", job.kind);
                running.spawn(execute(
                    engine.clone(),
                    job,
                    Some(permit),
                    hard_stop.clone(),
                ));
            }
            Ok(None) => {
                drop(permit);
                idle(&engine, spec.name, &shutdown).await;
            }
            Err(error) => {
                drop(permit);
                tracing::warn!(queue = spec.name, error = ?error, "claiming a job failed");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    () = shutdown.cancelled() => break,
                }
            }
        }
    }
    let grace = engine.settings.shutdown_grace;
    if tokio::time::timeout(grace, async {
        while running.join_next().await.is_some() {}
    })
    .await
    .is_err()
    {
        tracing::warn!(
            queue = spec.name,
            "grace period over; releasing running jobs"
        );
        hard_stop.cancel();
        while running.join_next().await.is_some() {}
    }
}

async fn idle<C: Context>(engine: &Engine<C>, queue: &str, shutdown: &CancellationToken) {
    let notify = engine.ctx.wakers().for_queue(queue);
    tokio::select! {
        () = notify.notified() => {}
        () = tokio::time::sleep(engine.settings.idle_poll) => {}
        () = shutdown.cancelled() => {}
    }
}

/// Runs one claimed job to an outcome and settles it.
pub(crate) async fn execute<C: Context>(
    engine: Engine<C>,
    job: ClaimedJob,
    permit: Option<OwnedSemaphorePermit>,
    hard_stop: CancellationToken,
) {
    let Some(handler) = engine.registry.handler(&job.kind).cloned() else {
        let reason = format!("no job kind {} is registered", job.kind);
        tracing::error!(job.id = %job.id, %reason);
        if let Err(error) = engine.ctx.db().discard_job(&job, &reason).await {
            tracing::warn!(job.id = %job.id, error = ?error, "discarding an unknown job failed");
        }
        return;
    };
    let lease_lost = CancellationToken::new();
    let heartbeat = tokio::spawn(keep_lease(engine.clone(), job.clone(), lease_lost.clone()));
    let started = std::time::Instant::now();
    let mut run = tokio::spawn(run_job(engine.ctx.clone(), handler.clone(), job.clone()));
    let outcome = tokio::select! {
        joined = &mut run => outcome_of(joined),
        () = lease_lost.cancelled() => {
            if handler.finishes_after_lease_loss() {
                let _ = (&mut run).await;
            } else {
                run.abort();
            }
            Outcome::LeaseLost
        }
        () = hard_stop.cancelled() => {
            run.abort();
            if let Err(error) = engine.ctx.db().snooze_job(&job, 0).await {
                tracing::warn!(job.id = %job.id, error = ?error, "releasing a job at shutdown failed");
            }
            heartbeat.abort();
            return;
        }
    };
    heartbeat.abort();
    engine
        .ctx
        .observe_step(&job.kind, outcome.label(), started.elapsed());
    settle(&engine, handler.as_ref(), &job, outcome).await;
    drop(permit);
}

async fn run_job<C: Context>(
    ctx: C,
    handler: Arc<dyn Handler<C>>,
    job: ClaimedJob,
) -> anyhow::Result<Outcome> {
    super::failpoint::pause_if_armed(&job.kind).await;
    handler.run(&ctx, &job).await
}

/// What a finished job task means: a database that is briefly unreachable is a transient
/// fault (no attempt spent); any other error, or a panic, spends the attempt.
fn outcome_of(joined: Result<anyhow::Result<Outcome>, tokio::task::JoinError>) -> Outcome {
    match joined {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(error)) if database_unavailable(&error) => {
            Outcome::backoff(format!("database unavailable: {error:#}"), None)
        }
        Ok(Err(error)) => Outcome::retry(format!("{error:#}")),
        Err(join) if join.is_panic() => Outcome::retry("the job panicked"),
        Err(_) => Outcome::retry("the job was cancelled"),
    }
}

fn database_unavailable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<DbError>()
            .is_some_and(DbError::is_unavailable)
    })
}

/// Renews the lease every third of its length; cancels `lost` once it cannot.
async fn keep_lease<C: Context>(engine: Engine<C>, job: ClaimedJob, lost: CancellationToken) {
    let lease_ms = engine.settings.lease_ms;
    let every = Duration::from_millis(u64::try_from(lease_ms / 3).unwrap_or(1000));
    loop {
        tokio::time::sleep(every).await;
        match engine.ctx.db().heartbeat_job(&job, lease_ms).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(job.id = %job.id, job.kind = %job.kind, "lease lost; abandoning the job");
                lost.cancel();
                return;
            }
            Err(error) => tracing::warn!(job.id = %job.id, error = ?error, "heartbeat failed"),
        }
    }
}
