//! Test fixtures: a local server (song, redirect, 503, endless and stalling bodies) that
//! records every request's headers, and downloader helpers.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serenade::provider::download::{
    AllowedHosts, DownloadError, DownloadPolicy, DownloadedFile, MediaDownloader,
};

/// The song the test server serves: 300 KB of varied bytes.
pub fn song_bytes() -> Vec<u8> {
    (0..300_000u32).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// A local server recording the path and headers of every request it gets.
pub struct Server {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<(String, HeaderMap)>>>,
}

impl Server {
    /// Serves on `127.0.0.1:0`.
    pub async fn start() -> Self {
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

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The paths requested so far.
    pub fn paths(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// A downloader that lists this server with its port.
    pub fn downloader(&self) -> MediaDownloader {
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

/// A downloader allowing `hosts`, with its policy adjusted by `tweak`.
pub fn downloader(hosts: &str, tweak: impl FnOnce(&mut DownloadPolicy)) -> MediaDownloader {
    let mut policy = DownloadPolicy {
        allowed_hosts: hosts.parse::<AllowedHosts>().unwrap().into(),
        ..DownloadPolicy::default()
    };
    tweak(&mut policy);
    MediaDownloader::new(policy)
}

/// Names in `dir`, sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Downloads `url` to `{dir}/song.mp3`.
pub async fn fetch(
    downloader: &MediaDownloader,
    url: &str,
    dir: &Path,
) -> Result<DownloadedFile, DownloadError> {
    downloader.download(url, &dir.join("song.mp3")).await
}
