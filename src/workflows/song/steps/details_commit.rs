//! `fetch_details`'s transition: store the song URL and lyrics and queue the download, in one
//! fenced transaction.

use crate::db::{Db, DbError, DualSql, dual_sql, in_write_tx};
use crate::engine::queue::sql::{finish_job, insert_job};
use crate::engine::{ClaimedJob, NewJob};

const MARK_DETAILS: DualSql = dual_sql!(
    "update submissions set llm_response = $2, lyrics = $3, updated_at = ",
    NOW,
    " where session_id = $1"
);

impl Db {
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
}
