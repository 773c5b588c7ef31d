//! The jobs workflow's engine kinds: `jobs.generate` (create the prediction, follow it to
//! its end) and `jobs.persist_output` (store one output, retried on its own), each owned by
//! `job:<id>`; a kind whose work cannot go on fails the job (`on_exhausted`).

use serde::{Deserialize, Serialize};

use super::scrape::observe_end;
use super::steps;
use super::store::rows::engine_owner;
use super::store::transitions::JobEnd;
use crate::engine::{ClaimedJob, Job, NewJob, Outcome};
use crate::state::AppState;

/// The jobs workflow's queues.
pub mod queues {
    /// Provider calls: creating and following predictions.
    pub const PROVIDER: &str = "jobs.provider";
    /// Fetching and storing outputs.
    pub const OUTPUTS: &str = "jobs.outputs";
}

/// Attempts to store one output (each a fresh download).
pub const PERSIST_ATTEMPTS: i32 = 5;

/// Follows a job at the provider.
pub struct Generate;
/// Stores one of a job's outputs.
pub struct PersistOutput;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobRef {
    pub job_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutputRef {
    pub job_id: String,
    pub idx: i32,
}

/// The generate job of a new job: `max_retries` provider failures may be retried.
pub fn generate_job(job_id: &str, max_retries: i32, priority: i32) -> NewJob {
    Generate::new_job(&JobRef {
        job_id: job_id.to_owned(),
    })
    .owned_by(engine_owner(job_id))
    .unique(format!("{}:{job_id}", Generate::KIND))
    .attempts(max_retries.saturating_add(1).max(1))
    .priority(priority)
}

/// The persist job of output `idx`.
pub fn persist_job(job_id: &str, idx: i32, priority: i32) -> NewJob {
    PersistOutput::new_job(&OutputRef {
        job_id: job_id.to_owned(),
        idx,
    })
    .owned_by(engine_owner(job_id))
    .unique(format!("{}:{job_id}:{idx}", PersistOutput::KIND))
    .attempts(PERSIST_ATTEMPTS)
    .priority(priority)
}

impl Job for Generate {
    const KIND: &'static str = "jobs.generate";
    const QUEUE: &'static str = queues::PROVIDER;
    type Context = AppState;
    type Payload = JobRef;

    async fn run(
        &self,
        app: &AppState,
        job: &ClaimedJob,
        payload: JobRef,
    ) -> anyhow::Result<Outcome> {
        steps::generate::run(app, job, &payload.job_id).await
    }

    async fn on_exhausted(
        &self,
        app: &AppState,
        job: &ClaimedJob,
        payload: JobRef,
        reason: &str,
    ) -> anyhow::Result<bool> {
        let end = JobEnd::failed("generation_failed", reason);
        let applied = app
            .db
            .end_api_job_from_step(job, &payload.job_id, &end, "discarded")
            .await?;
        if applied && let Some(row) = app.db.api_job(&payload.job_id).await? {
            observe_end(app, &row);
        }
        Ok(applied)
    }
}

impl Job for PersistOutput {
    const KIND: &'static str = "jobs.persist_output";
    const QUEUE: &'static str = queues::OUTPUTS;
    type Context = AppState;
    type Payload = OutputRef;

    async fn run(
        &self,
        app: &AppState,
        job: &ClaimedJob,
        payload: OutputRef,
    ) -> anyhow::Result<Outcome> {
        steps::persist::run(app, job, &payload.job_id, payload.idx).await
    }

    async fn on_exhausted(
        &self,
        app: &AppState,
        job: &ClaimedJob,
        payload: OutputRef,
        reason: &str,
    ) -> anyhow::Result<bool> {
        Ok(app
            .db
            .finish_api_output(job, &payload.job_id, payload.idx, Err(reason))
            .await?)
    }
}
