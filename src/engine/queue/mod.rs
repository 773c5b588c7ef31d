//! The job queue, in the app's own database: its row types (`rows`: a job to insert, a job
//! this worker holds the lease on, its error history). The statements are in `sql`,
//! the operations (enqueue, claim, heartbeat, fenced requeue/finish, rescue) in `ops`. Every
//! write after the claim names the claim token, so a worker that lost its lease changes
//! nothing; every time is database time.

pub mod ops;
pub mod rows;
pub mod sql;

pub use rows::{ClaimedJob, JobErrorEntry, NewJob};
pub use sql::MAX_REQUEUE_DELAY_MS;
