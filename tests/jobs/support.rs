//! Shared steps of the jobs API tests: keys stored directly, requests with a key (or none),
//! and polling a job until it ends.

use std::time::Duration;

use serde_json::Value;
use serenade::clock::now_ms;
use serenade::workflows::jobs::keys::store::NewApiKey;
use serenade::workflows::jobs::keys::{generate_key, hash_token};

use crate::common::TestApp;

/// A stored key: `(id, token)`.
pub async fn api_key(app: &TestApp, admin: bool, jobs_per_day: Option<u32>) -> (String, String) {
    let generated = generate_key();
    assert_eq!(generated.secret_hash, hash_token(&generated.token));
    let id = format!("key_{}", cuid2::create_id());
    app.db()
        .insert_api_key(&NewApiKey {
            id: id.clone(),
            name: "jobs test".into(),
            secret_hash: generated.secret_hash,
            admin,
            requests_per_minute: 10_000,
            jobs_per_day,
            created_at: now_ms(),
        })
        .await
        .unwrap();
    (id, generated.token)
}

/// A request builder with `token` as `X-API-Key` (none when `None`).
pub fn with_key(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
) -> reqwest::RequestBuilder {
    let request = app.client.request(method, app.url(path));
    match token {
        Some(token) => request.header("x-api-key", token),
        None => request,
    }
}

pub async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// GETs `path` until `done(body)` holds (at most 60 s); the last body.
pub async fn poll_until(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = json_of(
            with_key(app, reqwest::Method::GET, path, token)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{path}: {body}");
        if done(&body) {
            return body;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{path} never got there: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Number of rows in `api_jobs`.
pub async fn job_rows(app: &TestApp) -> i64 {
    match app.db() {
        serenade::db::Db::Sqlite(pool) => sqlx::query_scalar("select count(*) from api_jobs")
            .fetch_one(pool)
            .await
            .unwrap(),
        serenade::db::Db::Postgres(pool) => sqlx::query_scalar("select count(*) from api_jobs")
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

/// SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}
