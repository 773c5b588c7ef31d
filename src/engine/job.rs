//! The contract between the engine and a workflow: a [`Job`] kind names itself and its queue,
//! carries a typed serde payload, runs with its lease held, and decides what exhaustion
//! means for its work (`on_exhausted`: a song fails its submission; the default just ends the
//! job). [`Context`] is what the engine needs from the state it hands every job.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::outcome::Outcome;
use super::queue::rows::{ClaimedJob, NewJob};
use super::wakers::Wakers;
use crate::db::Db;

/// A boxed future, for the engine's type-erased calls into jobs and gates.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The state jobs run with, as far as the engine is concerned.
pub trait Context: Clone + Send + Sync + 'static {
    fn db(&self) -> &Db;
    fn wakers(&self) -> &Wakers;
    /// Records one finished attempt (`result` is an [`Outcome::label`]).
    fn observe_step(&self, _kind: &str, _result: &'static str, _elapsed: Duration) {}
}

/// One kind of job.
pub trait Job: Send + Sync + 'static {
    /// The name stored in `jobs.kind`; stable across releases.
    const KIND: &'static str;
    /// The queue (worker loop, concurrency, gates) it runs on.
    const QUEUE: &'static str;
    /// When the lease is lost mid-run, let the run finish instead of aborting it (its writes
    /// are fenced, so it changes nothing; it may still need to record what it learned, such
    /// as a remote answer that cost money).
    const FINISH_AFTER_LEASE_LOSS: bool = false;

    type Context: Context;
    type Payload: Serialize + DeserializeOwned + Send + Sync + 'static;

    /// Runs one attempt with the lease held (a heartbeat renews it meanwhile).
    fn run(
        &self,
        ctx: &Self::Context,
        job: &ClaimedJob,
        payload: Self::Payload,
    ) -> impl Future<Output = anyhow::Result<Outcome>> + Send;

    /// Ends the work after its last attempt, a `Fail`, or too many crashed workers; `false`
    /// when the lease was lost meanwhile. The default discards the job with `reason`.
    fn on_exhausted(
        &self,
        ctx: &Self::Context,
        job: &ClaimedJob,
        payload: Self::Payload,
        reason: &str,
    ) -> impl Future<Output = anyhow::Result<bool>> + Send {
        let _ = payload;
        async move { Ok(ctx.db().discard_job(job, reason).await?) }
    }

    /// A job of this kind for `payload`, due now, three attempts.
    fn new_job(payload: &Self::Payload) -> NewJob {
        let payload = serde_json::to_string(payload).unwrap_or_else(|_| "{}".into());
        NewJob::new(Self::KIND, Self::QUEUE, payload)
    }
}

/// A job kind with its types erased, as the registry holds it.
pub(crate) trait Handler<C>: Send + Sync {
    fn kind(&self) -> &'static str;
    fn queue(&self) -> &'static str;
    fn finishes_after_lease_loss(&self) -> bool;
    fn run<'a>(&'a self, ctx: &'a C, job: &'a ClaimedJob)
    -> BoxFuture<'a, anyhow::Result<Outcome>>;
    fn exhausted<'a>(
        &'a self,
        ctx: &'a C,
        job: &'a ClaimedJob,
        reason: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>>;
}

pub(crate) struct Erased<J>(pub J);

impl<J: Job> Handler<J::Context> for Erased<J> {
    fn kind(&self) -> &'static str {
        J::KIND
    }

    fn queue(&self) -> &'static str {
        J::QUEUE
    }

    fn finishes_after_lease_loss(&self) -> bool {
        J::FINISH_AFTER_LEASE_LOSS
    }

    fn run<'a>(
        &'a self,
        ctx: &'a J::Context,
        job: &'a ClaimedJob,
    ) -> BoxFuture<'a, anyhow::Result<Outcome>> {
        Box::pin(async move {
            match serde_json::from_str::<J::Payload>(&job.payload) {
                Ok(payload) => self.0.run(ctx, job, payload).await,
                Err(error) => Ok(Outcome::fail(format!(
                    "{}: unreadable payload: {error}",
                    J::KIND
                ))),
            }
        })
    }

    fn exhausted<'a>(
        &'a self,
        ctx: &'a J::Context,
        job: &'a ClaimedJob,
        reason: &'a str,
    ) -> BoxFuture<'a, anyhow::Result<bool>> {
        Box::pin(async move {
            match serde_json::from_str::<J::Payload>(&job.payload) {
                Ok(payload) => self.0.on_exhausted(ctx, job, payload, reason).await,
                Err(_) => Ok(ctx.db().discard_job(job, reason).await?),
            }
        })
    }
}
