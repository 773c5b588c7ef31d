//! Crash safety with real processes: `serenade worker` processes are killed with SIGKILL
//! mid-step and at random under load; every submission must still finish exactly once.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/mod.rs"]
mod common;

mod cluster;
mod encode;
mod helpers;
mod kills;
