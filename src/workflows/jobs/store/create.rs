//! Creating a job: the `api_jobs` row and its first engine job in one transaction, behind the
//! key's daily quota, answering a repeated `Idempotency-Key` with the job it first made (or
//! a conflict when the body differs).

use super::rows::{JobRow, NewJobRecord, job_columns};
use crate::db::{Db, DbError, DualSql, dual_sql, in_write_tx, on_pool};
use crate::engine::NewJob;
use crate::engine::queue::sql::insert_job;

/// What a create did.
#[derive(Debug)]
pub enum Created {
    /// A new job.
    New(Box<JobRow>),
    /// The key and body were seen before: the job they made.
    Replayed(Box<JobRow>),
    /// The key was used before with another body.
    KeyReused,
    /// The key's daily quota is used up.
    OverQuota,
    /// An image the job names is unknown, another key's, expired or already used.
    UploadUnavailable(String),
}

const INSERT: DualSql = dual_sql!(
    "insert into api_jobs (id, key_id, user_id, kind, model, prompt, parameters, num_outputs, \
     seed, output_format, priority, max_retries, metadata, webhook_url, webhook_events, \
     dialect, status, stage, progress, attempts, idempotency_key, request_hash, created_at, \
     updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
     $16, 'queued', 'queued', 0, 0, $17, $18, $19, $19)"
);

const CLAIM_UPLOAD: &str = "update uploads set job_id = $1 where id = $2 and key_id = $3 and \
                            job_id is null and expires_at > $4";

const COUNT_SINCE: &str = "select count(*) from api_jobs where key_id = $1 and created_at >= $2";

/// A day, in milliseconds.
pub const DAY_MS: i64 = 24 * 3600 * 1000;

impl Db {
    /// Creates `job` and queues `first` — unless the idempotency key answers, or the quota
    /// (`jobs_per_day`, if any) is used up.
    pub async fn create_api_job(
        &self,
        job: &NewJobRecord,
        first: &NewJob,
        jobs_per_day: Option<i64>,
    ) -> Result<Created, DbError> {
        if let Some(answer) = self.idempotent_answer(job).await? {
            return Ok(answer);
        }
        let inserted = self.insert_api_job(job, first, jobs_per_day).await;
        match inserted {
            // Another request with the same key won the race: answer as it did.
            Err(DbError::Query(sqlx::Error::Database(error)))
                if error.is_unique_violation() && job.idempotency_key.is_some() =>
            {
                Ok(self
                    .idempotent_answer(job)
                    .await?
                    .unwrap_or(Created::KeyReused))
            }
            other => other,
        }
    }

    async fn idempotent_answer(&self, job: &NewJobRecord) -> Result<Option<Created>, DbError> {
        let Some(key) = &job.idempotency_key else {
            return Ok(None);
        };
        let existing = self.api_job_by_idempotency_key(&job.key_id, key).await?;
        Ok(existing.map(|row| {
            if row.request_hash.as_deref() == Some(job.request_hash.as_str()) {
                Created::Replayed(Box::new(row))
            } else {
                Created::KeyReused
            }
        }))
    }

    async fn insert_api_job(
        &self,
        job: &NewJobRecord,
        first: &NewJob,
        jobs_per_day: Option<i64>,
    ) -> Result<Created, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            if let Some(quota) = jobs_per_day {
                let used: i64 = sqlx::query_scalar(COUNT_SINCE)
                    .bind(&job.key_id)
                    .bind(job.created_at - DAY_MS)
                    .fetch_one(&mut *tx)
                    .await?;
                if used >= quota {
                    return Ok(Created::OverQuota);
                }
            }
            sqlx::query(INSERT.pick(dialect))
                .bind(&job.id)
                .bind(&job.key_id)
                .bind(job.user_id.as_deref())
                .bind(&job.kind)
                .bind(&job.model)
                .bind(&job.prompt)
                .bind(&job.parameters)
                .bind(job.num_outputs)
                .bind(job.seed)
                .bind(&job.output_format)
                .bind(job.priority.as_str())
                .bind(job.max_retries)
                .bind(&job.metadata)
                .bind(job.webhook_url.as_deref())
                .bind(job.webhook_events.as_deref())
                .bind(job.dialect.as_str())
                .bind(job.idempotency_key.as_deref())
                .bind(&job.request_hash)
                .bind(job.created_at)
                .execute(&mut *tx)
                .await?;
            for upload in &job.claimed_uploads {
                let claimed = sqlx::query(CLAIM_UPLOAD)
                    .bind(&job.id)
                    .bind(upload)
                    .bind(&job.key_id)
                    .bind(job.created_at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if claimed != 1 {
                    return Ok(Created::UploadUnavailable(upload.clone()));
                }
            }
            insert_job!(&mut *tx, dialect, first)?;
            let row = sqlx::query_as::<_, JobRow>(concat!(
                "select ",
                job_columns!(),
                " from api_jobs where id = $1"
            ))
            .bind(&job.id)
            .fetch_one(&mut *tx)
            .await?;
            Created::New(Box::new(row))
        }))
    }

    async fn api_job_by_idempotency_key(
        &self,
        key_id: &str,
        idempotency_key: &str,
    ) -> Result<Option<JobRow>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, JobRow>(concat!(
                "select ",
                job_columns!(),
                " from api_jobs where key_id = $1 and idempotency_key = $2"
            ))
            .bind(key_id)
            .bind(idempotency_key)
            .fetch_optional(pool)
            .await
        })?)
    }
}
