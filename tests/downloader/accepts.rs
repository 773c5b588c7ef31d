//! Successful downloads: from a host listed with its port (by IP and by name), writing the exact
//! bytes with no credentials sent, and from the fake Sonauto's CDN.

use std::time::{Duration, Instant};

use axum::http::header;

use crate::server::{Server, downloader, fetch, files_in, song_bytes};

#[tokio::test]
async fn downloads_from_a_host_listed_with_its_port_without_credentials() {
    let server = Server::start().await;
    let dir = tempfile::tempdir().unwrap();

    let file = fetch(&server.downloader(), &server.url("/song.mp3"), dir.path())
        .await
        .unwrap();

    assert_eq!(file.path, dir.path().join("song.mp3"));
    assert_eq!(file.bytes, song_bytes().len() as u64);
    assert_eq!(file.content_type.as_deref(), Some("audio/mpeg"));
    assert_eq!(std::fs::read(&file.path).unwrap(), song_bytes());
    assert_eq!(files_in(dir.path()), ["song.mp3"]);
    let (_, headers) = server.seen.lock().unwrap()[0].clone();
    assert!(headers.get(header::AUTHORIZATION).is_none());
    assert!(headers.get(header::COOKIE).is_none());
    assert!(headers.get(header::REFERER).is_none());

    // A name (not an IP) listed with its port goes through DNS and the pinned client.
    let by_name = downloader(&format!("localhost:{}", server.addr.port()), |_| {});
    let url = format!("http://localhost:{}/song.mp3", server.addr.port());
    let again = by_name
        .download(&url, &dir.path().join("again.mp3"))
        .await
        .unwrap();
    assert_eq!(std::fs::read(&again.path).unwrap(), song_bytes());
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert!(
        seen.iter()
            .all(|(_, headers)| !headers.contains_key(header::AUTHORIZATION))
    );
}

#[tokio::test]
async fn fetches_a_song_from_the_fake_sonauto_cdn() {
    use serenade::provider::fake::{FakeSonautoConfig, start};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let fake = start(
        FakeSonautoConfig {
            step_millis: 5,
            song_seconds: 2,
            ..Default::default()
        },
        listener,
    )
    .await
    .unwrap();
    let client = reqwest::Client::new();
    let created: serde_json::Value = client
        .post(format!("{}/generations/v3", fake.api_url()))
        .bearer_auth(fake.api_key())
        .json(&serde_json::json!({"prompt": "a love song for Matt and Toby"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["task_id"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let song_url = loop {
        let generation: serde_json::Value = client
            .get(format!("{}/generations/{id}", fake.api_url()))
            .bearer_auth(fake.api_key())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if let Some(url) = generation["song_paths"][0].as_str() {
            break url.to_owned();
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let dir = tempfile::tempdir().unwrap();
    let downloader = downloader(&format!("127.0.0.1:{}", fake.addr().port()), |_| {});

    let file = fetch(&downloader, &song_url, dir.path()).await.unwrap();

    assert!(file.bytes > 10_000);
    assert_eq!(file.content_type.as_deref(), Some("audio/mpeg"));
    assert_eq!(fake.control().stats().cdn_requests_with_authorization, 0);
    fake.stop().await;
}
