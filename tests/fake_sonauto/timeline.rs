//! The status timeline, the status and generation endpoints, lyrics, and credits.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use serenade::provider::fake::{FakeSonautoConfig, Scenario};

use crate::harness::{Harness, Receiver, SUCCESS_TIMELINE, fast, song_request};

#[tokio::test]
async fn a_generation_walks_the_whole_timeline_and_ends_with_a_song() {
    let harness = Harness::start(fast()).await;
    let receiver = Receiver::start(StatusCode::NO_CONTENT).await;

    let id = harness.generate(&song_request(Some(&receiver.url))).await;
    let hooks = receiver.wait_for(SUCCESS_TIMELINE.len()).await;

    assert_eq!(receiver.statuses(), SUCCESS_TIMELINE);
    let generation = harness.generation(&id).await;
    assert_eq!(generation["id"], id);
    assert_eq!(generation["status"], "SUCCESS");
    assert_eq!(generation["model_version"], "v3-preview");
    assert_eq!(generation["error_message"], Value::Null);
    assert_eq!(generation["alignment_status"], Value::Null);
    assert_eq!(generation["v2_params"], Value::Null);
    assert_eq!(generation["prompt_strength"], 2.0);
    let song = format!(
        "{}/cdn/pubapi/generations2/audio_{id}_0.mp3",
        harness.fake.base_url()
    );
    assert_eq!(generation["song_paths"], json!([song]));
    let lyrics = generation["lyrics"].as_str().unwrap();
    assert!(lyrics.contains("[Chorus]") && lyrics.contains("Matt") && lyrics.contains("Toby"));
    let created_at = generation["created_at"].as_str().unwrap();
    assert!(
        created_at.ends_with("+00:00") && created_at.len() == 32,
        "{created_at}"
    );
    assert_eq!(
        hooks.last().unwrap().body,
        generation,
        "full body = the GET object"
    );
}

#[tokio::test]
async fn streaming_adds_the_streaming_ready_status() {
    let harness = Harness::start(fast()).await;
    let receiver = Receiver::start(StatusCode::OK).await;
    let mut request = song_request(Some(&receiver.url));
    request["enable_streaming"] = json!(true);

    harness.generate(&request).await;
    receiver.wait_for(SUCCESS_TIMELINE.len() + 1).await;

    let statuses = receiver.statuses();
    assert_eq!(statuses[6], "GENERATING_STREAMING_READY");
    assert_eq!(statuses.len(), SUCCESS_TIMELINE.len() + 1);
}

#[tokio::test]
async fn the_status_endpoint_answers_a_bare_json_string() {
    let harness = Harness::start(fast()).await;
    let id = harness.generate(&song_request(None)).await;

    let raw = harness
        .get(&format!("/generations/status/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(raw.starts_with('"') && raw.ends_with('"'), "{raw}");
    harness.wait_terminal(&id).await;
    let raw = harness
        .get(&format!("/generations/status/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(raw, "\"SUCCESS\"");

    let with_alignment: Value = harness
        .get(&format!("/generations/status/{id}?include_alignment=true"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        with_alignment,
        json!({"status": "SUCCESS", "alignment_status": null})
    );
}

#[tokio::test]
async fn song_paths_stay_empty_and_the_cdn_404s_until_success() {
    let harness = Harness::start(FakeSonautoConfig {
        step_millis: 60_000,
        ..fast()
    })
    .await;
    let id = harness.generate(&song_request(None)).await;

    let generation = harness.generation(&id).await;
    assert_eq!(generation["status"], "RECEIVED");
    assert_eq!(generation["song_paths"], json!([]));
    let cdn = format!(
        "{}/cdn/pubapi/generations2/audio_{id}_0.mp3",
        harness.fake.base_url()
    );
    let early = harness.client.get(&cdn).send().await.unwrap();
    assert_eq!(early.status(), StatusCode::NOT_FOUND);
    harness.fake.stop().await;
}

#[tokio::test]
async fn unknown_task_ids_are_404_not_found() {
    let harness = Harness::start(fast()).await;
    for path in [
        "/generations/status/2f2fcb2f-f024-4cfa-a282-f5bd46d1d044",
        "/generations/2f2fcb2f-f024-4cfa-a282-f5bd46d1d044",
    ] {
        let response = harness.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"detail": "Not Found"}));
    }
}

#[tokio::test]
async fn credits_are_charged_on_success_only_and_a_short_balance_is_402() {
    let harness = Harness::start(FakeSonautoConfig {
        initial_credits: 250,
        ..fast()
    })
    .await;
    let control = harness.fake.control();

    control.set_scenario(Scenario::failures(1, "Lyrics flagged by moderation"));
    let failed = harness.generate(&song_request(None)).await;
    assert_eq!(harness.wait_terminal(&failed).await, "FAILURE");
    assert_eq!(
        balance(&harness).await,
        json!({"num_credits": 250, "num_credits_payg": 0})
    );

    let succeeded = harness.generate(&song_request(None)).await;
    assert_eq!(harness.wait_terminal(&succeeded).await, "SUCCESS");
    assert_eq!(
        balance(&harness).await,
        json!({"num_credits": 150, "num_credits_payg": 0})
    );

    control.set_scenario(Scenario {
        credits: Some(40),
        payg_credits: Some(50),
        ..Scenario::default()
    });
    let refused = harness.post(&song_request(None)).await;
    assert_eq!(refused.status(), StatusCode::PAYMENT_REQUIRED);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body, json!({"detail": "Insufficient credits"}));

    control.set_scenario(Scenario {
        payg_credits: Some(60),
        ..Scenario::default()
    });
    let paid_with_both = harness.generate(&song_request(None)).await;
    harness.wait_terminal(&paid_with_both).await;
    assert_eq!(
        balance(&harness).await,
        json!({"num_credits": 0, "num_credits_payg": 0})
    );
    let stats = control.stats();
    assert_eq!(
        (stats.succeeded, stats.failed, stats.credit_gets),
        (2, 1, 3)
    );
}

async fn balance(harness: &Harness) -> Value {
    harness.get("/credits/balance").await.json().await.unwrap()
}

#[tokio::test]
async fn a_forced_failure_carries_its_error_message() {
    let harness = Harness::start(fast()).await;
    harness
        .fake
        .control()
        .set_scenario(Scenario::failures(1, "Lyrics flagged by moderation"));

    let id = harness.generate(&song_request(None)).await;

    assert_eq!(harness.wait_terminal(&id).await, "FAILURE");
    let generation = harness.generation(&id).await;
    assert_eq!(generation["error_message"], "Lyrics flagged by moderation");
    assert_eq!(generation["song_paths"], json!([]));
    let next = harness.generate(&song_request(None)).await;
    assert_eq!(
        harness.wait_terminal(&next).await,
        "SUCCESS",
        "one failure only"
    );
}

#[tokio::test]
async fn a_fail_ratio_of_one_fails_every_generation_and_timing_can_change() {
    let harness = Harness::start(FakeSonautoConfig {
        fail_ratio: 1.0,
        step_millis: 60_000,
        ..fast()
    })
    .await;
    let id = harness.generate(&song_request(None)).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(harness.generation(&id).await["status"], "RECEIVED");

    harness.fake.control().set_scenario(Scenario {
        generation_seconds: Some(0.2),
        ..Scenario::default()
    });
    // The running step still waits out its old delay, so start a fresh generation.
    let quick = harness.generate(&song_request(None)).await;

    assert_eq!(harness.wait_terminal(&quick).await, "FAILURE");
    let generation = harness.generation(&quick).await;
    assert!(
        generation["error_message"]
            .as_str()
            .unwrap()
            .contains("failed")
    );
    harness.fake.stop().await;
}

#[tokio::test]
async fn given_lyrics_and_tags_are_echoed_and_alignment_is_reported() {
    let harness = Harness::start(fast()).await;
    let id = harness
        .generate(&json!({"prompt": "", "lyrics": "[Verse]\nToby, Toby", "align_lyrics": true}))
        .await;
    harness.wait_terminal(&id).await;
    let generation = harness.generation(&id).await;
    assert_eq!(generation["lyrics"], "[Verse]\nToby, Toby");
    assert_eq!(generation["alignment_status"], "SUCCESS");
    assert_eq!(generation["prompt"], "");

    let tagged = harness
        .generate(&json!({"tags": ["rock", "ballad"], "lyrics": "la la"}))
        .await;
    let generation = harness.generation(&tagged).await;
    assert_eq!(generation["tags"], json!(["rock", "ballad"]));
    assert_eq!(generation["prompt"], Value::Null);
}
