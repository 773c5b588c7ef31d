//! The fenced transitions of a job's outputs: one output stored or given up (the job ends
//! with its last one), and a step that stored all its outputs itself (a slideshow). The job's
//! row is locked while its outputs are counted, so two outputs finishing at once still end
//! the job exactly once.

use super::rows::{JobRow, job_columns};
use super::transitions::{
    END, INSERT_OUTPUT, JobEnd, OUTPUT_FAILED, OUTPUT_STORED, end_in_tx, job_in_tx, lock_job,
};
use crate::db::{Db, DbError, in_write_tx};
use crate::engine::ClaimedJob;
use crate::engine::queue::sql::{finish_job, insert_job};
use crate::workflows::jobs::model::{JobStatus, Stage, terminal_event};
use crate::workflows::jobs::webhooks::event_job;

/// A stored output's facts.
#[derive(Debug, Clone)]
pub struct StoredOutput {
    pub object_key: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

impl Db {
    /// A job whose step made and stored its outputs itself (a slideshow): records them as
    /// stored and ends the job `succeeded`, fenced on `claimed`.
    pub async fn finish_with_outputs(
        &self,
        claimed: &ClaimedJob,
        id: &str,
        outputs: &[StoredOutput],
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            if finish_job!(
                &mut *tx,
                dialect,
                claimed,
                "completed",
                &claimed.errors_with("outputs stored")
            )? != 1
            {
                return Ok(false);
            }
            sqlx::query(lock_job(dialect))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for (index, output) in outputs.iter().enumerate() {
                let idx = i32::try_from(index).unwrap_or(i32::MAX);
                sqlx::query(INSERT_OUTPUT)
                    .bind(id)
                    .bind(idx)
                    .bind(&output.object_key)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(OUTPUT_STORED.pick(dialect))
                    .bind(id)
                    .bind(idx)
                    .bind(&output.object_key)
                    .bind(&output.content_type)
                    .bind(output.size_bytes)
                    .bind(&output.sha256)
                    .execute(&mut *tx)
                    .await?;
            }
            let succeeded = JobEnd {
                status: JobStatus::Succeeded,
                error_code: None,
                error_message: None,
            };
            let _ended = end_in_tx!(tx, dialect, id, &succeeded);
            true
        }))
    }

    /// One output is stored (`Ok`) or given up (`Err`), fenced on its persist job; when it
    /// was the last one pending, the job ends: succeeded if every output is stored.
    pub async fn finish_api_output(
        &self,
        claimed: &ClaimedJob,
        id: &str,
        idx: i32,
        result: Result<&StoredOutput, &str>,
    ) -> Result<bool, DbError> {
        Ok(in_write_tx!(self, |tx, dialect| {
            let (state, note) = match result {
                Ok(_) => ("completed", "output stored".to_owned()),
                Err(error) => ("discarded", error.to_owned()),
            };
            if finish_job!(
                &mut *tx,
                dialect,
                claimed,
                state,
                &claimed.errors_with(&note)
            )? != 1
            {
                return Ok(false);
            }
            sqlx::query(lock_job(dialect))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            match result {
                Ok(stored) => {
                    sqlx::query(OUTPUT_STORED.pick(dialect))
                        .bind(id)
                        .bind(idx)
                        .bind(&stored.object_key)
                        .bind(&stored.content_type)
                        .bind(stored.size_bytes)
                        .bind(&stored.sha256)
                        .execute(&mut *tx)
                        .await?;
                }
                Err(error) => {
                    sqlx::query(OUTPUT_FAILED)
                        .bind(id)
                        .bind(idx)
                        .bind(error)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let counts: Vec<(String, i64)> = sqlx::query_as(
                "select status, count(*) from api_job_outputs where job_id = $1 group by status",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            let count = |status: &str| {
                counts
                    .iter()
                    .find(|(name, _)| name == status)
                    .map_or(0, |(_, count)| *count)
            };
            if count("pending") == 0 {
                let failed = count("failed");
                let end = if failed == 0 {
                    JobEnd {
                        status: JobStatus::Succeeded,
                        error_code: None,
                        error_message: None,
                    }
                } else {
                    JobEnd::failed(
                        "output_failed",
                        format!("{failed} of the job's outputs could not be stored."),
                    )
                };
                let _ended = end_in_tx!(tx, dialect, id, &end);
            }
            true
        }))
    }
}
