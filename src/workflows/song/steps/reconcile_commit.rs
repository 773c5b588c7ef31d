//! `reconcile`'s transition: the provider reached a terminal status — record it, free the
//! slot, and continue (`fetch_details`) or fail, in one fenced transaction.

use crate::db::{Db, DbError, DualSql, dual_sql, in_write_tx};
use crate::engine::queue::sql::{finish_job, insert_job};
use crate::engine::{ClaimedJob, NewJob};
use crate::workflows::song::store::fail::MARK_FAILED;
use crate::workflows::song::store::slots::RELEASE_SLOT;

/// What `reconcile` learned that ends the generation.
#[derive(Debug)]
pub enum ProviderOutcome<'a> {
    /// Continue with `next` (the `fetch_details` job).
    Succeeded {
        full_response: &'a str,
        next: NewJob,
    },
    Failed {
        full_response: &'a str,
        message: &'a str,
    },
}

const MARK_RECEIVED: DualSql = dual_sql!(
    "update submissions set received_from_llm = ",
    NOW,
    ", llm_full_response = $2, llm_status = 'success', provider_status = 'SUCCESS', updated_at = ",
    NOW,
    " where session_id = $1"
);

impl Db {
    /// The provider reached a terminal status: record it, free the slot, and continue
    /// (`fetch_details`) or fail.
    pub async fn complete_generation(
        &self,
        job: &ClaimedJob,
        session_id: &str,
        outcome: ProviderOutcome<'_>,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            let (state, note) = match &outcome {
                ProviderOutcome::Succeeded { .. } => ("completed", "provider succeeded".to_owned()),
                ProviderOutcome::Failed { message, .. } => {
                    ("discarded", format!("provider failed: {message}"))
                }
            };
            if finish_job!(&mut *tx, dialect, job, state, &job.errors_with(&note))? != 1 {
                return Ok(false);
            }
            match outcome {
                ProviderOutcome::Succeeded {
                    full_response,
                    next,
                } => {
                    sqlx::query(MARK_RECEIVED.pick(dialect))
                        .bind(session_id)
                        .bind(full_response)
                        .execute(&mut *tx)
                        .await?;
                    insert_job!(&mut *tx, dialect, &next)?;
                }
                ProviderOutcome::Failed {
                    full_response,
                    message,
                } => {
                    sqlx::query(MARK_FAILED.pick(dialect))
                        .bind(session_id)
                        .bind(message)
                        .bind(true)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "update submissions set llm_full_response = $2 where session_id = $1",
                    )
                    .bind(session_id)
                    .bind(full_response)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            sqlx::query(RELEASE_SLOT.pick(dialect))
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
            true
        }))
    }
}
