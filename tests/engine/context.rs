//! The suite's own job context: a database, the wakers, a switch for the gated queue and a
//! log of everything the engine made the test kinds do (runs, payloads seen, exhaustion
//! calls, runs that finished or were dropped mid-way, and `observe_step` labels). Tests wait
//! on the log (it notifies on every entry), never on a fixed sleep.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serenade::db::Db;
use serenade::engine::{Context, Wakers};
use tokio::sync::Notify;

use crate::kinds::Note;

/// One thing a test kind (or the engine, through `observe_step`) did.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// An attempt started.
    Ran {
        kind: &'static str,
        job: String,
        attempt: i32,
    },
    /// `echo` received this payload.
    Echoed { job: String, note: Note },
    /// A kind's own `on_exhausted` was called.
    Exhausted {
        job: String,
        attempt: i32,
        reason: String,
    },
    /// A blocking run reached its end; `committed` is whether its completion was applied.
    Finished {
        job: String,
        attempt: i32,
        committed: bool,
    },
    /// A blocking run was dropped before its end (aborted).
    Dropped { job: String, attempt: i32 },
    /// The engine reported a finished attempt.
    Step { kind: String, result: &'static str },
}

/// Everything recorded, with a notifier for waiters.
#[derive(Debug, Default)]
pub struct Log {
    events: Mutex<Vec<Event>>,
    changed: Notify,
}

impl Log {
    pub fn push(&self, event: Event) {
        self.events.lock().unwrap().push(event);
        self.changed.notify_waiters();
    }

    pub fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap().clone()
    }

    /// Attempts of job `id` started so far.
    pub fn runs_of(&self, id: &str) -> usize {
        self.events()
            .iter()
            .filter(|event| matches!(event, Event::Ran { job, .. } if job == id))
            .count()
    }

    /// `on_exhausted` calls for job `id`, as `(attempt, reason)`.
    pub fn exhausted(&self, id: &str) -> Vec<(i32, String)> {
        self.events()
            .into_iter()
            .filter_map(|event| match event {
                Event::Exhausted {
                    job,
                    attempt,
                    reason,
                } if job == id => Some((attempt, reason)),
                _ => None,
            })
            .collect()
    }

    /// The `observe_step` labels reported for `kind`, in order.
    pub fn steps(&self, of_kind: &str) -> Vec<&'static str> {
        self.events()
            .into_iter()
            .filter_map(|event| match event {
                Event::Step { kind, result } if kind == of_kind => Some(result),
                _ => None,
            })
            .collect()
    }

    /// Waits until `done` holds for the events (woken by each new entry); panics with the log
    /// after `limit`.
    pub async fn until(&self, limit: Duration, done: impl Fn(&[Event]) -> bool) {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let changed = self.changed.notified();
            if done(&self.events()) {
                return;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("gave up waiting after {limit:?}; log: {:#?}", self.events());
            }
        }
    }
}

/// The context every test kind runs with.
#[derive(Clone)]
pub struct TestCtx {
    db: Db,
    wakers: Arc<Wakers>,
    pub log: Arc<Log>,
    /// Whether the gated queue's gate admits claims.
    pub gate_open: Arc<AtomicBool>,
}

impl TestCtx {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            wakers: Arc::new(Wakers::default()),
            log: Arc::new(Log::default()),
            gate_open: Arc::new(AtomicBool::new(true)),
        }
    }

    pub fn set_gate(&self, open: bool) {
        self.gate_open.store(open, Ordering::SeqCst);
    }

    pub fn gate_is_open(&self) -> bool {
        self.gate_open.load(Ordering::SeqCst)
    }
}

impl Context for TestCtx {
    fn db(&self) -> &Db {
        &self.db
    }

    fn wakers(&self) -> &Wakers {
        &self.wakers
    }

    fn observe_step(&self, kind: &str, result: &'static str, _elapsed: Duration) {
        self.log.push(Event::Step {
            kind: kind.to_owned(),
            result,
        });
    }
}
