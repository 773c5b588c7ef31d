//! Helpers for the pipeline tests: an app with workers and the in-process demo provider,
//! waiting for a submission to finish, and reading jobs and rows straight from the database.

use std::time::{Duration, Instant};

use serde_json::Value;
use serenade::db::Db;
use serenade::provider::fake::{FakeControl, FakeStats, Scenario};

use crate::common::{Backend, TestApp, TestAppBuilder, valid_submission};

/// An app with workers on `backend`.
pub fn pipeline_app(backend: Backend) -> TestAppBuilder {
    TestApp::builder().backend(backend).with_workers()
}

pub fn control(app: &TestApp) -> std::sync::Arc<FakeControl> {
    app.app
        .demo_provider()
        .expect("the demo provider runs")
        .control()
}

pub fn stats(app: &TestApp) -> FakeStats {
    control(app).stats()
}

pub fn scenario(app: &TestApp, scenario: Scenario) {
    control(app).set_scenario(scenario);
}

/// Submits the standard form; returns the session id.
pub async fn submit(app: &TestApp) -> String {
    let response = app.post_submission(&valid_submission()).await;
    assert_eq!(response.status(), 200, "{:?}", response.text().await);
    let body: Value = response.json().await.unwrap();
    body["session_id"].as_str().unwrap().to_owned()
}

/// Polls the status endpoint until the submission is `success` or `fail`.
pub async fn finished(app: &TestApp, session_id: &str, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let status: Value = app
            .get(&format!("/api/submissions/{session_id}/status"))
            .await
            .json()
            .await
            .unwrap();
        if matches!(status["status"].as_str(), Some("success" | "fail")) {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "{session_id} still {status} after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Rows returned by a one-parameter query.
pub async fn rows<T>(db: &Db, sql: &'static str, session_id: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
        + Send
        + Unpin,
{
    match db {
        Db::Sqlite(pool) => sqlx::query_as(sql)
            .bind(session_id)
            .fetch_all(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_as(sql)
            .bind(session_id)
            .fetch_all(pool)
            .await
            .unwrap(),
    }
}

/// `(kind, state, attempt)` of every job of a submission.
pub async fn jobs(db: &Db, session_id: &str) -> Vec<(String, String, i32)> {
    rows(
        db,
        "select kind, state, attempt from jobs where owner = 'song:' || $1 order by created_at",
        session_id,
    )
    .await
}

/// `(entry_status, error)` of a submission.
pub async fn outcome(db: &Db, session_id: &str) -> (String, Option<String>) {
    rows(
        db,
        "select entry_status, error from submissions where session_id = $1",
        session_id,
    )
    .await
    .pop()
    .unwrap()
}
