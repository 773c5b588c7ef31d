//! Pure domain types with no I/O: identifiers, the submission form and its rules, the photo.

pub mod ids;
pub mod jpeg_end;
pub mod names;
pub mod photo;
pub mod prompt;
pub mod slide_image;
pub mod sliding_window;
pub mod submission;
pub mod timestamp;
