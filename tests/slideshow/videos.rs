//! Videos end to end through seed 004's routes: uploaded images become one segment each
//! (each segment's middle frame has its image's colour), the narration is heard (not silent)
//! and lasts as long as the video, the captions say the text, progress only goes up through
//! the seed's stages, and the URL is signed for seven days; with no images, title cards in
//! the style's colour; bad requests refused with their codes and nothing created.

use std::time::{Duration, Instant};

use image::ImageFormat;
use serde_json::{Value, json};

use crate::common::{Backend, TestApp, on_postgres};
use crate::media::{colour_at, image_of, mean_volume, probe};
use crate::uploads::upload;

const CONTENT: &str = "Our team shipped the new release today. Customers asked for faster exports, \
                       and we delivered. Thank you to everyone who tested it!";

async fn app(backend: Backend) -> TestApp {
    TestApp::builder()
        .backend(backend)
        .with_workers()
        .spawn()
        .await
}

async fn generate(app: &TestApp, body: &Value) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/video/generate"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Polls the seed's status route until the video is done; every progress value seen.
async fn follow(app: &TestApp, id: &str) -> (Value, Vec<i64>) {
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut seen = Vec::new();
    loop {
        let status: Value = app
            .get(&format!("/api/video/status/{id}"))
            .await
            .json()
            .await
            .unwrap();
        let progress = status["progress"]
            .as_i64()
            .unwrap_or_else(|| panic!("{status}"));
        if seen.last() != Some(&progress) {
            seen.push(progress);
        }
        if matches!(status["status"].as_str(), Some("completed" | "error")) {
            return (status, seen);
        }
        assert!(Instant::now() < deadline, "{status}");
        // A keyless caller gets 120 requests a minute: poll like a page would.
        tokio::time::sleep(Duration::from_millis(600)).await;
    }
}

async fn download(app: &TestApp, url: &str, name: &str) -> std::path::PathBuf {
    let response = app.client.get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let path = app.dir.join(name);
    std::fs::write(&path, response.bytes().await.unwrap()).unwrap();
    path
}

async fn a_video_from_uploaded_images(backend: Backend) {
    let app = app(backend).await;
    let colours = [[220, 30, 30], [30, 200, 60], [30, 60, 220]];
    let files: Vec<(&str, Vec<u8>)> = colours
        .iter()
        .map(|colour| ("slide.jpg", image_of(*colour, 800, 450, ImageFormat::Jpeg)))
        .collect();
    let (_, uploaded) = upload(&app, &files).await;
    let ids: Vec<Value> = uploaded["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|image| image["id"].clone())
        .collect();
    let (status, created) = generate(
        &app,
        &json!({"content": CONTENT, "style": "bold", "image_ids": ids}),
    )
    .await;
    assert_eq!(status, 202, "{created}");
    let id = created["job_id"].as_str().unwrap().to_owned();
    let (done, progress) = follow(&app, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["stage"], "completed");
    assert!(
        progress.windows(2).all(|pair| pair[0] < pair[1]),
        "{progress:?}"
    );
    assert_eq!(progress.last(), Some(&100));
    let url = done["video_url"].as_str().unwrap();
    let expires: i64 = url
        .split("expires=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let days = (expires - serenade::clock::now_ms() / 1000) as f64 / 86_400.0;
    assert!(days > 6.9 && days <= 7.0, "signed for seven days: {days}");

    let video = download(&app, done["video_url"].as_str().unwrap(), "video.mp4").await;
    let probed = probe(&video);
    let streams = probed["streams"].as_array().unwrap();
    let codec = |kind: &str| {
        streams.iter().find(|s| s["codec_type"] == kind).unwrap()["codec_name"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        (codec("video"), codec("audio")),
        ("h264".into(), "aac".into())
    );
    let duration: f64 = probed["format"]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let captions = app
        .client
        .get(done["captions_url"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(captions.starts_with("WEBVTT"), "{captions}");
    for sentence in [
        "Our team shipped the new release today.",
        "Thank you to everyone who tested it!",
    ] {
        assert!(captions.contains(sentence), "{sentence} in {captions}");
    }
    let last_cue_end = captions
        .lines()
        .rev()
        .find_map(|line| line.split(" --> ").nth(1))
        .map(|end| {
            let parts: Vec<f64> = end
                .trim()
                .split(':')
                .map(|part| part.parse().unwrap())
                .collect();
            parts[0] * 3600.0 + parts[1] * 60.0 + parts[2]
        })
        .unwrap();
    // Each image shows for at least VIDEO_SEGMENT_DURATION (5 s): the video lasts the
    // narration or three 5 s segments less two crossfades, whichever is longer.
    let expected = last_cue_end.max(3.0 * 5.0 - 2.0 * 0.5);
    assert!(
        (duration - expected).abs() < 0.6,
        "video {duration} s, expected {expected} s"
    );
    assert!(
        mean_volume(&video, 0.5, last_cue_end - 0.5) > -45.0,
        "the narration is heard"
    );
    // One segment per image, in order: each segment's middle frame has its image's colour.
    let segment = (duration + 2.0 * 0.5) / 3.0;
    for (index, colour) in colours.iter().enumerate() {
        let middle = index as f64 * (segment - 0.5) + segment / 2.0;
        let seen = colour_at(&video, middle);
        let strongest = (0..3).max_by(|a, b| seen[*a].total_cmp(&seen[*b])).unwrap();
        let expected = (0..3).max_by_key(|channel| colour[*channel]).unwrap();
        assert_eq!(
            strongest, expected,
            "segment {index} at {middle:.1} s looks {seen:?}"
        );
    }
    // The same job through the jobs API: kind slideshow, two stored outputs.
    let job: Value = app
        .get(&format!("/api/video/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(job["parameters"]["style"], "bold");
    app.stop().await;
}

#[tokio::test]
async fn a_video_from_uploaded_images_on_sqlite() {
    a_video_from_uploaded_images(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_video_from_uploaded_images_on_postgres() {
    on_postgres(a_video_from_uploaded_images).await;
}

#[tokio::test]
async fn without_images_each_sentence_gets_a_title_card() {
    let app = app(Backend::Sqlite).await;
    let (status, created) = generate(&app, &json!({"content": "Short and sweet. Two cards.", "style": "professional", "burn_captions": true})).await;
    assert_eq!(status, 202, "{created}");
    let (done, _) = follow(&app, created["job_id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "completed", "{done}");
    let video = download(&app, done["video_url"].as_str().unwrap(), "cards.mp4").await;
    let corner = colour_at(&video, 0.8);
    // The professional style's navy (0x0A3D62) dominates the frame.
    assert!(corner[2] > corner[0] + 30.0, "{corner:?}");
    app.stop().await;
}

#[tokio::test]
async fn bad_requests_get_their_codes_and_create_nothing() {
    let app = TestApp::spawn().await;
    let red = image_of([220, 30, 30], 300, 300, ImageFormat::Jpeg);
    let (_, mine) = upload(&app, &[("a", red)]).await;
    let my_image = mine["images"][0]["id"].clone();
    let cases = [
        (
            json!({"content": "Hello there.", "style": "psychedelic"}),
            "unsupported_style",
        ),
        (
            json!({"content": "Hello there.", "image_ids": ["img_doesnotexist0000000000"]}),
            "unknown_image_id",
        ),
        (
            json!({"content": "Hello there.", "image_ids": [my_image, my_image]}),
            "duplicate_image_id",
        ),
        (
            json!({"content": "Hello there.", "image_ids": ["a", "b", "c", "d"]}),
            "too_many_images",
        ),
        (json!({"content": "x".repeat(3_001)}), "content_too_long"),
        (json!({"content": "   "}), "content_required"),
        (json!({"content": "Hi.", "colour": "red"}), "unknown_field"),
    ];
    for (body, code) in cases {
        let (status, answer) = generate(&app, &body).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (422, Some(code)),
            "{answer}"
        );
    }
    // Another key's image is not yours to use.
    let key = serenade::workflows::jobs::keys::generate_key();
    app.db()
        .insert_api_key(&serenade::workflows::jobs::keys::store::NewApiKey {
            id: "key_other".into(),
            name: "other".into(),
            secret_hash: key.secret_hash.clone(),
            admin: false,
            requests_per_minute: 100,
            jobs_per_day: None,
            created_at: serenade::clock::now_ms(),
        })
        .await
        .unwrap();
    let response = app
        .client
        .post(app.url("/api/video/generate"))
        .header("x-api-key", &key.token)
        .json(&json!({"content": "Hello there.", "image_ids": [my_image]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error"], "unknown_image_id");
    let rows: i64 = match app.db() {
        serenade::db::Db::Sqlite(pool) => sqlx::query_scalar("select count(*) from api_jobs")
            .fetch_one(pool)
            .await
            .unwrap(),
        serenade::db::Db::Postgres(pool) => sqlx::query_scalar("select count(*) from api_jobs")
            .fetch_one(pool)
            .await
            .unwrap(),
    };
    assert_eq!(rows, 0);
    let unclaimed = app
        .db()
        .upload(my_image.as_str().unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(unclaimed.job_id.is_none(), "a refused job claims nothing");
    app.stop().await;
}

#[tokio::test]
async fn a_narration_longer_than_the_longest_video_fails_clearly() {
    let app = TestApp::builder()
        .with_workers()
        .configure(|config| config.slideshow.max_video_duration = 3.0)
        .spawn()
        .await;
    let (status, created) = generate(&app, &json!({"content": CONTENT})).await;
    assert_eq!(status, 202, "{created}");
    let (done, _) = follow(&app, created["job_id"].as_str().unwrap()).await;
    assert_eq!(done["status"], "error", "{done}");
    assert!(
        done["error"]
            .as_str()
            .unwrap()
            .contains("narration_too_long"),
        "{done}"
    );
    assert!(done["video_url"].is_null());
    app.stop().await;
}
