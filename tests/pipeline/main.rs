//! Pipeline tests against the real app with workers and the in-process fake provider, on
//! SQLite and (when `TEST_DATABASE_URL` is set) PostgreSQL.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/mod.rs"]
mod common;

mod cleanup;
mod faults;
mod flow;
mod helpers;
mod restart;
mod sung;
mod sweep;
mod webhooks;
