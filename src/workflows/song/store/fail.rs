//! Ending a submission as failed, in one fenced transaction: the job is discarded with the
//! reason, the submission marked `fail` (as the provider's FAILURE when it said so), the
//! submission's other waiting jobs cancelled, and its provider slot released only when no
//! generation can be running for it — otherwise the slot waits for its own lease, so the
//! provider's limit holds even when we give up waiting.

use super::slots::RELEASE_SLOT_UNLESS_GENERATING;
use crate::db::{Db, DbError, DualSql, dual_sql, in_write_tx};
use crate::engine::ClaimedJob;
use crate::engine::queue::sql::{CANCEL_OWNED, finish_job};
use crate::workflows::song::kinds::owner;

pub(crate) const MARK_FAILED: DualSql = dual_sql!(
    "update submissions set entry_status = 'fail', error = $2, \
     llm_status = case when $3 then 'fail' else llm_status end, \
     received_from_llm = case when $3 then ",
    NOW,
    " else received_from_llm end, \
     provider_status = case when $3 then 'FAILURE' else provider_status end, updated_at = ",
    NOW,
    " where session_id = $1 and entry_status in ('pending', 'processing')"
);

impl Db {
    /// Ends the submission as failed: the job is discarded with `reason`, other waiting jobs
    /// cancelled. `provider_reported` marks a provider FAILURE. The slot is released only
    /// when no generation can be running at the provider for it (nothing was sent, or the
    /// provider's terminal status is known); otherwise it stays held until its own lease
    /// lapses, so the provider's limit holds even when we give up waiting.
    pub async fn fail_submission(
        &self,
        job: &ClaimedJob,
        session_id: &str,
        reason: &str,
        provider_reported: bool,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            if finish_job!(
                &mut *tx,
                dialect,
                job,
                "discarded",
                &job.errors_with(reason)
            )? != 1
            {
                return Ok(false);
            }
            sqlx::query(MARK_FAILED.pick(dialect))
                .bind(session_id)
                .bind(reason)
                .bind(provider_reported)
                .execute(&mut *tx)
                .await?;
            sqlx::query(RELEASE_SLOT_UNLESS_GENERATING.pick(dialect))
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(CANCEL_OWNED.pick(dialect))
                .bind(owner(session_id))
                .execute(&mut *tx)
                .await?;
            true
        }))
    }
}
