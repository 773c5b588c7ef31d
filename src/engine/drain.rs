//! Running the queues until they are idle, for tests and one-off tools: `Engine::drain`
//! claims and runs due jobs of every queue in this task (gates asked as usual, leases and
//! fencing exactly as in a worker), waits for jobs that fall due within a horizon, and
//! returns once nothing is running or due within it. `wait_until_idle` only watches, for a
//! test whose work runs in separate worker processes. Neither waits a fixed time: they return
//! as soon as the queues are idle.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::instance::Engine;
use super::job::Context;
use super::runner::execute;
use super::settle::millis;
use crate::db::{Db, DbError};

/// How often an idle drain looks again while jobs are due soon or running elsewhere.
const RECHECK: Duration = Duration::from_millis(25);

/// What a drain ran, by kind.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DrainReport {
    pub ran: BTreeMap<String, usize>,
}

impl DrainReport {
    /// Attempts run in all.
    pub fn total(&self) -> usize {
        self.ran.values().sum()
    }

    /// Attempts of `kind` run.
    pub fn of(&self, kind: &str) -> usize {
        self.ran.get(kind).copied().unwrap_or(0)
    }
}

/// Why a drain stopped before the queues were idle.
#[derive(Debug, thiserror::Error)]
pub enum DrainError {
    #[error("{busy} jobs were still running or due after {waited:?} (ran {ran:?})")]
    StillBusy {
        busy: i64,
        waited: Duration,
        ran: BTreeMap<String, usize>,
    },
    #[error("reading the queue failed")]
    Db(#[from] DbError),
}

impl<C: Context> Engine<C> {
    /// Runs every due job until no job is running or due within `horizon`; gives up after
    /// `limit`.
    pub async fn drain(
        &self,
        horizon: Duration,
        limit: Duration,
    ) -> Result<DrainReport, DrainError> {
        let started = Instant::now();
        let worker_id = format!("drain:{}", cuid2::create_id());
        let queues = self.registry.queues();
        let conditions: Vec<Option<String>> = queues
            .iter()
            .map(|spec| self.gate_condition(spec))
            .collect();
        let mut report = DrainReport::default();
        loop {
            let mut ran_any = false;
            for (spec, condition) in queues.iter().zip(&conditions) {
                let Some(job) = self.claim(spec, condition.as_deref(), &worker_id).await? else {
                    continue;
                };
                *report.ran.entry(job.kind.clone()).or_default() += 1;
                execute(self.clone(), job, None, CancellationToken::new()).await;
                ran_any = true;
            }
            if ran_any {
                continue;
            }
            let busy = self.ctx.db().busy_job_count(millis(horizon)).await?;
            if busy == 0 {
                return Ok(report);
            }
            if started.elapsed() >= limit {
                return Err(DrainError::StillBusy {
                    busy,
                    waited: started.elapsed(),
                    ran: report.ran,
                });
            }
            tokio::time::sleep(RECHECK).await;
        }
    }
}

/// Waits until no job is running or due within `horizon` (work done by other processes);
/// gives up after `limit`.
pub async fn wait_until_idle(
    db: &Db,
    horizon: Duration,
    limit: Duration,
) -> Result<(), DrainError> {
    let started = Instant::now();
    loop {
        let busy = db.busy_job_count(millis(horizon)).await?;
        if busy == 0 {
            return Ok(());
        }
        if started.elapsed() >= limit {
            return Err(DrainError::StillBusy {
                busy,
                waited: started.elapsed(),
                ran: BTreeMap::new(),
            });
        }
        tokio::time::sleep(RECHECK).await;
    }
}
