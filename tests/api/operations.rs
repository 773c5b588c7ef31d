//! Operator surface: probes, detailed health, admin queue status and metrics behind Basic
//! auth, and the API documentation served without a CDN.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use secrecy::SecretString;
use serde_json::Value;

use crate::common::{Backend, TestApp, on_postgres, valid_submission};

fn with_admin(app: crate::common::TestAppBuilder) -> crate::common::TestAppBuilder {
    app.configure(|c| {
        c.admin.admin_user = Some("ops".into());
        c.admin.admin_password = Some(SecretString::from("correct horse battery"));
    })
}

#[tokio::test]
async fn probes_answer() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/livez").await.status(), StatusCode::OK);
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    app.stop().await;
}

#[tokio::test]
async fn health_is_healthy_once_a_worker_reports_in() {
    let app = TestApp::builder().with_workers().spawn().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let body: Value = loop {
        let response = app.get("/api/health").await;
        if response.status() == StatusCode::OK {
            break response.json().await.unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "never healthy: {:?}",
            response.text().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["database"], "connected");
    assert_eq!(body["storage"], "writable");
    assert!(body["workers"].as_i64().unwrap() >= 1);
    app.stop().await;
}

#[tokio::test]
async fn health_is_503_without_any_worker() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/health").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unhealthy");
    assert_eq!(body["workers"], 0);
    assert_eq!(body["database"], "connected");
    app.stop().await;
}

#[tokio::test]
async fn admin_routes_are_off_without_credentials() {
    let app = TestApp::spawn().await;
    assert_eq!(
        app.get("/api/admin/queue-status").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn queue_status_needs_the_right_credentials() {
    let app = with_admin(TestApp::builder()).spawn().await;
    app.post_submission(&valid_submission()).await;

    let anonymous = app.get("/api/admin/queue-status").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(
        anonymous.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    for (user, password) in [
        ("ops", "wrong"),
        ("root", "correct horse battery"),
        ("ops", ""),
    ] {
        let wrong = app
            .client
            .get(app.url("/api/admin/queue-status"))
            .basic_auth(user, Some(password))
            .send()
            .await
            .unwrap();
        assert_eq!(
            wrong.status(),
            StatusCode::UNAUTHORIZED,
            "{user}:{password}"
        );
    }

    let allowed = app
        .client
        .get(app.url("/api/admin/queue-status"))
        .basic_auth("ops", Some("correct horse battery"))
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    let body: Value = allowed.json().await.unwrap();
    assert_eq!(body["pending_submissions"], 1);
    assert_eq!(body["processing_submissions"], 0);
    app.stop().await;
}

/// The spec's `active_celery_tasks` (jobs running now) and `last_credits_check` sit next to
/// our own fields.
async fn queue_status_has_the_spec_fields(backend: Backend) {
    let app = with_admin(TestApp::builder().backend(backend))
        .spawn()
        .await;
    let admin_get = || {
        app.client
            .get(app.url("/api/admin/queue-status"))
            .basic_auth("ops", Some("correct horse battery"))
            .send()
    };
    let before: Value = admin_get().await.unwrap().json().await.unwrap();
    assert_eq!(before["active_celery_tasks"], 0);
    assert_eq!(before["last_credits_check"], Value::Null);

    let created: Value = app
        .post_submission(&valid_submission())
        .await
        .json()
        .await
        .unwrap();
    app.execute(
        "update jobs set state = 'running' where owner = 'song:' || $1",
        created["session_id"].as_str().unwrap(),
    )
    .await;
    app.db()
        .store_credits(7000, 1500, 1_771_064_700_000)
        .await
        .unwrap();

    let body: Value = admin_get().await.unwrap().json().await.unwrap();
    assert_eq!(body["pending_submissions"], 1);
    assert_eq!(body["processing_submissions"], 0);
    assert_eq!(body["active_celery_tasks"], 1, "{body}");
    assert_eq!(body["active_tasks"], 1);
    assert_eq!(body["sonauto_credits"], 8500);
    assert_eq!(body["last_credits_check"], "2026-02-14T10:25:00Z");
    app.stop().await;
}

#[tokio::test]
async fn queue_status_has_the_spec_fields_on_sqlite() {
    queue_status_has_the_spec_fields(Backend::Sqlite).await;
}

#[tokio::test]
async fn queue_status_has_the_spec_fields_on_postgres() {
    on_postgres(queue_status_has_the_spec_fields).await;
}

#[tokio::test]
async fn metrics_are_prometheus_text_behind_the_admin_credentials() {
    let app = with_admin(TestApp::builder()).spawn().await;
    let created: Value = app
        .post_submission(&valid_submission())
        .await
        .json()
        .await
        .unwrap();
    let id = created["session_id"].as_str().unwrap();
    app.get(&format!("/api/submissions/{id}/status")).await;
    app.get("/no/such/page-zqxv").await;
    let odd_method = reqwest::Method::from_bytes(b"FROBNICATE").unwrap();
    app.client
        .request(odd_method, app.url("/livez"))
        .send()
        .await
        .unwrap();
    assert_eq!(app.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);

    let response = app
        .client
        .get(app.url("/metrics"))
        .basic_auth("ops", Some("correct horse battery"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            "http_requests_total{method=\"POST\",route=\"/api/submissions\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(
        text.contains("route=\"/api/submissions/{session_id}/status\",status=\"200\"} 1"),
        "{text}"
    );
    assert!(text.contains("method=\"OTHER\",route=\"/livez\""), "{text}");
    for raw in [id, "zqxv", "FROBNICATE"] {
        assert!(!text.contains(raw), "{raw} became a label: {text}");
    }
    assert!(text.contains("submissions_accepted_total 1"));
    assert!(text.contains("submissions{status=\"pending\"} 1"));
    app.stop().await;
}

#[tokio::test]
async fn api_docs_are_served_without_a_cdn() {
    let app = TestApp::spawn().await;
    let page = app.get("/docs").await.text().await.unwrap();
    assert!(page.contains("/docs/swagger-ui-bundle.js"));
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "external URL in /docs"
    );
    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(
        bundle.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );

    let spec: Value = app.get("/openapi.json").await.json().await.unwrap();
    let paths = spec["paths"].as_object().unwrap();
    for path in [
        "/api/submissions",
        "/api/submissions/{session_id}/status",
        "/api/results/{session_id}",
        "/api/health",
        "/api/admin/queue-status",
        "/livez",
        "/readyz",
        "/metrics",
    ] {
        assert!(
            paths.contains_key(path),
            "{path} missing from the OpenAPI document"
        );
    }
    app.stop().await;
}

/// Many health checks at once each probe storage with their own file: none may see another's
/// probe vanish and report storage unwritable.
async fn concurrent_health_checks_agree_storage_is_writable(backend: Backend) {
    let app = TestApp::builder().backend(backend).spawn().await;
    let checks = (0..64).map(|_| async {
        let body: Value = app.get("/api/health").await.json().await.unwrap();
        body["storage"].as_str().unwrap().to_owned()
    });
    let verdicts = futures_util::future::join_all(checks).await;
    assert!(
        verdicts.iter().all(|storage| storage == "writable"),
        "{verdicts:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn concurrent_health_checks_sqlite() {
    concurrent_health_checks_agree_storage_is_writable(Backend::Sqlite).await;
}

#[tokio::test]
async fn concurrent_health_checks_postgres() {
    on_postgres(concurrent_health_checks_agree_storage_is_writable).await;
}
