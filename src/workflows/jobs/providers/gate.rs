//! The circuit breaker as an admission gate: the provider queue claims nothing while the
//! provider's circuit is open, so a down provider is not hammered and jobs wait queued
//! (their attempts unspent) instead of failing.

use crate::clock::now_ms;
use crate::engine::{BoxFuture, Gate};
use crate::state::AppState;
use crate::workflows::jobs::runtime::REPLICATE;

/// Holds dispatch while Replicate's circuit is open.
pub struct CircuitClosed;

impl Gate<AppState> for CircuitClosed {
    fn admits<'a>(&'a self, app: &'a AppState) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            match app.db.provider_health(REPLICATE).await {
                Ok(health) => !health.is_open(now_ms()),
                Err(error) => {
                    tracing::warn!(error = ?error, "reading provider health failed");
                    false
                }
            }
        })
    }
}
