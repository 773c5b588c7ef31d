//! `GET /waiting/{id}`: the turning record while the song is made. The page is rendered with
//! the submission's current stage; `static/js/waiting.js` polls the status API and moves on
//! to the result page. Finished submissions go straight to `/result/{id}` (303).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{Layout, Visibility, not_found, respond};
use crate::clock::now_ms;
use crate::domain::ids::SessionId;
use crate::domain::submission::EntryStatus;
use crate::error::ApiError;
use crate::state::AppState;
use crate::workflows::song::files::SongFile;

/// The steps a song goes through, as `(stage code, what the visitor reads)`.
pub const STAGES: &[(&str, &str)] = &[
    ("queued", "In the queue"),
    ("writing_lyrics", "Writing the lyrics"),
    ("composing", "Composing the music"),
    ("producing_video", "Pressing the record"),
    ("ready", "Ready to play"),
];

/// The waiting page.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "waiting.html")]
pub struct WaitingPage {
    pub layout: Layout,
    pub session_id: String,
    pub pet_name: String,
    pub photo_url: String,
    /// Index into [`STAGES`] of the stage shown first.
    pub stage_index: usize,
    /// Milliseconds since the submission was made, so the page can measure the spec's five
    /// minutes without trusting the visitor's clock.
    pub age_ms: i64,
}

impl WaitingPage {
    /// The stages with their state for the progress list: `done`, `current` or `todo`.
    pub fn steps(&self) -> Vec<(&'static str, &'static str, &'static str)> {
        STAGES
            .iter()
            .enumerate()
            .map(|(index, (code, label))| {
                let state = match index.cmp(&self.stage_index) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "todo",
                };
                (*code, *label, state)
            })
            .collect()
    }

    /// The code of the stage shown first.
    pub fn stage_code(&self) -> &'static str {
        STAGES
            .get(self.stage_index)
            .map_or("queued", |stage| stage.0)
    }

    /// Where the finished song will be.
    pub fn result_url(&self) -> String {
        self.layout
            .absolute(&format!("/result/{}", self.session_id))
    }

    /// What the live region says first.
    pub fn stage_label(&self) -> &'static str {
        STAGES
            .get(self.stage_index)
            .map_or("In the queue", |stage| stage.1)
    }
}

/// `GET /waiting/{id}`.
pub async fn waiting_page(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let path = format!("/waiting/{raw}");
    let Some(session_id) = SessionId::parse(&raw) else {
        return Ok(not_found(&app, &path));
    };
    let Some(row) = app.db.find_submission(session_id.as_str()).await? else {
        return Ok(not_found(&app, &path));
    };
    let stage_index = match EntryStatus::from_column(&row.entry_status) {
        EntryStatus::Success | EntryStatus::Fail => {
            return Ok(Redirect::to(&format!("/result/{session_id}")).into_response());
        }
        EntryStatus::Pending => 0,
        EntryStatus::Processing => 2,
    };
    let photo_url = SongFile::Photo.public_path(&session_id);
    let page = WaitingPage {
        layout: Layout::new(&app, path),
        session_id: session_id.to_string(),
        pet_name: row.pet_name,
        photo_url,
        stage_index,
        age_ms: (now_ms() - row.created_at).max(0),
    };
    Ok(respond(StatusCode::OK, Visibility::Private, page))
}
