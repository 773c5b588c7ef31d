//! The fake's file host (Replicate's `replicate.delivery`): `GET /files/{id}/out-{n}.{ext}`
//! serves a prediction's PNG or JPEG outputs without auth, until the prediction's data is removed
//! (§2.5: an hour after completion by default), then 404.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::refusals::not_found;
use super::state::Shared;

/// Serves one output file.
pub async fn output_file(
    State(shared): State<Arc<Shared>>,
    Path((id, file)): Path<(String, String)>,
) -> Response {
    let bytes = shared.control.with(|inner| {
        inner.stats.file_gets += 1;
        let ttl = inner.behaviour.output_ttl;
        let found = output_index(&file).and_then(|(index, extension)| {
            let prediction = inner.predictions.get(&id)?;
            let encoding = prediction.encoding();
            if prediction.data_removed(ttl) || extension != encoding.extension() {
                return None;
            }
            Some((
                prediction.outputs.get(index).cloned()?,
                encoding.content_type(),
            ))
        });
        if found.is_none() {
            inner.stats.file_misses += 1;
        }
        found
    });
    match bytes {
        Some((bytes, content_type)) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            bytes,
        )
            .into_response(),
        None => not_found(),
    }
}

/// `out-{n}.{ext}` → (n, ext).
fn output_index(file: &str) -> Option<(usize, &str)> {
    let (index, extension) = file.strip_prefix("out-")?.split_once('.')?;
    Some((index.parse().ok()?, extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_file_names_carry_their_index() {
        assert_eq!(output_index("out-0.png"), Some((0, "png")));
        assert_eq!(output_index("out-3.jpg"), Some((3, "jpg")));
        assert_eq!(output_index("out-x.png"), None);
        // The extension is checked against the prediction's format by the handler.
        assert_eq!(output_index("out-1.webp"), Some((1, "webp")));
        assert_eq!(output_index("out-1"), None);
        assert_eq!(output_index("cover.png"), None);
    }
}
