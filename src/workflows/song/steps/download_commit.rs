//! `download_audio`'s transition: record the stored song's path and queue the render, in one
//! fenced transaction.

use crate::db::{Db, DbError, DualSql, dual_sql, in_write_tx};
use crate::engine::queue::sql::{finish_job, insert_job};
use crate::engine::{ClaimedJob, NewJob};

const MARK_DOWNLOADED: DualSql = dual_sql!(
    "update submissions set generated_song_path = $2, updated_at = ",
    NOW,
    " where session_id = $1"
);

impl Db {
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
}
