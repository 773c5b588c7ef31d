//! The CDN: real audio of the configured length in mp3 or m4a, public (no auth; requests with
//! an `Authorization` header are counted), 404 for unknown, unfinished or expired songs.

use std::path::Path;
use std::process::Command;

use reqwest::StatusCode;
use serde_json::{Value, json};
use serenade::provider::fake::{AudioFormat, FakeSonautoConfig, Scenario};

use crate::harness::{Harness, fast, song_request};

/// `(duration seconds, codec name)` of a media file, by ffprobe.
fn probe(path: &Path) -> (f64, String) {
    let output = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration:stream=codec_name",
        ])
        .args(["-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe is installed");
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    let codec = lines.next().unwrap().trim().to_owned();
    let duration = lines.next().unwrap().trim().parse().unwrap();
    (duration, codec)
}

/// Saves the song at `url` to `file`; returns its `Content-Type`.
async fn download(harness: &Harness, url: &str, file: &Path) -> String {
    let response = harness.client.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    std::fs::write(file, response.bytes().await.unwrap()).unwrap();
    content_type
}

#[tokio::test]
async fn the_cdn_serves_real_mp3_audio_of_the_configured_length_without_auth() {
    let harness = Harness::start(FakeSonautoConfig {
        song_seconds: 4,
        ..fast()
    })
    .await;
    let id = harness.generate(&song_request(None)).await;
    harness.wait_terminal(&id).await;
    let generation = harness.generation(&id).await;
    let url = generation["song_paths"][0].as_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("song.mp3");

    let content_type = download(&harness, url, &file).await;

    assert_eq!(content_type, "audio/mpeg");
    let (duration, codec) = probe(&file);
    assert_eq!(codec, "mp3");
    assert!((duration - 4.0).abs() < 0.2, "{duration}");
    let loud = Command::new("ffmpeg")
        .args(["-hide_banner", "-i"])
        .arg(&file)
        .args(["-af", "volumedetect", "-f", "null", "-"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&loud.stderr);
    assert!(
        !report.contains("max_volume: -91"),
        "silent audio: {report}"
    );
    let stats = harness.fake.control().stats();
    assert_eq!(
        (stats.cdn_gets, stats.cdn_requests_with_authorization),
        (1, 0)
    );

    let with_key = harness
        .client
        .get(url)
        .bearer_auth(harness.fake.api_key())
        .send()
        .await
        .unwrap();
    assert_eq!(with_key.status(), StatusCode::OK, "the CDN ignores auth");
    assert_eq!(
        harness
            .fake
            .control()
            .stats()
            .cdn_requests_with_authorization,
        1
    );
}

#[tokio::test]
async fn m4a_requests_get_aac_in_mp4() {
    let harness = Harness::start(fast()).await;
    let mut request = song_request(None);
    request["output_format"] = json!("m4a");
    let id = harness.generate(&request).await;
    harness.wait_terminal(&id).await;
    let url = harness.generation(&id).await["song_paths"][0]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(url.ends_with(&format!("audio_{id}_0.m4a")), "{url}");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("song.m4a");

    let content_type = download(&harness, &url, &file).await;

    assert_eq!(content_type, "audio/mp4");
    let (duration, codec) = probe(&file);
    assert_eq!(codec, "aac");
    assert!((duration - 3.0).abs() < 0.2, "{duration}");
}

#[tokio::test]
async fn the_configured_format_applies_when_the_request_names_none_it_encodes() {
    let harness = Harness::start(FakeSonautoConfig {
        audio_format: AudioFormat::M4a,
        ..fast()
    })
    .await;
    let id = harness
        .generate(&json!({"prompt": "a song for Matt and Toby", "output_format": "ogg"}))
        .await;
    harness.wait_terminal(&id).await;
    let url = harness.generation(&id).await["song_paths"][0].clone();
    assert!(url.as_str().unwrap().ends_with(".m4a"), "{url}");
}

#[tokio::test]
async fn unknown_wrong_extension_and_expired_songs_are_404() {
    let harness = Harness::start(fast()).await;
    let id = harness.generate(&song_request(None)).await;
    harness.wait_terminal(&id).await;
    let base = format!("{}/cdn/pubapi/generations2", harness.fake.base_url());

    for name in [
        "audio_2f2fcb2f-f024-4cfa-a282-f5bd46d1d044_0.mp3".to_owned(),
        format!("audio_{id}_0.m4a"),
        format!("audio_{id}_1.mp3"),
    ] {
        let response = harness
            .client
            .get(format!("{base}/{name}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{name}");
    }
    harness.fake.control().set_scenario(Scenario {
        cdn_ttl_seconds: Some(0),
        ..Scenario::default()
    });
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let expired = harness
        .client
        .get(format!("{base}/audio_{id}_0.mp3"))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), StatusCode::NOT_FOUND);
    let _: Value = harness.generation(&id).await;
}
