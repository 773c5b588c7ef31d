//! The jobs API with its outputs on S3 (`s3s-fs`), on SQLite and PostgreSQL: a two-output job
//! stores both objects under `jobs/{id}/`, each output's presigned URL serves the bytes whose
//! checksum the job records, and the same URL is refused when its signature is altered and
//! once it has expired. Nothing is written to the local store.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use serenade::clock::now_ms;
use serenade::workflows::jobs::keys::generate_key;
use serenade::workflows::jobs::keys::store::NewApiKey;
use sha2::Digest;

use crate::common::{Backend, TestApp, on_postgres};
use crate::s3_server::S3Server;

async fn outputs_go_to_s3_behind_presigned_urls(backend: Backend) {
    let Some(server) = S3Server::start() else {
        return;
    };
    let mut objects = server.config();
    objects.signed_url_ttl_seconds = 2;
    let app = TestApp::builder()
        .backend(backend)
        .with_workers()
        .configure(move |config| {
            config.storage.objects = objects;
            config.jobs.demo_replicate_generation_millis = 200;
        })
        .spawn()
        .await;
    let key = generate_key();
    app.db()
        .insert_api_key(&NewApiKey {
            id: "key_s3".into(),
            name: "s3 test".into(),
            secret_hash: key.secret_hash.clone(),
            admin: false,
            requests_per_minute: 1000,
            jobs_per_day: None,
            created_at: now_ms(),
        })
        .await
        .unwrap();
    let created: Value = app
        .client
        .post(app.url("/api/v1/jobs"))
        .header("x-api-key", &key.token)
        .json(&json!({"prompt": "two boats", "num_outputs": 2, "output_format": "jpg"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(60);
    let job = loop {
        let job: Value = app
            .client
            .get(app.url(&format!("/api/v1/jobs/{id}")))
            .header("x-api-key", &key.token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if job["status"] != "queued" && job["status"] != "processing" {
            break job;
        }
        assert!(Instant::now() < deadline, "{job}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(job["status"], "succeeded", "{job}");
    let listed = app.app.store.list("jobs", &id).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|key| key.name()).collect();
    assert_eq!(names, ["out-0.jpg", "out-1.jpg"]);
    assert!(
        !app.app.config.storage.storage_dir.join("jobs").exists(),
        "nothing stored locally"
    );
    let mut urls = Vec::new();
    for output in job["outputs"].as_array().unwrap() {
        assert_eq!(output["content_type"], "image/jpeg");
        let url = output["url"].as_str().unwrap().to_owned();
        assert!(
            url.starts_with(&server.endpoint) && url.contains("X-Amz-Signature="),
            "{url}"
        );
        let bytes = reqwest::get(&url).await.unwrap().bytes().await.unwrap();
        let digest: String = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(output["sha256"].as_str().unwrap(), digest);
        // Another hex digit at the signature's end: well-formed, but not the signature.
        let start = url.find("X-Amz-Signature=").unwrap() + "X-Amz-Signature=".len();
        let end = url[start..]
            .find('&')
            .map_or(url.len(), |offset| start + offset);
        let mut tampered = url.clone();
        let swapped = if url[..end].ends_with('0') { "1" } else { "0" };
        tampered.replace_range(end - 1..end, swapped);
        assert_eq!(reqwest::get(&tampered).await.unwrap().status(), 403);
        urls.push(url);
    }
    tokio::time::sleep(Duration::from_millis(3_100)).await;
    for url in urls {
        assert_eq!(reqwest::get(&url).await.unwrap().status(), 403, "expired");
    }
    app.stop().await;
}

#[tokio::test]
async fn job_outputs_go_to_s3_behind_presigned_urls_on_sqlite() {
    outputs_go_to_s3_behind_presigned_urls(Backend::Sqlite).await;
}

#[tokio::test]
async fn job_outputs_go_to_s3_behind_presigned_urls_on_postgres() {
    on_postgres(outputs_go_to_s3_behind_presigned_urls).await;
}
