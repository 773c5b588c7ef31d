//! HTTP tests against the real app spawned on `127.0.0.1:0`, on SQLite and (when
//! `TEST_DATABASE_URL` is set) PostgreSQL. One test binary, one module per concern.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/mod.rs"]
mod common;

mod api_document;
mod binary;
mod hardening;
mod identity;
mod intake;
mod limits;
mod operations;
mod pages;
mod photo_integrity;
mod reads;
mod status_polling;
mod submissions;
mod webhook_ids;
