//! Queries on `submissions` and `cookie_quotas`: the quota-checked insert (atomic under
//! concurrency: the counter row is bumped with a conditional upsert in the insert's
//! transaction), lookups by session id, and counts by status.

use std::collections::HashSet;

use crate::db::{Db, DbError, DualSql, in_write_tx, on_pool};
use crate::domain::ids::SessionId;
use crate::domain::submission::EntryStatus;
use crate::engine::queue::sql::insert_job;
use crate::workflows::song::kinds::{self, step};

/// A submission about to be stored; its photo is already on disk.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub session_id: SessionId,
    pub cookie_id: String,
    pub owner_name: String,
    pub pet_name: String,
    pub pet_type: String,
    pub music_vibe: String,
    pub photo_path: String,
    pub webhook_token: String,
    pub created_at: i64,
}

/// What happened to an insert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertOutcome {
    Accepted,
    /// The cookie had already used its quota; nothing was written.
    QuotaExceeded {
        used: u32,
    },
}

/// One `submissions` row as the API reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SubmissionRow {
    pub session_id: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub cookie_id: String,
    pub owner_name: String,
    pub pet_name: String,
    pub pet_type: String,
    pub music_vibe: String,
    pub photo_path: String,
    pub entry_status: String,
    pub provider_status: Option<String>,
    pub lyrics: Option<String>,
    pub generated_video_path: Option<String>,
    pub error: Option<String>,
}

/// The few columns a status poll needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StatusRow {
    pub session_id: String,
    pub created_at: i64,
    pub entry_status: String,
    pub provider_status: Option<String>,
    pub sent_to_llm: Option<i64>,
    pub received_from_llm: Option<i64>,
}

/// Submissions per overall status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub pending: i64,
    pub processing: i64,
    pub success: i64,
    pub fail: i64,
}

const SELECT_SUBMISSION: &str = "select session_id, created_at, updated_at, cookie_id, owner_name, \
     pet_name, pet_type, music_vibe, photo_path, entry_status, provider_status, lyrics, \
     generated_video_path, error from submissions where session_id = $1";

impl Db {
    /// Submissions already charged to a cookie (a cheap pre-check; the insert re-checks).
    pub async fn cookie_quota_used(&self, cookie_id: &str) -> Result<u32, DbError> {
        let used: Option<i32> = on_pool!(self, |pool| {
            sqlx::query_scalar("select used from cookie_quotas where cookie_id = $1")
                .bind(cookie_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(used.map_or(0, |used| u32::try_from(used).unwrap_or(0)))
    }

    /// Charges the cookie, inserts the submission and its first job (`send`, `send_attempts`
    /// attempts) in one transaction, unless the cookie has already used `max_per_cookie`.
    pub async fn insert_submission(
        &self,
        new: &NewSubmission,
        max_per_cookie: u32,
        send_attempts: i32,
    ) -> Result<InsertOutcome, DbError> {
        let limit = i32::try_from(max_per_cookie).unwrap_or(i32::MAX);
        let send = step::<kinds::Send>(&new.session_id, send_attempts, 0);
        Ok(in_write_tx!(self, |tx, dialect| {
            let charged: Option<i32> = sqlx::query_scalar(
                "insert into cookie_quotas (cookie_id, used, created_at, updated_at) \
                 values ($1, 1, $2, $2) \
                 on conflict (cookie_id) do update \
                 set used = cookie_quotas.used + 1, updated_at = excluded.updated_at \
                 where cookie_quotas.used < $3 \
                 returning used",
            )
            .bind(&new.cookie_id)
            .bind(new.created_at)
            .bind(limit)
            .fetch_optional(&mut *tx)
            .await?;
            if charged.is_none() {
                let used: i32 =
                    sqlx::query_scalar("select used from cookie_quotas where cookie_id = $1")
                        .bind(&new.cookie_id)
                        .fetch_one(&mut *tx)
                        .await?;
                return Ok(InsertOutcome::QuotaExceeded {
                    used: u32::try_from(used).unwrap_or(0),
                });
            }
            sqlx::query(
                "insert into submissions (session_id, created_at, updated_at, cookie_id, \
                 owner_name, pet_name, pet_type, music_vibe, photo_path, entry_status, \
                 webhook_token) values ($1, $2, $2, $3, $4, $5, $6, $7, $8, 'pending', $9)",
            )
            .bind(new.session_id.as_str())
            .bind(new.created_at)
            .bind(&new.cookie_id)
            .bind(&new.owner_name)
            .bind(&new.pet_name)
            .bind(&new.pet_type)
            .bind(&new.music_vibe)
            .bind(&new.photo_path)
            .bind(&new.webhook_token)
            .execute(&mut *tx)
            .await?;
            insert_job!(&mut *tx, dialect, &send)?;
            InsertOutcome::Accepted
        }))
    }

    /// The submission with this id, if any.
    pub async fn find_submission(
        &self,
        session_id: &str,
    ) -> Result<Option<SubmissionRow>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, SubmissionRow>(SELECT_SUBMISSION)
                .bind(session_id)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// The status-poll view of a submission, if it exists.
    pub async fn find_status(&self, session_id: &str) -> Result<Option<StatusRow>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, StatusRow>(
                "select session_id, created_at, entry_status, provider_status, sent_to_llm, \
                 received_from_llm from submissions where session_id = $1",
            )
            .bind(session_id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// How many submissions are in each overall status.
    pub async fn submission_status_counts(&self) -> Result<StatusCounts, DbError> {
        let rows: Vec<(String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("select entry_status, count(*) from submissions group by entry_status")
                .fetch_all(pool)
                .await
        })?;
        let mut counts = StatusCounts::default();
        for (status, count) in rows {
            match EntryStatus::from_column(&status) {
                EntryStatus::Pending => counts.pending += count,
                EntryStatus::Processing => counts.processing = count,
                EntryStatus::Success => counts.success = count,
                EntryStatus::Fail => counts.fail = count,
            }
        }
        Ok(counts)
    }
}

/// A finished submission whose files are due for deletion.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExpiredFiles {
    pub session_id: String,
}

impl Db {
    /// Finished submissions created before `cutoff_ms` whose files are still on disk.
    pub async fn submissions_with_expired_files(
        &self,
        cutoff_ms: i64,
        limit: i64,
    ) -> Result<Vec<ExpiredFiles>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, ExpiredFiles>(
                "select session_id from submissions where entry_status in ('success', 'fail') \
                 and created_at < $1 and files_deleted_at is null order by created_at limit $2",
            )
            .bind(cutoff_ms)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Records that a submission's files are gone (its row stays, for the operators).
    pub async fn mark_files_deleted(&self, session_id: &str, now_ms: i64) -> Result<(), DbError> {
        on_pool!(self, |pool| {
            sqlx::query("update submissions set files_deleted_at = $2, updated_at = $2 where session_id = $1")
                .bind(session_id)
                .bind(now_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(())
    }

    /// Which of `session_ids` have a submission row (the storage sweep keeps their files).
    pub async fn existing_session_ids(
        &self,
        session_ids: &[String],
    ) -> Result<HashSet<String>, DbError> {
        // The ids travel as one JSON array, which both databases can expand.
        const EXISTING: DualSql = DualSql {
            sqlite: "select session_id from submissions where session_id in \
                     (select value from json_each($1))",
            postgres: "select session_id from submissions where session_id in \
                       (select jsonb_array_elements_text($1::jsonb))",
        };
        if session_ids.is_empty() {
            return Ok(HashSet::new());
        }
        let ids = serde_json::Value::from(session_ids.to_vec()).to_string();
        let found: Vec<String> = on_pool!(self, |pool, dialect| {
            sqlx::query_scalar(EXISTING.pick(dialect))
                .bind(ids)
                .fetch_all(pool)
                .await
        })?;
        Ok(found.into_iter().collect())
    }
}

impl Db {
    /// The song URL `fetch_details` stored.
    pub async fn song_url(&self, session_id: &str) -> Result<Option<String>, DbError> {
        let url: Option<Option<String>> = on_pool!(self, |pool| {
            sqlx::query_scalar("select llm_response from submissions where session_id = $1")
                .bind(session_id)
                .fetch_optional(pool)
                .await
        })?;
        Ok(url.flatten())
    }
}

/// Recent average durations, for ETAs.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct RecentDurations {
    /// Sent to the provider → provider finished.
    pub generation_ms: Option<f64>,
    /// Provider finished → video ready.
    pub finishing_ms: Option<f64>,
}

impl Db {
    /// Creation times of pending submissions, oldest first (the queue's order).
    pub async fn pending_created_times(&self, limit: i64) -> Result<Vec<i64>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select created_at from submissions where entry_status = 'pending' \
                 order by created_at limit $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Averages over the last 50 successful submissions.
    pub async fn recent_durations(&self) -> Result<RecentDurations, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, RecentDurations>(
                "select cast(avg(generation) as double precision) as generation_ms, \
                 cast(avg(finishing) as double precision) as finishing_ms from ( \
                 select received_from_llm - sent_to_llm as generation, \
                 video_creation_end - received_from_llm as finishing from submissions \
                 where entry_status = 'success' and video_creation_end is not null \
                 and received_from_llm is not null and sent_to_llm is not null \
                 order by video_creation_end desc limit 50) recent",
            )
            .fetch_one(pool)
            .await
        })?)
    }
}

impl Db {
    /// When the oldest still-pending submission was created.
    pub async fn oldest_pending_created_at(&self) -> Result<Option<i64>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "select min(created_at) from submissions where entry_status = 'pending'",
            )
            .fetch_one(pool)
            .await
        })?)
    }
}
