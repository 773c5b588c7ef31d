//! Crash safety with real processes: `serenade worker` processes are killed with SIGKILL
//! mid-step and at random under load, or stopped past their lease; every submission must
//! still finish exactly once, and a woken worker must change nothing.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/mod.rs"]
mod common;

mod cluster;
mod encode;
mod helpers;
mod jobs;
mod kills;
mod stops;
