//! A slideshow image as uploaded (seed 004's rules): JPEG, PNG or GIF recognised by its first
//! bytes (never by a file name or a claimed type), at most 2 MB, dimensions read from the
//! header and bounded before any pixel is decoded (so a GIF or PNG "bomb" that claims a huge
//! canvas costs nothing), decoded under allocation limits (a GIF's first frame only),
//! oriented, and re-encoded as a clean JPEG no larger than 1920 pixels on its long side.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use super::jpeg_end::end_of_image;

/// Largest upload, per image.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;
/// Largest total of one upload request.
pub const MAX_UPLOAD_BYTES: usize = 6 * 1024 * 1024;
/// Most images in one request (and in one video).
pub const MAX_IMAGES: usize = 3;
/// Smallest side accepted.
pub const MIN_IMAGE_SIDE: u32 = 200;
/// Largest side and pixel count accepted, from the header.
pub const MAX_IMAGE_SIDE: u32 = 8_000;
pub const MAX_IMAGE_PIXELS: u64 = 40_000_000;
/// Long side of the stored re-encode.
pub const STORED_LONG_SIDE: u32 = 1920;
const STORED_QUALITY: u8 = 88;
const MAX_DECODE_ALLOC_BYTES: u64 = 256 * 1024 * 1024;

/// Why an image was refused.
#[derive(Debug, thiserror::Error)]
pub enum SlideImageError {
    #[error("Images must be JPEG, PNG or GIF files")]
    UnsupportedFormat,
    #[error("Each image must be 2 MB or smaller")]
    TooLarge,
    #[error("Image dimensions {width}×{height} are larger than we can process")]
    DimensionsTooLarge { width: u32, height: u32 },
    #[error(
        "Images must be at least {MIN_IMAGE_SIDE} pixels on each side (this one is {width}×{height})"
    )]
    TooSmall { width: u32, height: u32 },
    #[error("The image could not be read; the file may be damaged")]
    Corrupt,
    #[error("re-encoding the image failed")]
    Encode(#[source] image::ImageError),
}

impl SlideImageError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnsupportedFormat => "invalid_image_format",
            Self::TooLarge => "image_too_large",
            Self::DimensionsTooLarge { .. } => "image_dimensions_too_large",
            Self::TooSmall { .. } => "image_too_small",
            Self::Corrupt => "image_corrupt",
            Self::Encode(_) => "image_encode_failed",
        }
    }
}

/// An image whose type, size and header dimensions passed.
#[derive(Debug)]
pub struct CheckedImage {
    bytes: Vec<u8>,
    format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// The format the first bytes name.
fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some(ImageFormat::Gif)
    } else {
        None
    }
}

/// The cheap checks: type by magic bytes, size, header dimensions.
pub fn check(mut bytes: Vec<u8>) -> Result<CheckedImage, SlideImageError> {
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(SlideImageError::TooLarge);
    }
    let format = sniff(&bytes).ok_or(SlideImageError::UnsupportedFormat)?;
    if format == ImageFormat::Jpeg {
        let end = end_of_image(&bytes).ok_or(SlideImageError::Corrupt)?;
        bytes.truncate(end);
    }
    let (width, height) = ImageReader::with_format(Cursor::new(&bytes), format)
        .into_dimensions()
        .map_err(|_| SlideImageError::Corrupt)?;
    if width > MAX_IMAGE_SIDE
        || height > MAX_IMAGE_SIDE
        || u64::from(width) * u64::from(height) > MAX_IMAGE_PIXELS
    {
        return Err(SlideImageError::DimensionsTooLarge { width, height });
    }
    if width.min(height) < MIN_IMAGE_SIDE {
        return Err(SlideImageError::TooSmall { width, height });
    }
    Ok(CheckedImage {
        bytes,
        format,
        width,
        height,
    })
}

/// The stored form of a checked image.
#[derive(Debug)]
pub struct CleanImage {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl CheckedImage {
    /// Decodes under limits (a GIF: its first frame), applies EXIF orientation, flattens
    /// transparency onto white, scales the long side to at most 1920 and encodes a JPEG.
    /// CPU-bound: call from a blocking thread.
    pub fn clean(&self) -> Result<CleanImage, SlideImageError> {
        let mut reader = ImageReader::with_format(Cursor::new(&self.bytes), self.format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_IMAGE_SIDE);
        limits.max_image_height = Some(MAX_IMAGE_SIDE);
        limits.max_alloc = Some(MAX_DECODE_ALLOC_BYTES);
        reader.limits(limits);
        let mut decoder = reader
            .into_decoder()
            .map_err(|_| SlideImageError::Corrupt)?;
        let orientation = image::ImageDecoder::orientation(&mut decoder)
            .unwrap_or(image::metadata::Orientation::NoTransforms);
        let mut decoded =
            DynamicImage::from_decoder(decoder).map_err(|_| SlideImageError::Corrupt)?;
        decoded.apply_orientation(orientation);
        let mut rgb = image::RgbImage::from_pixel(
            decoded.width(),
            decoded.height(),
            image::Rgb([255, 255, 255]),
        );
        let rgba = decoded.to_rgba8();
        for (x, y, pixel) in rgba.enumerate_pixels() {
            let alpha = u16::from(pixel[3]);
            let target = rgb.get_pixel_mut(x, y);
            for channel in 0..3 {
                let blended = (u16::from(pixel[channel]) * alpha + 255 * (255 - alpha)) / 255;
                target[channel] = u8::try_from(blended).unwrap_or(u8::MAX);
            }
        }
        let long = rgb.width().max(rgb.height());
        let scaled = if long > STORED_LONG_SIDE {
            let ratio = f64::from(STORED_LONG_SIDE) / f64::from(long);
            let width = ((f64::from(rgb.width()) * ratio).round() as u32).max(1);
            let height = ((f64::from(rgb.height()) * ratio).round() as u32).max(1);
            image::imageops::resize(&rgb, width, height, image::imageops::FilterType::CatmullRom)
        } else {
            rgb
        };
        let mut jpeg = Vec::with_capacity(256 * 1024);
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, STORED_QUALITY)
            .encode_image(&scaled)
            .map_err(SlideImageError::Encode)?;
        Ok(CleanImage {
            jpeg,
            width: scaled.width(),
            height: scaled.height(),
        })
    }
}

#[cfg(test)]
#[path = "slide_image_tests.rs"]
mod tests;
