//! Queries on `submissions` and `cookie_quotas`: the quota-checked insert (atomic under
//! concurrency: the counter row is bumped with a conditional upsert in the insert's
//! transaction), lookups by session id, and counts by status.

use super::{Db, DbError, in_write_tx, on_pool};

/// A submission about to be stored; its photo is already on disk.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub session_id: String,
    pub cookie_id: String,
    pub cookie_is_new: bool,
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

    /// Charges the cookie and inserts the submission in one transaction, unless the cookie
    /// has already used `max_per_cookie` submissions.
    pub async fn insert_submission(
        &self,
        new: &NewSubmission,
        max_per_cookie: u32,
    ) -> Result<InsertOutcome, DbError> {
        let limit = i32::try_from(max_per_cookie).unwrap_or(i32::MAX);
        Ok(in_write_tx!(self, |tx| {
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
            .bind(&new.session_id)
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
                "select session_id, created_at, entry_status, provider_status \
                 from submissions where session_id = $1",
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
            match status.as_str() {
                "pending" => counts.pending = count,
                "processing" => counts.processing = count,
                "success" => counts.success = count,
                "fail" => counts.fail = count,
                _ => {}
            }
        }
        Ok(counts)
    }
}
