//! The submission columns the song's steps read, in one row type and one query.

use crate::db::{Db, DbError, on_pool};
use crate::domain::submission::EntryStatus;

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

impl PipelineRow {
    /// The submission's overall status, read from its column.
    pub fn status(&self) -> EntryStatus {
        EntryStatus::from_column(&self.entry_status)
    }
}

pub(crate) const SELECT_ROW: &str = "select session_id, entry_status, owner_name, pet_name, pet_type, \
     music_vibe, photo_path, webhook_token, llm_task_id, sent_to_llm, send_started_at, \
     llm_full_response, generated_song_path, received_from_llm from submissions \
     where session_id = $1";

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
}
