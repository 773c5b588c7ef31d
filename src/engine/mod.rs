//! The job engine. It knows no workflow: a durable queue in the app's database (`queue`:
//! claim with a lease, heartbeat, fenced completion, retry, snooze, backoff, discard, rescue),
//! the runner (one loop per queue with its concurrency, admission gates, a panic boundary and a
//! drain on shutdown), the [`Job`] trait with typed payloads and `on_exhausted`, and one
//! [`Registry`] of kinds. Workflows live in `crate::workflows` and register themselves.

use std::sync::Arc;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub mod backoff;
pub mod drain;
pub mod failpoint;
pub mod gate;
pub mod job;
pub mod maintenance;
pub mod outcome;
pub mod queue;
pub mod registry;
mod runner;
mod settle;
pub mod staging;
pub mod wakers;
pub mod worker;

pub use gate::Gate;
pub use job::{BoxFuture, Context, Job};
pub use outcome::Outcome;
pub use queue::{ClaimedJob, NewJob};
pub use registry::Registry;
pub use settle::millis;
pub use wakers::Wakers;

/// How the engine runs jobs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Lease length of a claimed job (renewed every third of it).
    pub lease_ms: i64,
    /// Delays after the 1st, 2nd, … failed attempt (the last repeats).
    pub retry_schedule: Vec<Duration>,
    /// How long running jobs may finish at shutdown before they are released.
    pub shutdown_grace: Duration,
    /// How often an idle queue looks for work when nothing woke it.
    pub idle_poll: Duration,
}

/// The engine for one context type: the state handed to jobs, the registry, the settings.
pub struct Engine<C> {
    pub ctx: C,
    pub registry: Arc<Registry<C>>,
    pub settings: Arc<Settings>,
}

impl<C: Clone> Clone for Engine<C> {
    fn clone(&self) -> Self {
        Self {
            ctx: self.ctx.clone(),
            registry: self.registry.clone(),
            settings: self.settings.clone(),
        }
    }
}

impl<C: Context> Engine<C> {
    pub fn new(ctx: C, registry: Registry<C>, settings: Settings) -> Self {
        Self {
            ctx,
            registry: Arc::new(registry),
            settings: Arc::new(settings),
        }
    }

    /// Starts every queue's loop and the maintenance loop of one worker process.
    pub fn start(&self, worker_id: &str, shutdown: &CancellationToken, tasks: &mut JoinSet<()>) {
        for index in 0..self.registry.queues().len() {
            tasks.spawn(runner::run_queue(
                self.clone(),
                index,
                worker_id.to_owned(),
                shutdown.clone(),
            ));
        }
        tasks.spawn(maintenance::run(self.clone(), shutdown.clone()));
    }
}
