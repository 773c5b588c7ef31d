//! The generic jobs API against the real app, on SQLite and (when `TEST_DATABASE_URL` is
//! set) PostgreSQL: API keys (`keys`), the canonical API on the demo Replicate
//! (`canonical`), each seed's client through its own routes (`seeds`), and outbound
//! webhooks (`webhooks`).

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/mod.rs"]
mod common;

mod breaker;
mod canonical;
mod keys;
mod seeds;
mod support;
mod webhooks;
