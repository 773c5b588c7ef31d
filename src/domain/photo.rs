//! The pet photo: a cheap inspection (base64, magic bytes, size, a JPEG that reaches its
//! end-of-image marker, header dimensions) that runs before anything is decoded, then a bounded
//! decode that applies EXIF orientation, centre-crops to a square and re-encodes a clean
//! 600×600 JPEG — no metadata, no trailing bytes. A JPEG cut off before its end is
//! `image_corrupt` (decoders would fill the missing part with grey); bytes after the end marker
//! (an HTML tail on a polyglot, say) are dropped, never stored.

use std::io::Cursor;

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};

use super::jpeg_end::end_of_image;

/// Largest decoded photo accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Smallest side accepted, in pixels.
pub const MIN_PHOTO_SIDE: u32 = 400;
/// Largest side a header may claim before we refuse to decode.
pub const MAX_PHOTO_SIDE: u32 = 12_000;
/// Largest pixel count a header may claim before we refuse to decode.
pub const MAX_PHOTO_PIXELS: u64 = 50_000_000;
/// Side of the stored square photo.
pub const STORED_PHOTO_SIDE: u32 = 600;
/// JPEG quality of the stored photo.
pub const STORED_PHOTO_QUALITY: u8 = 90;
/// Upper bound for the decoder's allocations.
const MAX_DECODE_ALLOC_BYTES: u64 = 256 * 1024 * 1024;

const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A photo whose bytes, type and claimed dimensions passed the cheap checks.
pub struct InspectedPhoto {
    bytes: Vec<u8>,
    format: ImageFormat,
    width: u32,
    height: u32,
}

impl std::fmt::Debug for InspectedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InspectedPhoto")
            .field("format", &self.format)
            .field("bytes", &self.bytes.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// Why a photo was refused, or failed to re-encode.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    #[error("Photo must be a base64-encoded JPG or PNG image")]
    InvalidEncoding,
    #[error("Please upload a JPG or PNG image")]
    UnsupportedFormat,
    #[error("Photo must be 5 MB or smaller")]
    TooLarge,
    #[error("Photo dimensions {width}×{height} are larger than we can process")]
    DimensionsTooLarge { width: u32, height: u32 },
    #[error(
        "Photo must be at least {MIN_PHOTO_SIDE}×{MIN_PHOTO_SIDE} pixels (this one is {width}×{height})"
    )]
    TooSmall { width: u32, height: u32 },
    #[error("Photo could not be read; the file may be damaged")]
    Corrupt,
    #[error("re-encoding the photo failed")]
    Encode(#[source] image::ImageError),
}

impl PhotoError {
    /// The stable error code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidEncoding => "invalid_image_data",
            Self::UnsupportedFormat => "invalid_image_format",
            Self::TooLarge => "image_too_large",
            Self::DimensionsTooLarge { .. } => "image_dimensions_too_large",
            Self::TooSmall { .. } => "image_too_small",
            Self::Corrupt => "image_corrupt",
            Self::Encode(_) => "image_encode_failed",
        }
    }
}

/// Decodes the base64 (or data URL) and checks type, size and header dimensions without
/// decoding any pixels.
pub fn inspect(raw: &str) -> Result<InspectedPhoto, PhotoError> {
    let payload = match raw.trim().strip_prefix("data:") {
        Some(data_url) => {
            let (meta, data) = data_url
                .split_once(',')
                .ok_or(PhotoError::InvalidEncoding)?;
            if !meta.ends_with(";base64") {
                return Err(PhotoError::InvalidEncoding);
            }
            data
        }
        None => raw.trim(),
    };
    if payload.len() > MAX_PHOTO_BYTES.div_ceil(3) * 4 + 4 {
        return Err(PhotoError::TooLarge);
    }
    let mut bytes = if payload.bytes().any(|b| b.is_ascii_whitespace()) {
        let compact: String = payload
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        BASE64.decode(compact)
    } else {
        BASE64.decode(payload)
    }
    .map_err(|_| PhotoError::InvalidEncoding)?;
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = sniff_format(&bytes).ok_or(PhotoError::UnsupportedFormat)?;
    if format == ImageFormat::Jpeg {
        let end = end_of_image(&bytes).ok_or(PhotoError::Corrupt)?;
        bytes.truncate(end);
    }
    let (width, height) = ImageReader::with_format(Cursor::new(&bytes), format)
        .into_dimensions()
        .map_err(|_| PhotoError::Corrupt)?;
    if width > MAX_PHOTO_SIDE
        || height > MAX_PHOTO_SIDE
        || u64::from(width) * u64::from(height) > MAX_PHOTO_PIXELS
    {
        return Err(PhotoError::DimensionsTooLarge { width, height });
    }
    if width.min(height) < MIN_PHOTO_SIDE {
        return Err(PhotoError::TooSmall { width, height });
    }
    Ok(InspectedPhoto {
        bytes,
        format,
        width,
        height,
    })
}

/// JPEG or PNG from the file's first bytes; the data URL's claimed type is ignored.
fn sniff_format(bytes: &[u8]) -> Option<ImageFormat> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(ImageFormat::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(ImageFormat::Png)
    } else {
        None
    }
}

impl InspectedPhoto {
    /// Decodes under limits, applies EXIF orientation, centre-crops to a square, scales to
    /// 600×600 and encodes a JPEG at quality 90. CPU-bound: call from a blocking thread.
    pub fn normalise(&self) -> Result<Vec<u8>, PhotoError> {
        let mut reader = ImageReader::with_format(Cursor::new(&self.bytes), self.format);
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_PHOTO_SIDE);
        limits.max_image_height = Some(MAX_PHOTO_SIDE);
        limits.max_alloc = Some(MAX_DECODE_ALLOC_BYTES);
        reader.limits(limits);
        let mut decoder = reader.into_decoder().map_err(|_| PhotoError::Corrupt)?;
        let orientation = decoder
            .orientation()
            .unwrap_or(image::metadata::Orientation::NoTransforms);
        let mut decoded = DynamicImage::from_decoder(decoder).map_err(|_| PhotoError::Corrupt)?;
        decoded.apply_orientation(orientation);

        let rgb = flatten_onto_white(decoded);
        let side = rgb.width().min(rgb.height());
        let left = (rgb.width() - side) / 2;
        let top = (rgb.height() - side) / 2;
        let square = image::imageops::crop_imm(&rgb, left, top, side, side).to_image();
        let stored = if side == STORED_PHOTO_SIDE {
            square
        } else {
            image::imageops::resize(
                &square,
                STORED_PHOTO_SIDE,
                STORED_PHOTO_SIDE,
                FilterType::CatmullRom,
            )
        };

        let mut jpeg = Vec::with_capacity(96 * 1024);
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, STORED_PHOTO_QUALITY)
            .encode_image(&stored)
            .map_err(PhotoError::Encode)?;
        Ok(jpeg)
    }
}

/// Drops any alpha channel by compositing over white, so transparent PNGs look right.
fn flatten_onto_white(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (target, source) in rgb.pixels_mut().zip(rgba.pixels()) {
        let alpha = u32::from(source[3]);
        for channel in 0..3 {
            let value = u32::from(source[channel]) * alpha + 255 * (255 - alpha);
            target[channel] = u8::try_from(value / 255).unwrap_or(u8::MAX);
        }
    }
    rgb
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample_jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&image)
            .unwrap();
        out
    }

    pub(crate) fn sample_jpeg_base64(width: u32, height: u32) -> String {
        BASE64.encode(sample_jpeg(width, height))
    }

    #[test]
    fn a_jpeg_data_url_is_normalised_to_600_square() {
        let raw = format!("data:image/jpeg;base64,{}", sample_jpeg_base64(800, 399));
        let photo = inspect(&raw).unwrap_err();
        assert!(matches!(
            photo,
            PhotoError::TooSmall {
                width: 800,
                height: 399
            }
        ));

        let raw = format!("data:image/jpeg;base64,{}", sample_jpeg_base64(1000, 700));
        let photo = inspect(&raw).unwrap();
        let stored = photo.normalise().unwrap();
        let decoded = image::load_from_memory(&stored).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (600, 600));
    }

    #[test]
    fn the_data_url_type_is_ignored_in_favour_of_magic_bytes() {
        let raw = format!(
            "data:image/png;base64,{}",
            BASE64.encode(b"GIF89a not really")
        );
        assert!(matches!(inspect(&raw), Err(PhotoError::UnsupportedFormat)));
    }

    #[test]
    fn oversize_payloads_are_refused_before_decoding() {
        let raw = "A".repeat(MAX_PHOTO_BYTES / 3 * 4 + 64);
        assert!(matches!(inspect(&raw), Err(PhotoError::TooLarge)));
    }

    #[test]
    fn garbage_base64_is_refused() {
        assert!(matches!(
            inspect("not base64 at all!"),
            Err(PhotoError::InvalidEncoding)
        ));
        assert!(matches!(
            inspect("data:image/jpeg,abc"),
            Err(PhotoError::InvalidEncoding)
        ));
    }

    #[test]
    fn transparent_pixels_become_white() {
        let mut rgba = image::RgbaImage::new(2, 1);
        rgba.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
        rgba.put_pixel(1, 0, image::Rgba([10, 20, 30, 255]));
        let rgb = flatten_onto_white(DynamicImage::ImageRgba8(rgba));
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(rgb.get_pixel(1, 0).0, [10, 20, 30]);
    }
}
