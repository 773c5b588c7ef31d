//! Charging a request to its client's hourly budget (shared across processes via the DB).

use std::net::IpAddr;

use crate::clock::now_ms;
use crate::db::rate_limits::RateDecision;
use crate::domain::sliding_window::SlidingWindow;
use crate::error::{ApiError, ApiResult};
use crate::http::client_ip::rate_limit_key;
use crate::state::App;

const HOUR_MS: i64 = 3_600_000;

/// Budgets the spec names.
#[derive(Debug, Clone, Copy)]
pub enum Budget {
    Submissions,
    Results,
}

impl Budget {
    fn bucket(self) -> &'static str {
        match self {
            Self::Submissions => "submissions",
            Self::Results => "results",
        }
    }

    fn per_hour(self, app: &App) -> u32 {
        match self {
            Self::Submissions => app.config.limits.submissions_per_ip_per_hour,
            Self::Results => app.config.limits.results_per_ip_per_hour,
        }
    }
}

/// Records one request against `budget` for `client`, or answers 429 with `Retry-After`.
pub async fn charge(app: &App, budget: Budget, client: IpAddr) -> ApiResult<()> {
    let limit = budget.per_hour(app);
    if limit == 0 {
        return Ok(());
    }
    let window = SlidingWindow {
        limit,
        window_ms: HOUR_MS,
    };
    match app
        .db
        .hit_rate_limit(budget.bucket(), &rate_limit_key(client), window, now_ms())
        .await?
    {
        RateDecision::Allowed => Ok(()),
        RateDecision::Limited { retry_after } => Err(ApiError::RateLimited { retry_after }),
    }
}
