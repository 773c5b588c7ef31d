//! The fake's CDN: `GET /cdn/pubapi/generations2/audio_{id}_0.{ext}`, public (no auth, and
//! requests that carry an `Authorization` header are counted as a client bug), serving real
//! audio once the generation succeeded and until it expires (or a scenario's fault).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::api::{detail, fault_response, not_found};
use super::audio;
use super::control::Inner;
use super::generation::Status;
use super::state::Shared;
use super::sung;

/// Serves one song file.
pub async fn song_file(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let fault = shared.control.with(|inner| {
        inner.stats.cdn_gets += 1;
        Inner::take_fault(&mut inner.behaviour.cdn_faults)
    });
    if let Some(fault) = fault {
        return fault_response(&shared, fault).await;
    }
    let servable = shared.control.with(|inner| {
        if headers.contains_key(header::AUTHORIZATION) {
            inner.stats.cdn_requests_with_authorization += 1;
        }
        let (id, extension) = parse_file_name(&file)?;
        let generation = inner.generations.get(id)?;
        let fresh = generation
            .finished_at
            .is_some_and(|at| at.elapsed() <= inner.behaviour.cdn_ttl);
        (generation.status == Status::Success
            && generation.format.extension() == extension
            && fresh)
            .then(|| (generation.format, generation.lyrics.clone()))
    });
    let Some((format, lyrics)) = servable else {
        return not_found();
    };
    let made = match &shared.sing_with {
        Some(espeak) if !lyrics.trim().is_empty() => {
            sung::sung_song(&shared.ffmpeg, espeak, format, shared.song_seconds, &lyrics).await
        }
        _ => audio::song(&shared.ffmpeg, format, shared.song_seconds).await,
    };
    match made {
        Ok(bytes) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            )],
            bytes,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = %error, "fake Sonauto cannot serve audio");
            detail(StatusCode::INTERNAL_SERVER_ERROR, &error.to_string())
        }
    }
}

/// `audio_{id}_0.{ext}` → (id, ext).
fn parse_file_name(file: &str) -> Option<(&str, &str)> {
    let (stem, extension) = file.rsplit_once('.')?;
    let id = stem.strip_prefix("audio_")?.strip_suffix("_0")?;
    Some((id, extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn song_file_names_carry_the_task_id_and_extension() {
        assert_eq!(
            parse_file_name("audio_4273ad54-943a-4202-beac-4011918f4f3d_0.mp3"),
            Some(("4273ad54-943a-4202-beac-4011918f4f3d", "mp3"))
        );
        assert_eq!(parse_file_name("audio_x_1.mp3"), None);
        assert_eq!(parse_file_name("cover.jpg"), None);
    }
}
