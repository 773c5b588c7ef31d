//! The OpenAPI document, assembled from the handlers' annotations so it cannot drift from the
//! routes; served at `/openapi.json` and printed by `serenade openapi`. Request schemas are
//! written from the domain's constants (`requests`); responses every route can give — 408
//! from the request deadline, 500 from the panic boundary — are added to each operation here.

pub mod error_body;
pub mod job_requests;
pub mod requests;

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use self::error_body::ErrorBody;

use crate::workflows::jobs;
use crate::workflows::slideshow;
use crate::workflows::song::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Serenade",
        description = "Personalised AI love songs for pets, delivered as a spinning-record video. \
            Every rejection is the flat `ErrorBody` with a stable `error` code."
    ),
    paths(
        api::submissions::create_submission,
        api::submissions::submission_status,
        api::results::submission_result,
        api::webhook::submission_webhook,
        api::webhook::task_webhook,
        api::health::health,
        api::health::livez,
        api::health::readyz,
        api::admin::queue_status,
        api::admin::metrics,
        jobs::api::create,
        jobs::api::list,
        jobs::api::read,
        jobs::api::delete,
        jobs::api::cancel,
        jobs::events::events,
        jobs::me::who_am_i,
        jobs::providers::status,
        jobs::providers::test,
        jobs::compat::generate,
        jobs::compat::status,
        jobs::compat::seed001::health,
        jobs::compat::seed002::alive,
        jobs::compat::seed002::ready,
        slideshow::seed004::generate,
        slideshow::seed004::status,
        slideshow::seed004::video,
        slideshow::uploads::routes::upload,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BasicAuth, &RouteWideTruths)
)]
struct ApiDoc;

struct BasicAuth;

impl Modify for BasicAuth {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// What holds for every route: the request deadline (408) and the panic boundary (500) answer
/// with the flat error, and constrained path parameters have their real shape.
struct RouteWideTruths;

impl Modify for RouteWideTruths {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        for item in document.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                add_error_response(
                    operation,
                    "408",
                    "The request (body included) took too long",
                );
                add_error_response(
                    operation,
                    "500",
                    "An unexpected failure (logged, never detailed)",
                );
                constrain_path_parameters(operation);
                accept_missing_hint_bodies(operation);
            }
        }
    }
}

fn add_error_response(operation: &mut Operation, status: &str, description: &str) {
    if operation.responses.responses.contains_key(status) {
        return;
    }
    let response = ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "ErrorBody",
                ))))
                .build(),
        )
        .build();
    operation
        .responses
        .responses
        .insert(status.to_owned(), RefOr::T(response));
}

fn constrain_path_parameters(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if let RefOr::T(parameter) = parameter
            && let Some(schema) = requests::path_parameter_schema(&parameter.name)
        {
            parameter.schema = Some(RefOr::T(schema));
        }
    }
}

/// A body that is only a hint (`AnyCallback`) may also be absent: such routes read whatever
/// arrives, nothing included. (utoipa marks every non-`Option` body required, and an
/// `Option` would add a `null` alternative that the any-value schema already covers.)
fn accept_missing_hint_bodies(operation: &mut Operation) {
    let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
        return;
    };
    let is_hint = body.content.values().any(|content| {
        matches!(content, RefOr::T(content) if matches!(&content.schema,
            Some(RefOr::Ref(reference)) if reference.ref_location.ends_with("/AnyCallback")))
    });
    if is_hint {
        body.required = Some(utoipa::openapi::Required::False);
    }
}

/// The service's OpenAPI document.
pub fn api_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
