//! Request-body and path-parameter schemas, written out by hand from the domain's own
//! constants so they state the real rules: which fields are required (a missing one is a
//! field error, so the Rust types keep them optional), the choice lists, lengths and the
//! character rules a JSON Schema can express. What a schema cannot express — that a photo
//! decodes to an image of at least 400×400, that a name has a letter — is said in words.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaType, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::names::{MAX_NAME_CHARS, MIN_NAME_CHARS};
use crate::domain::photo::{MAX_PHOTO_BYTES, MIN_PHOTO_SIDE};
use crate::domain::submission::{MUSIC_VIBES, PET_TYPES};

/// A cuid2 as this service issues them: the shape every `{session_id}` must have (anything
/// else is 404 before any lookup).
const SESSION_ID_PATTERN: &str = "^[a-z][a-z0-9]{23}$";
/// `{session_id}.{secret}`: the secret is 32 random bytes in unpadded base64url.
const WEBHOOK_TOKEN_PATTERN: &str = "^[a-z][a-z0-9]{23}\\.[A-Za-z0-9_-]{43}$";
/// Characters no name may hold: control characters, digits and ASCII punctuation other than
/// the apostrophe and the hyphen. (Letters of any script, spaces, `'` and `-` remain.)
const NAME_PATTERN: &str = "^[^\\x00-\\x1F\\x7F0-9!\"#$%&()*+,./:;<=>?@\\[\\\\\\]^_`{|}~]*$";
/// Base64 (standard alphabet, padding optional, whitespace ignored), bare or as a data URL.
const PHOTO_PATTERN: &str =
    "^\\s*(data:[^,]*;base64,)?[A-Za-z0-9+/=\\s]*[A-Za-z0-9+/][A-Za-z0-9+/=\\s]*$";
/// The quota id a browser keeps: printable ASCII without spaces; empty or blank means none.
const COOKIE_ID_PATTERN: &str = "^([!-~]{1,128}|\\s*)$";
/// A provider task id: at least one visible character, no control characters.
const TASK_ID_PATTERN: &str = "^[^\\x00-\\x1F\\x7F]*[^\\s\\x00-\\x1F\\x7F][^\\x00-\\x1F\\x7F]*$";
/// An `Idempotency-Key` header: visible ASCII, 1–255 characters.
const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]{1,255}$";
/// Longest task id a callback may carry (the handler counts bytes; this many ASCII
/// characters is the same bound).
pub const MAX_TASK_ID_CHARS: usize = 256;

fn string() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn name(description: &str, example: &str) -> ObjectBuilder {
    string()
        .min_length(Some(MIN_NAME_CHARS))
        .pattern(Some(NAME_PATTERN))
        .description(Some(format!(
            "{description}: {MIN_NAME_CHARS}–{MAX_NAME_CHARS} characters once trimmed and runs \
             of spaces collapsed; letters of any script (with their combining marks), spaces, \
             apostrophes and hyphens, at least one letter."
        )))
        .examples([example])
}

fn choice(description: &str, choices: &[&str]) -> ObjectBuilder {
    string()
        .enum_values(Some(choices.iter().copied()))
        .description(Some(description))
        .examples(choices.first().copied())
}

/// The body of `POST /api/submissions` (the form, in the spec's field names).
pub struct SubmissionBody;

impl PartialSchema for SubmissionBody {
    fn schema() -> RefOr<Schema> {
        let photo = string()
            .pattern(Some(PHOTO_PATTERN))
            .description(Some(format!(
                "The pet's photo, base64 or a `data:image/…;base64,` URL. It must decode to a JPEG \
             or PNG of at most {} MB whose sides are at least {MIN_PHOTO_SIDE} pixels; \
             otherwise 400 with `field: \"photo\"`.",
                MAX_PHOTO_BYTES / (1024 * 1024)
            )));
        let cookie_id = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .pattern(Some(COOKIE_ID_PATTERN))
            .description(Some(
                "The browser's quota id from an earlier response; null, absent or empty the \
                 first time (a new one is then returned).",
            ));
        ObjectBuilder::new()
            .property("pet_name", name("The pet's name", "Toby"))
            .property("pet_type", choice("The kind of pet.", PET_TYPES))
            .property("photo", photo)
            .property("music_vibe", choice("The song's mood.", MUSIC_VIBES))
            .property("owner_name", name("The owner's name", "Matt"))
            .property("cookie_id", cookie_id)
            .required("pet_name")
            .required("pet_type")
            .required("photo")
            .required("music_vibe")
            .required("owner_name")
            .description(Some(
                "Fields are checked in this order and the first broken rule is answered 400 \
                 with its `field`. Unknown fields are ignored.",
            ))
            .into()
    }
}

impl ToSchema for SubmissionBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "SubmissionRequest".into()
    }
}

/// The body of the spec's `POST /api/webhook`.
pub struct TaskCallbackBody;

impl PartialSchema for TaskCallbackBody {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property(
                "task_id",
                string()
                    .max_length(Some(MAX_TASK_ID_CHARS))
                    .pattern(Some(TASK_ID_PATTERN))
                    .description(Some("The provider's generation id.")),
            )
            .property(
                "status",
                string().description(Some("The provider's status word, e.g. `SUCCESS`.")),
            )
            .required("task_id")
            .description(Some(
                "A provider callback. Other fields are kept for the audit trail; the callback \
                 is only a hint — the provider's API is asked what really happened.",
            ))
            .into()
    }
}

impl ToSchema for TaskCallbackBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "TaskCallback".into()
    }
}

/// The body of `POST /api/webhook/{token}`: anything, or nothing. The URL authenticates the
/// callback and the body is only a hint, so every body is accepted and kept for the audit
/// trail; a `task_id` (or `id`) and `status` in it are used when present.
pub struct AnyCallbackBody;

impl PartialSchema for AnyCallbackBody {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(SchemaType::AnyValue)
            .description(Some(
                "Any provider callback body (thin `{task_id, status}`, the spec's shape or the \
                 full generation object), or none.",
            ))
            .into()
    }
}

impl ToSchema for AnyCallbackBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "AnyCallback".into()
    }
}

/// The schema of a path parameter this service constrains, by the parameter's name.
pub fn path_parameter_schema(name: &str) -> Option<Schema> {
    let pattern = match name {
        "session_id" => SESSION_ID_PATTERN,
        "token" => WEBHOOK_TOKEN_PATTERN,
        "Idempotency-Key" => IDEMPOTENCY_KEY_PATTERN,
        _ => return None,
    };
    Some(string().pattern(Some(pattern)).into())
}
