//! Reading request headers the jobs routes share (`Idempotency-Key`, `Prefer`).

use axum::http::HeaderMap;

/// A header's value, when it is present and visible ASCII.
pub fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}
