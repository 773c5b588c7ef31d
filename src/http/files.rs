//! Serving stored objects over HTTP. [`serve_stored`] answers for any workflow's file route:
//! from the object's local file when the store keeps one (content type, `Range` and
//! conditional requests), otherwise by a redirect to a fresh presigned URL, so links stay
//! stable whatever the backend. [`signed_file`] is `/files/{workflow}/{owner}/{name}`, the
//! local store's signed URLs: refused once expired or altered.

use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::clock::now_ms;
use crate::error::{ApiError, code};
use crate::state::AppState;
use crate::storage::{ObjectKey, SignatureError};

/// Stored objects never change under a key, so clients may cache them for a day.
const CACHE_CONTROL: &str = "public, max-age=86400";

/// The response for `GET` of one stored object.
pub async fn serve_stored(app: &AppState, key: &ObjectKey, request: Request) -> Response {
    let Some(path) = app.store.local_path(key) else {
        let ttl = app.config.storage.objects.signed_url_ttl();
        return match app.store.signed_url(key, ttl).await {
            Ok(signed) => Redirect::temporary(&signed.url).into_response(),
            Err(error) => ApiError::from(error).into_response(),
        };
    };
    let mut response = match ServeFile::new(path).oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(error) => match error {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        return ApiError::not_found("File").into_response();
    }
    if response.status().is_success() {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_CONTROL),
        );
    }
    response
}

/// The query of a local signed URL (read leniently: a missing or malformed part is an
/// invalid link, not a parse error).
#[derive(Debug, Default, Deserialize)]
pub struct SignedQuery {
    expires: Option<String>,
    signature: Option<String>,
}

/// `GET /files/{workflow}/{owner}/{name}?expires=…&signature=…`.
pub async fn signed_file(
    State(app): State<AppState>,
    Path((workflow, owner, name)): Path<(String, String, String)>,
    query: Result<Query<SignedQuery>, QueryRejection>,
    request: Request,
) -> Response {
    let Ok(key) = ObjectKey::new(&workflow, &owner, &name) else {
        return ApiError::not_found("File").into_response();
    };
    let query = query.map(|Query(query)| query).unwrap_or_default();
    let signed = query
        .expires
        .and_then(|expires| expires.parse::<i64>().ok())
        .zip(query.signature);
    let Some((expires, signature)) = signed else {
        return ApiError::Forbidden {
            code: code::LINK_INVALID,
            message: "This file needs a signed link.".into(),
        }
        .into_response();
    };
    match app
        .store
        .check_signature(&key, expires, &signature, now_ms() / 1000)
    {
        Ok(()) => serve_stored(&app, &key, request).await,
        Err(SignatureError::Expired) => ApiError::Forbidden {
            code: code::LINK_EXPIRED,
            message: "This link has expired; ask for a fresh one.".into(),
        }
        .into_response(),
        Err(SignatureError::Invalid) => ApiError::Forbidden {
            code: code::LINK_INVALID,
            message: "This link is not valid.".into(),
        }
        .into_response(),
    }
}
