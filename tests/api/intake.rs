//! Admission of submissions: a rate-limited or shed client is answered before its body is
//! read, and submissions beyond `MAX_CONCURRENT_SUBMISSIONS` get 503 `server_busy` with
//! `Retry-After` instead of queueing without bound.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{Backend, TestApp, on_postgres, valid_submission};

/// Starts a 5 MB submission and sends only its first bytes: the server holds it open,
/// waiting for the rest of the body.
async fn start_a_slow_upload(app: &TestApp) -> TcpStream {
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/submissions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
              Content-Length: 5000000\r\n\r\n{\"pet_name\":\"Toby\",\"photo\":\"",
        )
        .await
        .unwrap();
    stream
}

/// The response head, or whatever arrived before `limit`.
async fn read_head(stream: &mut TcpStream, limit: Duration) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + limit;
    while !received.windows(4).any(|window| window == b"\r\n\r\n") {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(n)) if n > 0 => received.extend_from_slice(&buffer[..n]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&received).into_owned()
}

async fn the_per_ip_charge_comes_before_the_body(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .configure(|c| c.limits.submissions_per_ip_per_hour = 1)
        .spawn()
        .await;
    assert_eq!(
        app.post_submission(&valid_submission()).await.status(),
        StatusCode::OK
    );

    let mut upload = start_a_slow_upload(&app).await;
    let head = read_head(&mut upload, Duration::from_secs(3)).await;

    assert!(head.starts_with("HTTP/1.1 429"), "{head:?}");
    assert!(head.to_ascii_lowercase().contains("retry-after:"), "{head}");
    app.stop().await;
}

#[tokio::test]
async fn the_per_ip_charge_comes_before_the_body_on_sqlite() {
    the_per_ip_charge_comes_before_the_body(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_per_ip_charge_comes_before_the_body_on_postgres() {
    on_postgres(the_per_ip_charge_comes_before_the_body).await;
}

async fn submissions_beyond_the_cap_are_shed_with_503_and_retry_after(backend: Backend) {
    let app = TestApp::builder()
        .backend(backend)
        .configure(|c| c.limits.max_concurrent_submissions = 1)
        .spawn()
        .await;
    let upload = start_a_slow_upload(&app).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let shed = app.post_submission(&valid_submission()).await;

    assert_eq!(shed.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(shed.headers()["retry-after"], "5");
    let body: Value = shed.json().await.unwrap();
    assert_eq!(body["success"], false);
    assert_eq!(body["error"], "server_busy");
    assert_eq!(body["retry_after_seconds"], 5);
    assert!(app.uploaded_files().is_empty());

    drop(upload);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let status = app.post_submission(&valid_submission()).await.status();
        if status == StatusCode::OK {
            break;
        }
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(Instant::now() < deadline, "the slot was never freed");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.stop().await;
}

#[tokio::test]
async fn submissions_beyond_the_cap_are_shed_on_sqlite() {
    submissions_beyond_the_cap_are_shed_with_503_and_retry_after(Backend::Sqlite).await;
}

#[tokio::test]
async fn submissions_beyond_the_cap_are_shed_on_postgres() {
    on_postgres(submissions_beyond_the_cap_are_shed_with_503_and_retry_after).await;
}
