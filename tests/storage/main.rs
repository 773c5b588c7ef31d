//! The storage backends: the same contract on the local store and on S3 (a real
//! S3-compatible server that checks SigV4 signatures, `s3s-fs`, started per test); signed
//! URLs that work, expire and fail when altered, from both; and the song end to end on S3,
//! its `/storage/…` links redirecting to fresh presigned URLs; and the jobs API's outputs on S3.
//!
//! The S3 half needs the `s3s-fs` binary (`S3S_FS`, or on `PATH`; `scripts/test` installs
//! it). Without it those tests are skipped, unless `SERENADE_REQUIRE_S3=1` (CI).

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/mod.rs"]
mod common;

mod contract;
mod jobs_on_s3;
mod s3_server;
mod signed;
mod song_on_s3;
