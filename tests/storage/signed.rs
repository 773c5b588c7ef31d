//! Signed URLs from both backends: an S3 presigned GET that the server honours, refuses once
//! expired and refuses when altered; and the local store's `/files/…` links served by the
//! app with the same three outcomes, each refusal a stable error code.

use std::time::Duration;

use serde_json::Value;
use serenade::storage::{ObjectKey, S3Store, Store};

use crate::common::TestApp;
use crate::s3_server::S3Server;

/// Replaces the last character of the signature query parameter.
fn tamper(url: &str, parameter: &str) -> String {
    let start = url.find(&format!("{parameter}=")).unwrap() + parameter.len() + 1;
    let end = url[start..]
        .find('&')
        .map_or(url.len(), |offset| start + offset);
    let mut altered = url.to_owned();
    let last = url[start..end].chars().last().unwrap();
    let swapped = if last == 'A' { "B" } else { "A" };
    altered.replace_range(end - last.len_utf8()..end, swapped);
    altered
}

#[tokio::test]
async fn an_s3_presigned_url_works_expires_and_fails_when_tampered() {
    let Some(server) = S3Server::start() else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let store = S3Store::new(&server.config(), scratch.path().to_path_buf()).unwrap();
    let key = ObjectKey::new("jobs", "j1", "out-0.png").unwrap();
    store.put(&key, b"png bytes".to_vec()).await.unwrap();
    let http = reqwest::Client::new();

    let signed = store
        .signed_url(&key, Duration::from_secs(600))
        .await
        .unwrap();
    assert!(signed.url.starts_with(&server.endpoint), "{}", signed.url);
    let response = http.get(&signed.url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap(), &b"png bytes"[..]);

    let tampered = tamper(&signed.url, "X-Amz-Signature");
    let refused = http.get(&tampered).send().await.unwrap().status();
    assert!(refused == 403 || refused == 400, "tampered: {refused}");

    let short = store
        .signed_url(&key, Duration::from_secs(1))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let expired = http.get(&short.url).send().await.unwrap().status();
    assert!(expired == 403 || expired == 400, "expired: {expired}");
}

#[tokio::test]
async fn a_local_signed_link_works_expires_and_fails_when_tampered() {
    let app = TestApp::spawn().await;
    let store = app.app.store.clone();
    let key = ObjectKey::new("jobs", "j1", "out-0.png").unwrap();
    store.put(&key, b"png bytes".to_vec()).await.unwrap();

    let signed = store
        .signed_url(&key, Duration::from_secs(600))
        .await
        .unwrap();
    assert!(
        signed.url.starts_with("/files/jobs/j1/out-0.png?"),
        "{}",
        signed.url
    );
    let response = app.get(&signed.url).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.bytes().await.unwrap(), &b"png bytes"[..]);

    let refusal = async |path: &str| {
        let response = app.get(path).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        (
            status.as_u16(),
            body["error"].as_str().unwrap_or_default().to_owned(),
        )
    };
    let tampered = tamper(&signed.url, "signature");
    assert_eq!(refusal(&tampered).await, (403, "link_invalid".into()));
    let other_file = signed.url.replace("out-0.png", "out-1.png");
    assert_eq!(refusal(&other_file).await, (403, "link_invalid".into()));
    let stretched = signed.url.replace(
        &format!("expires={}", signed.expires_at),
        &format!("expires={}", signed.expires_at + 86_400),
    );
    assert_eq!(refusal(&stretched).await, (403, "link_invalid".into()));
    assert_eq!(
        refusal("/files/jobs/j1/out-0.png").await,
        (403, "link_invalid".into())
    );

    let expired = store.signed_url(&key, Duration::ZERO).await.unwrap();
    assert_eq!(refusal(&expired.url).await, (403, "link_expired".into()));
}
