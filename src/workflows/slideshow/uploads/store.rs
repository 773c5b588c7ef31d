//! The `uploads` table: images uploaded for a later video, each owned by the key that sent
//! it and expiring after a day unless a job claims it.

use sqlx::FromRow;

use crate::db::{Db, DbError, on_pool};

/// One stored upload.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct UploadRow {
    pub id: String,
    pub key_id: String,
    pub object_key: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub job_id: Option<String>,
}

macro_rules! upload_columns {
    () => {
        "id, key_id, object_key, width, height, size_bytes, created_at, expires_at, job_id"
    };
}

impl Db {
    pub async fn insert_upload(&self, row: &UploadRow) -> Result<(), DbError> {
        on_pool!(self, |pool| {
            sqlx::query(concat!(
                "insert into uploads (",
                upload_columns!(),
                ") values ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ))
            .bind(&row.id)
            .bind(&row.key_id)
            .bind(&row.object_key)
            .bind(row.width)
            .bind(row.height)
            .bind(row.size_bytes)
            .bind(row.created_at)
            .bind(row.expires_at)
            .bind(row.job_id.as_deref())
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    pub async fn upload(&self, id: &str) -> Result<Option<UploadRow>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, UploadRow>(concat!(
                "select ",
                upload_columns!(),
                " from uploads where id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Unclaimed uploads past their expiry (at most `limit`).
    pub async fn expired_uploads(&self, now: i64, limit: i64) -> Result<Vec<UploadRow>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, UploadRow>(concat!(
                "select ",
                upload_columns!(),
                " from uploads where job_id is null and expires_at <= $1 order by expires_at \
                 limit $2"
            ))
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await
        })?)
    }

    /// Forgets an expired, unclaimed upload; `false` when a job claimed it meanwhile.
    pub async fn delete_expired_upload(&self, id: &str, now: i64) -> Result<bool, DbError> {
        let deleted = on_pool!(self, |pool| {
            sqlx::query("delete from uploads where id = $1 and job_id is null and expires_at <= $2")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(deleted == 1)
    }
}
