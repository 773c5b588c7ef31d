//! The queue's operations on a [`Db`]: enqueue, claim (with a queue's gate condition),
//! heartbeat, fenced requeue (retry, snooze, backoff) and finish, rescue of expired leases,
//! waking and cancelling by key or owner, and the counts metrics and tests read.

use super::rows::{ClaimedJob, ClaimedRow, NewJob};
use super::sql::{
    self, CANCEL_OWNED, EXPIRED, HEARTBEAT, IDLE, MAX_REQUEUE_DELAY_MS, REQUEUE, RESCUE,
    WAKE_UNIQUE, finish_job, insert_job,
};
use crate::db::{Db, DbError, on_pool};

impl Db {
    /// Inserts a job on its own (outside any other transaction); `false` when a unique or
    /// periodic key already holds.
    pub async fn enqueue(&self, job: &NewJob) -> Result<bool, DbError> {
        let inserted = on_pool!(self, |pool, dialect| insert_job!(pool, dialect, job))?;
        Ok(inserted == 1)
    }

    /// Claims the next runnable job of `queue` that passes `gate` (an SQL condition on the
    /// candidate row `jobs`, from the queue's admission gate), leasing it for `lease_ms`.
    pub async fn claim_job(
        &self,
        queue: &str,
        gate: Option<&str>,
        worker_id: &str,
        lease_ms: i64,
    ) -> Result<Option<ClaimedJob>, DbError> {
        let token = cuid2::create_id();
        let row: Option<ClaimedRow> = match self {
            Db::Sqlite(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql::claim(false, gate)))
                    .bind(&token)
                    .bind(worker_id)
                    .bind(lease_ms)
                    .bind(queue)
                    .fetch_optional(pool)
                    .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(sqlx::AssertSqlSafe(sql::claim(true, gate)))
                    .bind(&token)
                    .bind(worker_id)
                    .bind(lease_ms)
                    .bind(queue)
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(row.and_then(ClaimedRow::into_claimed))
    }

    /// Extends the lease; `false` means the lease is lost and the job must stop.
    pub async fn heartbeat_job(&self, job: &ClaimedJob, lease_ms: i64) -> Result<bool, DbError> {
        let updated = on_pool!(self, |pool, dialect| {
            sqlx::query(HEARTBEAT.pick(dialect))
                .bind(&job.id)
                .bind(&job.claim_token)
                .bind(lease_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(updated == 1)
    }

    /// Returns the job to the queue to run after `delay_ms`, recording `error`; the attempt is
    /// spent. `false` when the lease was lost.
    pub async fn retry_job(
        &self,
        job: &ClaimedJob,
        delay_ms: i64,
        error: &str,
    ) -> Result<bool, DbError> {
        self.requeue(job, delay_ms, &job.errors_with(error), 0)
            .await
    }

    /// Puts the job back without spending an attempt (not admitted now, shutdown).
    pub async fn snooze_job(&self, job: &ClaimedJob, delay_ms: i64) -> Result<bool, DbError> {
        self.requeue(job, delay_ms, job.errors(), 1).await
    }

    /// Puts the job back after a transient fault, recording `error` but refunding the
    /// attempt. `false` when the lease was lost.
    pub async fn backoff_job(
        &self,
        job: &ClaimedJob,
        delay_ms: i64,
        error: &str,
    ) -> Result<bool, DbError> {
        self.requeue(job, delay_ms, &job.errors_with(error), 1)
            .await
    }

    async fn requeue(
        &self,
        job: &ClaimedJob,
        delay_ms: i64,
        errors: &str,
        refund: i32,
    ) -> Result<bool, DbError> {
        let updated = on_pool!(self, |pool, dialect| {
            sqlx::query(REQUEUE.pick(dialect))
                .bind(&job.id)
                .bind(&job.claim_token)
                .bind(delay_ms.clamp(0, MAX_REQUEUE_DELAY_MS))
                .bind(errors)
                .bind(refund)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(updated == 1)
    }

    /// Completes a job that changes nothing else.
    pub async fn complete_job(&self, job: &ClaimedJob) -> Result<bool, DbError> {
        let updated = on_pool!(self, |pool, dialect| finish_job!(
            pool,
            dialect,
            job,
            "completed",
            job.errors()
        ))?;
        Ok(updated == 1)
    }

    /// Ends a job for good (`discarded`), recording `reason`.
    pub async fn discard_job(&self, job: &ClaimedJob, reason: &str) -> Result<bool, DbError> {
        let errors = job.errors_with(reason);
        let updated = on_pool!(self, |pool, dialect| finish_job!(
            pool,
            dialect,
            job,
            "discarded",
            &errors
        ))?;
        Ok(updated == 1)
    }

    /// Running jobs whose lease has expired (their worker died or stalled).
    pub async fn expired_jobs(&self) -> Result<Vec<ClaimedJob>, DbError> {
        let rows: Vec<ClaimedRow> = on_pool!(self, |pool, dialect| {
            sqlx::query_as(EXPIRED.pick(dialect)).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .filter_map(ClaimedRow::into_claimed)
            .collect())
    }

    /// Returns a job whose lease expired to the queue after `delay_ms`, keeping its attempt
    /// count; a job that renewed its lease meanwhile is left alone.
    pub async fn rescue_job(&self, job: &ClaimedJob, delay_ms: i64) -> Result<bool, DbError> {
        let errors = job.errors_with("lease expired: the worker stopped or stalled");
        let updated = on_pool!(self, |pool, dialect| {
            sqlx::query(RESCUE.pick(dialect))
                .bind(&job.id)
                .bind(&job.claim_token)
                .bind(delay_ms)
                .bind(&errors)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(updated == 1)
    }

    /// Makes the waiting job with `unique_key` due now; `true` when there was one.
    pub async fn wake_unique(&self, unique_key: &str) -> Result<bool, DbError> {
        let woken = on_pool!(self, |pool, dialect| {
            sqlx::query(WAKE_UNIQUE.pick(dialect))
                .bind(unique_key)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(woken > 0)
    }

    /// Cancels every waiting job of `owner` (a running one finishes on its own).
    pub async fn cancel_owned_jobs(&self, owner: &str) -> Result<u64, DbError> {
        Ok(on_pool!(self, |pool, dialect| {
            sqlx::query(CANCEL_OWNED.pick(dialect))
                .bind(owner)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?)
    }

    /// Jobs running now or due within `horizon_ms`: zero means the queues are idle.
    pub async fn busy_job_count(&self, horizon_ms: i64) -> Result<i64, DbError> {
        Ok(on_pool!(self, |pool, dialect| {
            sqlx::query_scalar(IDLE.pick(dialect))
                .bind(horizon_ms)
                .fetch_one(pool)
                .await
        })?)
    }

    /// `(kind, state, count)` over every job, for metrics.
    pub async fn job_counts(&self) -> Result<Vec<(String, String, i64)>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as("select kind, state, count(*) from jobs group by kind, state")
                .fetch_all(pool)
                .await
        })?)
    }
}
