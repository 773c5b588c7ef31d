//! The blocking kinds, on the slow queue: `stall` and `stubborn` block on their first
//! attempt, then complete and record whether the completion was applied; a run dropped
//! before its end (aborted) records that instead. `stall` is aborted when its lease is lost;
//! `stubborn` (`FINISH_AFTER_LEASE_LOSS`) runs to its end, its completion fenced.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serenade::engine::{ClaimedJob, Context, Job, Outcome};

use crate::context::{Event, TestCtx};
use crate::kinds::{SLOW, ran};

/// How long a first attempt blocks.
#[derive(Debug, Serialize, Deserialize)]
pub struct Hold {
    pub block_ms: u64,
}

/// Records `Dropped` if the run is dropped before it is disarmed.
struct Unfinished<'a> {
    ctx: &'a TestCtx,
    job: &'a ClaimedJob,
    armed: bool,
}

impl Drop for Unfinished<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.ctx.log.push(Event::Dropped {
                job: self.job.id.clone(),
                attempt: self.job.attempt,
            });
        }
    }
}

/// Blocks `block_ms` on the first attempt, then completes and records whether it could.
async fn hold(ctx: &TestCtx, kind: &'static str, job: &ClaimedJob, hold: Hold) -> Outcome {
    ran(ctx, kind, job);
    if job.attempt == 1 {
        let mut guard = Unfinished {
            ctx,
            job,
            armed: true,
        };
        tokio::time::sleep(Duration::from_millis(hold.block_ms)).await;
        guard.armed = false;
    }
    let committed = ctx.db().complete_job(job).await.unwrap_or(false);
    ctx.log.push(Event::Finished {
        job: job.id.clone(),
        attempt: job.attempt,
        committed,
    });
    Outcome::committed(committed)
}

/// Blocks on its first attempt; aborted when its lease is lost.
pub struct Stall;

impl Job for Stall {
    const KIND: &'static str = "stall";
    const QUEUE: &'static str = SLOW;
    type Context = TestCtx;
    type Payload = Hold;

    async fn run(&self, ctx: &TestCtx, job: &ClaimedJob, payload: Hold) -> anyhow::Result<Outcome> {
        Ok(hold(ctx, Self::KIND, job, payload).await)
    }
}

/// Blocks on its first attempt; finishes its run even after losing its lease.
pub struct Stubborn;

impl Job for Stubborn {
    const KIND: &'static str = "stubborn";
    const QUEUE: &'static str = SLOW;
    const FINISH_AFTER_LEASE_LOSS: bool = true;
    type Context = TestCtx;
    type Payload = Hold;

    async fn run(&self, ctx: &TestCtx, job: &ClaimedJob, payload: Hold) -> anyhow::Result<Outcome> {
        Ok(hold(ctx, Self::KIND, job, payload).await)
    }
}
