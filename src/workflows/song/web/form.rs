//! `GET /`: the five-field form, the crop dialog, the "sold out" dialog and the visitor's
//! earlier songs (read from localStorage by `static/js/home.js`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::pages::{Layout, Visibility, respond};
use crate::domain::names::{MAX_NAME_CHARS, MIN_NAME_CHARS};
use crate::domain::submission::{MUSIC_VIBES, PET_TYPES};
use crate::state::AppState;

/// The form page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "form.html")]
pub struct FormPage {
    pub layout: Layout,
    pub pet_types: &'static [&'static str],
    pub music_vibes: &'static [&'static str],
    /// Submissions one browser may make (`FORM_SUBMIT_RETRY`), for the client-side check.
    pub submit_limit: u32,
    pub min_name: usize,
    pub max_name: usize,
}

/// `GET /`.
pub async fn form_page(State(app): State<AppState>) -> Response {
    respond(
        StatusCode::OK,
        Visibility::Public,
        FormPage {
            layout: Layout::new(&app, "/"),
            pet_types: PET_TYPES,
            music_vibes: MUSIC_VIBES,
            submit_limit: app.config.limits.form_submit_retry,
            min_name: MIN_NAME_CHARS,
            max_name: MAX_NAME_CHARS,
        },
    )
}
