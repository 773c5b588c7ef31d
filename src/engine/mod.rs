//! The job engine. It knows no workflow: a durable queue in the app's database (`queue`:
//! claim with a lease, heartbeat, fenced completion, retry, snooze, backoff, discard, rescue),
//! the runner (one loop per queue with its concurrency, admission gates, a panic boundary and a
//! drain on shutdown), the [`Job`] trait with typed payloads and `on_exhausted`, and one
//! [`Registry`] of kinds. Workflows live in `crate::workflows` and register themselves.

pub mod backoff;
pub mod drain;
pub mod failpoint;
pub mod gate;
pub mod instance;
pub mod job;
pub mod maintenance;
pub mod outcome;
pub mod queue;
pub mod registry;
mod runner;
mod settle;
pub mod staging;
pub mod wakers;
pub mod worker;

pub use gate::Gate;
pub use instance::{Engine, Settings};
pub use job::{BoxFuture, Context, Job};
pub use outcome::Outcome;
pub use queue::{ClaimedJob, NewJob};
pub use registry::Registry;
pub use settle::millis;
pub use wakers::Wakers;
