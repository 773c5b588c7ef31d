//! Each seed's client, unchanged, against Serenade: the request bodies are the seeds' README
//! examples (`tests/fixtures/seeds/`), the answers are checked for the fields and words each
//! README shows. Seed 001 and 003 send no key (the built-in `anonymous` key); seed 002
//! sends `X-API-Key`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, on_postgres};
use crate::support::{api_key, json_of, poll_until, with_key};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/seeds/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

async fn app(backend: Backend) -> TestApp {
    TestApp::builder()
        .backend(backend)
        .with_workers()
        .configure(|config| {
            config.jobs.demo_replicate_generation_millis = 200;
            config.admin.admin_user = Some("ops".into());
            config.admin.admin_password = Some("ops-password".to_owned().into());
        })
        .spawn()
        .await
}

async fn fetch_ok(app: &TestApp, url: &str) -> Vec<u8> {
    let response = app.client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    response.bytes().await.unwrap().to_vec()
}

async fn seed_001(backend: Backend) {
    let app = app(backend).await;
    let (status, created) = json_of(
        app.client
            .post(app.url("/api/v1/generate"))
            .json(&fixture("001-generate.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["job_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(created["status"], "pending");
    assert!(created["message"].as_str().unwrap().contains(&id));
    let done = poll_until(&app, &format!("/api/v1/status/{id}"), None, |body| {
        matches!(body["status"].as_str(), Some("completed" | "failed"))
    })
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    for field in [
        "job_id",
        "status",
        "result_url",
        "created_at",
        "updated_at",
        "retry_count",
    ] {
        assert!(done.get(field).is_some(), "{field} in {done}");
    }
    assert_eq!(done["retry_count"], 0);
    let image = fetch_ok(&app, done["result_url"].as_str().unwrap()).await;
    assert!(image.starts_with(b"\x89PNG"));
    let (status, details) = json_of(
        app.client
            .get(app.url(&format!("/api/v1/jobs/{id}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(details["status"], "completed");
    assert_eq!(details["parameters"]["num_inference_steps"], 50);
    assert_eq!(details["prompt"], "A beautiful sunset over mountains");
    let (status, health) = json_of(
        app.client
            .get(app.url("/api/v1/health"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, health["status"].as_str()), (200, Some("healthy")));
    let (status, missing) = json_of(
        app.client
            .get(app.url("/api/v1/status/0b8f2a52-0000-4000-8000-000000000000"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, missing["error"].as_str()),
        (404, Some("not_found"))
    );
    app.stop().await;
}

#[tokio::test]
async fn seed_001_client_works_unchanged_on_sqlite() {
    seed_001(Backend::Sqlite).await;
}

#[tokio::test]
async fn seed_001_client_works_unchanged_on_postgres() {
    on_postgres(seed_001).await;
}

async fn seed_003(backend: Backend) {
    let app = app(backend).await;
    let (status, created) = json_of(
        app.client
            .post(app.url("/api/v1/generate"))
            .json(&fixture("003-generate.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let number = created["job_id"].as_i64().expect("an integer job id");
    assert_eq!(created["status"], "PENDING");
    assert_eq!(created["message"], "Job created and queued for processing");
    let done = poll_until(&app, &format!("/api/v1/status/{number}"), None, |body| {
        matches!(body["status"].as_str(), Some("COMPLETED" | "FAILED"))
    })
    .await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    assert_eq!(done["job_id"], number);
    assert_eq!(done["model"], "stability-ai/stable-diffusion-xl-base-1.0");
    assert_eq!(
        (done["num_outputs"].as_i64(), done["seed"].as_i64()),
        (Some(2), Some(12345))
    );
    assert_eq!(done["output_format"], "jpg");
    let media = done["media"].as_array().unwrap();
    assert_eq!(media.len(), 2);
    for item in media {
        assert_eq!(item["status"], "COMPLETED");
        assert!(item["error_message"].is_null());
        assert!(item["media_url"].as_str().unwrap().starts_with("http"));
        assert!(item["s3_key"].as_str().unwrap().starts_with("jobs/"));
        fetch_ok(&app, item["presigned_media_url"].as_str().unwrap()).await;
    }
    for field in [
        "error_message",
        "retry_count",
        "created_at",
        "updated_at",
        "started_at",
        "completed_at",
    ] {
        assert!(done.get(field).is_some(), "{field} in {done}");
    }
    app.stop().await;
}

#[tokio::test]
async fn seed_003_client_works_unchanged_on_sqlite() {
    seed_003(Backend::Sqlite).await;
}

#[tokio::test]
async fn seed_003_client_works_unchanged_on_postgres() {
    on_postgres(seed_003).await;
}

async fn seed_002(backend: Backend) {
    let app = app(backend).await;
    let (_, token) = api_key(&app, false, None).await;
    let key = Some(token.as_str());
    let (status, job) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", key)
            .json(&fixture("002-create-job.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{job}");
    let id = job["id"].as_str().unwrap().to_owned();
    assert_eq!(job["userId"], "user-123");
    assert_eq!(job["status"], "queued");
    assert_eq!(job["metadata"]["priority"], "high");
    assert_eq!(job["maxRetries"], 3);
    let done = poll_until(&app, &format!("/api/v1/jobs/{id}"), key, |body| {
        matches!(body["status"].as_str(), Some("completed" | "failed"))
    })
    .await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["usedProvider"], "replicate");
    assert!(done["usedModel"].is_string());
    assert!(done["generationTimeMs"].as_i64().unwrap() >= 0);
    for field in [
        "errorMessage",
        "startedAt",
        "completedAt",
        "createdAt",
        "updatedAt",
        "retryCount",
    ] {
        assert!(done.get(field).is_some(), "{field} in {done}");
    }
    fetch_ok(&app, done["result"]["urls"][0].as_str().unwrap()).await;

    let (_, other) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", key)
            .json(&json!({"userId": "user-456", "prompt": "a long film", "maxRetries": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let (status, listed) = json_of(
        with_key(
            &app,
            Method::GET,
            "/api/v1/jobs?userId=user-123&status=completed&skip=0&take=10",
            key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{listed}");
    let jobs = listed["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["id"], id);
    let other_id = other["id"].as_str().unwrap();
    let (status, cancelled) = json_of(
        with_key(
            &app,
            Method::DELETE,
            &format!("/api/v1/jobs/{other_id}"),
            key,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    if status == 200 {
        assert_eq!(cancelled["status"], "cancelled");
    } else {
        // It finished before the cancel arrived.
        assert_eq!(
            (status, cancelled["error"].as_str()),
            (409, Some("job_finished"))
        );
    }

    let (status, providers) = json_of(
        with_key(&app, Method::GET, "/api/v1/providers/status", key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let provider = &providers["providers"][0];
    assert_eq!(provider["provider"], "replicate");
    assert_eq!(provider["status"], "healthy");
    assert!(provider["avgResponseTimeMs"].is_number());
    let (status, probe) = json_of(
        with_key(&app, Method::POST, "/api/v1/providers/test", key)
            .json(&fixture("002-provider-test.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, probe["success"].as_bool()),
        (200, Some(true)),
        "{probe}"
    );
    let (status, _) = json_of(
        with_key(&app, Method::POST, "/api/v1/providers/test", key)
            .json(&json!({"provider": "provider-name", "timeout": 30}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);

    let metrics = app
        .client
        .get(app.url("/metrics"))
        .basic_auth("ops", Some("ops-password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for name in [
        "job_completion_rate{status=\"succeeded\"} 1",
        "job_queue_depth{queue=\"high_priority\"}",
        "provider_health_status{provider=\"replicate\"} 1",
        "job_processing_time_seconds_count{kind=\"image\",status=\"succeeded\"} 1",
        "api_request_duration_seconds_count{method=\"POST\",endpoint=\"/api/v1/jobs\"}",
    ] {
        assert!(metrics.contains(name), "{name} not in /metrics:\n{metrics}");
    }

    let (status, alive) = json_of(app.client.get(app.url("/health")).send().await.unwrap()).await;
    assert_eq!((status, alive), (200, json!({"status": "alive"})));
    let (status, ready) = json_of(
        app.client
            .get(app.url("/health/ready"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, ready["status"].as_str()), (200, Some("ready")));
    assert_eq!(ready["checks"]["database"]["status"], "healthy");
    app.stop().await;
}

#[tokio::test]
async fn seed_002_client_works_unchanged_on_sqlite() {
    seed_002(Backend::Sqlite).await;
}

#[tokio::test]
async fn seed_002_client_works_unchanged_on_postgres() {
    on_postgres(seed_002).await;
}

#[tokio::test]
async fn without_keyless_access_every_route_wants_a_key() {
    let app = TestApp::builder()
        .configure(|config| config.jobs.jobs_anonymous_access = false)
        .spawn()
        .await;
    let (status, body) = json_of(
        app.client
            .post(app.url("/api/v1/generate"))
            .json(&fixture("001-generate.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_api_key"))
    );
    app.stop().await;
}
