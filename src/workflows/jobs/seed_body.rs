//! The first check of every seed route's body: a JSON object holding only the fields that
//! seed's client sends (a typo is refused, not ignored).

use serde_json::{Map, Value};

use crate::error::ApiError;

/// A seed body as a JSON object holding only `fields` (400 `invalid_json` when it is not an
/// object, 422 `unknown_field` for a field the seed's client never sends).
pub fn seed_object<'a>(
    body: &'a Value,
    fields: &[&str],
) -> Result<&'a Map<String, Value>, ApiError> {
    let Some(object) = body.as_object() else {
        return Err(ApiError::BadRequest {
            code: "invalid_json",
            message: "The request body must be a JSON object.".into(),
        });
    };
    refuse_unknown_fields(object, fields)?;
    Ok(object)
}

/// Refuses a body field the seed's client never sends (a typo is not ignored).
pub fn refuse_unknown_fields(object: &Map<String, Value>, fields: &[&str]) -> Result<(), ApiError> {
    match object.keys().find(|key| !fields.contains(&key.as_str())) {
        Some(unknown) => Err(ApiError::Unprocessable {
            code: "unknown_field",
            field: "body",
            message: format!(
                "Unknown field `{unknown}`; the fields are {}.",
                fields.join(", ")
            ),
        }),
        None => Ok(()),
    }
}
