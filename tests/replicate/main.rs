//! Tests of the Replicate client against the fake Replicate, both real, over HTTP: the happy
//! path with verified webhooks and expiring outputs, error classification under injected
//! faults, cancel, `Prefer: wait`, and the `serenade fake-replicate` command.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod cli;
mod errors;
mod happy_path;
mod harness;
mod lifecycle;
