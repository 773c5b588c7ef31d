//! API keys: the CLI prints a key once and stores only its hash; `GET /api/v1/me` accepts it
//! as `X-API-Key` or `Authorization: Bearer`; every refusal is 401 `invalid_api_key` with a
//! `WWW-Authenticate: Bearer` challenge; revoking takes effect at once; a key over its
//! per-minute rate gets 429 with `Retry-After` while another key is unaffected.

use std::process::Command;

use secrecy::ExposeSecret;
use serde_json::Value;
use serenade::clock::now_ms;
use serenade::workflows::jobs::keys::store::NewApiKey;
use serenade::workflows::jobs::keys::{generate_key, hash_token};

use crate::common::{Backend, TestApp, on_postgres};

/// Stores a key directly; returns `(id, token)`.
async fn key(app: &TestApp, admin: bool, requests_per_minute: u32) -> (String, String) {
    let generated = generate_key();
    let id = format!("key_{}", cuid2::create_id());
    app.db()
        .insert_api_key(&NewApiKey {
            id: id.clone(),
            name: "test client".into(),
            secret_hash: generated.secret_hash,
            admin,
            requests_per_minute,
            jobs_per_day: Some(50),
            created_at: now_ms(),
        })
        .await
        .unwrap();
    (id, generated.token)
}

async fn me(app: &TestApp, header: (&str, String)) -> reqwest::Response {
    reqwest::Client::new()
        .get(app.url("/api/v1/me"))
        .header(header.0, header.1)
        .send()
        .await
        .unwrap()
}

async fn refused(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"serenade-api\""
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_api_key", "{body}");
    body["message"].as_str().unwrap().to_owned()
}

async fn keys_are_checked_on_every_request(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let (id, token) = key(&app, true, 100).await;

    for header in [
        ("x-api-key", token.clone()),
        ("authorization", format!("Bearer {token}")),
        ("authorization", format!("bearer  {token} ")),
    ] {
        let response = me(&app, header).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["id"], id.as_str());
        assert_eq!(body["admin"], true);
        assert_eq!(body["requests_per_minute"], 100);
        assert_eq!(body["jobs_per_day"], 50);
        assert!(
            !body.to_string().contains(&token[4..]),
            "the secret is never echoed"
        );
    }

    let missing = app.get("/api/v1/me").await;
    assert!(refused(missing).await.contains("X-API-Key"));
    let malformed = me(&app, ("x-api-key", "hunter2".into())).await;
    refused(malformed).await;
    let unknown = generate_key().token;
    refused(me(&app, ("x-api-key", unknown)).await).await;
    let basic = me(&app, ("authorization", format!("Basic {token}"))).await;
    refused(basic).await;

    assert!(app.db().revoke_api_key(&id, now_ms()).await.unwrap());
    let revoked = refused(me(&app, ("x-api-key", token.clone())).await).await;
    assert!(revoked.contains("revoked"), "{revoked}");
    assert!(!app.db().revoke_api_key(&id, now_ms()).await.unwrap());
}

#[tokio::test]
async fn keys_are_checked_on_every_request_on_sqlite() {
    keys_are_checked_on_every_request(Backend::Sqlite).await;
}

#[tokio::test]
async fn keys_are_checked_on_every_request_on_postgres() {
    on_postgres(keys_are_checked_on_every_request).await;
}

async fn each_key_has_its_own_rate(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let (_, slow) = key(&app, false, 3).await;
    let (_, other) = key(&app, false, 3).await;
    for _ in 0..3 {
        assert_eq!(me(&app, ("x-api-key", slow.clone())).await.status(), 200);
    }
    let limited = me(&app, ("x-api-key", slow.clone())).await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests");
    assert_eq!(me(&app, ("x-api-key", other)).await.status(), 200);
}

#[tokio::test]
async fn each_key_has_its_own_rate_on_sqlite() {
    each_key_has_its_own_rate(Backend::Sqlite).await;
}

#[tokio::test]
async fn each_key_has_its_own_rate_on_postgres() {
    on_postgres(each_key_has_its_own_rate).await;
}

fn serenade(app: &TestApp, args: &[&str]) -> std::process::Output {
    let url = app
        .app
        .config
        .database
        .database_url
        .expose_secret()
        .to_owned();
    Command::new(env!("CARGO_BIN_EXE_serenade"))
        .arg("api-key")
        .args(args)
        .env("DATABASE_URL", url)
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_cli_creates_lists_and_revokes_keys_and_stores_only_a_hash() {
    let app = TestApp::spawn().await;
    let created = serenade(
        &app,
        &[
            "create",
            "--name",
            "Seed 003 client",
            "--jobs-per-day",
            "20",
        ],
    );
    assert!(created.status.success(), "{created:?}");
    let token = String::from_utf8(created.stdout).unwrap().trim().to_owned();
    let told = String::from_utf8(created.stderr).unwrap();
    assert!(token.starts_with("srn_"), "{token}");
    assert!(
        told.contains("20 jobs a day") && told.contains("shown only now"),
        "{told}"
    );
    let response = me(&app, ("x-api-key", token.clone())).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["name"], "Seed 003 client");
    let id = body["id"].as_str().unwrap().to_owned();

    let stored: (String,) = match app.db() {
        serenade::db::Db::Sqlite(pool) => {
            sqlx::query_as("select secret_hash from api_keys where id <> 'anonymous'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
        serenade::db::Db::Postgres(pool) => {
            sqlx::query_as("select secret_hash from api_keys where id <> 'anonymous'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(stored.0, hash_token(&token));

    let listed = String::from_utf8(serenade(&app, &["list"]).stdout).unwrap();
    assert!(
        listed.contains(&id) && listed.contains("active"),
        "{listed}"
    );
    assert!(!listed.contains(&token[4..]), "list never shows a secret");

    let revoked = serenade(&app, &["revoke", &id]);
    assert!(revoked.status.success(), "{revoked:?}");
    refused(me(&app, ("x-api-key", token)).await).await;
    let again = serenade(&app, &["revoke", &id]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8(again.stderr)
            .unwrap()
            .contains("no active key")
    );

    let bad = serenade(&app, &["create", "--name", " "]);
    assert!(!bad.status.success());
}
