//! Stats (in flight, max in flight, counters), the HTTP control routes for other processes,
//! and the `serenade fake-sonauto` command.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};
use serenade::provider::fake::{FakeSonautoConfig, FakeStats};

use crate::harness::{Harness, fast, song_request};

#[tokio::test]
async fn stats_track_generations_in_flight_and_their_maximum() {
    let harness = Harness::start(FakeSonautoConfig {
        step_millis: 200,
        ..fast()
    })
    .await;
    let control = harness.fake.control();

    let request = song_request(None);
    let posts = (0..12).map(|_| harness.generate(&request));
    let ids = futures_util::future::join_all(posts).await;
    assert_eq!(control.stats().in_flight, 12);
    for id in &ids {
        harness.wait_terminal(id).await;
    }

    let stats = control.stats();
    assert_eq!(stats.max_in_flight, 12);
    assert_eq!(stats.in_flight, 0);
    assert_eq!((stats.posts, stats.accepted, stats.succeeded), (12, 12, 12));
    assert!(stats.status_gets >= 12);
    control.reset_stats();
    assert_eq!(control.stats(), FakeStats::default());
}

#[tokio::test]
async fn the_control_routes_work_over_http() {
    let harness = Harness::start(fast()).await;
    let base = harness.fake.base_url();
    let scenario = json!({"post_faults": {"count": 1, "fault": {"kind": "status", "status": 429,
        "retry_after_seconds": 3}}, "credits": 500});

    let set = harness
        .client
        .post(format!("{base}/_fake/scenario"))
        .json(&scenario)
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        harness.post(&song_request(None)).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let balance: Value = harness.get("/credits/balance").await.json().await.unwrap();
    assert_eq!(balance["num_credits"], 500);

    let stats: Value = harness
        .client
        .get(format!("{base}/_fake/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (stats["posts"].as_u64(), stats["credit_gets"].as_u64()),
        (Some(1), Some(1))
    );
    let reset = harness
        .client
        .post(format!("{base}/_fake/reset-stats"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), StatusCode::NO_CONTENT);
    assert_eq!(harness.fake.control().stats().posts, 0);
    let typo = harness
        .client
        .post(format!("{base}/_fake/scenario"))
        .json(&json!({"credit": 5}))
        .send()
        .await
        .unwrap();
    assert!(
        typo.status().is_client_error(),
        "unknown fields are refused"
    );
}

#[tokio::test]
async fn the_cli_serves_a_song_end_to_end_and_stops_on_sigterm() {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_serenade"))
        .args(["fake-sonauto", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--step-millis", "10", "--song-seconds", "2"])
        .env("FAKE_SONAUTO_API_KEY", "cli-key")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let api = format!("http://127.0.0.1:{port}/v1");
    let up = Instant::now();
    while client
        .get(format!("{api}/credits/balance"))
        .send()
        .await
        .is_err()
    {
        assert!(up.elapsed() < Duration::from_secs(10), "fake did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let created: Value = client
        .post(format!("{api}/generations/v3"))
        .bearer_auth("cli-key")
        .json(&json!({"prompt": "a love song for Matt and Toby"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["task_id"].as_str().unwrap().to_owned();
    let mut song_url = None;
    while song_url.is_none() {
        assert!(up.elapsed() < Duration::from_secs(30), "no song");
        let generation: Value = client
            .get(format!("{api}/generations/{id}"))
            .bearer_auth("cli-key")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        song_url = generation["song_paths"][0].as_str().map(str::to_owned);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let song = client.get(song_url.unwrap()).send().await.unwrap();
    assert_eq!(song.status(), StatusCode::OK);
    assert!(song.bytes().await.unwrap().len() > 10_000);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "fake did not exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
}
