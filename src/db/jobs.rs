//! The job queue, in the app's own database: enqueue (inside the caller's transaction), claim
//! with a lease (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the single writer on SQLite),
//! heartbeat, and fenced retry / snooze / release — every write after the claim names the
//! claim token, so a worker that lost its lease changes nothing. Times are database time.

use serde::{Deserialize, Serialize};

use super::{Db, DbError, DualSql, dual_sql, on_pool};

/// What a job does; each kind runs in one lane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JobKind {
    Send,
    Reconcile,
    FetchDetails,
    DownloadAudio,
    RenderVideo,
    RefreshCredits,
    Cleanup,
}

/// A group of job kinds served by one worker loop with its own concurrency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// Provider POSTs; claimed only while a provider slot is free.
    Dispatch,
    /// Provider reads and downloads (I/O bound).
    Provider,
    /// Video renders (CPU bound).
    Render,
    /// Periodic housekeeping.
    Maintenance,
}

impl Lane {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dispatch => "dispatch",
            Self::Provider => "provider",
            Self::Render => "render",
            Self::Maintenance => "maintenance",
        }
    }
}

impl JobKind {
    pub const ALL: [Self; 7] = [
        Self::Send,
        Self::Reconcile,
        Self::FetchDetails,
        Self::DownloadAudio,
        Self::RenderVideo,
        Self::RefreshCredits,
        Self::Cleanup,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Send => "send",
            Self::Reconcile => "reconcile",
            Self::FetchDetails => "fetch_details",
            Self::DownloadAudio => "download_audio",
            Self::RenderVideo => "render_video",
            Self::RefreshCredits => "refresh_credits",
            Self::Cleanup => "cleanup",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == value)
    }

    pub fn lane(self) -> Lane {
        match self {
            Self::Send => Lane::Dispatch,
            Self::Reconcile | Self::FetchDetails | Self::DownloadAudio => Lane::Provider,
            Self::RenderVideo => Lane::Render,
            Self::RefreshCredits | Self::Cleanup => Lane::Maintenance,
        }
    }
}

/// A job to insert.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: JobKind,
    pub submission_id: Option<String>,
    pub delay_ms: i64,
    pub max_attempts: i32,
    /// At most one live (available or running) job per key.
    pub unique_key: Option<String>,
    /// At most one job ever per key (periodic work: one per period).
    pub periodic_key: Option<String>,
}

impl NewJob {
    /// The usual job for a submission's step: unique per (kind, submission) while live.
    pub fn step(kind: JobKind, submission_id: &str, max_attempts: i32, delay_ms: i64) -> Self {
        Self {
            kind,
            submission_id: Some(submission_id.to_owned()),
            delay_ms,
            max_attempts,
            unique_key: Some(format!("{}:{submission_id}", kind.as_str())),
            periodic_key: None,
        }
    }
}

/// A job this worker holds the lease on.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: JobKind,
    pub submission_id: Option<String>,
    pub attempt: i32,
    pub max_attempts: i32,
    pub claim_token: String,
    errors: String,
}

#[derive(Debug, sqlx::FromRow)]
struct ClaimedRow {
    id: String,
    kind: String,
    submission_id: Option<String>,
    attempt: i32,
    max_attempts: i32,
    claim_token: Option<String>,
    errors: String,
}

impl ClaimedRow {
    fn into_claimed(self) -> Option<ClaimedJob> {
        Some(ClaimedJob {
            kind: JobKind::parse(&self.kind)?,
            claim_token: self.claim_token?,
            id: self.id,
            submission_id: self.submission_id,
            attempt: self.attempt,
            max_attempts: self.max_attempts,
            errors: self.errors,
        })
    }
}

/// One entry of a job's error history (kept as JSON on the row).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobErrorEntry {
    pub attempt: i32,
    pub at: i64,
    pub message: String,
}

/// Most error entries kept per job.
const MAX_ERROR_ENTRIES: usize = 20;

/// The longest a job is ever put back for: keeps `now + delay` far from overflow (SQLite
/// would silently store an overflowed sum as REAL and never run the job again).
pub const MAX_REQUEUE_DELAY_MS: i64 = 24 * 3600 * 1000;

impl ClaimedJob {
    /// The error history with one more entry, as JSON.
    pub fn errors_with(&self, message: &str) -> String {
        let mut entries: Vec<JobErrorEntry> =
            serde_json::from_str(&self.errors).unwrap_or_default();
        entries.push(JobErrorEntry {
            attempt: self.attempt,
            at: crate::clock::now_ms(),
            message: message.chars().take(2000).collect(),
        });
        let skip = entries.len().saturating_sub(MAX_ERROR_ENTRIES);
        serde_json::to_string(&entries[skip..]).unwrap_or_else(|_| "[]".into())
    }

    /// Transient faults recorded in a row on this attempt (they refund the attempt, so they
    /// share its number): how far the next backoff has grown.
    pub fn transient_streak(&self) -> u32 {
        let entries: Vec<JobErrorEntry> = serde_json::from_str(&self.errors).unwrap_or_default();
        let streak = entries
            .iter()
            .rev()
            .take_while(|entry| entry.attempt == self.attempt)
            .count();
        u32::try_from(streak).unwrap_or(u32::MAX)
    }

    /// True when this is the last attempt the job is allowed.
    pub fn is_last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }

    pub fn submission(&self) -> &str {
        self.submission_id.as_deref().unwrap_or_default()
    }
}

pub(crate) const INSERT_JOB: DualSql = dual_sql!(
    "insert into jobs (id, kind, lane, submission_id, state, run_at, attempt, max_attempts, \
     unique_key, periodic_key, created_at, updated_at) \
     values ($1, $2, $3, $4, 'available', ",
    NOW,
    " + $5, 0, $6, $7, $8, ",
    NOW,
    ", ",
    NOW,
    ") on conflict do nothing"
);

/// Inserts `$job` (a [`NewJob`]) through executor `$executor` in `$dialect`.
macro_rules! insert_job {
    ($executor:expr, $dialect:expr, $job:expr) => {{
        let job: &$crate::db::jobs::NewJob = $job;
        sqlx::query($crate::db::jobs::INSERT_JOB.pick($dialect))
            .bind(cuid2::create_id())
            .bind(job.kind.as_str())
            .bind(job.kind.lane().as_str())
            .bind(job.submission_id.as_deref())
            .bind(
                job.delay_ms
                    .clamp(0, $crate::db::jobs::MAX_REQUEUE_DELAY_MS),
            )
            .bind(job.max_attempts)
            .bind(job.unique_key.as_deref())
            .bind(job.periodic_key.as_deref())
            .execute($executor)
            .await
            .map(|done| done.rows_affected())
    }};
}
pub(crate) use insert_job;

const CLAIM_SQLITE: &str = concat!(
    "update jobs set state = 'running', attempt = attempt + 1, claim_token = $1, ",
    "lease_owner = $2, lease_expires_at = cast(unixepoch('subsec') * 1000 as integer) + $3, ",
    "updated_at = cast(unixepoch('subsec') * 1000 as integer) ",
    "where id = (select id from jobs where lane = $4 and state = 'available' ",
    "and run_at <= cast(unixepoch('subsec') * 1000 as integer) ",
    "and ($4 <> 'dispatch' or exists (select 1 from provider_slots s ",
    "where s.holder_submission_id is null ",
    "or s.lease_expires_at < cast(unixepoch('subsec') * 1000 as integer) ",
    "or s.holder_submission_id = jobs.submission_id)) ",
    "order by run_at, id limit 1) ",
    "returning id, kind, submission_id, attempt, max_attempts, claim_token, errors"
);

const CLAIM_POSTGRES: &str = concat!(
    "update jobs set state = 'running', attempt = attempt + 1, claim_token = $1, ",
    "lease_owner = $2, lease_expires_at = (extract(epoch from clock_timestamp()) * 1000)::bigint + $3, ",
    "updated_at = (extract(epoch from clock_timestamp()) * 1000)::bigint ",
    "where id = (select id from jobs where lane = $4 and state = 'available' ",
    "and run_at <= (extract(epoch from clock_timestamp()) * 1000)::bigint ",
    "and ($4 <> 'dispatch' or exists (select 1 from provider_slots s ",
    "where s.holder_submission_id is null ",
    "or s.lease_expires_at < (extract(epoch from clock_timestamp()) * 1000)::bigint ",
    "or s.holder_submission_id = jobs.submission_id)) ",
    "order by run_at, id limit 1 for update skip locked) ",
    "returning id, kind, submission_id, attempt, max_attempts, claim_token, errors"
);

const HEARTBEAT: DualSql = dual_sql!(
    "update jobs set lease_expires_at = ",
    NOW,
    " + $3, updated_at = ",
    NOW,
    " where id = $1 and claim_token = $2 and state = 'running'"
);

const RETRY: DualSql = dual_sql!(
    "update jobs set state = 'available', run_at = ",
    NOW,
    " + $3, errors = $4, attempt = attempt - $5, claim_token = null, lease_owner = null, \
     lease_expires_at = null, updated_at = ",
    NOW,
    " where id = $1 and claim_token = $2 and state = 'running'"
);

pub(crate) const FINISH: DualSql = dual_sql!(
    "update jobs set state = $3, errors = $4, finalized_at = ",
    NOW,
    ", lease_expires_at = null, updated_at = ",
    NOW,
    " where id = $1 and claim_token = $2 and state = 'running'"
);

const EXPIRED: DualSql = dual_sql!(
    "select id, kind, submission_id, attempt, max_attempts, claim_token, errors from jobs \
     where state = 'running' and lease_expires_at < ",
    NOW,
    " order by lease_expires_at limit 100"
);

/// Marks a claimed job finished (`completed` or `discarded`) through `$executor`; evaluates
/// to the rows affected (0 when the lease was lost).
macro_rules! finish_job {
    ($executor:expr, $dialect:expr, $job:expr, $state:expr, $errors:expr) => {{
        let job: &$crate::db::jobs::ClaimedJob = $job;
        sqlx::query($crate::db::jobs::FINISH.pick($dialect))
            .bind(&job.id)
            .bind(&job.claim_token)
            .bind($state)
            .bind($errors)
            .execute($executor)
            .await
            .map(|done| done.rows_affected())
    }};
}
pub(crate) use finish_job;

impl Db {
    /// Inserts a job on its own (outside any other transaction).
    pub async fn enqueue(&self, job: &NewJob) -> Result<bool, DbError> {
        let inserted = on_pool!(self, |pool, dialect| insert_job!(pool, dialect, job))?;
        Ok(inserted == 1)
    }

    /// Claims the next runnable job of `lane`, leasing it for `lease_ms`.
    pub async fn claim_job(
        &self,
        lane: Lane,
        worker_id: &str,
        lease_ms: i64,
    ) -> Result<Option<ClaimedJob>, DbError> {
        let token = cuid2::create_id();
        let row: Option<ClaimedRow> = match self {
            Db::Sqlite(pool) => {
                sqlx::query_as(CLAIM_SQLITE)
                    .bind(&token)
                    .bind(worker_id)
                    .bind(lease_ms)
                    .bind(lane.as_str())
                    .fetch_optional(pool)
                    .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(CLAIM_POSTGRES)
                    .bind(&token)
                    .bind(worker_id)
                    .bind(lease_ms)
                    .bind(lane.as_str())
                    .fetch_optional(pool)
                    .await?
            }
        };
        Ok(row.and_then(ClaimedRow::into_claimed))
    }

    /// Extends the lease; `false` means the lease is lost and the job must stop.
    pub async fn heartbeat_job(&self, job: &ClaimedJob, lease_ms: i64) -> Result<bool, DbError> {
        let updated = on_pool!(self, |pool, dialect| {
            sqlx::query(HEARTBEAT.pick(dialect))
                .bind(&job.id)
                .bind(&job.claim_token)
                .bind(lease_ms)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(updated == 1)
    }

    /// Returns the job to the queue to run after `delay_ms`, recording `error`; the attempt is
    /// spent. `false` when the lease was lost.
    pub async fn retry_job(
        &self,
        job: &ClaimedJob,
        delay_ms: i64,
        error: &str,
    ) -> Result<bool, DbError> {
        self.requeue(job, delay_ms, &job.errors_with(error), 0)
            .await
    }

    /// Puts the job back without spending an attempt (no slot, low credits, shutdown).
    pub async fn snooze_job(&self, job: &ClaimedJob, delay_ms: i64) -> Result<bool, DbError> {
        self.requeue(job, delay_ms, &job.errors, 1).await
    }

    /// Puts the job back after a transient fault, recording `error` but refunding the
    /// attempt. `false` when the lease was lost.
    pub async fn backoff_job(
        &self,
        job: &ClaimedJob,
        delay_ms: i64,
        error: &str,
    ) -> Result<bool, DbError> {
        self.requeue(job, delay_ms, &job.errors_with(error), 1)
            .await
    }

    async fn requeue(
        &self,
        job: &ClaimedJob,
        delay_ms: i64,
        errors: &str,
        refund: i32,
    ) -> Result<bool, DbError> {
        let updated = on_pool!(self, |pool, dialect| {
            sqlx::query(RETRY.pick(dialect))
                .bind(&job.id)
                .bind(&job.claim_token)
                .bind(delay_ms.clamp(0, MAX_REQUEUE_DELAY_MS))
                .bind(errors)
                .bind(refund)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(updated == 1)
    }

    /// Completes a job that changes nothing else (maintenance work).
    pub async fn complete_job(&self, job: &ClaimedJob) -> Result<bool, DbError> {
        let updated = on_pool!(self, |pool, dialect| finish_job!(
            pool,
            dialect,
            job,
            "completed",
            &job.errors
        ))?;
        Ok(updated == 1)
    }

    /// Running jobs whose lease has expired (their worker died or stalled).
    pub async fn expired_jobs(&self) -> Result<Vec<ClaimedJob>, DbError> {
        let rows: Vec<ClaimedRow> = on_pool!(self, |pool, dialect| {
            sqlx::query_as(EXPIRED.pick(dialect)).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .filter_map(ClaimedRow::into_claimed)
            .collect())
    }
}

impl Db {
    /// `(kind, state, count)` over every job, for metrics.
    pub async fn job_counts(&self) -> Result<Vec<(String, String, i64)>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as("select kind, state, count(*) from jobs group by kind, state")
                .fetch_all(pool)
                .await
        })?)
    }
}
