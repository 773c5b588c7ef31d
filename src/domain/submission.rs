//! The submission form: its raw request shape, the validated form (checked in the spec's form
//! order), the choice lists, and the overall entry status.

use serde::Deserialize;
use utoipa::ToSchema;

use super::ids::{CookieId, MAX_COOKIE_ID_CHARS};
use super::names::{Name, NameError};
use super::photo::{self, InspectedPhoto, PhotoError};

/// The kinds of pet the form offers.
pub const PET_TYPES: &[&str] = &["Dog", "Cat", "Bird", "Fish", "Other"];
/// The music vibes the form offers.
pub const MUSIC_VIBES: &[&str] = &[
    "Chill",
    "Energetic",
    "Romantic",
    "Party",
    "Relaxing",
    "Other",
];

/// `POST /api/submissions` body, as the browser sends it. Every field is optional here so a
/// missing one gets a field-specific error instead of a parse error (the API document's
/// schema, `openapi::requests::SubmissionBody`, states which are required).
#[derive(Debug, Default, Deserialize)]
pub struct SubmissionRequest {
    /// 2–100 letters (any script), spaces, apostrophes, hyphens.
    pub pet_name: Option<String>,
    /// One of Dog, Cat, Bird, Fish, Other.
    pub pet_type: Option<String>,
    /// JPEG or PNG as base64 or a data URL; ≤ 5 MB, ≥ 400×400.
    pub photo: Option<String>,
    /// One of Chill, Energetic, Romantic, Party, Relaxing, Other.
    pub music_vibe: Option<String>,
    /// The owner's name, same rules as the pet's.
    pub owner_name: Option<String>,
    /// The browser's cookie id from an earlier response; null or empty the first time. Any id
    /// of 1–128 printable ASCII characters without spaces is counted as given (an unknown one
    /// has used nothing).
    pub cookie_id: Option<String>,
}

/// A form whose fields all passed validation; the photo is inspected but not yet decoded.
#[derive(Debug)]
pub struct SubmissionForm {
    pub pet_name: Name,
    pub pet_type: &'static str,
    pub photo: InspectedPhoto,
    pub music_vibe: &'static str,
    pub owner_name: Name,
    pub cookie_id: Option<CookieId>,
}

/// The first rule a request broke, in form order.
#[derive(Debug, thiserror::Error)]
pub enum ValidationError {
    #[error("{} is required", label(field))]
    Required { field: &'static str },
    #[error("{} {source}", label(field))]
    Name {
        field: &'static str,
        source: NameError,
    },
    #[error("{} must be one of: {}", label(field), allowed.join(", "))]
    Choice {
        field: &'static str,
        allowed: &'static [&'static str],
    },
    #[error("cookie_id must be 1–{MAX_COOKIE_ID_CHARS} printable ASCII characters without spaces")]
    CookieId,
    #[error(transparent)]
    Photo(#[from] PhotoError),
}

impl ValidationError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Required { .. } => "field_required",
            Self::Name { .. } => "invalid_name",
            Self::Choice { .. } => "invalid_choice",
            Self::CookieId => "invalid_cookie_id",
            Self::Photo(photo) => photo.code(),
        }
    }

    /// The request field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            Self::Required { field } | Self::Name { field, .. } | Self::Choice { field, .. } => {
                field
            }
            Self::CookieId => "cookie_id",
            Self::Photo(_) => "photo",
        }
    }
}

fn label(field: &str) -> &'static str {
    match field {
        "pet_name" => "Pet name",
        "pet_type" => "Pet type",
        "photo" => "Photo",
        "music_vibe" => "Music vibe",
        "owner_name" => "Your name",
        _ => "Field",
    }
}

impl SubmissionForm {
    /// Validates the request in the spec's form order, stopping at the first broken rule.
    /// The photo is only inspected (type, size, header dimensions), which is cheap.
    pub fn parse(request: SubmissionRequest) -> Result<Self, ValidationError> {
        let pet_name = name_field("pet_name", request.pet_name.as_deref())?;
        let pet_type = choice_field("pet_type", request.pet_type.as_deref(), PET_TYPES)?;
        let photo = match request.photo.as_deref() {
            Some(raw) if !raw.trim().is_empty() => photo::inspect(raw)?,
            _ => return Err(ValidationError::Required { field: "photo" }),
        };
        let music_vibe = choice_field("music_vibe", request.music_vibe.as_deref(), MUSIC_VIBES)?;
        let owner_name = name_field("owner_name", request.owner_name.as_deref())?;
        let cookie_id = match request.cookie_id.as_deref() {
            None | Some("null") => None,
            Some(raw) if raw.trim().is_empty() => None,
            Some(raw) => Some(CookieId::parse(raw).ok_or(ValidationError::CookieId)?),
        };
        Ok(Self {
            pet_name,
            pet_type,
            photo,
            music_vibe,
            owner_name,
            cookie_id,
        })
    }
}

fn name_field(field: &'static str, raw: Option<&str>) -> Result<Name, ValidationError> {
    match raw {
        None => Err(ValidationError::Required { field }),
        Some(raw) if raw.trim().is_empty() && !raw.contains(char::is_control) => {
            Err(ValidationError::Required { field })
        }
        Some(raw) => Name::parse(raw).map_err(|source| ValidationError::Name { field, source }),
    }
}

fn choice_field(
    field: &'static str,
    raw: Option<&str>,
    allowed: &'static [&'static str],
) -> Result<&'static str, ValidationError> {
    match raw {
        None | Some("") => Err(ValidationError::Required { field }),
        Some(raw) => allowed
            .iter()
            .find(|choice| **choice == raw)
            .copied()
            .ok_or(ValidationError::Choice { field, allowed }),
    }
}

/// The overall workflow status the spec keeps in `entry_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntryStatus {
    Pending,
    Processing,
    Success,
    Fail,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Success => "success",
            Self::Fail => "fail",
        }
    }

    /// Reads the column value; unknown text is treated as still pending.
    pub fn from_column(value: &str) -> Self {
        match value {
            "processing" => Self::Processing,
            "success" => Self::Success,
            "fail" => Self::Fail,
            _ => Self::Pending,
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Success | Self::Fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> SubmissionRequest {
        SubmissionRequest {
            pet_name: Some("Toby".into()),
            pet_type: Some("Dog".into()),
            photo: Some(photo::tests::sample_jpeg_base64(600, 600)),
            music_vibe: Some("Romantic".into()),
            owner_name: Some("Matt".into()),
            cookie_id: None,
        }
    }

    #[test]
    fn a_complete_form_parses() {
        let form = SubmissionForm::parse(request()).unwrap();
        assert_eq!(form.pet_name.as_str(), "Toby");
        assert_eq!(form.pet_type, "Dog");
        assert!(form.cookie_id.is_none());
    }

    #[test]
    fn the_first_error_in_form_order_is_reported() {
        let mut bad = request();
        bad.owner_name = Some("X".into());
        bad.pet_type = Some("dog".into());
        let error = SubmissionForm::parse(bad).unwrap_err();
        assert_eq!(error.field(), "pet_type");
        assert_eq!(error.code(), "invalid_choice");
    }

    #[test]
    fn enums_are_exact() {
        let mut bad = request();
        bad.music_vibe = Some("romantic".into());
        assert_eq!(
            SubmissionForm::parse(bad).unwrap_err().field(),
            "music_vibe"
        );
    }

    #[test]
    fn empty_and_null_cookie_ids_mean_a_new_visitor_and_junk_is_refused() {
        for empty in ["", "   ", "null"] {
            let mut with_empty = request();
            with_empty.cookie_id = Some(empty.into());
            assert!(
                SubmissionForm::parse(with_empty)
                    .unwrap()
                    .cookie_id
                    .is_none()
            );
        }
        let mut junk = request();
        junk.cookie_id = Some("cookie_x\0' OR 1=1".into());
        assert_eq!(
            SubmissionForm::parse(junk).unwrap_err().code(),
            "invalid_cookie_id"
        );
    }
}
