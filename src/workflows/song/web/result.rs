//! `GET /result/{id}`: the finished song (video, lyrics, copy link, download, share) with the
//! Open Graph tags that make a shared link show the pet, or the kind failure view. A song still
//! being made sends the visitor to `/waiting/{id}` (303).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::pages::{Layout, Visibility, not_found, respond};
use crate::domain::ids::SessionId;
use crate::domain::submission::EntryStatus;
use crate::error::ApiError;
use crate::state::AppState;

/// Size of the Open Graph image the renderer makes.
pub const OG_IMAGE_WIDTH: u32 = 1200;
/// Size of the Open Graph image the renderer makes.
pub const OG_IMAGE_HEIGHT: u32 = 630;

/// A block of lyrics, under an optional `[Chorus]`-style heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stanza {
    pub heading: Option<String>,
    pub lines: Vec<String>,
}

/// Splits lyrics into stanzas: blank lines end one, a line like `[Verse 1]` starts one with a
/// heading. Text only: the template escapes every line.
pub fn stanzas(lyrics: &str) -> Vec<Stanza> {
    let mut out = Vec::new();
    let mut current = Stanza {
        heading: None,
        lines: Vec::new(),
    };
    for line in lyrics.lines().map(str::trim) {
        let heading = line
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .map(str::trim)
            .filter(|inner| !inner.is_empty());
        if heading.is_some() || line.is_empty() {
            if current.heading.is_some() || !current.lines.is_empty() {
                out.push(std::mem::replace(
                    &mut current,
                    Stanza {
                        heading: None,
                        lines: Vec::new(),
                    },
                ));
            }
            current.heading = heading.map(str::to_owned);
        } else {
            current.lines.push(line.to_owned());
        }
    }
    if current.heading.is_some() || !current.lines.is_empty() {
        out.push(current);
    }
    out
}

/// `Toby` → `Toby-love-song.mp4`; spaces become hyphens, apostrophes go.
pub fn download_name(pet_name: &str) -> String {
    let stem: String = pet_name
        .chars()
        .filter(|c| *c != '\'')
        .map(|c| if c.is_whitespace() { '-' } else { c })
        .collect();
    format!("{stem}-love-song.mp4")
}

/// The finished song.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "result.html")]
pub struct ResultPage {
    pub layout: Layout,
    pub session_id: String,
    pub pet_name: String,
    pub owner_name: String,
    pub music_vibe: String,
    pub video_url: String,
    pub poster_url: String,
    /// Absolute, for crawlers.
    pub og_image_url: String,
    pub og_image_width: u32,
    pub og_image_height: u32,
    pub download_name: String,
    pub stanzas: Vec<Stanza>,
}

impl ResultPage {
    /// The text that goes with a shared link.
    pub fn share_text(&self) -> String {
        format!("I made {} a love song 💘", self.pet_name)
    }
}

/// The failure view.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "failed.html")]
pub struct FailedPage {
    pub layout: Layout,
    pub pet_name: String,
}

/// `GET /result/{id}`.
pub async fn result_page(
    State(app): State<AppState>,
    Path(raw): Path<String>,
) -> Result<Response, ApiError> {
    let path = format!("/result/{raw}");
    let Some(session_id) = SessionId::parse(&raw) else {
        return Ok(not_found(&app, &path));
    };
    let Some(row) = app.db.find_submission(session_id.as_str()).await? else {
        return Ok(not_found(&app, &path));
    };
    let layout = Layout::new(&app, path);
    let response = match EntryStatus::from_column(&row.entry_status) {
        EntryStatus::Pending | EntryStatus::Processing => {
            Redirect::to(&format!("/waiting/{session_id}")).into_response()
        }
        EntryStatus::Fail => respond(
            StatusCode::OK,
            Visibility::Private,
            FailedPage {
                layout,
                pet_name: row.pet_name,
            },
        ),
        EntryStatus::Success => {
            let page = ResultPage {
                video_url: format!("/storage/video/{session_id}.mp4"),
                poster_url: format!("/storage/video/{session_id}-poster.jpg"),
                og_image_url: layout.absolute(&format!("/storage/video/{session_id}-og.jpg")),
                og_image_width: OG_IMAGE_WIDTH,
                og_image_height: OG_IMAGE_HEIGHT,
                download_name: download_name(&row.pet_name),
                stanzas: stanzas(row.lyrics.as_deref().unwrap_or_default()),
                layout,
                session_id: session_id.to_string(),
                pet_name: row.pet_name,
                owner_name: row.owner_name,
                music_vibe: row.music_vibe,
            };
            respond(StatusCode::OK, Visibility::Private, page)
        }
    };
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lyrics_split_into_headed_stanzas() {
        let lyrics =
            "[Verse 1]\nToby runs\r\nacross the lawn\n\n[Chorus]\nOh Toby\n\nMatt loves you\n";
        let got = stanzas(lyrics);
        assert_eq!(
            got,
            vec![
                Stanza {
                    heading: Some("Verse 1".into()),
                    lines: vec!["Toby runs".into(), "across the lawn".into()],
                },
                Stanza {
                    heading: Some("Chorus".into()),
                    lines: vec!["Oh Toby".into()],
                },
                Stanza {
                    heading: None,
                    lines: vec!["Matt loves you".into()],
                },
            ]
        );
        assert!(stanzas("").is_empty());
        assert_eq!(stanzas("[]")[0].lines, vec!["[]".to_owned()]);
    }

    #[test]
    fn download_names_are_file_friendly() {
        assert_eq!(download_name("Toby"), "Toby-love-song.mp4");
        assert_eq!(download_name("Mr O'Brien"), "Mr-OBrien-love-song.mp4");
    }
}
