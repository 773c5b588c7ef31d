//! The one list of what the engine runs: job kinds, the queues they run on (with concurrency
//! and admission gates), hooks run on every maintenance tick, and periodic jobs. Workflows add
//! themselves in `workflows::register`; adding a kind is one line there.

use std::collections::HashMap;
use std::sync::Arc;

use super::gate::Gate;
use super::job::{BoxFuture, Erased, Handler, Job};
use super::queue::rows::NewJob;

/// A queue: its name, how many of its jobs one process runs at once, and its gates.
pub struct QueueSpec<C> {
    pub name: &'static str,
    pub concurrency: usize,
    pub gates: Vec<Arc<dyn Gate<C>>>,
}

type TickHook<C> = Box<dyn for<'a> Fn(&'a C) -> BoxFuture<'a, ()> + Send + Sync>;
type PeriodicHook<C> = Box<dyn Fn(&C, i64) -> Vec<NewJob> + Send + Sync>;

/// What is wrong with a registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("job kind {kind} is registered twice")]
    DuplicateKind { kind: &'static str },
    #[error("job kind {kind} runs on queue {queue}, which is not declared")]
    UnknownQueue {
        kind: &'static str,
        queue: &'static str,
    },
}

pub struct Registry<C> {
    handlers: HashMap<&'static str, Arc<dyn Handler<C>>>,
    queues: Vec<QueueSpec<C>>,
    ticks: Vec<TickHook<C>>,
    periodic: Vec<PeriodicHook<C>>,
    duplicate: Option<&'static str>,
}

impl<C: 'static> Default for Registry<C> {
    fn default() -> Self {
        Self {
            handlers: HashMap::new(),
            queues: Vec::new(),
            ticks: Vec::new(),
            periodic: Vec::new(),
            duplicate: None,
        }
    }
}

impl<C: 'static> Registry<C> {
    /// Registers a job kind.
    pub fn job<J: Job<Context = C>>(&mut self, job: J) -> &mut Self {
        if self
            .handlers
            .insert(J::KIND, Arc::new(Erased(job)))
            .is_some()
        {
            self.duplicate = Some(J::KIND);
        }
        self
    }

    /// Declares a queue run `concurrency` jobs at a time per process.
    pub fn queue(&mut self, name: &'static str, concurrency: usize) -> &mut Self {
        match self.queues.iter_mut().find(|queue| queue.name == name) {
            Some(queue) => queue.concurrency = concurrency,
            None => self.queues.push(QueueSpec {
                name,
                concurrency,
                gates: Vec::new(),
            }),
        }
        self
    }

    /// Adds an admission gate to a declared queue (declaring it, with concurrency 1, if not).
    pub fn gate(&mut self, queue: &'static str, gate: impl Gate<C> + 'static) -> &mut Self {
        if !self.queues.iter().any(|spec| spec.name == queue) {
            self.queue(queue, 1);
        }
        if let Some(spec) = self.queues.iter_mut().find(|spec| spec.name == queue) {
            spec.gates.push(Arc::new(gate));
        }
        self
    }

    /// Runs `hook` on every maintenance tick (every couple of seconds, in every process).
    pub fn on_tick(
        &mut self,
        hook: impl for<'a> Fn(&'a C) -> BoxFuture<'a, ()> + Send + Sync + 'static,
    ) -> &mut Self {
        self.ticks.push(Box::new(hook));
        self
    }

    /// Jobs to enqueue on every scheduling round given the time now (ms); give them
    /// `periodic_key`s so one per period is ever inserted across processes.
    pub fn periodic(
        &mut self,
        schedule: impl Fn(&C, i64) -> Vec<NewJob> + Send + Sync + 'static,
    ) -> &mut Self {
        self.periodic.push(Box::new(schedule));
        self
    }

    /// Every registered kind runs on a declared queue and no kind is registered twice.
    pub fn check(&self) -> Result<(), RegistryError> {
        if let Some(kind) = self.duplicate {
            return Err(RegistryError::DuplicateKind { kind });
        }
        for handler in self.handlers.values() {
            if !self
                .queues
                .iter()
                .any(|queue| queue.name == handler.queue())
            {
                return Err(RegistryError::UnknownQueue {
                    kind: handler.kind(),
                    queue: handler.queue(),
                });
            }
        }
        Ok(())
    }

    /// The registered kinds' names, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.handlers.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }

    pub fn queues(&self) -> &[QueueSpec<C>] {
        &self.queues
    }

    pub(crate) fn handler(&self, kind: &str) -> Option<&Arc<dyn Handler<C>>> {
        self.handlers.get(kind)
    }

    pub(crate) fn ticks(&self) -> &[TickHook<C>] {
        &self.ticks
    }

    pub(crate) fn periodic_jobs(&self, ctx: &C, now_ms: i64) -> Vec<NewJob> {
        self.periodic
            .iter()
            .flat_map(|schedule| schedule(ctx, now_ms))
            .collect()
    }
}
