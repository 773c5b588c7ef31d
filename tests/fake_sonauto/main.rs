//! Tests of the fake Sonauto against docs/provider.md, through real HTTP: the timeline, the
//! webhooks in every mode, errors and faults, credits, the CDN's audio, stats and the CLI.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod cdn;
mod control;
mod errors;
mod harness;
mod timeline;
mod webhooks;
