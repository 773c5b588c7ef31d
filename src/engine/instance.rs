//! One engine instance: the context handed to every job, the registry of kinds and queues,
//! and the settings. (`start`, which spawns a process's queue loops and maintenance, is in `runner`.)

use std::sync::Arc;
use std::time::Duration;

use super::job::Context;
use super::registry::Registry;

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
}
