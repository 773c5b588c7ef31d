//! The pages' static files, embedded in the binary: a small table of path, bytes and content
//! type, served at `/static/{version}/{path}` where `version` is a hash of the file, so a new
//! build changes the URL and the long `immutable` cache never serves a stale file.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// One embedded file.
struct Asset {
    path: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($path:literal, $file:literal, $type:expr) => {
        Asset {
            path: $path,
            content_type: $type,
            bytes: include_bytes!(concat!("../../../../static/", $file)),
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Every file the pages load. `path` is what templates pass to [`url`].
static ASSETS: &[Asset] = &[
    asset!("css/site.css", "css/site.css", CSS),
    asset!("js/home.js", "js/home.js", JS),
    asset!("js/waiting.js", "js/waiting.js", JS),
    asset!("js/result.js", "js/result.js", JS),
    asset!(
        "vendor/alpine-csp.min.js",
        "vendor/alpinejs-csp/cdn.min.js",
        JS
    ),
    asset!(
        "vendor/cropper.min.js",
        "vendor/cropperjs/cropper.min.js",
        JS
    ),
    asset!(
        "vendor/cropper.min.css",
        "vendor/cropperjs/cropper.min.css",
        CSS
    ),
    asset!("img/favicon.svg", "img/favicon.svg", "image/svg+xml"),
];

/// Cache policy of a file requested under its current version.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Cache policy of a file requested under an older version (a page cached across a deploy).
const REVALIDATE: &str = "public, max-age=300";

/// The version segment of each asset, in table order: 16 hex digits of FNV-1a over its bytes.
static VERSIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| format!("{:016x}", fnv1a(asset.bytes)))
        .collect()
});

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn find(path: &str) -> Option<(usize, &'static Asset)> {
    ASSETS
        .iter()
        .enumerate()
        .find(|(_, asset)| asset.path == path)
}

/// The versioned URL of an embedded file, e.g. `/static/1a2b…/css/site.css`.
pub fn url(path: &str) -> String {
    match find(path) {
        Some((index, _)) => format!("/static/{}/{path}", VERSIONS[index]),
        None => {
            tracing::error!(
                asset = path,
                "a template names an asset that is not embedded"
            );
            format!("/static/missing/{path}")
        }
    }
}

/// Every embedded JavaScript file as `(path, bytes)`, for the size budget test.
pub fn scripts() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    ASSETS
        .iter()
        .filter(|asset| asset.content_type == JS)
        .map(|asset| (asset.path, asset.bytes))
}

/// Serves `/static/{version}/{*path}`.
pub async fn static_file(Path((version, path)): Path<(String, String)>) -> Response {
    let Some((index, asset)) = find(&path) else {
        return ApiError::not_found("File").into_response();
    };
    let cache = if VERSIONS[index] == version {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let mut response = asset.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_versioned_url_and_a_known_type() {
        for asset in ASSETS {
            let url = url(asset.path);
            assert!(
                url.starts_with("/static/") && url.ends_with(asset.path),
                "{url}"
            );
            assert!(!url.contains("missing"), "{url}");
            assert!(
                [JS, CSS, "image/svg+xml"].contains(&asset.content_type),
                "{}",
                asset.path
            );
        }
    }

    #[test]
    fn versions_change_with_content() {
        assert_ne!(fnv1a(b"a"), fnv1a(b"b"));
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
    }
}
