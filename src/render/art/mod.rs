//! The artwork a video is made of: campaign PNGs from the operator's directory where present
//! (`background.png`, `record.png`, `needle.png`), the built-in pictures drawn in code
//! otherwise, each delivered at the size a scene asks for.

mod background;
pub mod paint;
mod record;
mod tonearm;

use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use image::{ImageError, ImageReader, Limits, RgbImage, RgbaImage};

use super::error::RenderError;
use super::layer::Layer;
use paint::Canvas;

/// The operator's background file (square, 1080×1080 in the reference set).
pub const BACKGROUND_FILE: &str = "background.png";
/// The operator's record file (transparent, 736×736 for a 1080 frame).
pub const RECORD_FILE: &str = "record.png";
/// The operator's needle file (transparent, the size of the frame).
pub const NEEDLE_FILE: &str = "needle.png";
/// Largest side accepted for an artwork file.
const MAX_ARTWORK_SIDE: u32 = 8192;

/// The three pictures, each either the operator's or the built-in one.
#[derive(Debug, Clone, Default)]
pub struct Artwork {
    background: Option<RgbaImage>,
    record: Option<RgbaImage>,
    needle: Option<RgbaImage>,
}

impl Artwork {
    /// Loads the operator's files from `dir` (which must exist); absent files fall back to
    /// the built-in pictures. Without a directory everything is built in. Blocking.
    pub fn load(dir: Option<&Path>) -> Result<Self, RenderError> {
        let Some(dir) = dir else {
            return Ok(Self::default());
        };
        if !dir.is_dir() {
            return Err(RenderError::Artwork {
                path: dir.to_path_buf(),
                source: ImageError::IoError(std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "artwork directory does not exist",
                )),
            });
        }
        let artwork = Self {
            background: load_optional(dir.join(BACKGROUND_FILE))?,
            record: load_optional(dir.join(RECORD_FILE))?,
            needle: load_optional(dir.join(NEEDLE_FILE))?,
        };
        tracing::info!(
            artwork.dir = %dir.display(),
            custom_background = artwork.background.is_some(),
            custom_record = artwork.record.is_some(),
            custom_needle = artwork.needle.is_some(),
            "render artwork loaded from {}",
            dir.display()
        );
        Ok(artwork)
    }

    /// Whether the record is the built-in one (which gets a drawn shadow and sheen).
    pub fn record_is_built_in(&self) -> bool {
        self.record.is_none()
    }

    /// The opaque background, covering `width`×`height`.
    pub fn background(&self, width: u32, height: u32, record_radius: f32) -> RgbImage {
        match &self.background {
            Some(image) => cover(image, width, height),
            None => background::draw_background(width, height, record_radius),
        }
    }

    /// The record without the photo, `diameter` pixels across.
    pub fn record(&self, diameter: u32, photo_ratio: f32) -> Layer {
        match &self.record {
            Some(image) => Layer::from_straight_resized(image, diameter, diameter),
            None => record::draw_record(diameter, photo_ratio),
        }
    }

    /// What lies on top of the turning record in a `side`-pixel square: the needle, and
    /// for the built-in record its fixed sheen.
    pub fn overlay(&self, side: u32, record_radius: f32) -> Layer {
        let centre = (side as f32 / 2.0, side as f32 / 2.0);
        let mut canvas = Canvas::new(side, side);
        if self.record.is_none() {
            record::paint_sheen(&mut canvas, centre, record_radius);
        }
        if self.needle.is_none() {
            tonearm::paint_tonearm(&mut canvas, side as f32);
        }
        let mut overlay = canvas.into_layer();
        if let Some(needle) = &self.needle {
            let needle = Layer::from_straight_resized(needle, side, side);
            stack(&mut overlay, &needle);
        }
        overlay
    }

    /// The built-in record's shadow on the background, if the record is built in.
    pub fn record_shadow(
        &self,
        width: u32,
        height: u32,
        centre: paint::Point,
        radius: f32,
    ) -> Option<Layer> {
        self.record_is_built_in()
            .then(|| record::record_shadow(width, height, centre, radius))
    }
}

/// `top` over `bottom`, both premultiplied and the same size.
fn stack(bottom: &mut Layer, top: &Layer) {
    let width = top.width();
    for (index, pixel) in bottom.pixels_mut().iter_mut().enumerate() {
        let (x, y) = (index as u32 % width, index as u32 / width);
        let upper = top.pixel(i64::from(x), i64::from(y));
        let keep = 255 - u16::from(upper[3]);
        *pixel = std::array::from_fn(|channel| {
            let below = u16::from(pixel[channel]) * keep / 255;
            (u16::from(upper[channel]) + below).min(255) as u8
        });
    }
}

/// Scales `image` to cover `width`×`height` and crops the middle.
fn cover(image: &RgbaImage, width: u32, height: u32) -> RgbImage {
    let rgb = image::DynamicImage::ImageRgba8(image.clone()).to_rgb8();
    let scale = (width as f32 / rgb.width() as f32).max(height as f32 / rgb.height() as f32);
    let scaled_width = ((rgb.width() as f32 * scale).ceil() as u32).max(width);
    let scaled_height = ((rgb.height() as f32 * scale).ceil() as u32).max(height);
    let scaled = image::imageops::resize(&rgb, scaled_width, scaled_height, FilterType::CatmullRom);
    let (x, y) = ((scaled_width - width) / 2, (scaled_height - height) / 2);
    image::imageops::crop_imm(&scaled, x, y, width, height).to_image()
}

/// Decodes `path` if it exists.
fn load_optional(path: PathBuf) -> Result<Option<RgbaImage>, RenderError> {
    if !path.exists() {
        return Ok(None);
    }
    let decoded = (|| {
        let mut reader = ImageReader::open(&path)?.with_guessed_format()?;
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_ARTWORK_SIDE);
        limits.max_image_height = Some(MAX_ARTWORK_SIDE);
        reader.limits(limits);
        Ok::<_, ImageError>(reader.decode()?.to_rgba8())
    })();
    decoded
        .map(Some)
        .map_err(|source| RenderError::Artwork { path, source })
}
