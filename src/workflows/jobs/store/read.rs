//! Reading jobs: one by id or number, a key's jobs filtered and paged, a job's outputs, and
//! the figures behind queue position and ETA.

use super::rows::{JobRow, OutputRow, job_columns};
use crate::db::{Db, DbError, on_pool};

/// Which jobs a list shows.
#[derive(Debug, Clone, Default)]
pub struct JobFilter {
    /// Only this key's jobs (`None`: every key's, for admin keys).
    pub key_id: Option<String>,
    pub user_id: Option<String>,
    pub status: Option<String>,
    /// Only jobs numbered below this (the cursor of the previous page).
    pub before: Option<i64>,
    pub skip: i64,
    pub limit: i64,
}

/// The columns of [`OutputRow`], for `concat!`.
macro_rules! output_columns {
    () => {
        "job_id, idx, status, source_url, object_key, content_type, size_bytes, sha256, \
         error_message, attempts, stored_at"
    };
}

impl Db {
    pub async fn api_job(&self, id: &str) -> Result<Option<JobRow>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, JobRow>(concat!(
                "select ",
                job_columns!(),
                " from api_jobs where id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await
        })?)
    }

    pub async fn api_job_by_number(&self, number: i64) -> Result<Option<JobRow>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, JobRow>(concat!(
                "select ",
                job_columns!(),
                " from api_jobs where number = $1"
            ))
            .bind(number)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Jobs matching `filter`, newest first.
    pub async fn list_api_jobs(&self, filter: &JobFilter) -> Result<Vec<JobRow>, DbError> {
        let sql = concat!(
            "select ",
            job_columns!(),
            " from api_jobs where ($1 is null or key_id = $1) and ($2 is null or user_id = $2) \
             and ($3 is null or status = $3) and ($4 is null or number < $4) \
             order by number desc limit $5 offset $6"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, JobRow>(sql)
                .bind(filter.key_id.as_deref())
                .bind(filter.user_id.as_deref())
                .bind(filter.status.as_deref())
                .bind(filter.before)
                .bind(filter.limit)
                .bind(filter.skip)
                .fetch_all(pool)
                .await
        })?)
    }

    pub async fn api_job_outputs(&self, job_id: &str) -> Result<Vec<OutputRow>, DbError> {
        let sql = concat!(
            "select ",
            output_columns!(),
            " from api_job_outputs where job_id = $1 order by idx"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, OutputRow>(sql)
                .bind(job_id)
                .fetch_all(pool)
                .await
        })?)
    }

    pub async fn api_job_output(
        &self,
        job_id: &str,
        idx: i32,
    ) -> Result<Option<OutputRow>, DbError> {
        let sql = concat!(
            "select ",
            output_columns!(),
            " from api_job_outputs where job_id = $1 and idx = $2"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, OutputRow>(sql)
                .bind(job_id)
                .bind(idx)
                .fetch_optional(pool)
                .await
        })?)
    }

    /// Queued jobs that go before job `number` of `priority` (higher priority, or the same
    /// priority and older).
    pub async fn api_jobs_ahead(&self, number: i64, priority: &str) -> Result<i64, DbError> {
        let sql = "select count(*) from api_jobs where status = 'queued' and number <> $1 and \
                   (case priority when 'high' then 2 when 'default' then 1 else 0 end > \
                    case $2 when 'high' then 2 when 'default' then 1 else 0 end \
                    or (priority = $2 and number < $1))";
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar::<_, i64>(sql)
                .bind(number)
                .bind(priority)
                .fetch_one(pool)
                .await
        })?)
    }

    /// The mean milliseconds from start to completion of the last 50 succeeded jobs.
    pub async fn api_job_mean_run_ms(&self) -> Result<Option<f64>, DbError> {
        let sql = "select cast(avg(completed_at - started_at) as double precision) from (select completed_at, \
                   started_at from api_jobs where status = 'succeeded' and started_at is not \
                   null order by number desc limit 50) recent";
        let mean: Option<f64> = on_pool!(self, |pool| {
            sqlx::query_scalar::<_, Option<f64>>(sql)
                .fetch_one(pool)
                .await
        })?;
        Ok(mean)
    }
}
