//! Uploads: up to three JPEG/PNG/GIF images are checked by their bytes, cleaned and stored
//! with ids; too many, too large, the wrong type or a GIF claiming a huge canvas are refused
//! with their codes and nothing is stored; a caller's hourly allowance is enforced; an
//! unused upload expires after its day and a used one does not.

use image::ImageFormat;
use serde_json::Value;
use serenade::db::Db;
use serenade::workflows::slideshow::uploads::expire::expire_uploads;

use crate::common::TestApp;
use crate::media::{image_of, multipart};

pub async fn upload(app: &TestApp, files: &[(&str, Vec<u8>)]) -> (u16, Value) {
    let (content_type, body) = multipart(files);
    let response = app
        .client
        .post(app.url("/api/video/images"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn upload_rows(app: &TestApp) -> i64 {
    match app.db() {
        Db::Sqlite(pool) => sqlx::query_scalar("select count(*) from uploads")
            .fetch_one(pool)
            .await
            .unwrap(),
        Db::Postgres(pool) => sqlx::query_scalar("select count(*) from uploads")
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

#[tokio::test]
async fn images_are_checked_cleaned_and_stored_or_refused_whole() {
    let app = TestApp::spawn().await;
    let red = image_of([220, 30, 30], 640, 480, ImageFormat::Jpeg);
    let green = image_of([30, 200, 60], 500, 500, ImageFormat::Png);
    let blue = image_of([30, 60, 220], 400, 300, ImageFormat::Gif);
    let (status, body) = upload(
        &app,
        &[
            ("a.jpg", red.clone()),
            ("b.png", green.clone()),
            ("c.gif", blue.clone()),
        ],
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let images = body["images"].as_array().unwrap();
    assert_eq!(images.len(), 3);
    assert!(
        images
            .iter()
            .all(|image| image["id"].as_str().unwrap().starts_with("img_"))
    );
    assert_eq!(
        (images[0]["width"].as_i64(), images[0]["height"].as_i64()),
        (Some(640), Some(480))
    );
    assert_eq!(upload_rows(&app).await, 3);

    type Case<'a> = (Vec<(&'a str, Vec<u8>)>, u16, &'a str);
    let cases: Vec<Case> = vec![
        (
            vec![
                ("a", red.clone()),
                ("b", red.clone()),
                ("c", red.clone()),
                ("d", red.clone()),
            ],
            422,
            "too_many_images",
        ),
        (
            vec![(
                "a.svg",
                b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec(),
            )],
            422,
            "invalid_image_format",
        ),
        (
            vec![("small.png", image_of([1, 2, 3], 120, 120, ImageFormat::Png))],
            422,
            "image_too_small",
        ),
        (
            vec![
                ("ok.jpg", red.clone()),
                (
                    "big.bin",
                    [vec![0xFF, 0xD8, 0xFF], vec![0; 2 * 1024 * 1024]].concat(),
                ),
            ],
            422,
            "image_too_large",
        ),
        (vec![], 422, "images_required"),
    ];
    for (files, status, code) in cases {
        let (got, body) = upload(&app, &files).await;
        assert_eq!(
            (got, body["error"].as_str()),
            (status, Some(code)),
            "{body}"
        );
    }
    // A GIF whose header claims a 60000×60000 canvas: refused before any decoding.
    let mut bomb = image_of([9, 9, 9], 400, 400, ImageFormat::Gif);
    bomb[6..8].copy_from_slice(&60_000u16.to_le_bytes());
    bomb[8..10].copy_from_slice(&60_000u16.to_le_bytes());
    let (status, body) = upload(&app, &[("bomb.gif", bomb)]).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        matches!(
            body["error"].as_str(),
            Some("image_dimensions_too_large" | "image_corrupt")
        ),
        "{body}"
    );
    assert_eq!(
        upload_rows(&app).await,
        3,
        "no refused request stored anything"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_caller_gets_ten_uploads_an_hour() {
    let app = TestApp::spawn().await;
    let red = image_of([220, 30, 30], 300, 300, ImageFormat::Jpeg);
    for _ in 0..3 {
        let (status, _) = upload(
            &app,
            &[("a", red.clone()), ("b", red.clone()), ("c", red.clone())],
        )
        .await;
        assert_eq!(status, 201);
    }
    let (status, _) = upload(&app, &[("a", red.clone())]).await;
    assert_eq!(status, 201, "the tenth");
    let (status, body) = upload(&app, &[("a", red.clone())]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (429, Some("too_many_requests")),
        "{body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn unused_uploads_expire_after_their_day_and_used_ones_stay() {
    let app = TestApp::spawn().await;
    let red = image_of([220, 30, 30], 300, 300, ImageFormat::Jpeg);
    let (_, body) = upload(&app, &[("a", red.clone()), ("b", red.clone())]).await;
    let ids: Vec<String> = body["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|image| image["id"].as_str().unwrap().to_owned())
        .collect();
    app.execute(
        "update uploads set job_id = 'some-job' where id = $1",
        &ids[1],
    )
    .await;
    app.execute_unbound("update uploads set expires_at = 0")
        .await;
    assert_eq!(expire_uploads(&app.app).await.unwrap(), 1);
    assert!(app.db().upload(&ids[0]).await.unwrap().is_none());
    assert!(
        app.db().upload(&ids[1]).await.unwrap().is_some(),
        "a job's image stays"
    );
    let stored = app.app.store.list("slideshow", &ids[0]).await.unwrap();
    assert!(stored.is_empty(), "its object went too");
    assert_eq!(
        app.app
            .store
            .list("slideshow", &ids[1])
            .await
            .unwrap()
            .len(),
        1
    );
    app.stop().await;
}
