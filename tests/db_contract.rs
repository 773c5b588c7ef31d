//! The database contract: one story through every `Db` method, run on SQLite always and on
//! PostgreSQL when `TEST_DATABASE_URL` is set (required in CI). Both must behave the same.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod common;

use common::{TestDatabase, postgres_url};
use secrecy::SecretString;
use serenade::config::DatabaseConfig;
use serenade::db::Db;
use serenade::db::rate_limits::RateDecision;
use serenade::domain::ids::{CookieId, SessionId};
use serenade::domain::sliding_window::SlidingWindow;
use serenade::workflows::song::store::submissions::{InsertOutcome, NewSubmission};

const HOUR: i64 = 3_600_000;

fn new_submission(cookie: &str, at: i64) -> NewSubmission {
    let session_id = SessionId::generate();
    NewSubmission {
        photo_path: format!("/storage/uploads/{session_id}.jpg"),
        session_id,
        cookie_id: cookie.to_owned(),
        owner_name: "Matt".into(),
        pet_name: "Toby".into(),
        pet_type: "Dog".into(),
        music_vibe: "Romantic".into(),
        webhook_token: "token".into(),
        created_at: at,
    }
}

async fn connect(url: String) -> Db {
    let config = DatabaseConfig {
        database_url: SecretString::from(url),
        database_max_connections: 4,
    };
    let db = Db::connect(&config).await.expect("connect");
    db.migrate().await.expect("migrate");
    db.migrate().await.expect("migrations are idempotent");
    db
}

async fn story(db: Db) {
    assert!(db.migrations_applied().await.unwrap());
    db.ping().await.unwrap();

    // Submissions and the cookie quota.
    let cookie = CookieId::generate();
    let first = new_submission(cookie.as_str(), 1_000);
    assert_eq!(
        db.insert_submission(&first, 2, 3).await.unwrap(),
        InsertOutcome::Accepted
    );
    assert_eq!(db.cookie_quota_used(cookie.as_str()).await.unwrap(), 1);
    let second = new_submission(cookie.as_str(), 2_000);
    assert_eq!(
        db.insert_submission(&second, 2, 3).await.unwrap(),
        InsertOutcome::Accepted
    );
    let third = new_submission(cookie.as_str(), 3_000);
    assert_eq!(
        db.insert_submission(&third, 2, 3).await.unwrap(),
        InsertOutcome::QuotaExceeded { used: 2 }
    );
    assert!(
        db.find_submission(third.session_id.as_str())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(db.cookie_quota_used("cookie_unknown").await.unwrap(), 0);

    let row = db
        .find_submission(first.session_id.as_str())
        .await
        .unwrap()
        .expect("row");
    assert_eq!(row.entry_status, "pending");
    assert_eq!(row.created_at, 1_000);
    assert_eq!(row.pet_name, "Toby");
    assert_eq!(row.photo_path, first.photo_path);
    assert!(row.lyrics.is_none());
    let counts = db.submission_status_counts().await.unwrap();
    assert_eq!(
        (
            counts.pending,
            counts.processing,
            counts.success,
            counts.fail
        ),
        (2, 0, 0, 0)
    );

    // Rate limits: the window allows `limit` hits, then refuses with a wait.
    let window = SlidingWindow {
        limit: 3,
        window_ms: HOUR,
    };
    let now = 10 * HOUR + 60_000;
    for _ in 0..3 {
        assert_eq!(
            db.hit_rate_limit("b", "1.2.3.4", window, now)
                .await
                .unwrap(),
            RateDecision::Allowed
        );
    }
    match db
        .hit_rate_limit("b", "1.2.3.4", window, now)
        .await
        .unwrap()
    {
        RateDecision::Limited { retry_after } => assert!(retry_after.as_secs() >= 1),
        RateDecision::Allowed => panic!("the fourth hit was allowed"),
    }
    assert_eq!(
        db.hit_rate_limit("b", "5.6.7.8", window, now)
            .await
            .unwrap(),
        RateDecision::Allowed
    );
    assert_eq!(
        db.hit_rate_limit("other", "1.2.3.4", window, now)
            .await
            .unwrap(),
        RateDecision::Allowed
    );
    // Early in the next window the previous window still weighs almost fully: one hit fits.
    let early_next = 11 * HOUR + 1_000;
    assert_eq!(
        db.hit_rate_limit("b", "1.2.3.4", window, early_next)
            .await
            .unwrap(),
        RateDecision::Allowed
    );
    assert!(matches!(
        db.hit_rate_limit("b", "1.2.3.4", window, early_next)
            .await
            .unwrap(),
        RateDecision::Limited { .. }
    ));
    // Two windows later it is forgotten.
    assert_eq!(
        db.hit_rate_limit("b", "1.2.3.4", window, 12 * HOUR + 1_000)
            .await
            .unwrap(),
        RateDecision::Allowed
    );
    assert!(db.prune_rate_limits(12 * HOUR).await.unwrap() >= 3);

    // Worker registry.
    db.worker_heartbeat("w1", "worker", 5_000).await.unwrap();
    db.worker_heartbeat("w2", "worker", 9_000).await.unwrap();
    db.worker_heartbeat("w1", "worker", 9_500).await.unwrap();
    assert_eq!(db.live_workers(9_000).await.unwrap(), 2);
    db.worker_stopped("w2").await.unwrap();
    assert_eq!(db.live_workers(0).await.unwrap(), 1);
    assert_eq!(db.prune_workers(10_000).await.unwrap(), 1);
    assert_eq!(db.live_workers(0).await.unwrap(), 0);

    db.close().await;
}

/// Concurrent quota charges on one cookie admit exactly the quota.
async fn concurrent_quota(db: Db) {
    let cookie = CookieId::generate();
    let inserts = (0..12).map(|i| {
        let db = db.clone();
        let new = new_submission(cookie.as_str(), i);
        async move { db.insert_submission(&new, 5, 3).await.unwrap() }
    });
    let outcomes = futures_util::future::join_all(inserts).await;
    let accepted = outcomes
        .iter()
        .filter(|o| **o == InsertOutcome::Accepted)
        .count();
    assert_eq!(accepted, 5, "{outcomes:?}");
    assert_eq!(db.cookie_quota_used(cookie.as_str()).await.unwrap(), 5);
    db.close().await;
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("contract.db").display())
}

#[tokio::test]
async fn sqlite_contract() {
    let dir = tempfile::tempdir().unwrap();
    story(connect(sqlite_url(&dir)).await).await;
}

#[tokio::test]
async fn sqlite_concurrent_quota() {
    let dir = tempfile::tempdir().unwrap();
    concurrent_quota(connect(sqlite_url(&dir)).await).await;
}

#[tokio::test]
async fn sqlite_durability_settings_hold_on_every_pooled_connection() {
    let dir = tempfile::tempdir().unwrap();
    let Db::Sqlite(pool) = connect(sqlite_url(&dir)).await else {
        panic!("expected SQLite");
    };
    let mut connections = Vec::new();
    for _ in 0..4 {
        connections.push(pool.acquire().await.unwrap());
    }
    for connection in &mut connections {
        let journal: String = sqlx::query_scalar("pragma journal_mode")
            .fetch_one(&mut **connection)
            .await
            .unwrap();
        let synchronous: i64 = sqlx::query_scalar("pragma synchronous")
            .fetch_one(&mut **connection)
            .await
            .unwrap();
        let busy: i64 = sqlx::query_scalar("pragma busy_timeout")
            .fetch_one(&mut **connection)
            .await
            .unwrap();
        let foreign_keys: i64 = sqlx::query_scalar("pragma foreign_keys")
            .fetch_one(&mut **connection)
            .await
            .unwrap();
        assert_eq!(journal, "wal");
        assert_eq!(synchronous, 2, "synchronous=FULL");
        assert!(busy > 0);
        assert_eq!(foreign_keys, 1);
    }
}

#[tokio::test]
async fn postgres_contract() {
    if postgres_url().is_none() {
        return;
    }
    let database = TestDatabase::create().await;
    story(connect(database.url.clone()).await).await;
}

#[tokio::test]
async fn postgres_concurrent_quota() {
    if postgres_url().is_none() {
        return;
    }
    let database = TestDatabase::create().await;
    concurrent_quota(connect(database.url.clone()).await).await;
}
