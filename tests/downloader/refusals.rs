//! What the downloader refuses before or instead of fetching: metadata endpoints, unlisted
//! hosts and ports, names resolving to private addresses, plain http, and redirects.

use serenade::provider::download::{DownloadError, DownloadPolicy, MediaDownloader};

use crate::server::{Server, downloader, fetch, files_in};

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
