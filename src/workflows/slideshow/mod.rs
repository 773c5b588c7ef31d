//! Narrated slideshow videos (seed 004) as a workflow on the engine: images uploaded ahead
//! (`uploads`), a job of the jobs API with kind `slideshow` (`options`), rendered by one
//! engine kind (`kind`, `render`: media → narration → one ffmpeg pass → store) into an MP4
//! and its WebVTT captions (`video`, `style`), and seed 004's own routes (`seed004`).

pub mod command;
pub mod config;
pub mod kind;
pub mod options;
pub mod render;
pub mod seed004;
pub mod style;
pub mod uploads;
pub mod video;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::domain::slide_image::MAX_UPLOAD_BYTES;
use crate::engine::Registry;
use crate::state::AppState;

/// The slideshow's queues and kinds.
pub fn register(registry: &mut Registry<AppState>, _app: &AppState) {
    registry
        .queue(kind::queues::RENDER, 1)
        .queue(kind::queues::MAINTENANCE, 1)
        .job(kind::RenderSlideshow)
        .job(kind::ExpireUploads)
        .periodic(|_app, now| vec![kind::expiry_schedule(now)]);
}

/// Seed 004's routes and the upload routes.
pub fn routes() -> Router<AppState> {
    let uploads =
        post(uploads::routes::upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024));
    Router::new()
        .route("/api/video/images", uploads.clone())
        .route("/api/v1/uploads", uploads)
        .route("/api/video/generate", post(seed004::generate))
        .route("/api/video/status/{id}", get(seed004::status))
        .route("/api/video/{id}", get(seed004::video))
}
