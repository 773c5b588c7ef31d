//! `/openapi.json` and the Swagger UI at `/docs`, served from files vendored into the binary
//! (no CDN at run time).

use axum::Json;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::ApiError;
use crate::openapi::api_document;

const DOCS_PAGE: &str = include_str!("../../static/docs/index.html");
const DOCS_INIT: &str = include_str!("../../static/docs/init.js");
const SWAGGER_BUNDLE: &str = include_str!("../../static/vendor/swagger-ui/swagger-ui-bundle.js");
const SWAGGER_CSS: &str = include_str!("../../static/vendor/swagger-ui/swagger-ui.css");

/// The OpenAPI document.
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(api_document())
}

/// The interactive API reference.
pub async fn docs_page() -> Html<&'static str> {
    Html(DOCS_PAGE)
}

/// Swagger UI's script, stylesheet and initialiser.
pub async fn docs_asset(Path(asset): Path<String>) -> Response {
    let (body, content_type) = match asset.as_str() {
        "swagger-ui-bundle.js" => (SWAGGER_BUNDLE, "text/javascript; charset=utf-8"),
        "swagger-ui.css" => (SWAGGER_CSS, "text/css; charset=utf-8"),
        "init.js" => (DOCS_INIT, "text/javascript; charset=utf-8"),
        _ => return ApiError::not_found("File").into_response(),
    };
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    response
}
