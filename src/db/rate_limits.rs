//! Per-client budgets over a sliding window of any length (per IP an hour, per API key a
//! minute), kept in the database so every process shares them. A hit is recorded with a
//! conditional upsert: concurrent requests can never exceed the allowance.

use std::time::Duration;

use crate::db::{Db, DbError, on_pool};
use crate::domain::sliding_window::SlidingWindow;

/// The answer to one hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    Limited { retry_after: Duration },
}

impl Db {
    /// Records one hit by `client` on `bucket` if the sliding window allows it.
    pub async fn hit_rate_limit(
        &self,
        bucket: &str,
        client: &str,
        window: SlidingWindow,
        now_ms: i64,
    ) -> Result<RateDecision, DbError> {
        let current_start = window.current_start(now_ms);
        let previous_start = current_start - window.window_ms;
        let previous_hits = self.window_hits(bucket, client, previous_start).await?;
        let allowance = window.current_allowance(previous_hits, now_ms);
        let recorded: Option<i32> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "insert into rate_limit_windows \
                 (bucket, client, window_start, hits, created_at, updated_at) \
                 select $1, $2, $3, 1, $4, $4 where $5 > 0 \
                 on conflict (bucket, client, window_start) do update \
                 set hits = rate_limit_windows.hits + 1, updated_at = excluded.updated_at \
                 where rate_limit_windows.hits < $5 \
                 returning hits",
            )
            .bind(bucket)
            .bind(client)
            .bind(current_start)
            .bind(now_ms)
            .bind(i32::try_from(allowance).unwrap_or(i32::MAX))
            .fetch_optional(pool)
            .await
        })?;
        if recorded.is_some() {
            return Ok(RateDecision::Allowed);
        }
        let current_hits = self.window_hits(bucket, client, current_start).await?;
        Ok(RateDecision::Limited {
            retry_after: window.retry_after(previous_hits, current_hits.max(allowance), now_ms),
        })
    }

    /// Hits `client` has recorded on `bucket` in the window starting at `window_start`.
    async fn window_hits(
        &self,
        bucket: &str,
        client: &str,
        window_start: i64,
    ) -> Result<u32, DbError> {
        let hits: Option<i32> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select hits from rate_limit_windows \
                 where bucket = $1 and client = $2 and window_start = $3",
            )
            .bind(bucket)
            .bind(client)
            .bind(window_start)
            .fetch_optional(pool)
            .await
        })?;
        Ok(hits.map_or(0, |hits| u32::try_from(hits).unwrap_or(0)))
    }

    /// Deletes windows that can no longer affect any decision.
    pub async fn prune_rate_limits(&self, older_than_ms: i64) -> Result<u64, DbError> {
        let result = on_pool!(self, |pool| {
            sqlx::query("delete from rate_limit_windows where window_start < $1")
                .bind(older_than_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(result)
    }
}
