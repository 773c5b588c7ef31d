//! The `provider_health` table: each call's outcome folded into the provider's record (read,
//! update, write in one transaction, so processes sharing the database agree), and reads.

use std::time::Duration;

use super::health::ProviderHealth;
use crate::clock::now_ms;
use crate::db::{Db, DbError, Dialect, in_write_tx, on_pool};
use crate::provider::replicate::ReplicateError;

/// The columns of [`ProviderHealth`], for `concat!`.
macro_rules! health_columns {
    () => {
        "provider, status, consecutive_failures, total_successes, total_failures, \
         avg_response_ms, last_error, last_checked_at, open_until, cost_per_request"
    };
}

const SELECT: &str = concat!(
    "select ",
    health_columns!(),
    " from provider_health where provider = $1"
);
const SELECT_FOR_UPDATE: &str = concat!(
    "select ",
    health_columns!(),
    " from provider_health where provider = $1 for update"
);

const UPSERT: &str = "insert into provider_health (provider, status, consecutive_failures, \
     total_successes, total_failures, avg_response_ms, last_error, last_checked_at, open_until) \
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (provider) do update set \
     status = excluded.status, consecutive_failures = excluded.consecutive_failures, \
     total_successes = excluded.total_successes, total_failures = excluded.total_failures, \
     avg_response_ms = excluded.avg_response_ms, last_error = excluded.last_error, \
     last_checked_at = excluded.last_checked_at, open_until = excluded.open_until";

/// Whether a failed call says something about the provider's health (an outage, throttling,
/// a refused token), rather than about the request (an unknown model, a bad input).
pub fn counts_against_health(error: &ReplicateError) -> bool {
    error.is_retryable() || error.is_account_refusal()
}

impl Db {
    /// Folds one call to `provider` into its health: a success, or `error`.
    pub async fn record_provider_call(
        &self,
        provider: &str,
        error: Option<&ReplicateError>,
        elapsed: Duration,
        open_for: Duration,
    ) -> Result<ProviderHealth, DbError> {
        let failure = error
            .filter(|error| counts_against_health(error))
            .map(|error| format!("{}: {error}", error.code()));
        self.record_provider_outcome(provider, failure.as_deref(), elapsed, open_for)
            .await
    }

    /// Folds one outcome (`failure` names what went wrong) into `provider`'s health.
    pub async fn record_provider_outcome(
        &self,
        provider: &str,
        failure: Option<&str>,
        elapsed: Duration,
        open_for: Duration,
    ) -> Result<ProviderHealth, DbError> {
        let open_for_ms = i64::try_from(open_for.as_millis()).unwrap_or(i64::MAX / 4);
        Ok(in_write_tx!(self, |tx, dialect| {
            let locked = match dialect {
                Dialect::Sqlite => SELECT,
                Dialect::Postgres => SELECT_FOR_UPDATE,
            };
            let before = sqlx::query_as::<_, ProviderHealth>(locked)
                .bind(provider)
                .fetch_optional(&mut *tx)
                .await?
                .unwrap_or_else(|| ProviderHealth::new(provider));
            let after = before.after_call(
                failure,
                elapsed.as_secs_f64() * 1000.0,
                now_ms(),
                open_for_ms,
            );
            sqlx::query(UPSERT)
                .bind(&after.provider)
                .bind(&after.status)
                .bind(after.consecutive_failures)
                .bind(after.total_successes)
                .bind(after.total_failures)
                .bind(after.avg_response_ms)
                .bind(after.last_error.as_deref())
                .bind(after.last_checked_at)
                .bind(after.open_until)
                .execute(&mut *tx)
                .await?;
            after
        }))
    }

    /// `provider`'s record (a fresh one if it was never called).
    pub async fn provider_health(&self, provider: &str) -> Result<ProviderHealth, DbError> {
        let found = on_pool!(self, |pool| {
            sqlx::query_as::<_, ProviderHealth>(SELECT)
                .bind(provider)
                .fetch_optional(pool)
                .await
        })?;
        Ok(found.unwrap_or_else(|| ProviderHealth::new(provider)))
    }
}
