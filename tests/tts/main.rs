//! Tests of the text-to-speech layer with real engines: espeak-ng speaking into WAV files,
//! narration of several sentences with its cues, the HTTP engine against the fake speech API
//! (both real, over HTTP, with injected faults), and Piper when a voice model is installed.

#![allow(clippy::unwrap_used)] // Test code: a panic is the failure report.

mod espeak;
mod harness;
mod http;
mod narrate;
mod piper;
