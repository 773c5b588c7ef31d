//! Webhook delivery: all/terminal modes, thin/spec/full bodies, duplicates, out-of-order,
//! drops, and a receiver that fails; never any signature header.

use reqwest::StatusCode;
use serde_json::{Value, json};
use serenade::provider::fake::{FakeSonautoConfig, Scenario, WebhookBody, WebhookMode};

use crate::harness::{Harness, Receiver, SUCCESS_TIMELINE, eventually, fast, song_request};

fn config(mode: WebhookMode, body: WebhookBody) -> FakeSonautoConfig {
    FakeSonautoConfig {
        webhook_mode: mode,
        webhook_body: body,
        ..fast()
    }
}

#[tokio::test]
async fn terminal_mode_posts_only_the_final_status() {
    let harness = Harness::start(config(WebhookMode::Terminal, WebhookBody::Thin)).await;
    let receiver = Receiver::start(StatusCode::NO_CONTENT).await;

    let id = harness.generate(&song_request(Some(&receiver.url))).await;
    harness.wait_terminal(&id).await;
    let hooks = receiver.wait_for(1).await;

    assert_eq!(hooks.len(), 1);
    assert_eq!(hooks[0].body, json!({"task_id": id, "status": "SUCCESS"}));
}

#[tokio::test]
async fn thin_bodies_hold_only_the_task_id_and_status_and_carry_no_signature() {
    let harness = Harness::start(config(WebhookMode::All, WebhookBody::Thin)).await;
    let receiver = Receiver::start(StatusCode::OK).await;

    let id = harness.generate(&song_request(Some(&receiver.url))).await;
    let hooks = receiver.wait_for(SUCCESS_TIMELINE.len()).await;

    for (hook, status) in hooks.iter().zip(SUCCESS_TIMELINE) {
        assert_eq!(hook.body, json!({"task_id": id, "status": status}));
        let names: Vec<&str> = hook.headers.keys().map(|name| name.as_str()).collect();
        assert!(
            names.iter().all(|name| !name.contains("signature")
                && !name.starts_with("webhook-")
                && *name != "authorization"),
            "{names:?}"
        );
        assert_eq!(hook.headers["content-type"], "application/json");
    }
}

#[tokio::test]
async fn spec_bodies_carry_relative_song_paths_or_the_error_message() {
    let harness = Harness::start(config(WebhookMode::Terminal, WebhookBody::Spec)).await;
    let receiver = Receiver::start(StatusCode::OK).await;

    let ok = harness.generate(&song_request(Some(&receiver.url))).await;
    receiver.wait_for(1).await;
    harness
        .fake
        .control()
        .set_scenario(Scenario::failures(1, "Lyrics flagged by moderation"));
    let failed = harness.generate(&song_request(Some(&receiver.url))).await;
    let hooks = receiver.wait_for(2).await;

    assert_eq!(
        hooks[0].body,
        json!({"task_id": ok, "status": "SUCCESS",
               "song_paths": [format!("pubapi/generations2/audio_{ok}_0.mp3")]})
    );
    assert_eq!(
        hooks[1].body,
        json!({"task_id": failed, "status": "FAILURE",
               "error_message": "Lyrics flagged by moderation"})
    );
}

#[tokio::test]
async fn full_bodies_are_the_generation_object_at_each_status() {
    let harness = Harness::start(config(WebhookMode::All, WebhookBody::Full)).await;
    let receiver = Receiver::start(StatusCode::OK).await;

    let id = harness.generate(&song_request(Some(&receiver.url))).await;
    let hooks = receiver.wait_for(SUCCESS_TIMELINE.len()).await;

    let saving = &hooks[SUCCESS_TIMELINE.len() - 2].body;
    assert_eq!(saving["status"], "SAVING");
    assert_eq!(saving["song_paths"], json!([]));
    assert_eq!(saving["id"], id);
    assert_eq!(hooks.last().unwrap().body, harness.generation(&id).await);
}

#[tokio::test]
async fn duplicate_mode_delivers_every_webhook_twice() {
    let harness = Harness::start(FakeSonautoConfig {
        duplicate_webhooks: true,
        ..config(WebhookMode::Terminal, WebhookBody::Thin)
    })
    .await;
    let receiver = Receiver::start(StatusCode::OK).await;

    harness.generate(&song_request(Some(&receiver.url))).await;
    receiver.wait_for(2).await;

    assert_eq!(receiver.statuses(), ["SUCCESS", "SUCCESS"]);
    assert_eq!(harness.fake.control().stats().webhooks_sent, 2);
}

#[tokio::test]
async fn out_of_order_mode_sends_a_stale_status_after_the_terminal_one() {
    let harness = Harness::start(FakeSonautoConfig {
        out_of_order_webhooks: true,
        ..config(WebhookMode::All, WebhookBody::Thin)
    })
    .await;
    let receiver = Receiver::start(StatusCode::OK).await;

    harness.generate(&song_request(Some(&receiver.url))).await;
    receiver.wait_for(SUCCESS_TIMELINE.len() + 1).await;

    let statuses = receiver.statuses();
    assert_eq!(&statuses[..SUCCESS_TIMELINE.len()], SUCCESS_TIMELINE);
    assert_eq!(statuses.last().unwrap(), "SAVING");
}

#[tokio::test]
async fn drop_mode_sends_nothing_but_the_generation_still_finishes() {
    let harness = Harness::start(FakeSonautoConfig {
        drop_webhooks: 1.0,
        ..config(WebhookMode::All, WebhookBody::Full)
    })
    .await;
    let receiver = Receiver::start(StatusCode::OK).await;

    let id = harness.generate(&song_request(Some(&receiver.url))).await;
    assert_eq!(harness.wait_terminal(&id).await, "SUCCESS");
    let control = harness.fake.control();
    eventually(|| control.stats().webhooks_dropped == SUCCESS_TIMELINE.len() as u64).await;

    assert!(receiver.received().is_empty());
    assert_eq!(control.stats().webhooks_sent, 0);
    // Dropping can be switched off at run time.
    control.set_scenario(Scenario {
        drop_webhooks: Some(0.0),
        webhook_mode: Some(WebhookMode::Terminal),
        ..Scenario::default()
    });
    harness.generate(&song_request(Some(&receiver.url))).await;
    assert_eq!(receiver.wait_for(1).await.len(), 1);
}

#[tokio::test]
async fn failing_or_unreachable_receivers_are_counted_not_fatal() {
    let harness = Harness::start(config(WebhookMode::Terminal, WebhookBody::Thin)).await;
    let broken = Receiver::start(StatusCode::INTERNAL_SERVER_ERROR).await;

    let refused = harness.generate(&song_request(Some(&broken.url))).await;
    let unreachable = harness
        .generate(&song_request(Some("http://127.0.0.1:9/nowhere")))
        .await;

    assert_eq!(harness.wait_terminal(&refused).await, "SUCCESS");
    assert_eq!(harness.wait_terminal(&unreachable).await, "SUCCESS");
    let control = harness.fake.control();
    eventually(|| control.stats().webhooks_failed == 2).await;
    assert_eq!(broken.received().len(), 1, "no retries");
    let _: Value = harness.generation(&refused).await;
}
