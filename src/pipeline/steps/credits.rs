//! `refresh_credits`: read the provider balance (`num_credits + num_credits_payg`), store it,
//! warn when it runs low, and let dispatch resume if it can. It is also the probe of a
//! dispatch pause: an answer lifts the pause, a 401/403 keeps it (see `pipeline::pause`).

use crate::app::AppState;
use crate::db::jobs::{ClaimedJob, Lane};
use crate::db::now_ms;
use crate::pipeline::outcome::StepOutcome;

pub async fn run(app: &AppState, job: &ClaimedJob) -> anyhow::Result<StepOutcome> {
    let credits = match app.provider.credits().await {
        Ok(credits) => credits,
        Err(error) if error.is_account_refusal() => {
            crate::pipeline::pause::pause_dispatch(app, &error).await?;
            return Ok(StepOutcome::committed(app.db.complete_job(job).await?));
        }
        Err(error) if error.is_retryable() => {
            return Ok(StepOutcome::Retry {
                error: error.to_string(),
                after: error.retry_after(),
            });
        }
        Err(error) => return Ok(StepOutcome::fail(format!("{}: {error}", error.code()))),
    };
    crate::pipeline::pause::resume_dispatch(app).await?;
    app.db
        .store_credits(credits.num_credits, credits.num_credits_payg, now_ms())
        .await?;
    let usable = credits.num_credits.saturating_add(credits.num_credits_payg);
    app.metrics.provider_credits.set(usable);
    if usable < app.config.provider.song_credit_cost {
        tracing::error!(
            credits = usable,
            "provider credits exhausted: dispatch paused and intake closed"
        );
    } else if usable < app.config.provider.min_available_credits {
        tracing::warn!(
            credits = usable,
            "provider credits below MIN_AVAILABLE_CREDITS"
        );
    } else {
        tracing::info!(credits = usable, "provider credits refreshed");
    }
    app.wakers.wake(Lane::Dispatch);
    Ok(StepOutcome::committed(app.db.complete_job(job).await?))
}
