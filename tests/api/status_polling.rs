//! The status poll's per-id cache: rows are served from memory, yet a status change made by
//! any process becomes visible within the cache's short life for unfinished submissions.

use std::time::{Duration, Instant};

use serde_json::Value;
use serenade::workflows::song::status_cache::LIVE_TTL;

use crate::common::{Backend, TestApp, on_postgres, valid_submission};

async fn poll(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/api/submissions/{id}/status"))
        .await
        .json()
        .await
        .unwrap()
}

/// Polls until the status is `wanted`, returning how long it took.
async fn time_until(app: &TestApp, id: &str, wanted: &str) -> Duration {
    let started = Instant::now();
    loop {
        if poll(app, id).await["status"] == wanted {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < LIVE_TTL * 5,
            "{wanted} never became visible"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_status_change_is_visible_within_the_live_ttl(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let created: Value = app
        .post_submission(&valid_submission())
        .await
        .json()
        .await
        .unwrap();
    let id = created["session_id"].as_str().unwrap().to_owned();

    assert_eq!(poll(&app, &id).await["status"], "pending");
    assert!(
        app.app.status_cache.get(&id, Instant::now()).is_some(),
        "the poll's row is cached"
    );

    app.execute(
        "update submissions set entry_status = 'processing', provider_status = 'GENERATING' \
         where session_id = $1",
        &id,
    )
    .await;
    let seen_after = time_until(&app, &id, "processing").await;
    assert!(
        seen_after <= LIVE_TTL + Duration::from_millis(300),
        "{seen_after:?}"
    );
    assert_eq!(poll(&app, &id).await["stage"], "composing");

    app.execute(
        "update submissions set entry_status = 'success' where session_id = $1",
        &id,
    )
    .await;
    let seen_after = time_until(&app, &id, "success").await;
    assert!(
        seen_after <= LIVE_TTL + Duration::from_millis(300),
        "{seen_after:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn status_change_visible_within_ttl_sqlite() {
    a_status_change_is_visible_within_the_live_ttl(Backend::Sqlite).await;
}

#[tokio::test]
async fn status_change_visible_within_ttl_postgres() {
    on_postgres(a_status_change_is_visible_within_the_live_ttl).await;
}

#[tokio::test]
async fn unknown_ids_are_not_cached() {
    let app = TestApp::spawn().await;
    let unknown = "abcdefghijklmnopqrstuvwx";
    assert_eq!(poll(&app, unknown).await["error"], "not_found");
    assert!(app.app.status_cache.is_empty());
    app.stop().await;
}
