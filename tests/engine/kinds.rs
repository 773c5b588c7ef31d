//! The suite's job kinds, queues and gate, none from a workflow: `echo` (records its typed
//! payload), `chain` (enqueues a follow-up inside its run), `scripted` and `doomed` (follow a
//! script of outcomes per run; `doomed` overrides `on_exhausted`), `gated` (on a queue whose
//! gate can be closed and whose claim condition reads `jobs.owner` and `jobs.payload`); the
//! blocking kinds `stall` and `stubborn` are in `holding`.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serenade::db::DualSql;
use serenade::engine::{BoxFuture, ClaimedJob, Context, Gate, Job, Outcome, Registry};

use crate::context::{Event, TestCtx};
use crate::holding::{Stall, Stubborn};

pub const MAIN: &str = "main";
pub const GATED: &str = "gated";
pub const SLOW: &str = "slow";

/// Every kind on its queue, the gated queue behind [`Switch`].
pub fn suite_registry() -> Registry<TestCtx> {
    let mut registry = Registry::default();
    registry
        .queue(MAIN, 4)
        .queue(SLOW, 2)
        .gate(GATED, Switch)
        .job(Echo)
        .job(Chain)
        .job(Scripted)
        .job(Doomed)
        .job(Gated)
        .job(Stall)
        .job(Stubborn);
    registry
}

/// A payload with some shape to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub text: String,
    pub number: i64,
    pub tags: Vec<String>,
    pub flag: Option<bool>,
}

pub async fn complete(ctx: &TestCtx, job: &ClaimedJob) -> anyhow::Result<Outcome> {
    Ok(Outcome::committed(ctx.db().complete_job(job).await?))
}

pub fn ran(ctx: &TestCtx, kind: &'static str, job: &ClaimedJob) {
    ctx.log.push(Event::Ran {
        kind,
        job: job.id.clone(),
        attempt: job.attempt,
    });
}

/// Records its payload and completes.
pub struct Echo;

impl Job for Echo {
    const KIND: &'static str = "echo";
    const QUEUE: &'static str = MAIN;
    type Context = TestCtx;
    type Payload = Note;

    async fn run(&self, ctx: &TestCtx, job: &ClaimedJob, note: Note) -> anyhow::Result<Outcome> {
        ran(ctx, Self::KIND, job);
        ctx.log.push(Event::Echoed {
            job: job.id.clone(),
            note,
        });
        complete(ctx, job).await
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Links {
    pub left: u32,
}

/// Enqueues `chain { left - 1 }` (and wakes its queue) unless `left` is 0, then completes.
pub struct Chain;

impl Job for Chain {
    const KIND: &'static str = "chain";
    const QUEUE: &'static str = MAIN;
    type Context = TestCtx;
    type Payload = Links;

    async fn run(&self, ctx: &TestCtx, job: &ClaimedJob, links: Links) -> anyhow::Result<Outcome> {
        ran(ctx, Self::KIND, job);
        if links.left > 0 {
            let next = Self::new_job(&Links {
                left: links.left - 1,
            });
            ctx.db().enqueue(&next).await?;
            ctx.wakers().wake(Self::QUEUE);
        }
        complete(ctx, job).await
    }
}

/// What one run of a scripted job does.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Step {
    Complete,
    Retry,
    Error,
    Backoff,
    Snooze { ms: u64 },
    Fail,
    Panic,
}

/// Run number `n` (counting every run, refunded or not) takes `steps[n]`; the last repeats.
#[derive(Debug, Serialize, Deserialize)]
pub struct Script {
    pub steps: Vec<Step>,
}

impl Script {
    pub fn of(steps: &[Step]) -> Self {
        Self {
            steps: steps.to_vec(),
        }
    }
}

async fn perform(
    ctx: &TestCtx,
    kind: &'static str,
    job: &ClaimedJob,
    script: Script,
) -> anyhow::Result<Outcome> {
    let run = ctx.log.runs_of(&job.id);
    ran(ctx, kind, job);
    let step = script
        .steps
        .get(run)
        .or(script.steps.last())
        .cloned()
        .unwrap_or(Step::Complete);
    match step {
        Step::Complete => complete(ctx, job).await,
        Step::Retry => Ok(Outcome::retry(format!(
            "scripted failure on attempt {}",
            job.attempt
        ))),
        Step::Error => Err(anyhow::anyhow!("scripted error on attempt {}", job.attempt)),
        Step::Backoff => Ok(Outcome::backoff("remote busy", None)),
        Step::Snooze { ms } => Ok(Outcome::Snooze(Duration::from_millis(ms))),
        Step::Fail => Ok(Outcome::fail("the script says fail")),
        Step::Panic => panic!("scripted panic on attempt {}", job.attempt),
    }
}

/// Follows its script; the default `on_exhausted`.
pub struct Scripted;

impl Job for Scripted {
    const KIND: &'static str = "scripted";
    const QUEUE: &'static str = MAIN;
    type Context = TestCtx;
    type Payload = Script;

    async fn run(
        &self,
        ctx: &TestCtx,
        job: &ClaimedJob,
        script: Script,
    ) -> anyhow::Result<Outcome> {
        perform(ctx, Self::KIND, job, script).await
    }
}

/// Follows its script; its `on_exhausted` records the reason, then discards the job.
pub struct Doomed;

impl Job for Doomed {
    const KIND: &'static str = "doomed";
    const QUEUE: &'static str = MAIN;
    type Context = TestCtx;
    type Payload = Script;

    async fn run(
        &self,
        ctx: &TestCtx,
        job: &ClaimedJob,
        script: Script,
    ) -> anyhow::Result<Outcome> {
        perform(ctx, Self::KIND, job, script).await
    }

    async fn on_exhausted(
        &self,
        ctx: &TestCtx,
        job: &ClaimedJob,
        _script: Script,
        reason: &str,
    ) -> anyhow::Result<bool> {
        ctx.log.push(Event::Exhausted {
            job: job.id.clone(),
            attempt: job.attempt,
            reason: reason.to_owned(),
        });
        Ok(ctx.db().discard_job(job, reason).await?)
    }
}

/// The gated queue's payload; the gate refuses `blocked` tickets inside the claim.
#[derive(Debug, Serialize, Deserialize)]
pub struct Ticket {
    pub blocked: bool,
}

/// Completes; runs on the gated queue.
pub struct Gated;

impl Job for Gated {
    const KIND: &'static str = "gated";
    const QUEUE: &'static str = GATED;
    type Context = TestCtx;
    type Payload = Ticket;

    async fn run(&self, ctx: &TestCtx, job: &ClaimedJob, _: Ticket) -> anyhow::Result<Outcome> {
        ran(ctx, Self::KIND, job);
        complete(ctx, job).await
    }
}

/// Admits while the context's switch is on; claims only owners `allowed:*` whose ticket is
/// not blocked.
pub struct Switch;

const ADMITTED_ROWS: &str =
    "jobs.owner like 'allowed:%' and jobs.payload not like '%\"blocked\":true%'";

impl Gate<TestCtx> for Switch {
    fn admits<'a>(&'a self, ctx: &'a TestCtx) -> BoxFuture<'a, bool> {
        Box::pin(async move { ctx.gate_is_open() })
    }

    fn claim_condition(&self) -> Option<DualSql> {
        Some(DualSql {
            sqlite: ADMITTED_ROWS,
            postgres: ADMITTED_ROWS,
        })
    }
}
