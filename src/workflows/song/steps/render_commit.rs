//! `render_video`'s writes: stamp the start of a render attempt, and — in one fenced
//! transaction — record the video and mark the submission `success`.

use crate::db::on_pool;
use crate::db::{Db, DbError, DualSql, dual_sql, in_write_tx};
use crate::engine::ClaimedJob;
use crate::engine::queue::sql::finish_job;

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

impl Db {
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
