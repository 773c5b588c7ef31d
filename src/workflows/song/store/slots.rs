//! Provider concurrency slots: exactly `MAX_CONCURRENT_REQUESTS` rows, so the limit is
//! structural. A submission holds one from before its POST until the provider's terminal
//! status is confirmed, or until the slot's lease (longer than the generation deadline) lapses.

use crate::db::{Db, DbError, DualSql, dual_sql, on_pool};

pub(crate) const TAKE_OWN_SLOT: DualSql = dual_sql!(
    "update provider_slots set lease_expires_at = ",
    NOW,
    " + $2, updated_at = ",
    NOW,
    " where holder_submission_id = $1 returning slot_no"
);

pub(crate) const TAKE_FREE_SLOT_SQLITE: &str = concat!(
    "update provider_slots set holder_submission_id = $1, ",
    "lease_expires_at = cast(unixepoch('subsec') * 1000 as integer) + $2, ",
    "updated_at = cast(unixepoch('subsec') * 1000 as integer) ",
    "where slot_no = (select slot_no from provider_slots where holder_submission_id is null ",
    "or lease_expires_at < cast(unixepoch('subsec') * 1000 as integer) order by slot_no limit 1) ",
    "returning slot_no"
);

pub(crate) const TAKE_FREE_SLOT_POSTGRES: &str = concat!(
    "update provider_slots set holder_submission_id = $1, ",
    "lease_expires_at = (extract(epoch from clock_timestamp()) * 1000)::bigint + $2, ",
    "updated_at = (extract(epoch from clock_timestamp()) * 1000)::bigint ",
    "where slot_no = (select slot_no from provider_slots where holder_submission_id is null ",
    "or lease_expires_at < (extract(epoch from clock_timestamp()) * 1000)::bigint ",
    "order by slot_no limit 1 for update skip locked) ",
    "returning slot_no"
);

pub(crate) const RELEASE_SLOT: DualSql = dual_sql!(
    "update provider_slots set holder_submission_id = null, lease_expires_at = null, updated_at = ",
    NOW,
    " where holder_submission_id = $1"
);

/// Releases the slot only if no generation can be running for the submission: no POST may
/// have reached the provider (no task id, no unanswered send), or its terminal status is in.
pub(crate) const RELEASE_SLOT_UNLESS_GENERATING: DualSql = dual_sql!(
    "update provider_slots set holder_submission_id = null, lease_expires_at = null, updated_at = ",
    NOW,
    " where holder_submission_id = $1 and exists (select 1 from submissions s \
     where s.session_id = $1 and ((s.llm_task_id is null and s.send_started_at is null) \
     or s.received_from_llm is not null))"
);

const SLOTS_IN_USE: DualSql = dual_sql!(
    "select count(*) from provider_slots where holder_submission_id is not null \
     and lease_expires_at >= ",
    NOW
);

impl Db {
    /// Extends the lease of the slot `session_id` holds, if it holds one.
    pub async fn renew_slot(&self, session_id: &str, lease_ms: i64) -> Result<(), DbError> {
        on_pool!(self, |pool, dialect| {
            sqlx::query(TAKE_OWN_SLOT.pick(dialect))
                .bind(session_id)
                .bind(lease_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Makes the slot table hold exactly `count` rows (extra rows go only once free).
    pub async fn ensure_provider_slots(&self, count: u32) -> Result<(), DbError> {
        let count = i32::try_from(count).unwrap_or(i32::MAX);
        let now = crate::clock::now_ms();
        on_pool!(self, |pool| {
            for slot in 0..count {
                sqlx::query(
                    "insert into provider_slots (slot_no, created_at, updated_at) \
                     values ($1, $2, $2) on conflict do nothing",
                )
                .bind(slot)
                .bind(now)
                .execute(pool)
                .await?;
            }
            sqlx::query(
                "delete from provider_slots where slot_no >= $1 and holder_submission_id is null",
            )
            .bind(count)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Slots held by a live lease.
    pub async fn provider_slots_in_use(&self) -> Result<i64, DbError> {
        Ok(on_pool!(self, |pool, dialect| {
            sqlx::query_scalar(SLOTS_IN_USE.pick(dialect))
                .fetch_one(pool)
                .await
        })?)
    }

    /// Which submission holds which slot (for tests and the admin view).
    pub async fn provider_slot_holders(&self) -> Result<Vec<(i32, Option<String>)>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "select slot_no, holder_submission_id from provider_slots order by slot_no",
            )
            .fetch_all(pool)
            .await
        })?)
    }
}
