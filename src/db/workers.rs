//! The worker registry: each worker process upserts a heartbeat row so health checks can count
//! live workers across processes. Job rescue never depends on it (leases do that).

use super::{Db, DbError, on_pool};

impl Db {
    /// Records that `worker_id` is alive now.
    pub async fn worker_heartbeat(
        &self,
        worker_id: &str,
        role: &str,
        now_ms: i64,
    ) -> Result<(), DbError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into worker_processes (worker_id, role, created_at, updated_at) \
                 values ($1, $2, $3, $3) \
                 on conflict (worker_id) do update set updated_at = excluded.updated_at",
            )
            .bind(worker_id)
            .bind(role)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Removes a worker that is shutting down cleanly.
    pub async fn worker_stopped(&self, worker_id: &str) -> Result<(), DbError> {
        on_pool!(self, |pool| {
            sqlx::query("delete from worker_processes where worker_id = $1")
                .bind(worker_id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Workers that sent a heartbeat at or after `since_ms`.
    pub async fn live_workers(&self, since_ms: i64) -> Result<i64, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar("select count(*) from worker_processes where updated_at >= $1")
                .bind(since_ms)
                .fetch_one(pool)
                .await
        })?)
    }

    /// Forgets workers silent since before `before_ms`.
    pub async fn prune_workers(&self, before_ms: i64) -> Result<u64, DbError> {
        let result = on_pool!(self, |pool| {
            sqlx::query("delete from worker_processes where updated_at < $1")
                .bind(before_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(result)
    }
}
