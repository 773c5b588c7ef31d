//! Database probes for the crash tests.

use serde_json::Value;
use serenade::db::Db;

use crate::common::{TestApp, valid_submission};

pub async fn submit(app: &TestApp) -> String {
    let body: Value = app
        .post_submission(&valid_submission())
        .await
        .json()
        .await
        .unwrap();
    body["session_id"].as_str().unwrap().to_owned()
}

pub async fn status_of(app: &TestApp, session_id: &str) -> String {
    let sql = "select entry_status from submissions where session_id = $1";
    match app.db() {
        Db::Sqlite(pool) => sqlx::query_scalar(sql)
            .bind(session_id)
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(session_id)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

/// Whether a job of `kind` for the submission is running now.
pub async fn running_job(app: &TestApp, session_id: &str, kind: &str) -> bool {
    let sql =
        "select count(*) from jobs where owner = 'song:' || $1 and kind = $2 and state = 'running'";
    let count: i64 = match app.db() {
        Db::Sqlite(pool) => sqlx::query_scalar(sql)
            .bind(session_id)
            .bind(kind)
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(session_id)
            .bind(kind)
            .fetch_one(pool)
            .await
            .unwrap(),
    };
    count > 0
}

/// Attempt counts of the submission's jobs of `kind`.
pub async fn job_attempts(app: &TestApp, session_id: &str, kind: &str) -> Vec<i32> {
    let sql = "select attempt from jobs where owner = 'song:' || $1 and kind = $2";
    match app.db() {
        Db::Sqlite(pool) => sqlx::query_scalar(sql)
            .bind(session_id)
            .bind(kind)
            .fetch_all(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(session_id)
            .bind(kind)
            .fetch_all(pool)
            .await
            .unwrap(),
    }
}

/// The error a failed submission recorded.
pub async fn failure_reason(app: &TestApp, session_id: &str) -> String {
    let sql = "select coalesce(error, '') from submissions where session_id = $1";
    match app.db() {
        Db::Sqlite(pool) => sqlx::query_scalar(sql)
            .bind(session_id)
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(session_id)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}
