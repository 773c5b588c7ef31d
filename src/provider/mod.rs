//! The AI providers: the Sonauto/Treblo client the song pipeline calls, the guarded downloader
//! that fetches a provider's file, a faithful fake of that API for tests and demos, and the
//! Replicate predictions client with its own fake (`replicate`).

pub mod client;
pub mod demo_images;
pub mod download;
pub mod fake;
pub mod fake_server;
pub mod replicate;
