//! The pet love song (the spec's system): submissions, and the steps send → reconcile →
//! fetch details → download audio → render video, each a job kind (`jobs`) with its step in
//! `steps/` and the step's transaction beside it; the provider's concurrency held in slots and
//! its credits and account pause gating dispatch (`gates`); progress for the waiting page;
//! periodic credit refresh and file cleanup; its stored files (`files`) and the sweep of
//! stray ones. The song's tables and their other queries are in `store/`.

use self::kinds::queues;
use crate::engine::Registry;
use crate::state::AppState;

pub mod api;
pub mod files;
pub mod gates;
mod jobs;
pub mod kinds;
pub mod pause;
pub mod progress;
pub mod routes;
pub mod status_cache;
pub mod steps;
pub mod store;
pub mod sweep;
pub mod web;

/// The song's kinds, queues, gates and periodic work.
pub fn register(registry: &mut Registry<AppState>, app: &AppState) {
    registry
        .queue(queues::DISPATCH, 4)
        .queue(queues::PROVIDER, app.config.pipeline.provider_workers)
        .queue(queues::RENDER, app.render_concurrency())
        .queue(queues::MAINTENANCE, 2)
        .gate(queues::DISPATCH, gates::DispatchAllowed)
        .gate(queues::DISPATCH, gates::ProviderSlotFree)
        .job(kinds::Send)
        .job(kinds::Reconcile)
        .job(kinds::FetchDetails)
        .job(kinds::DownloadAudio)
        .job(kinds::RenderVideo)
        .job(kinds::RefreshCredits)
        .job(kinds::Cleanup)
        .on_tick(|app| Box::pin(pause::probe_if_due(app)))
        .periodic(jobs::periodic);
}
