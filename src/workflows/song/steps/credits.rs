//! `refresh_credits`: read the provider balance (`num_credits + num_credits_payg`), store it,
//! warn when it runs low, and let dispatch resume if it can. It is also the probe of a
//! dispatch pause: an answer lifts the pause, a 401/403 keeps it (see `song::pause`).

use crate::clock::now_ms;
use crate::engine::{ClaimedJob, Outcome};
use crate::state::AppState;
use crate::workflows::song::kinds::queues;

pub async fn run(app: &AppState, job: &ClaimedJob) -> anyhow::Result<Outcome> {
    let credits = match app.provider.credits().await {
        Ok(credits) => credits,
        Err(error) if error.is_account_refusal() => {
            crate::workflows::song::pause::pause_dispatch(app, &error).await?;
            return Ok(Outcome::committed(app.db.complete_job(job).await?));
        }
        Err(error) if error.is_retryable() => {
            return Ok(Outcome::Retry {
                error: error.to_string(),
                after: error.retry_after(),
            });
        }
        Err(error) => return Ok(Outcome::fail(format!("{}: {error}", error.code()))),
    };
    crate::workflows::song::pause::resume_dispatch(app).await?;
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
    app.wakers.wake(queues::DISPATCH);
    Ok(Outcome::committed(app.db.complete_job(job).await?))
}
