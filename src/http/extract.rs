//! Request extractors that reject with [`ApiError`]: JSON bodies, session ids in the path
//! (404 unless cuid2-shaped, before any query), and the resolved client IP.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::domain::ids::SessionId;
use crate::error::{ApiError, code};
use crate::state::AppState;

/// A JSON body whose rejections are the API's own errors.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::UnsupportedMediaType),
            Err(JsonRejection::BytesRejection(rejection))
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Err(ApiError::PayloadTooLarge)
            }
            Err(JsonRejection::JsonDataError(rejection)) => Err(ApiError::BadRequest {
                code: code::INVALID_JSON,
                message: rejection.body_text(),
            }),
            Err(_) => Err(ApiError::BadRequest {
                code: code::INVALID_JSON,
                message: "The request body is not valid JSON.".into(),
            }),
        }
    }
}

/// A `{session_id}` path segment shaped like a cuid2.
#[derive(Debug)]
pub struct SessionPath(pub SessionId);

impl<S: Send + Sync> FromRequestParts<S> for SessionPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found("Session"))?;
        SessionId::parse(&raw)
            .map(Self)
            .ok_or(ApiError::not_found("Session"))
    }
}

/// The client's address after applying `TRUSTED_PROXIES`.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)), |info| info.0);
        Ok(Self(
            app.config
                .http
                .trusted_proxies
                .client_ip(peer, &parts.headers),
        ))
    }
}
