//! The dispatch queue's admission gates. `DispatchAllowed`: no account-level pause is in force
//! and the last known balance can pay for one more song. `ProviderSlotFree`: a claim takes a
//! `send` only while a provider slot is free (or already held by that submission) — checked in
//! the claim statement itself, so no worker claims a POST it could not make.

use crate::db::{DualSql, dual_sql};
use crate::engine::{BoxFuture, Gate};
use crate::state::AppState;

/// No dispatch pause, and credits for one more song (or none known yet).
pub struct DispatchAllowed;

impl Gate<AppState> for DispatchAllowed {
    fn admits<'a>(&'a self, app: &'a AppState) -> BoxFuture<'a, bool> {
        Box::pin(dispatch_allowed(app))
    }
}

/// False while dispatch is paused (an account-level refusal) or the last known balance
/// cannot pay for one more song.
pub async fn dispatch_allowed(app: &AppState) -> bool {
    match app.db.provider_pause().await {
        Ok(Some(_)) => return false,
        Ok(None) => {}
        Err(error) => tracing::warn!(error = ?error, "reading the dispatch pause failed"),
    }
    match app.db.credits().await {
        Ok(Some(balance)) => balance.usable() >= app.config.provider.song_credit_cost,
        Ok(None) => true,
        Err(error) => {
            tracing::warn!(error = ?error, "reading credits failed; dispatching anyway");
            true
        }
    }
}

/// A free (or lapsed) provider slot, or one the job's submission already holds.
pub struct ProviderSlotFree;

const SLOT_AVAILABLE: DualSql = dual_sql!(
    "exists (select 1 from provider_slots s where s.holder_submission_id is null \
     or s.lease_expires_at < ",
    NOW,
    " or 'song:' || s.holder_submission_id = jobs.owner)"
);

impl Gate<AppState> for ProviderSlotFree {
    fn admits<'a>(&'a self, _app: &'a AppState) -> BoxFuture<'a, bool> {
        Box::pin(async { true })
    }

    fn claim_condition(&self) -> Option<DualSql> {
        Some(SLOT_AVAILABLE)
    }
}
