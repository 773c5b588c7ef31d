//! The music provider seam: a faithful fake of the Sonauto/Treblo API for tests and local runs,
//! and the guarded downloader that fetches a provider's song file.

pub mod download;
pub mod fake;
