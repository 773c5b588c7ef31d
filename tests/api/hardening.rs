//! Transport hardening: slow headers are cut, oversize bodies get 413 before being read, slow
//! bodies hit the request deadline, pages carry security headers, and no internal detail
//! (SQL, paths) reaches a response.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::common::{TestApp, valid_submission};

/// Reads from `stream` until EOF or `limit`, returning what arrived.
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, bool) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (received, true),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
            Err(_) => return (received, false),
        }
    }
}

#[tokio::test]
async fn a_client_that_sends_headers_slowly_is_cut_off() {
    let app = TestApp::builder()
        .configure(|c| c.http.header_read_timeout_seconds = 1)
        .spawn()
        .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /livez HTTP/1.1\r\nHost: test\r\n")
        .await
        .unwrap();

    let started = Instant::now();
    let (_, closed) = read_until_closed(&mut stream, Duration::from_secs(5)).await;

    assert!(closed, "the server kept a half-sent request open");
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(800) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_20_mb_body_is_refused_with_413_before_it_is_sent() {
    let app = TestApp::spawn().await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    let head = format!(
        "POST /api/submissions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{{\"photo\":\"",
        20 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();

    let started = Instant::now();
    let (received, _) = read_until_closed(&mut stream, Duration::from_secs(2)).await;

    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("\"error\":\"payload_too_large\""), "{text}");
    assert!(started.elapsed() < Duration::from_secs(1));
    app.stop().await;
}

#[tokio::test]
async fn an_oversize_chunked_body_is_cut_off_with_413() {
    let app = TestApp::spawn().await;
    let chunks = (0..10).map(|_| Ok::<_, std::io::Error>(vec![b'a'; 1024 * 1024]));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));

    let response = app
        .client
        .post(app.url("/api/submissions"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await;

    match response {
        Ok(response) => assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE),
        // The server may close the connection while the client is still writing.
        Err(error) => assert!(error.is_request() || error.is_body(), "{error}"),
    }
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_trickles_in_hits_the_request_deadline() {
    let app = TestApp::builder()
        .configure(|c| c.http.request_timeout_seconds = 1)
        .spawn()
        .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(
            b"POST /api/submissions HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
              Content-Length: 1000\r\n\r\n{\"pet_name\":",
        )
        .await
        .unwrap();

    let (received, _) = read_until_closed(&mut stream, Duration::from_secs(4)).await;

    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request_timeout"));
    app.stop().await;
}

#[tokio::test]
async fn html_pages_carry_security_headers() {
    let app = TestApp::spawn().await;
    let page = app.get("/docs").await;
    assert_eq!(page.status(), StatusCode::OK);
    let headers = page.headers();
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("script-src 'self'")
            && !policy.contains("script-src 'self' 'unsafe-inline'")
    );
    assert!(policy.contains("frame-ancestors 'none'"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("referrer-policy"));

    let json = app.get("/livez").await;
    assert_eq!(json.headers()["x-content-type-options"], "nosniff");
    assert!(
        !json.headers().contains_key("strict-transport-security"),
        "HSTS on a plain-http origin"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_https_public_origin_turns_on_hsts_everywhere() {
    let app = TestApp::builder()
        .configure(|c| c.http.public_base_url = Some("https://pets.example.com/".into()))
        .spawn()
        .await;
    for path in [
        "/",
        "/livez",
        "/api/submissions/abcdefghijklmnopqrstuvwx/status",
        "/nope",
    ] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn a_database_failure_answers_a_generic_500_without_sql() {
    let app = TestApp::spawn().await;
    let body: Value = app
        .post_submission(&valid_submission())
        .await
        .json()
        .await
        .unwrap();
    let id = body["session_id"].as_str().unwrap().to_owned();
    app.execute_unbound("alter table submissions rename to submissions_gone")
        .await;

    let response = app.get(&format!("/api/submissions/{id}/status")).await;

    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"], "server_error");
    assert_eq!(body["message"], "Something went wrong. Please try again.");
    for leak in ["submissions", "select", "table", "sqlx", "src/"] {
        assert!(!text.to_lowercase().contains(leak), "{leak} leaked: {text}");
    }
    app.stop().await;
}

#[tokio::test]
async fn unknown_routes_get_the_flat_404() {
    let app = TestApp::spawn().await;
    let response = app.get("/nope").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
    app.stop().await;
}
