//! Size, time and status limits: a declared 2 GB body, an endless body, a stalled server, and
//! 5xx/4xx answers, each leaving no partial file behind.

use std::time::{Duration, Instant};

use serenade::provider::download::DownloadError;
use tokio::io::AsyncWriteExt;

use crate::server::{Server, downloader, fetch, files_in};

#[tokio::test]
async fn a_declared_two_gigabyte_body_is_refused_at_once() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: audio/mpeg\r\ncontent-length: 2147483648\r\n\r\n";
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&[0u8; 16 * 1024]).await;
                tokio::time::sleep(Duration::from_secs(60)).await;
            });
        }
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("song.mp3"), b"previous song").unwrap();
    let downloader = downloader(&format!("127.0.0.1:{}", addr.port()), |_| {});
    let started = Instant::now();

    let result = fetch(&downloader, &format!("http://{addr}/huge.mp3"), dir.path()).await;

    let error = result.unwrap_err();
    assert!(
        matches!(
            error,
            DownloadError::TooLarge {
                declared: Some(2_147_483_648),
                ..
            }
        ),
        "{error:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(files_in(dir.path()), ["song.mp3"], "no partial file");
    assert_eq!(
        std::fs::read(dir.path().join("song.mp3")).unwrap(),
        b"previous song"
    );
}

#[tokio::test]
async fn an_endless_body_without_length_is_cut_off_at_the_cap() {
    let server = Server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let downloader = downloader(&format!("127.0.0.1:{}", server.addr.port()), |policy| {
        policy.max_bytes = 1024 * 1024;
    });
    let started = Instant::now();

    let result = fetch(&downloader, &server.url("/endless"), dir.path()).await;

    let error = result.unwrap_err();
    assert!(
        matches!(
            error,
            DownloadError::TooLarge {
                declared: None,
                limit: 1_048_576
            }
        ),
        "{error:?}"
    );
    assert_eq!(error.code(), "download-too-large");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(files_in(dir.path()).is_empty(), "no partial file");
}

#[tokio::test]
async fn a_stalled_download_times_out_and_leaves_nothing() {
    let server = Server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let downloader = downloader(&format!("127.0.0.1:{}", server.addr.port()), |policy| {
        policy.timeout = Duration::from_millis(400);
    });

    let result = fetch(&downloader, &server.url("/stall"), dir.path()).await;

    let error = result.unwrap_err();
    assert!(matches!(error, DownloadError::Timeout(_)), "{error:?}");
    assert!(error.is_retryable());
    assert!(files_in(dir.path()).is_empty(), "no partial file");
}

#[tokio::test]
async fn server_errors_are_retryable_and_client_errors_are_not() {
    let server = Server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let downloader = server.downloader();

    let unavailable = fetch(&downloader, &server.url("/unavailable"), dir.path())
        .await
        .unwrap_err();
    let missing = fetch(&downloader, &server.url("/missing.mp3"), dir.path())
        .await
        .unwrap_err();

    assert!(matches!(unavailable, DownloadError::Status(503)) && unavailable.is_retryable());
    assert!(matches!(missing, DownloadError::Status(404)) && !missing.is_retryable());
    assert!(files_in(dir.path()).is_empty());
}
