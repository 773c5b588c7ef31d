//! The provider's health and circuit breaker, against the fake Replicate in an outage: after
//! five failed creates in a row the provider is `unhealthy` and its circuit open (dispatch
//! held, the job waiting with its attempts unspent); when the outage ends, the next call let
//! through closes the circuit and the job succeeds.

use std::time::Duration;

use reqwest::Method;
use secrecy::SecretString;
use serde_json::{Value, json};
use serenade::provider::replicate::fake::{FakeReplicate, FakeReplicateConfig, Fault};

use crate::common::{Backend, TestApp, on_postgres};
use crate::support::{api_key, json_of, poll_until, with_key};

async fn an_outage_opens_the_circuit_and_the_job_still_succeeds(backend: Backend) {
    let fake = FakeReplicate::start(FakeReplicateConfig {
        starting_millis: 0,
        generation_millis: 100,
        ..FakeReplicateConfig::default()
    })
    .await
    .unwrap();
    fake.control().fail_next_creates(
        6,
        Fault::Status {
            status: 503,
            retry_after_seconds: None,
        },
    );
    let (token, url, host) = (
        fake.api_token().to_owned(),
        fake.api_url(),
        fake.addr().to_string(),
    );
    let app = TestApp::builder()
        .backend(backend)
        .with_workers()
        .configure(move |config| {
            config.jobs.replicate_api_token = Some(SecretString::from(token));
            config.jobs.replicate_api_url = url;
            config.jobs.jobs_output_allowed_hosts = host;
            config.jobs.jobs_circuit_open_seconds = 2;
            config.pipeline.retry_backoff_seconds = vec![0];
        })
        .spawn()
        .await;
    let (_, key) = api_key(&app, false, None).await;
    let (status, created) = json_of(
        with_key(&app, Method::POST, "/api/v1/jobs", Some(&key))
            .json(&json!({"prompt": "through the storm"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    let providers = poll_until(&app, "/api/v1/providers/status", Some(&key), |body| {
        body["providers"][0]["circuitOpen"] == true
    })
    .await;
    let provider = &providers["providers"][0];
    assert_eq!(provider["status"], "unhealthy", "{provider}");
    assert!(provider["consecutiveFailures"].as_i64().unwrap() >= 5);
    let during: Value = poll_until(
        &app,
        &format!("/api/v1/jobs/{}", created["id"].as_str().unwrap()),
        Some(&key),
        |_| true,
    )
    .await;
    assert!(
        matches!(during["status"].as_str(), Some("queued" | "processing")),
        "{during}"
    );

    let path = format!("/api/v1/jobs/{}", created["id"].as_str().unwrap());
    let done = poll_until(&app, &path, Some(&key), |job| job["status"] == "succeeded").await;
    assert_eq!(done["outputs"][0]["status"], "stored");
    let stats = fake.control().stats();
    assert_eq!(stats.accepted, 1, "one prediction made: {stats:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (_, after) = json_of(
        with_key(&app, Method::GET, "/api/v1/providers/status", Some(&key))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(after["providers"][0]["status"], "healthy", "{after}");
    assert_eq!(after["providers"][0]["circuitOpen"], false);
    app.stop().await;
    fake.stop().await;
}

#[tokio::test]
async fn an_outage_opens_the_circuit_and_the_job_still_succeeds_on_sqlite() {
    an_outage_opens_the_circuit_and_the_job_still_succeeds(Backend::Sqlite).await;
}

#[tokio::test]
async fn an_outage_opens_the_circuit_and_the_job_still_succeeds_on_postgres() {
    on_postgres(an_outage_opens_the_circuit_and_the_job_still_succeeds).await;
}
