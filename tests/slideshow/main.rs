//! Narrated slideshow videos (seed 004) against the real app: image uploads and their
//! refusals, a video made end to end from uploaded images on SQLite and PostgreSQL (a segment
//! per image, a narration that is heard and lasts as long as the video, captions that match
//! the text, progress that only goes up), title cards when there are no images, seed 004's
//! bad requests, and the expiry of unused uploads.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

#[path = "../common/mod.rs"]
mod common;

mod media;
mod uploads;
mod videos;
