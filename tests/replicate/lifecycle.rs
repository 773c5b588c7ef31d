//! The rest of a prediction's life: cancelling, `Prefer: wait`, forced failures, lost and
//! retried webhooks, and the version endpoint.

use std::time::{Duration, Instant};

use serde_json::json;
use serenade::provider::replicate::fake::{FakeReplicateConfig, Scenario};
use serenade::provider::replicate::{
    CreatePrediction, PredictionStatus, PredictionTarget, WebhookEvent,
};

use crate::harness::{Harness, Receiver, fast, image_call, with_webhook};

fn slow() -> FakeReplicateConfig {
    FakeReplicateConfig {
        generation_millis: 5_000,
        ..fast()
    }
}

#[tokio::test]
async fn cancelling_a_running_prediction_ends_it_canceled_with_a_completed_webhook() {
    let harness = Harness::start(slow()).await;
    let receiver = Receiver::start(harness.fake.webhook_secret().clone()).await;
    let call = with_webhook(image_call("never finished", 1), &receiver.url, None);
    let created = harness.client.create_prediction(&call).await.unwrap();
    let canceled = harness.client.cancel_prediction(&created.id).await.unwrap();
    assert_eq!(canceled.status, PredictionStatus::Canceled);
    assert!(canceled.completed_at.is_some() && canceled.output_urls().is_empty());
    let hooks = receiver.wait_for_completion().await;
    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].prediction.status, PredictionStatus::Canceled);
    let again = harness.client.cancel_prediction(&created.id).await.unwrap();
    assert_eq!(again.status, PredictionStatus::Canceled);
    assert_eq!(again.completed_at, canceled.completed_at);
    assert_eq!(harness.fake.control().stats().canceled, 1);
}

#[tokio::test]
async fn a_finished_prediction_cannot_be_canceled() {
    let harness = Harness::start(fast()).await;
    let created = harness
        .client
        .create_prediction(&image_call("quick", 1))
        .await
        .unwrap();
    let finished = harness.wait_terminal(&created.id).await;
    let after = harness.client.cancel_prediction(&created.id).await.unwrap();
    assert_eq!(after.status, PredictionStatus::Succeeded);
    assert_eq!(after.output_urls(), finished.output_urls());
}

#[tokio::test]
async fn prefer_wait_returns_the_result_when_it_is_ready_in_time() {
    let harness = Harness::start(fast()).await;
    let mut call = image_call("sync mode", 3);
    call.wait_seconds = Some(30);
    let done = harness.client.create_prediction(&call).await.unwrap();
    assert_eq!(done.status, PredictionStatus::Succeeded);
    assert_eq!(done.output_urls().len(), 3);
}

#[tokio::test]
async fn prefer_wait_gives_up_after_its_seconds_with_the_prediction_running() {
    let harness = Harness::start(slow()).await;
    let mut call = image_call("too slow for sync mode", 1);
    call.wait_seconds = Some(1);
    let started = Instant::now();
    let running = harness.client.create_prediction(&call).await.unwrap();
    let waited = started.elapsed();
    assert!(!running.is_terminal(), "{:?}", running.status);
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
    assert!(waited < Duration::from_secs(4), "{waited:?}");
}

#[tokio::test]
async fn a_forced_failure_ends_failed_with_its_error() {
    let harness = Harness::start(fast()).await;
    harness
        .fake
        .control()
        .set_scenario(Scenario::failures(1, "CUDA out of memory"));
    let receiver = Receiver::start(harness.fake.webhook_secret().clone()).await;
    let call = with_webhook(image_call("doomed", 1), &receiver.url, None);
    let created = harness.client.create_prediction(&call).await.unwrap();
    let hooks = receiver.wait_for_completion().await;
    assert_eq!(hooks.len(), 1, "no output event for a failure");
    let failed = &hooks[0].prediction;
    assert_eq!(failed.status, PredictionStatus::Failed);
    assert_eq!(
        failed.error_message().as_deref(),
        Some("CUDA out of memory")
    );
    assert!(failed.output_urls().is_empty());
    let next = harness
        .client
        .create_prediction(&image_call("fine", 1))
        .await
        .unwrap();
    assert_eq!(
        harness.wait_terminal(&next.id).await.status,
        PredictionStatus::Succeeded
    );
    assert_eq!(
        harness.wait_terminal(&created.id).await.status,
        PredictionStatus::Failed
    );
}

#[tokio::test]
async fn a_lost_webhook_leaves_polling_to_find_the_result() {
    let harness = Harness::start(fast()).await;
    harness
        .fake
        .control()
        .set_scenario(Scenario::lose_webhooks(1));
    let receiver = Receiver::start(harness.fake.webhook_secret().clone()).await;
    let call = with_webhook(
        image_call("lost in the post", 1),
        &receiver.url,
        Some(vec![WebhookEvent::Completed]),
    );
    let created = harness.client.create_prediction(&call).await.unwrap();
    let polled = harness.wait_terminal(&created.id).await;
    assert_eq!(polled.status, PredictionStatus::Succeeded);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(receiver.deliveries().is_empty());
    assert_eq!(harness.fake.control().stats().webhooks_lost, 1);
}

#[tokio::test]
async fn a_duplicated_webhook_reuses_its_id() {
    let harness = Harness::start(fast()).await;
    harness.fake.control().set_scenario(Scenario {
        duplicate_webhooks: Some(true),
        ..Scenario::default()
    });
    let receiver = Receiver::start(harness.fake.webhook_secret().clone()).await;
    let call = with_webhook(
        image_call("said twice", 1),
        &receiver.url,
        Some(vec![WebhookEvent::Completed]),
    );
    harness.client.create_prediction(&call).await.unwrap();
    let hooks = receiver.wait_for_verified(2).await;
    assert_eq!(hooks[0].webhook_id, hooks[1].webhook_id);
    assert_eq!(hooks[0].prediction, hooks[1].prediction);
}

#[tokio::test]
async fn the_version_endpoint_reports_the_model_and_version() {
    let harness = Harness::start(fast()).await;
    let version = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";
    let call = CreatePrediction::new(
        PredictionTarget::Version(format!("someone/pixel-art:{version}")),
        json!({"prompt": "a castle"}),
    );
    let created = harness.client.create_prediction(&call).await.unwrap();
    assert_eq!(created.model, "someone/pixel-art");
    assert_eq!(created.version, version);
    let deployment = CreatePrediction::new(
        PredictionTarget::Deployment {
            owner: "acme".to_owned(),
            name: "images".to_owned(),
        },
        json!({"prompt": "a castle"}),
    );
    let created = harness.client.create_prediction(&deployment).await.unwrap();
    assert_eq!(created.model, "acme/images");
    assert_eq!(
        harness.wait_terminal(&created.id).await.output_urls().len(),
        1
    );
}
