//! The provider's credit balance as last read (`num_credits + num_credits_payg` are both
//! spendable), and how many credits the queue already needs.

use crate::db::{Db, DbError, on_pool};

/// The balance and when it was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct CreditBalance {
    pub num_credits: i64,
    pub num_credits_payg: i64,
    pub checked_at: i64,
}

impl CreditBalance {
    /// Credits that can be spent.
    pub fn usable(&self) -> i64 {
        self.num_credits.saturating_add(self.num_credits_payg)
    }
}

impl Db {
    /// Stores a fresh balance.
    pub async fn store_credits(
        &self,
        num_credits: i64,
        num_credits_payg: i64,
        now_ms: i64,
    ) -> Result<(), DbError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into provider_credits (id, num_credits, num_credits_payg, checked_at, created_at, updated_at) \
                 values (1, $1, $2, $3, $3, $3) on conflict (id) do update set \
                 num_credits = excluded.num_credits, num_credits_payg = excluded.num_credits_payg, \
                 checked_at = excluded.checked_at, updated_at = excluded.updated_at",
            )
            .bind(num_credits)
            .bind(num_credits_payg)
            .bind(now_ms)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// The last balance read, if any.
    pub async fn credits(&self) -> Result<Option<CreditBalance>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, CreditBalance>(
                "select num_credits, num_credits_payg, checked_at from provider_credits where id = 1",
            )
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Submissions that will still be charged: queued, or at the provider and not yet back.
    pub async fn submissions_awaiting_generation(&self) -> Result<i64, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select count(*) from submissions where entry_status = 'pending' \
                 or (entry_status = 'processing' and received_from_llm is null)",
            )
            .fetch_one(pool)
            .await
        })?)
    }
}
