//! A slideshow job's own request fields, carried in the job's `parameters`: `style` (one of
//! [`Style::NAMES`], default `professional`), `image_ids` (up to three uploads, in order) and
//! `burn_captions` (captions drawn into the picture as well as the WebVTT file).

use serde_json::{Map, Value};

use super::style::Style;
use crate::domain::slide_image::MAX_IMAGES;
use crate::error::ApiError;

/// The job kind, and the model name a slideshow job carries.
pub const KIND: &str = "slideshow";
pub const MODEL: &str = "serenade/slideshow";
/// Longest narration text (a long LinkedIn post).
pub const MAX_CONTENT_CHARS: usize = 3_000;

/// A slideshow's options, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlideshowOptions {
    pub style: Style,
    pub image_ids: Vec<String>,
    pub burn_captions: bool,
}

fn invalid(code: &'static str, field: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable {
        code,
        field,
        message: message.into(),
    }
}

impl SlideshowOptions {
    /// Reads and checks the options from a job's `parameters`.
    pub fn from_parameters(parameters: &Map<String, Value>) -> Result<Self, ApiError> {
        let style = match parameters.get("style") {
            None | Some(Value::Null) => Style::Professional,
            Some(Value::String(name)) => Style::parse(name).ok_or_else(|| {
                invalid(
                    "unsupported_style",
                    "style",
                    format!("Unknown style; the styles are {}.", Style::NAMES.join(", ")),
                )
            })?,
            Some(_) => {
                return Err(invalid(
                    "invalid_type",
                    "style",
                    "`style` must be a string.",
                ));
            }
        };
        let image_ids = match parameters.get("image_ids") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(ids)) => {
                if ids.len() > MAX_IMAGES {
                    return Err(invalid(
                        "too_many_images",
                        "image_ids",
                        format!("A video takes at most {MAX_IMAGES} images."),
                    ));
                }
                let mut checked: Vec<String> = Vec::with_capacity(ids.len());
                for id in ids {
                    let Some(id) = id.as_str().filter(|id| looks_like_upload_id(id)) else {
                        return Err(invalid(
                            "unknown_image_id",
                            "image_ids",
                            "Image ids are the `id`s the upload answered with.",
                        ));
                    };
                    if checked.iter().any(|seen| seen == id) {
                        return Err(invalid(
                            "duplicate_image_id",
                            "image_ids",
                            "Each image may be used once.",
                        ));
                    }
                    checked.push(id.to_owned());
                }
                checked
            }
            Some(_) => {
                return Err(invalid(
                    "invalid_type",
                    "image_ids",
                    "`image_ids` must be an array of upload ids.",
                ));
            }
        };
        let burn_captions = match parameters.get("burn_captions") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(burn)) => *burn,
            Some(_) => {
                return Err(invalid(
                    "invalid_type",
                    "burn_captions",
                    "`burn_captions` must be true or false.",
                ));
            }
        };
        Ok(Self {
            style,
            image_ids,
            burn_captions,
        })
    }
}

/// The prefix of upload ids.
pub const UPLOAD_ID_PREFIX: &str = "img_";

/// Whether `id` has the shape of an upload id (`img_` and a cuid2).
pub fn looks_like_upload_id(id: &str) -> bool {
    id.strip_prefix(UPLOAD_ID_PREFIX).is_some_and(|rest| {
        (20..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
    })
}
