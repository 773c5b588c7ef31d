//! The jobs API's request schemas, written from the request checks' own constants: the
//! canonical job body (and seed 002's, which shares its path), the `/api/v1/generate` bodies
//! of seeds 001 and 003, and the provider probe. What a schema cannot say — the byte size of
//! `parameters` and `metadata`, that a webhook host must be public — is said in words.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AnyOfBuilder, ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type,
};
use utoipa::{PartialSchema, ToSchema};

use crate::config::jobs::DEFAULT_MODELS;
use crate::domain::slide_image::MAX_IMAGES;
use crate::workflows::jobs::model::{Priority, WEBHOOK_EVENTS};
use crate::workflows::jobs::request::{
    KINDS, MAX_ID_CHARS, MAX_OBJECT_BYTES, MAX_OBJECT_KEYS, MAX_PROMPT_CHARS, MAX_RETRIES,
};
use crate::workflows::slideshow::options::MAX_CONTENT_CHARS;
use crate::workflows::slideshow::style::Style;

/// A prompt: no control characters but tab and line breaks, at least one visible character.
const PROMPT_PATTERN: &str = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*\
                              [^\\s\\x00-\\x1F\\x7F-\\x9F]\
                              [^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$";
/// Most outputs by default (`JOBS_MAX_OUTPUTS`).
const DEFAULT_MAX_OUTPUTS: u32 = 4;

fn nullable(kind: Type) -> ObjectBuilder {
    ObjectBuilder::new().schema_type(SchemaType::from_iter([kind, Type::Null]))
}

fn prompt() -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(MAX_PROMPT_CHARS))
        .pattern(Some(PROMPT_PATTERN))
        .description(Some(format!(
            "What to make: 1–{MAX_PROMPT_CHARS} characters, not blank, no control characters \
             other than tab and line breaks."
        )))
        .examples(["A futuristic city at sunset"])
}

/// `owner/name` of an allowed model, optionally `:` and a 64-hex version.
fn model() -> ObjectBuilder {
    let names: Vec<String> = DEFAULT_MODELS
        .split(',')
        .map(|name| name.replace('.', "\\.").replace('-', "\\-"))
        .collect();
    nullable(Type::String)
        .pattern(Some(format!("^({})(:[0-9a-f]{{64}})?$", names.join("|"))))
        .description(Some(format!(
            "The model (`JOBS_MODELS`; by default {DEFAULT_MODELS}), optionally pinned to a \
             version; others are 422 `unknown_model`. Absent: `JOBS_DEFAULT_MODEL`."
        )))
}

fn bounded_object(what: &str) -> ObjectBuilder {
    nullable(Type::Object)
        .max_properties(Some(MAX_OBJECT_KEYS))
        .description(Some(format!(
            "{what}: at most {MAX_OBJECT_KEYS} keys and {MAX_OBJECT_BYTES} bytes as JSON (larger \
             is 422)."
        )))
}

fn integer(minimum: i64, maximum: i64, description: &str) -> ObjectBuilder {
    nullable(Type::Integer)
        .minimum(Some(minimum as f64))
        .maximum(Some(maximum as f64))
        .description(Some(description))
}

fn choices(values: &[&str], description: &str) -> ObjectBuilder {
    let mut allowed: Vec<Option<&str>> = values.iter().copied().map(Some).collect();
    allowed.push(None);
    nullable(Type::String)
        .enum_values(Some(allowed))
        .description(Some(description))
}

fn num_outputs() -> ObjectBuilder {
    integer(
        1,
        i64::from(DEFAULT_MAX_OUTPUTS),
        "How many images (1 to `JOBS_MAX_OUTPUTS`, 4 by default).",
    )
}

fn seed() -> ObjectBuilder {
    integer(
        0,
        i64::from(u32::MAX),
        "Random seed, for repeatable outputs.",
    )
}

fn output_format() -> ObjectBuilder {
    choices(
        &["png", "jpg", "jpeg", "webp"],
        "Image format (`jpeg` is stored as `jpg`).",
    )
}

fn user_id() -> ObjectBuilder {
    nullable(Type::String)
        .min_length(Some(1))
        .max_length(Some(MAX_ID_CHARS))
        .description(Some("Your own user's id, for filtering the list."))
}

fn max_retries(description: &str) -> ObjectBuilder {
    integer(0, MAX_RETRIES, description)
}

/// The canonical `POST /api/v1/jobs` body.
fn canonical_job() -> Schema {
    let mut kinds: Vec<Option<&str>> = KINDS.iter().copied().map(Some).collect();
    kinds.push(None);
    ObjectBuilder::new()
        .title(Some("JobRequest"))
        .property(
            "kind",
            nullable(Type::String)
                .enum_values(Some(kinds))
                .description(Some("What to make (default `image`).")),
        )
        .property("model", model())
        .property("prompt", prompt())
        .property(
            "parameters",
            bounded_object("The model's own inputs (width, height, steps, …)"),
        )
        .property("num_outputs", num_outputs())
        .property("seed", seed())
        .property("output_format", output_format())
        .property(
            "priority",
            choices(&Priority::WORDS, "Dispatch order (default `default`)."),
        )
        .property(
            "max_retries",
            max_retries("Provider failures retried with a fresh prediction (default 3)."),
        )
        .property(
            "metadata",
            bounded_object("Anything of yours, returned with the job"),
        )
        .property("user_id", user_id())
        .property(
            "webhook_url",
            nullable(Type::String)
                .max_length(Some(2048))
                .description(Some(
                    "Where to POST the job's events, signed per Standard Webhooks with your key's \
                 secret (`GET /api/v1/webhooks/secret`). http(s) on a public address (private \
                 ones only when listed in `JOBS_WEBHOOK_ALLOWED_HOSTS`); needs an API key.",
                )),
        )
        .property(
            "webhook_events",
            ArrayBuilder::new()
                .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
                .items(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(WEBHOOK_EVENTS)),
                )
                .description(Some("Events to send (all of them when absent).")),
        )
        .required("prompt")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .into()
}

/// Seed 002's body on the same path.
fn seed002_job() -> Schema {
    ObjectBuilder::new()
        .title(Some("Seed002JobRequest"))
        .property("userId", user_id())
        .property("prompt", prompt())
        .property(
            "metadata",
            nullable(Type::Object)
                .max_properties(Some(MAX_OBJECT_KEYS))
                .property("priority", choices(&Priority::WORDS, "Dispatch order."))
                .description(Some(format!(
                    "Seed 002's metadata; `priority` sets the dispatch order. At most \
                     {MAX_OBJECT_BYTES} bytes as JSON."
                ))),
        )
        .property(
            "maxRetries",
            max_retries("Provider failures retried (default 3)."),
        )
        .property("model", model())
        .required("prompt")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .into()
}

/// The body of `POST /api/v1/jobs`: the canonical request, or seed 002's (told apart by its
/// camelCase `userId` / `maxRetries`).
pub struct JobCreateBody;

impl PartialSchema for JobCreateBody {
    fn schema() -> RefOr<Schema> {
        Schema::AnyOf(
            AnyOfBuilder::new()
                .item(canonical_job())
                .item(seed002_job())
                .description(Some(
                    "A canonical job request, or seed 002's (`userId`, `prompt`, \
                     `metadata.priority`, `maxRetries`), recognised by `userId` or `maxRetries`. \
                     Unknown fields are 422 `unknown_field`.",
                ))
                .build(),
        )
        .into()
    }
}

impl ToSchema for JobCreateBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "JobCreateRequest".into()
    }
}

/// The body of `POST /api/v1/generate`: seed 001's or seed 003's.
pub struct GenerateBody;

impl PartialSchema for GenerateBody {
    fn schema() -> RefOr<Schema> {
        let seed001 = ObjectBuilder::new()
            .title(Some("Seed001GenerateRequest"))
            .property("prompt", prompt())
            .property(
                "parameters",
                bounded_object("The model's inputs (width, height, num_inference_steps, …)"),
            )
            .required("prompt")
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ));
        let seed003 = ObjectBuilder::new()
            .title(Some("Seed003GenerateRequest"))
            .property("model", model())
            .property("prompt", prompt())
            .property("num_outputs", num_outputs())
            .property("seed", seed())
            .property("output_format", output_format())
            .required("prompt")
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ));
        Schema::AnyOf(
            AnyOfBuilder::new()
                .item(seed001)
                .item(seed003)
                .description(Some(
                    "Seed 001's `{prompt, parameters}` or seed 003's `{model, prompt, \
                     num_outputs, seed, output_format}` (recognised by any of its own fields). \
                     The answer and later reads use that seed's shape.",
                ))
                .build(),
        )
        .into()
    }
}

impl ToSchema for GenerateBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "GenerateRequest".into()
    }
}

/// The body of `POST /api/v1/providers/test`.
pub struct ProviderTestBody;

impl PartialSchema for ProviderTestBody {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property(
                "provider",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("`replicate`; others are 404.")),
            )
            .property(
                "timeout",
                integer(1, 60, "Seconds to wait for the answer (default 30)."),
            )
            .required("provider")
            .into()
    }
}

impl ToSchema for ProviderTestBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "ProviderTestRequest".into()
    }
}

/// The body of seed 004's `POST /api/video/generate`.
pub struct VideoGenerateBody;

impl PartialSchema for VideoGenerateBody {
    fn schema() -> RefOr<Schema> {
        let mut styles: Vec<Option<&str>> = Style::NAMES.iter().copied().map(Some).collect();
        styles.push(None);
        ObjectBuilder::new()
            .property(
                "content",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .max_length(Some(MAX_CONTENT_CHARS))
                    .pattern(Some(PROMPT_PATTERN))
                    .description(Some(format!(
                        "The text to narrate: 1–{MAX_CONTENT_CHARS} characters, not blank."
                    ))),
            )
            .property(
                "style",
                nullable(Type::String)
                    .enum_values(Some(styles))
                    .description(Some("The look (default `professional`).")),
            )
            .property(
                "image_ids",
                ArrayBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
                    .max_items(Some(MAX_IMAGES))
                    .items(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .pattern(Some("^img_[a-z0-9]{20,32}$")),
                    )
                    .description(Some(
                        "Up to three of your uploads (`POST /api/video/images`), in order, each \
                         once; none: a title card per sentence.",
                    )),
            )
            .property(
                "burn_captions",
                nullable(Type::Boolean)
                    .description(Some("Draw the captions into the picture too.")),
            )
            .required("content")
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ))
            .into()
    }
}

impl ToSchema for VideoGenerateBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "VideoGenerateRequest".into()
    }
}

/// The body of `POST /api/video/images`: one to three image files named `images`.
pub struct UploadImagesBody;

impl PartialSchema for UploadImagesBody {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .property(
                "images",
                ArrayBuilder::new()
                    .min_items(Some(1))
                    .max_items(Some(MAX_IMAGES))
                    .items(ObjectBuilder::new().schema_type(Type::String).format(Some(
                        utoipa::openapi::SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::Binary,
                        ),
                    )))
                    .description(Some(
                        "JPEG, PNG or GIF files, 2 MB each and 6 MB in all, at least 200 pixels \
                         a side (checked by their bytes: other data is 422).",
                    )),
            )
            .required("images")
            .into()
    }
}

impl ToSchema for UploadImagesBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "UploadImagesRequest".into()
    }
}
