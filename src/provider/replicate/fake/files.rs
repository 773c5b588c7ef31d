//! The fake's file host (Replicate's `replicate.delivery`): `GET /files/{id}/out-{n}.png`
//! serves a prediction's PNG outputs without auth, until the prediction's data is removed
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
        let found = output_index(&file).and_then(|index| {
            let prediction = inner.predictions.get(&id)?;
            if prediction.data_removed(ttl) {
                return None;
            }
            prediction.outputs.get(index).cloned()
        });
        if found.is_none() {
            inner.stats.file_misses += 1;
        }
        found
    });
    match bytes {
        Some(bytes) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))],
            bytes,
        )
            .into_response(),
        None => not_found(),
    }
}

/// `out-{n}.png` → n.
fn output_index(file: &str) -> Option<usize> {
    file.strip_prefix("out-")?
        .strip_suffix(".png")?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_file_names_carry_their_index() {
        assert_eq!(output_index("out-0.png"), Some(0));
        assert_eq!(output_index("out-3.png"), Some(3));
        assert_eq!(output_index("out-x.png"), None);
        assert_eq!(output_index("out-1.webp"), None);
        assert_eq!(output_index("cover.png"), None);
    }
}
