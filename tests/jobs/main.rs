//! The generic jobs API against the real app, on SQLite and (when `TEST_DATABASE_URL` is
//! set) PostgreSQL: API keys so far — created from the CLI and stored hashed, sent either way,
//! refused when missing, malformed, unknown or revoked, each limited to its own rate.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/mod.rs"]
mod common;

mod keys;
