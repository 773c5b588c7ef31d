//! The jobs API's state changes. Those a step commits are fenced on its engine job (nothing
//! changes when its lease was lost) and queue what comes next in the same transaction: the
//! outputs' persist jobs, then the job's end and its client's webhook events. A job's row is
//! locked while its outputs are counted, so two outputs finishing at once still finish the
//! job exactly once.

use super::rows::{JobRow, job_columns};
use crate::db::{Db, DbError, Dialect, DualSql, dual_sql, in_write_tx, on_pool};
use crate::engine::queue::sql::{finish_job, insert_job};
use crate::engine::{ClaimedJob, NewJob};
use crate::workflows::jobs::model::{JobStatus, Stage, terminal_event};
use crate::workflows::jobs::webhooks::event_job;

/// How a job ended, when it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobEnd {
    pub status: JobStatus,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

impl JobEnd {
    pub fn failed(code: &str, message: impl Into<String>) -> Self {
        Self {
            status: JobStatus::Failed,
            error_code: Some(code.to_owned()),
            error_message: Some(message.into()),
        }
    }
}

const SET_STAGE: DualSql = dual_sql!(
    "update api_jobs set status = 'processing', stage = $2, progress = $3, \
     provider = coalesce($4, provider), prediction_id = coalesce($5, prediction_id), \
     started_at = coalesce(started_at, ",
    NOW,
    "), updated_at = ",
    NOW,
    " where id = $1 and status in ('queued', 'processing')"
);

const ATTEMPT: DualSql = dual_sql!(
    "update api_jobs set attempts = attempts + 1, updated_at = ",
    NOW,
    " where id = $1"
);

const RESET_PREDICTION: DualSql = dual_sql!(
    "update api_jobs set prediction_id = null, updated_at = ",
    NOW,
    " where id = $1 and status = 'processing'"
);

pub(super) const END: DualSql = dual_sql!(
    "update api_jobs set status = $2, stage = $3, progress = $4, error_code = $5, \
     error_message = $6, completed_at = ",
    NOW,
    ", updated_at = ",
    NOW,
    " where id = $1 and status in ('queued', 'processing')"
);

pub(super) const INSERT_OUTPUT: &str = "insert into api_job_outputs (job_id, idx, status, source_url) \
                             values ($1, $2, 'pending', $3) on conflict do nothing";

pub(super) const OUTPUT_STORED: DualSql = dual_sql!(
    "update api_job_outputs set status = 'stored', object_key = $3, content_type = $4, \
     size_bytes = $5, sha256 = $6, error_message = null, attempts = attempts + 1, stored_at = ",
    NOW,
    " where job_id = $1 and idx = $2 and status = 'pending'"
);

pub(super) const OUTPUT_FAILED: &str = "update api_job_outputs set status = 'failed', error_message = $3, \
                             attempts = attempts + 1 where job_id = $1 and idx = $2 and \
                             status = 'pending'";

/// Locks a job's row for the rest of the transaction (SQLite's writer lock already does).
pub(super) fn lock_job(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "select id from api_jobs where id = $1",
        Dialect::Postgres => "select id from api_jobs where id = $1 for update",
    }
}

/// The row in `tx`.
macro_rules! job_in_tx {
    ($tx:expr, $id:expr) => {
        sqlx::query_as::<_, JobRow>(concat!(
            "select ",
            job_columns!(),
            " from api_jobs where id = $1"
        ))
        .bind($id)
        .fetch_optional($tx)
        .await?
    };
}

pub(super) use job_in_tx;

/// Ends job `$id` as `$end` (if it has not ended) and queues its webhook event.
macro_rules! end_in_tx {
    ($tx:expr, $dialect:expr, $id:expr, $end:expr) => {{
        let end: &JobEnd = $end;
        let stage = match end.status {
            JobStatus::Succeeded => Stage::Completed,
            JobStatus::Canceled => Stage::Canceled,
            _ => Stage::Failed,
        };
        let ended = sqlx::query(END.pick($dialect))
            .bind($id)
            .bind(end.status.as_str())
            .bind(stage.as_str())
            .bind(stage.progress())
            .bind(end.error_code.as_deref())
            .bind(end.error_message.as_deref())
            .execute(&mut *$tx)
            .await?
            .rows_affected();
        if ended == 1
            && let Some(row) = job_in_tx!(&mut *$tx, $id)
            && let Some(event) = terminal_event(end.status)
            && let Some(delivery) = event_job(&row, event)
        {
            insert_job!(&mut *$tx, $dialect, &delivery)?;
        }
        ended == 1
    }};
}

pub(super) use end_in_tx;

impl Db {
    /// A step began: `processing` at `stage`, recording the provider and prediction when
    /// given; queues the `job.started` event the first time. `false` when the job has ended.
    pub async fn set_api_job_stage(
        &self,
        id: &str,
        stage: Stage,
        provider: Option<&str>,
        prediction_id: Option<&str>,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            let before = job_in_tx!(&mut *tx, id);
            let changed = sqlx::query(SET_STAGE.pick(dialect))
                .bind(id)
                .bind(stage.as_str())
                .bind(stage.progress())
                .bind(provider)
                .bind(prediction_id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if changed
                && before.as_ref().is_some_and(|row| row.started_at.is_none())
                && let Some(row) = job_in_tx!(&mut *tx, id)
                && let Some(delivery) = event_job(&row, "job.started")
            {
                insert_job!(&mut *tx, dialect, &delivery)?;
            }
            changed
        }))
    }

    /// Forgets a prediction that failed or vanished, so the next attempt makes a new one.
    pub async fn reset_api_prediction(&self, id: &str) -> Result<(), DbError> {
        on_pool!(self, |pool, dialect| {
            sqlx::query(RESET_PREDICTION.pick(dialect))
                .bind(id)
                .execute(pool)
                .await
                .map(|_| ())
        })?;
        Ok(())
    }

    /// Counts one more provider attempt.
    pub async fn count_api_job_attempt(&self, id: &str) -> Result<(), DbError> {
        on_pool!(self, |pool, dialect| {
            sqlx::query(ATTEMPT.pick(dialect))
                .bind(id)
                .execute(pool)
                .await
                .map(|_| ())
        })?;
        Ok(())
    }

    /// The provider made the outputs: record them and queue one persist job each, fenced on
    /// the generate job. With no outputs the job fails.
    pub async fn complete_api_generation(
        &self,
        claimed: &ClaimedJob,
        id: &str,
        outputs: &[String],
        persist: Vec<NewJob>,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            if finish_job!(
                &mut *tx,
                dialect,
                claimed,
                "completed",
                &claimed.errors_with("generated")
            )? != 1
            {
                return Ok(false);
            }
            sqlx::query(lock_job(dialect))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            if outputs.is_empty() {
                let failed = JobEnd::failed("no_outputs", "The provider returned no outputs.");
                let _ended = end_in_tx!(tx, dialect, id, &failed);
            } else {
                sqlx::query(SET_STAGE.pick(dialect))
                    .bind(id)
                    .bind(Stage::StoringOutputs.as_str())
                    .bind(Stage::StoringOutputs.progress())
                    .bind(None::<&str>)
                    .bind(None::<&str>)
                    .execute(&mut *tx)
                    .await?;
                for (index, url) in outputs.iter().enumerate() {
                    sqlx::query(INSERT_OUTPUT)
                        .bind(id)
                        .bind(i32::try_from(index).unwrap_or(i32::MAX))
                        .bind(url)
                        .execute(&mut *tx)
                        .await?;
                }
                for job in &persist {
                    insert_job!(&mut *tx, dialect, job)?;
                }
            }
            true
        }))
    }

    /// Ends a job from one of its steps (fenced on `claimed`); `false` when the lease was lost.
    pub async fn end_api_job_from_step(
        &self,
        claimed: &ClaimedJob,
        id: &str,
        end: &JobEnd,
        state: &str,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            let note = end
                .error_message
                .clone()
                .unwrap_or_else(|| end.status.as_str().to_owned());
            if finish_job!(
                &mut *tx,
                dialect,
                claimed,
                state,
                &claimed.errors_with(&note)
            )? != 1
            {
                return Ok(false);
            }
            sqlx::query(lock_job(dialect))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let _ended = end_in_tx!(tx, dialect, id, end);
            true
        }))
    }

    /// Ends a job outside any step (a cancel); `false` when it had already ended.
    pub async fn end_api_job(&self, id: &str, end: &JobEnd) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            sqlx::query(lock_job(dialect))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            end_in_tx!(tx, dialect, id, end)
        }))
    }
}
