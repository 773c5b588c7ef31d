//! The dispatch pause: an account-level refusal from the provider (401/403 — a revoked or
//! rotating key) is not a property of one song, so instead of failing songs it pauses
//! dispatch for every process, until a periodic probe finds the key accepted again. One row,
//! so every web and worker process sees the same pause.

use crate::db::{Db, DbError, on_pool};

/// Why dispatch is paused and since when (milliseconds since the epoch).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ProviderPause {
    /// A stable code, e.g. `provider_unauthorized`.
    pub reason: String,
    /// The provider's message.
    pub detail: String,
    pub since: i64,
    pub next_probe_at: i64,
}

impl Db {
    /// Pauses dispatch (or refreshes the detail of a pause already in force, keeping its
    /// start). The first probe is due `probe_after_ms` from `now_ms`. `true` when this call
    /// started the pause.
    pub async fn pause_provider(
        &self,
        reason: &str,
        detail: &str,
        now_ms: i64,
        probe_after_ms: i64,
    ) -> Result<bool, DbError> {
        let started = on_pool!(self, |pool| {
            sqlx::query(
                "insert into provider_pause (id, reason, detail, since, next_probe_at, created_at, \
                 updated_at) values (1, $1, $2, $3, $3 + $4, $3, $3) on conflict (id) do nothing",
            )
            .bind(reason)
            .bind(detail)
            .bind(now_ms)
            .bind(probe_after_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        if started == 0 {
            on_pool!(self, |pool| {
                sqlx::query(
                    "update provider_pause set reason = $1, detail = $2, updated_at = $3 \
                     where id = 1",
                )
                .bind(reason)
                .bind(detail)
                .bind(now_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
            })?;
        }
        Ok(started == 1)
    }

    /// Lifts the pause; `true` when one was in force.
    pub async fn resume_provider(&self) -> Result<bool, DbError> {
        let lifted = on_pool!(self, |pool| {
            sqlx::query("delete from provider_pause where id = 1")
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(lifted == 1)
    }

    /// The pause in force, if any.
    pub async fn provider_pause(&self) -> Result<Option<ProviderPause>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, ProviderPause>(
                "select reason, detail, since, next_probe_at from provider_pause where id = 1",
            )
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Takes the turn to probe the provider when a pause is in force and its probe is due,
    /// pushing the next one `interval_ms` away: across all processes, one probe per interval.
    pub async fn take_pause_probe(&self, now_ms: i64, interval_ms: i64) -> Result<bool, DbError> {
        let taken = on_pool!(self, |pool| {
            sqlx::query(
                "update provider_pause set next_probe_at = $1 + $2, updated_at = $1 \
                 where id = 1 and next_probe_at <= $1",
            )
            .bind(now_ms)
            .bind(interval_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(taken == 1)
    }
}
