//! A Replicate call that did not succeed, classified for the jobs engine like the Sonauto
//! client's errors: above all whether the request may have been accepted (and billed), whether
//! it is worth retrying, and whether the account itself is refused.

use std::time::{Duration, SystemTime};

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde_json::Value;

use super::retry_after::parse_retry_after;

/// Why a Replicate call failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplicateError {
    /// The request could not be built (a bad base URL or id): it never left.
    #[error("the Replicate request could not be built: {0}")]
    InvalidRequest(String),
    /// The connection was never made (refused, DNS): Replicate cannot have seen the request.
    #[error("could not reach Replicate")]
    NotSent(#[source] reqwest::Error),
    /// The request went out but no answer came back (timeout, reset, closed): it may have
    /// been accepted.
    #[error("Replicate did not answer")]
    NoResponse(#[source] reqwest::Error),
    /// 401/403: the token is refused.
    #[error("Replicate refused the API token ({status})")]
    Unauthorized { status: u16 },
    /// 402: billing or credit is required.
    #[error("the Replicate account needs credit or billing set up")]
    PaymentRequired,
    /// 404: an unknown prediction, model or deployment.
    #[error("Replicate does not know this resource")]
    NotFound,
    /// Another 4xx, such as 422 for an invalid input: this request will never succeed.
    #[error("Replicate rejected the request ({status}): {detail}")]
    Rejected { status: u16, detail: String },
    /// 429: throttled.
    #[error("Replicate is rate limiting us")]
    RateLimited { retry_after: Option<Duration> },
    /// 5xx.
    #[error("Replicate failed ({status})")]
    Server {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// A 2xx whose body is not what the API documents.
    #[error("Replicate answered something unexpected: {0}")]
    Decode(String),
}

impl ReplicateError {
    /// Worth trying again later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::NotSent(_)
                | Self::NoResponse(_)
                | Self::RateLimited { .. }
                | Self::Server { .. }
                | Self::Decode(_)
        )
    }

    /// Whether a failed create may still have started (and will bill) a prediction: no
    /// answer after sending, any 5xx (a gateway can fail after the origin accepted), or a 2xx
    /// that could not be read. Such a create must be reconciled, never blindly repeated.
    pub fn may_have_been_accepted(&self) -> bool {
        matches!(
            self,
            Self::NoResponse(_) | Self::Server { .. } | Self::Decode(_)
        )
    }

    /// A refusal of the account rather than of one request: work should wait, not fail.
    pub fn is_account_refusal(&self) -> bool {
        matches!(self, Self::Unauthorized { .. } | Self::PaymentRequired)
    }

    /// The wait Replicate asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } | Self::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// A stable code for logs, metrics and error columns.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "replicate_invalid_request",
            Self::NotSent(_) => "replicate_unreachable",
            Self::NoResponse(_) => "replicate_no_response",
            Self::Unauthorized { .. } => "replicate_unauthorized",
            Self::PaymentRequired => "replicate_payment_required",
            Self::NotFound => "replicate_not_found",
            Self::Rejected { .. } => "replicate_rejected",
            Self::RateLimited { .. } => "replicate_rate_limited",
            Self::Server { .. } => "replicate_server_error",
            Self::Decode(_) => "replicate_bad_response",
        }
    }
}

/// Classifies a `send` failure: no connection means never sent, anything later may have been
/// received.
pub(super) fn classify_send_error(error: reqwest::Error) -> ReplicateError {
    if error.is_connect() || error.is_builder() {
        ReplicateError::NotSent(error)
    } else {
        ReplicateError::NoResponse(error)
    }
}

/// The body of a 2xx response, or the error its status means.
pub(super) async fn checked_body(response: reqwest::Response) -> Result<String, ReplicateError> {
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let body = response.text().await.map_err(ReplicateError::NoResponse)?;
    if status.is_success() {
        return Ok(body);
    }
    Err(error_for_status(status, retry_after, &body))
}

fn error_for_status(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &str,
) -> ReplicateError {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => ReplicateError::Unauthorized {
            status: status.as_u16(),
        },
        StatusCode::PAYMENT_REQUIRED => ReplicateError::PaymentRequired,
        StatusCode::NOT_FOUND => ReplicateError::NotFound,
        StatusCode::TOO_MANY_REQUESTS => ReplicateError::RateLimited { retry_after },
        status if status.is_server_error() => ReplicateError::Server {
            status: status.as_u16(),
            retry_after,
        },
        status => ReplicateError::Rejected {
            status: status.as_u16(),
            detail: problem_detail(body),
        },
    }
}

/// The message of a problem-details body (`{"title", "detail", "status"}`): `detail`, else
/// `title`, else the start of the raw body.
fn problem_detail(body: &str) -> String {
    let parsed = serde_json::from_str::<Value>(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|value| value.get(name))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let text = field("detail")
        .or_else(|| field("title"))
        .unwrap_or_else(|| body.chars().take(300).collect());
    text.chars().take(500).collect()
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_their_kinds() {
        let seconds = Some(Duration::from_secs(30));
        let throttled = error_for_status(StatusCode::TOO_MANY_REQUESTS, seconds, "{}");
        assert_eq!(throttled.retry_after(), seconds);
        assert!(throttled.is_retryable() && !throttled.may_have_been_accepted());
        let refused = error_for_status(StatusCode::FORBIDDEN, None, "{}");
        assert!(refused.is_account_refusal() && !refused.is_retryable());
        let billing = error_for_status(StatusCode::PAYMENT_REQUIRED, None, "{}");
        assert!(billing.is_account_refusal());
        let failed = error_for_status(StatusCode::BAD_GATEWAY, None, "<html>");
        assert!(failed.is_retryable() && failed.may_have_been_accepted());
        assert_eq!(failed.code(), "replicate_server_error");
        assert!(matches!(
            error_for_status(StatusCode::NOT_FOUND, None, "{}"),
            ReplicateError::NotFound
        ));
    }

    #[test]
    fn invalid_input_is_a_final_rejection_with_the_problem_detail() {
        let body = r#"{"title":"Input validation failed","detail":"- input.prompt: required\n","status":422}"#;
        let rejected = error_for_status(StatusCode::UNPROCESSABLE_ENTITY, None, body);
        let ReplicateError::Rejected { status, detail } = &rejected else {
            panic!("{rejected:?}");
        };
        assert_eq!(
            (*status, detail.as_str()),
            (422, "- input.prompt: required")
        );
        assert!(!rejected.is_retryable() && !rejected.may_have_been_accepted());
    }

    #[test]
    fn problem_details_fall_back_to_the_title_then_the_body() {
        assert_eq!(
            problem_detail(r#"{"title":"Invalid version"}"#),
            "Invalid version"
        );
        assert_eq!(problem_detail(r#"{"detail":"","title":"T"}"#), "T");
        assert_eq!(problem_detail("Bad Request"), "Bad Request");
    }
}
