//! The `api_keys` table: insert, look up an active key by its hash (marking it used), list
//! and revoke.

use sqlx::FromRow;

use crate::db::{Db, DbError, on_pool};

/// One stored key (never its secret).
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ApiKeyRecord {
    pub id: String,
    pub name: String,
    pub is_admin: i32,
    pub requests_per_minute: i32,
    pub jobs_per_day: Option<i32>,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl ApiKeyRecord {
    pub fn admin(&self) -> bool {
        self.is_admin != 0
    }
}

/// A key to store.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub id: String,
    pub name: String,
    pub secret_hash: String,
    pub admin: bool,
    pub requests_per_minute: u32,
    pub jobs_per_day: Option<u32>,
    pub created_at: i64,
}

/// The columns of [`ApiKeyRecord`], for `concat!`.
macro_rules! key_columns {
    () => {
        "id, name, is_admin, requests_per_minute, jobs_per_day, created_at, revoked_at, \
         last_used_at"
    };
}

impl Db {
    pub async fn insert_api_key(&self, key: &NewApiKey) -> Result<(), DbError> {
        on_pool!(self, |pool| {
            sqlx::query(
                "insert into api_keys (id, name, secret_hash, is_admin, requests_per_minute, \
                 jobs_per_day, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&key.id)
            .bind(&key.name)
            .bind(&key.secret_hash)
            .bind(i32::from(key.admin))
            .bind(i32::try_from(key.requests_per_minute).unwrap_or(i32::MAX))
            .bind(
                key.jobs_per_day
                    .map(|quota| i32::try_from(quota).unwrap_or(i32::MAX)),
            )
            .bind(key.created_at)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        Ok(())
    }

    /// The active (unrevoked) key with this hash, its last use set to `now`.
    pub async fn use_api_key(
        &self,
        secret_hash: &str,
        now: i64,
    ) -> Result<Option<ApiKeyRecord>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, ApiKeyRecord>(concat!(
                "update api_keys set last_used_at = $2 \
                 where secret_hash = $1 and revoked_at is null returning ",
                key_columns!()
            ))
            .bind(secret_hash)
            .bind(now)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// The key with this id, revoked or not.
    pub async fn api_key(&self, id: &str) -> Result<Option<ApiKeyRecord>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, ApiKeyRecord>(concat!(
                "select ",
                key_columns!(),
                " from api_keys where id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await
        })?)
    }

    /// Every key, newest first.
    pub async fn list_api_keys(&self) -> Result<Vec<ApiKeyRecord>, DbError> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as::<_, ApiKeyRecord>(concat!(
                "select ",
                key_columns!(),
                " from api_keys order by created_at desc, id"
            ))
            .fetch_all(pool)
            .await
        })?)
    }

    /// Revokes a key; `false` when there is no such active key.
    pub async fn revoke_api_key(&self, id: &str, now: i64) -> Result<bool, DbError> {
        let result = on_pool!(self, |pool| {
            sqlx::query("update api_keys set revoked_at = $2 where id = $1 and revoked_at is null")
                .bind(id)
                .bind(now)
                .execute(pool)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(result == 1)
    }
}
