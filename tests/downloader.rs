//! The media downloader against local servers: what it refuses (metadata endpoints, unlisted
//! or private hosts, plain http, redirects, oversized bodies, slow servers), what it accepts
//! (a host listed with its port, the fake Sonauto's CDN), and that it never sends credentials.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serenade::provider::download::{
    AllowedHosts, DownloadError, DownloadPolicy, DownloadedFile, MediaDownloader,
};
use tokio::io::AsyncWriteExt;

/// The song the test server serves: 300 KB of varied bytes.
fn song_bytes() -> Vec<u8> {
    (0..300_000u32).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// A local server recording the path and headers of every request it gets.
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<(String, HeaderMap)>>>,
}

impl Server {
    async fn start() -> Self {
        let seen: Arc<Mutex<Vec<(String, HeaderMap)>>> = Arc::default();
        let log = seen.clone();
        let app = Router::new()
            .route(
                "/song.mp3",
                get(|| async { ([(header::CONTENT_TYPE, "audio/mpeg")], song_bytes()) }),
            )
            .route(
                "/redirect",
                get(|| async { (StatusCode::FOUND, [(header::LOCATION, "/song.mp3")]) }),
            )
            .route(
                "/unavailable",
                get(|| async { StatusCode::SERVICE_UNAVAILABLE }),
            )
            .route("/endless", get(endless))
            .route("/stall", get(stall))
            .layer(axum::middleware::from_fn(
                move |request: Request, next: axum::middleware::Next| {
                    let log = log.clone();
                    async move {
                        log.lock()
                            .unwrap()
                            .push((request.uri().path().to_owned(), request.headers().clone()));
                        next.run(request).await
                    }
                },
            ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// A downloader that lists this server with its port.
    fn downloader(&self) -> MediaDownloader {
        downloader(&format!("127.0.0.1:{}", self.addr.port()), |_| {})
    }
}

/// An endless body without Content-Length.
async fn endless() -> Response {
    let chunk = Bytes::from(vec![0x55u8; 64 * 1024]);
    let stream = futures_util::stream::repeat(Ok::<_, Infallible>(chunk));
    Body::from_stream(stream).into_response()
}

/// Headers and a first chunk, then nothing for a minute.
async fn stall() -> Response {
    let first = futures_util::stream::iter([Ok::<_, Infallible>(Bytes::from_static(b"ID3"))]);
    let never = futures_util::stream::unfold((), |()| async {
        tokio::time::sleep(Duration::from_secs(60)).await;
        Some((Ok::<_, Infallible>(Bytes::from_static(b"late")), ()))
    });
    Body::from_stream(futures_util::StreamExt::chain(first, never)).into_response()
}

fn downloader(hosts: &str, tweak: impl FnOnce(&mut DownloadPolicy)) -> MediaDownloader {
    let mut policy = DownloadPolicy {
        allowed_hosts: hosts.parse::<AllowedHosts>().unwrap().into(),
        ..DownloadPolicy::default()
    };
    tweak(&mut policy);
    MediaDownloader::new(policy)
}

/// Names in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

async fn fetch(
    downloader: &MediaDownloader,
    url: &str,
    dir: &Path,
) -> Result<DownloadedFile, DownloadError> {
    downloader.download(url, &dir.join("song.mp3")).await
}

#[tokio::test]
async fn refuses_the_cloud_metadata_endpoint_however_it_is_listed() {
    let dir = tempfile::tempdir().unwrap();
    let url = "http://169.254.169.254/latest/meta-data";

    let unlisted = fetch(
        &MediaDownloader::new(DownloadPolicy::default()),
        url,
        dir.path(),
    )
    .await;
    let listed = downloader("169.254.169.254", |_| {});
    let over_http = fetch(&listed, url, dir.path()).await;
    let over_https = fetch(
        &listed,
        "https://169.254.169.254/latest/meta-data",
        dir.path(),
    )
    .await;

    assert!(
        matches!(unlisted, Err(DownloadError::HostNotAllowed { .. })),
        "{unlisted:?}"
    );
    assert!(
        matches!(over_http, Err(DownloadError::NotHttps { .. })),
        "{over_http:?}"
    );
    assert!(
        matches!(over_https, Err(DownloadError::PrivateAddress { .. })),
        "{over_https:?}"
    );
    assert!(files_in(dir.path()).is_empty());
}

#[tokio::test]
async fn refuses_a_local_server_that_is_not_listed() {
    let server = Server::start().await;
    let dir = tempfile::tempdir().unwrap();
    let default = MediaDownloader::new(DownloadPolicy::default());
    let other_port = downloader(&format!("127.0.0.1:{}", server.addr.port() ^ 1), |_| {});

    for downloader in [&default, &other_port] {
        let refused = fetch(downloader, &server.url("/song.mp3"), dir.path()).await;
        let error = refused.unwrap_err();
        assert!(
            matches!(error, DownloadError::HostNotAllowed { .. }),
            "{error:?}"
        );
        assert!(!error.is_retryable());
    }
    assert!(server.paths().is_empty(), "no request was made");
}

#[tokio::test]
async fn refuses_https_to_an_unlisted_host_and_names_resolving_to_private_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let unlisted = fetch(
        &MediaDownloader::new(DownloadPolicy::default()),
        "https://example.com/a.mp3",
        dir.path(),
    )
    .await;
    let loopback_name = fetch(
        &downloader("localhost", |_| {}),
        "https://localhost/a.mp3",
        dir.path(),
    )
    .await;

    assert!(
        matches!(unlisted, Err(DownloadError::HostNotAllowed { .. })),
        "{unlisted:?}"
    );
    let error = loopback_name.unwrap_err();
    assert!(
        matches!(error, DownloadError::PrivateAddress { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "download-private-address");
}

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
async fn a_redirect_is_an_error_and_is_not_followed() {
    let server = Server::start().await;
    let dir = tempfile::tempdir().unwrap();

    let result = fetch(&server.downloader(), &server.url("/redirect"), dir.path()).await;

    let error = result.unwrap_err();
    assert!(
        matches!(&error, DownloadError::Redirect { status: 302, location: Some(to) } if to == "/song.mp3"),
        "{error:?}"
    );
    assert!(!error.is_retryable());
    assert_eq!(server.paths(), ["/redirect"]);
    assert!(files_in(dir.path()).is_empty());
}

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
