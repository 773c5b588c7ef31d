//! A prediction from create to success through the real client and the real fake: verified
//! webhooks for each requested event, the default filter, forged deliveries refused, and PNG
//! outputs downloadable until they expire.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use axum::http::{HeaderMap, HeaderValue};
use reqwest::StatusCode;
use serenade::provider::replicate::fake::FakeReplicateConfig;
use serenade::provider::replicate::{PredictionStatus, WebhookEvent};
use serenade::webhooks::{
    HEADER_ID, HEADER_SIGNATURE, HEADER_TIMESTAMP, WebhookSecret, unix_seconds,
};

use crate::harness::{Harness, Receiver, fast, image_call, with_webhook};

const EVERY_EVENT: [WebhookEvent; 4] = [
    WebhookEvent::Start,
    WebhookEvent::Output,
    WebhookEvent::Logs,
    WebhookEvent::Completed,
];

#[tokio::test]
async fn a_prediction_succeeds_with_a_verified_webhook_for_every_event() {
    let harness = Harness::start(fast()).await;
    let secret = harness.client.default_webhook_secret().await.unwrap();
    let receiver = Receiver::start(secret).await;
    let call = with_webhook(
        image_call("a red fox in the snow", 2),
        &receiver.url,
        Some(EVERY_EVENT.to_vec()),
    );
    let created = harness.client.create_prediction(&call).await.unwrap();
    assert_eq!(created.status, PredictionStatus::Starting);
    assert_eq!(created.model, "black-forest-labs/flux-schnell");
    assert_eq!(created.input["prompt"], "a red fox in the snow");
    assert!(created.output_urls().is_empty());

    let hooks = receiver.wait_for_completion().await;
    let statuses: Vec<PredictionStatus> = hooks.iter().map(|h| h.prediction.status).collect();
    assert_eq!(
        statuses,
        [
            PredictionStatus::Starting,
            PredictionStatus::Processing,
            PredictionStatus::Processing,
            PredictionStatus::Succeeded
        ]
    );
    assert!(hooks.iter().all(|hook| hook.prediction.id == created.id));
    assert!(
        hooks[2].prediction.output_urls().len() == 2,
        "the output event has the files"
    );
    let ids: HashSet<&str> = hooks.iter().map(|hook| hook.webhook_id.as_str()).collect();
    assert_eq!(ids.len(), 4, "each event is its own message");
    assert_eq!(
        receiver.deliveries().len(),
        4,
        "nothing was refused or retried"
    );

    let finished = harness.client.prediction(&created.id).await.unwrap();
    assert_eq!(finished, hooks[3].prediction);
    assert!(finished.completed_at.is_some() && finished.metrics.is_some());
    assert_eq!(finished.error_message(), None);
    let urls = finished.output_urls();
    assert_eq!(urls.len(), 2);
    let mut images = Vec::new();
    for url in &urls {
        let response = reqwest::get(url).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/png");
        let bytes = response.bytes().await.unwrap();
        let image = image::load_from_memory(&bytes).unwrap();
        assert_eq!((image.width(), image.height()), (64, 64));
        images.push(bytes);
    }
    assert_ne!(images[0], images[1], "each output is its own image");
    let stats = harness.fake.control().stats();
    assert_eq!(
        (stats.accepted, stats.succeeded, stats.webhooks_sent),
        (1, 1, 4)
    );
}

#[tokio::test]
async fn without_a_filter_only_outputs_and_completion_are_sent() {
    let harness = Harness::start(fast()).await;
    let receiver = Receiver::start(harness.fake.webhook_secret().clone()).await;
    let call = with_webhook(image_call("a lighthouse", 1), &receiver.url, None);
    harness.client.create_prediction(&call).await.unwrap();
    let hooks = receiver.wait_for_completion().await;
    let statuses: Vec<PredictionStatus> = hooks.iter().map(|h| h.prediction.status).collect();
    assert_eq!(
        statuses,
        [PredictionStatus::Processing, PredictionStatus::Succeeded]
    );
    assert_eq!(hooks[0].prediction.output_urls().len(), 1);
}

#[tokio::test]
async fn forged_replayed_and_foreign_deliveries_are_refused() {
    let harness = Harness::start(fast()).await;
    let secret = harness.client.default_webhook_secret().await.unwrap();
    let receiver = Receiver::start(secret.clone()).await;
    let call = with_webhook(
        image_call("a teapot", 1),
        &receiver.url,
        Some(vec![WebhookEvent::Completed]),
    );
    harness.client.create_prediction(&call).await.unwrap();
    receiver.wait_for_completion().await;
    let genuine = receiver.deliveries().remove(0);
    assert!(genuine.verified.is_ok());

    // Only the signature headers are replayed: a copied Content-Length would not fit.
    let id = genuine.headers[HEADER_ID].to_str().unwrap().to_owned();
    let signed = |timestamp: i64, signature: &str| {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER_ID, HeaderValue::from_str(&id).unwrap());
        headers.insert(HEADER_TIMESTAMP, HeaderValue::from(timestamp));
        headers.insert(HEADER_SIGNATURE, HeaderValue::from_str(signature).unwrap());
        headers
    };
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let post = |headers: HeaderMap, body: Vec<u8>| {
        http.post(&receiver.url).headers(headers).body(body).send()
    };
    let original_time: i64 = genuine.headers[HEADER_TIMESTAMP]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let original_signature = genuine.headers[HEADER_SIGNATURE].to_str().unwrap();
    let forged_body = String::from_utf8(genuine.body.to_vec())
        .unwrap()
        .replace("succeeded", "failed");
    let forged = post(
        signed(original_time, original_signature),
        forged_body.into_bytes(),
    );
    assert_eq!(forged.await.unwrap().status(), StatusCode::UNAUTHORIZED);

    let stale_time = unix_seconds(SystemTime::now()) - 600;
    let resigned = secret.sign(&id, stale_time, &genuine.body);
    let stale = post(signed(stale_time, &resigned), genuine.body.to_vec());
    assert_eq!(stale.await.unwrap().status(), StatusCode::UNAUTHORIZED);

    let now = unix_seconds(SystemTime::now());
    let other_key = WebhookSecret::generate().sign(&id, now, &genuine.body);
    let foreign = post(signed(now, &other_key), genuine.body.to_vec());
    assert_eq!(foreign.await.unwrap().status(), StatusCode::UNAUTHORIZED);

    let resent = post(
        signed(original_time, original_signature),
        genuine.body.to_vec(),
    );
    assert_eq!(
        resent.await.unwrap().status(),
        StatusCode::NO_CONTENT,
        "the genuine one verifies"
    );

    let reasons: Vec<String> = receiver
        .deliveries()
        .into_iter()
        .filter_map(|delivery| delivery.verified.err())
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons[0].contains("no webhook signature matches"),
        "{reasons:?}"
    );
    assert!(reasons[1].contains("old"), "{reasons:?}");
}

#[tokio::test]
async fn outputs_download_until_their_lifetime_ends() {
    let harness = Harness::start(FakeReplicateConfig {
        output_ttl_seconds: 2,
        ..fast()
    })
    .await;
    let mut call = image_call("a paper boat", 1);
    call.wait_seconds = Some(20);
    let done = harness.client.create_prediction(&call).await.unwrap();
    assert_eq!(done.status, PredictionStatus::Succeeded);
    let url = done.output_urls().remove(0);
    let fresh = reqwest::get(&url).await.unwrap();
    assert_eq!(fresh.status(), StatusCode::OK);
    assert!(fresh.bytes().await.unwrap().starts_with(b"\x89PNG"));

    tokio::time::sleep(Duration::from_millis(2100)).await;
    let expired = reqwest::get(&url).await.unwrap();
    assert_eq!(expired.status(), StatusCode::NOT_FOUND);
    let removed = harness.client.prediction(&done.id).await.unwrap();
    assert!(removed.data_removed);
    assert_eq!(removed.status, PredictionStatus::Succeeded);
    assert!(removed.output_urls().is_empty() && removed.output.is_null());
    let stats = harness.fake.control().stats();
    assert_eq!((stats.file_gets, stats.file_misses), (2, 1));
}
