//! The job engine's own contract, with job kinds of its own (no workflow), on SQLite always
//! and on PostgreSQL when `TEST_DATABASE_URL` is set: claim exclusivity, fencing after a lost
//! lease, retry / snooze / backoff accounting, unique and periodic keys, typed payloads,
//! `on_exhausted`, the panic boundary, admission gates, `drain`, rescue of expired leases,
//! the registry's checks, the real worker loops with shutdown and lease loss, and staged
//! outputs published to the store only under a held lease.
//!
//! Only the PostgreSQL helper of the shared harness is included: the rest of it builds the
//! song app, which this suite must not depend on.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/postgres.rs"]
mod postgres;

mod context;
mod drain;
mod gates;
mod holding;
mod kinds;
mod outcomes;
mod queue;
mod registry;
mod rescue;
mod runner;
mod staging;
mod support;
