//! The music provider: the Sonauto/Treblo client the pipeline calls, the guarded downloader
//! that fetches a provider's song file, and a faithful fake of the API for tests and demos.

pub mod client;
pub mod demo_images;
pub mod download;
pub mod fake;
