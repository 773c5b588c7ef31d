//! The `send` step's transitions around its POST. The first attempt stamps `send_started_at`;
//! from then on the POST "may exist" at the provider until a clear answer says otherwise, and
//! that stamp — kept through snoozes, restarts and crashes — starts the adoption window in
//! which a callback carrying the task id is awaited before anything is sent again.

use crate::db::{Db, DbError, Dialect, DualSql, dual_sql, in_write_tx, on_pool};
use crate::domain::submission::EntryStatus;
use crate::engine::queue::sql::FENCE;
use crate::engine::queue::sql::{finish_job, insert_job};
use crate::engine::{ClaimedJob, NewJob};
use crate::workflows::song::store::row::{PipelineRow, SELECT_ROW};
use crate::workflows::song::store::slots::{
    RELEASE_SLOT, TAKE_FREE_SLOT_POSTGRES, TAKE_FREE_SLOT_SQLITE, TAKE_OWN_SLOT,
};

/// How a `send` attempt may proceed.
#[derive(Debug)]
pub enum SendStart {
    /// A slot is held; POST now, unless `earlier_attempt_at` says an earlier POST (sent at
    /// that time) may already have reached the provider.
    Ready {
        row: Box<PipelineRow>,
        earlier_attempt_at: Option<i64>,
    },
    /// The task id is already stored (a crash after the send's commit).
    AlreadySent,
    /// Every slot is busy.
    NoSlot,
    /// The submission is no longer waiting to be sent.
    NotPending,
    LeaseLost,
}

/// Stamps the first POST of a submission; a stamp already there is kept.
const MARK_SEND_STARTED: DualSql = dual_sql!(
    "update submissions set send_started_at = coalesce(send_started_at, ",
    NOW,
    "), updated_at = ",
    NOW,
    " where session_id = $1"
);

/// A new POST after a silent adoption window starts a new window.
const RESTART_WINDOW: DualSql = dual_sql!(
    "update submissions set send_started_at = ",
    NOW,
    ", updated_at = ",
    NOW,
    " where session_id = $1 and llm_task_id is null"
);

impl Db {
    /// Takes (or renews) this submission's provider slot and stamps the send as started.
    pub async fn begin_send(
        &self,
        job: &crate::engine::ClaimedJob,
        session_id: &str,
        slot_lease_ms: i64,
    ) -> Result<SendStart, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            let fenced = sqlx::query(FENCE.pick(dialect))
                .bind(&job.id)
                .bind(&job.claim_token)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if fenced != 1 {
                return Ok(SendStart::LeaseLost);
            }
            let Some(row) = sqlx::query_as::<_, PipelineRow>(SELECT_ROW)
                .bind(session_id)
                .fetch_optional(&mut *tx)
                .await?
            else {
                return Ok(SendStart::NotPending);
            };
            if row.llm_task_id.is_some() {
                return Ok(SendStart::AlreadySent);
            }
            if row.status() != EntryStatus::Pending {
                return Ok(SendStart::NotPending);
            }
            let own: Option<i32> = sqlx::query_scalar(TAKE_OWN_SLOT.pick(dialect))
                .bind(session_id)
                .bind(slot_lease_ms)
                .fetch_optional(&mut *tx)
                .await?;
            if own.is_none() {
                let free: Option<i32> = sqlx::query_scalar(take_free_slot(dialect))
                    .bind(session_id)
                    .bind(slot_lease_ms)
                    .fetch_optional(&mut *tx)
                    .await?;
                if free.is_none() {
                    return Ok(SendStart::NoSlot);
                }
            }
            sqlx::query(MARK_SEND_STARTED.pick(dialect))
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
            let earlier_attempt_at = row.send_started_at;
            SendStart::Ready {
                row: Box::new(row),
                earlier_attempt_at,
            }
        }))
    }

    /// The adoption window passed in silence and the POST is sent again: its own window
    /// starts now.
    pub async fn restart_adoption_window(&self, session_id: &str) -> Result<(), DbError> {
        on_pool!(self, |pool, dialect| {
            sqlx::query(RESTART_WINDOW.pick(dialect))
                .bind(session_id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// A resent POST was accepted or may have been: the earlier one may also have created a
    /// generation, so one possible duplicate is counted on the row.
    pub async fn count_possible_duplicate(&self, session_id: &str) -> Result<(), DbError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "update submissions set possible_duplicate_posts = possible_duplicate_posts + 1 \
                 where session_id = $1",
            )
            .bind(session_id)
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// The provider clearly refused a POST: nothing was accepted, so free the slot and forget
    /// that a send started (the next attempt need not look for a lost generation).
    pub async fn send_refused(&self, session_id: &str) -> Result<(), DbError> {
        in_write_tx!(self, |tx, dialect| {
            sqlx::query(RELEASE_SLOT.pick(dialect))
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("update submissions set send_started_at = null where session_id = $1")
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
        });
        Ok(())
    }

    /// Generation POSTs sent again after an unanswered one, over all submissions.
    pub async fn possible_duplicate_posts(&self) -> Result<i64, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select coalesce(sum(possible_duplicate_posts), 0) from submissions \
                 where possible_duplicate_posts > 0",
            )
            .fetch_one(pool)
            .await
        })?)
    }
}

const MARK_SENT: DualSql = dual_sql!(
    "update submissions set llm_task_id = $2, sent_to_llm = ",
    NOW,
    ", entry_status = 'processing', provider_status = coalesce(provider_status, 'RECEIVED'), \
     retry_count = $3, error = null, updated_at = ",
    NOW,
    " where session_id = $1"
);

fn take_free_slot(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => TAKE_FREE_SLOT_SQLITE,
        Dialect::Postgres => TAKE_FREE_SLOT_POSTGRES,
    }
}

impl Db {
    /// The provider accepted the generation: store the task id, keep the slot for the whole
    /// generation, and schedule `reconcile` (at once if a callback already arrived).
    pub async fn complete_send(
        &self,
        job: &ClaimedJob,
        session_id: &str,
        task_id: &str,
        slot_lease_ms: i64,
        reconcile: NewJob,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            if finish_job!(
                &mut *tx,
                dialect,
                job,
                "completed",
                &job.errors_with("sent")
            )? != 1
            {
                return Ok(false);
            }
            sqlx::query(MARK_SENT.pick(dialect))
                .bind(session_id)
                .bind(task_id)
                .bind(job.attempt - 1)
                .execute(&mut *tx)
                .await?;
            sqlx::query(TAKE_OWN_SLOT.pick(dialect))
                .bind(session_id)
                .bind(slot_lease_ms)
                .fetch_optional(&mut *tx)
                .await?;
            let early: i64 =
                sqlx::query_scalar("select count(*) from provider_events where submission_id = $1")
                    .bind(session_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let reconcile = if early > 0 {
                NewJob {
                    delay_ms: 0,
                    ..reconcile
                }
            } else {
                reconcile
            };
            insert_job!(&mut *tx, dialect, &reconcile)?;
            true
        }))
    }
}
