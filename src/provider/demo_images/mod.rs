//! The offline demo image generator: real images drawn from the prompt, so the embedded
//! default makes real outputs with no network and no model. The prompt's words choose the
//! palette and the scene's elements (`palette`), the seed and output index shape the terrain
//! (`scene`); the same request always gives the same bytes, and different prompts give
//! visibly different pictures.

mod noise;
mod palette;
mod scene;

use std::io::Cursor;

use image::{ImageFormat, RgbImage};

pub use palette::Palette;

/// The smallest and largest side drawn, in pixels.
pub const MIN_SIDE: u32 = 64;
pub const MAX_SIDE: u32 = 1536;

/// An encoding the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageEncoding {
    Png,
    Jpeg,
}

impl ImageEncoding {
    /// From an `output_format` value (`png`, `jpg`, `jpeg`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.to_ascii_lowercase().as_str() {
            "png" => Some(Self::Png),
            "jpg" | "jpeg" => Some(Self::Jpeg),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }
}

/// One image to draw.
#[derive(Debug, Clone)]
pub struct DemoImageRequest<'a> {
    pub prompt: &'a str,
    pub seed: u64,
    /// Which of the job's outputs (each differs).
    pub index: u32,
    pub width: u32,
    pub height: u32,
    pub encoding: ImageEncoding,
}

/// A drawing that could not be encoded.
#[derive(Debug, thiserror::Error)]
#[error("encoding the demo image failed")]
pub struct DemoImageError(#[from] image::ImageError);

/// Draws and encodes one image (CPU-bound: run it on the blocking pool).
pub fn generate(request: &DemoImageRequest<'_>) -> Result<Vec<u8>, DemoImageError> {
    let picture = draw(request);
    let mut bytes = Cursor::new(Vec::new());
    let format = match request.encoding {
        ImageEncoding::Png => ImageFormat::Png,
        ImageEncoding::Jpeg => ImageFormat::Jpeg,
    };
    picture.write_to(&mut bytes, format)?;
    Ok(bytes.into_inner())
}

/// The picture, before encoding.
pub fn draw(request: &DemoImageRequest<'_>) -> RgbImage {
    let width = request.width.clamp(MIN_SIDE, MAX_SIDE);
    let height = request.height.clamp(MIN_SIDE, MAX_SIDE);
    let palette = Palette::from_prompt(request.prompt);
    let seed = noise::mix(request.seed ^ noise::mix(u64::from(request.index) + 1));
    scene::paint(width, height, &palette, seed)
}

#[cfg(test)]
mod tests;
