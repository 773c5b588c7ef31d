//! Pipeline transitions, each one transaction: the step's job is completed only if this worker
//! still holds its claim, and in the same commit the submission's columns change, the provider
//! slot is taken or released, and the next step's job is inserted. A lost lease rolls it all
//! back (the functions then return `false`).

use super::slots::{
    RELEASE_SLOT, RELEASE_SLOT_UNLESS_GENERATING, TAKE_FREE_SLOT_POSTGRES, TAKE_FREE_SLOT_SQLITE,
    TAKE_OWN_SLOT,
};
use crate::db::{Db, DbError, Dialect, DualSql, dual_sql, in_write_tx, on_pool};
use crate::engine::queue::sql::{CANCEL_OWNED, finish_job, insert_job};
use crate::engine::{ClaimedJob, NewJob};

/// The submission columns the steps read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PipelineRow {
    pub session_id: String,
    pub entry_status: String,
    pub owner_name: String,
    pub pet_name: String,
    pub pet_type: String,
    pub music_vibe: String,
    pub photo_path: String,
    pub webhook_token: String,
    pub llm_task_id: Option<String>,
    pub sent_to_llm: Option<i64>,
    pub send_started_at: Option<i64>,
    pub llm_full_response: Option<String>,
    pub generated_song_path: Option<String>,
    pub received_from_llm: Option<i64>,
}

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

pub(super) const SELECT_ROW: &str = "select session_id, entry_status, owner_name, pet_name, pet_type, \
     music_vibe, photo_path, webhook_token, llm_task_id, sent_to_llm, send_started_at, \
     llm_full_response, generated_song_path, received_from_llm from submissions \
     where session_id = $1";

const MARK_SENT: DualSql = dual_sql!(
    "update submissions set llm_task_id = $2, sent_to_llm = ",
    NOW,
    ", entry_status = 'processing', provider_status = coalesce(provider_status, 'RECEIVED'), \
     retry_count = $3, error = null, updated_at = ",
    NOW,
    " where session_id = $1"
);

const MARK_FAILED: DualSql = dual_sql!(
    "update submissions set entry_status = 'fail', error = $2, \
     llm_status = case when $3 then 'fail' else llm_status end, \
     received_from_llm = case when $3 then ",
    NOW,
    " else received_from_llm end, \
     provider_status = case when $3 then 'FAILURE' else provider_status end, updated_at = ",
    NOW,
    " where session_id = $1 and entry_status in ('pending', 'processing')"
);

const MARK_RECEIVED: DualSql = dual_sql!(
    "update submissions set received_from_llm = ",
    NOW,
    ", llm_full_response = $2, llm_status = 'success', provider_status = 'SUCCESS', updated_at = ",
    NOW,
    " where session_id = $1"
);

const MARK_DETAILS: DualSql = dual_sql!(
    "update submissions set llm_response = $2, lyrics = $3, updated_at = ",
    NOW,
    " where session_id = $1"
);

const MARK_DOWNLOADED: DualSql = dual_sql!(
    "update submissions set generated_song_path = $2, updated_at = ",
    NOW,
    " where session_id = $1"
);

const MARK_RENDER_STARTED: DualSql = dual_sql!(
    "update submissions set video_creation_start = ",
    NOW,
    ", updated_at = ",
    NOW,
    " where session_id = $1"
);

const MARK_RENDERED: DualSql = dual_sql!(
    "update submissions set generated_video_path = $2, video_creation_end = ",
    NOW,
    ", entry_status = 'success', error = null, updated_at = ",
    NOW,
    " where session_id = $1 and entry_status = 'processing'"
);

pub(super) fn take_free_slot(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => TAKE_FREE_SLOT_SQLITE,
        Dialect::Postgres => TAKE_FREE_SLOT_POSTGRES,
    }
}

impl Db {
    /// The columns the pipeline steps need.
    pub async fn pipeline_row(&self, session_id: &str) -> Result<Option<PipelineRow>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, PipelineRow>(SELECT_ROW)
                .bind(session_id)
                .fetch_optional(pool)
                .await
        })?)
    }

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
                .bind(crate::workflows::song::kinds::owner(session_id))
                .execute(&mut *tx)
                .await?;
            true
        }))
    }

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

    /// Details parsed: store the song URL and lyrics, then download.
    pub async fn complete_details(
        &self,
        job: &ClaimedJob,
        session_id: &str,
        song_url: &str,
        lyrics: &str,
        next: NewJob,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            if finish_job!(
                &mut *tx,
                dialect,
                job,
                "completed",
                &job.errors_with("details stored")
            )? != 1
            {
                return Ok(false);
            }
            sqlx::query(MARK_DETAILS.pick(dialect))
                .bind(session_id)
                .bind(song_url)
                .bind(lyrics)
                .execute(&mut *tx)
                .await?;
            insert_job!(&mut *tx, dialect, &next)?;
            true
        }))
    }

    /// Song stored: record its path, then render.
    pub async fn complete_download(
        &self,
        job: &ClaimedJob,
        session_id: &str,
        song_path: &str,
        next: NewJob,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            if finish_job!(
                &mut *tx,
                dialect,
                job,
                "completed",
                &job.errors_with("song stored")
            )? != 1
            {
                return Ok(false);
            }
            sqlx::query(MARK_DOWNLOADED.pick(dialect))
                .bind(session_id)
                .bind(song_path)
                .execute(&mut *tx)
                .await?;
            insert_job!(&mut *tx, dialect, &next)?;
            true
        }))
    }

    /// Stamps the start of a render attempt.
    pub async fn mark_render_started(&self, session_id: &str) -> Result<(), DbError> {
        on_pool!(self, |pool, dialect| {
            sqlx::query(MARK_RENDER_STARTED.pick(dialect))
                .bind(session_id)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Video stored: the submission succeeds.
    pub async fn complete_render(
        &self,
        job: &ClaimedJob,
        session_id: &str,
        video_path: &str,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            if finish_job!(
                &mut *tx,
                dialect,
                job,
                "completed",
                &job.errors_with("video stored")
            )? != 1
            {
                return Ok(false);
            }
            sqlx::query(MARK_RENDERED.pick(dialect))
                .bind(session_id)
                .bind(video_path)
                .execute(&mut *tx)
                .await?;
            true
        }))
    }
}
