//! Outbound webhooks to the client: each event a job's client subscribed to becomes an
//! engine job (`jobs.webhook`, `event`) queued in the same transaction as the change it
//! reports, so no event is lost; the delivery itself (`deliver`) is signed per Standard
//! Webhooks with the key's secret (`secrets`, served by `handler`), sent only where `target`
//! allows, retried on its own schedule (`kind`), and every attempt is recorded (`records`).

pub mod deliver;
pub mod event;
pub mod handler;
pub mod kind;
pub mod records;
pub mod secrets;
pub mod target;

pub use deliver::{Delivery, deliver};
pub use event::{KIND, MAX_ATTEMPTS, QUEUE, WebhookEventPayload, event_job};
pub use handler::secret;
pub use kind::SendWebhook;
pub use records::DeliveryRecord;
pub use target::{WebhookUrlError, check_webhook_url};

use crate::engine::Registry;
use crate::state::AppState;

/// Deliveries one process makes at once.
pub const CONCURRENCY: usize = 4;

/// The delivery queue and kind.
pub fn register(registry: &mut Registry<AppState>, _app: &AppState) {
    registry.queue(QUEUE, CONCURRENCY).job(SendWebhook);
}
