//! The public pages, server-rendered on the API's origin: the form (`/`), the waiting page
//! (`/waiting/{id}`), the result page (`/result/{id}`), the legal placeholders, and the
//! embedded static files under `/static/`, and the stored files under `/storage/`.

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub mod assets;
pub mod form;
pub mod pages;
pub mod result;
pub mod stored;
pub mod waiting;

/// The pages' routes, merged into the song's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(form::form_page))
        .route("/waiting/{session_id}", get(waiting::waiting_page))
        .route("/result/{session_id}", get(result::result_page))
        .route("/terms", get(pages::terms))
        .route("/privacy", get(pages::privacy))
        .route("/static/{version}/{*path}", get(assets::static_file))
        .route("/storage/{area}/{file}", get(stored::stored_file))
}
