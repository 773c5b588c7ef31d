//! The pet photo as the renderer takes it: decoded within limits and centre-cropped to a
//! square (uploads are already 600×600; anything else still works).

use std::path::Path;

use image::{ImageError, ImageReader, Limits, RgbImage};

use super::error::RenderError;

/// Largest side accepted (matches the upload check).
const MAX_PHOTO_SIDE: u32 = 12_000;
/// Upper bound for the decoder's allocations.
const MAX_DECODE_ALLOC_BYTES: u64 = 256 * 1024 * 1024;

/// Reads and decodes the photo, cropped to a centred square. Blocking.
pub fn load_square_photo(path: &Path) -> Result<RgbImage, RenderError> {
    let decoded = (|| {
        let mut reader = ImageReader::open(path)?.with_guessed_format()?;
        let mut limits = Limits::default();
        limits.max_image_width = Some(MAX_PHOTO_SIDE);
        limits.max_image_height = Some(MAX_PHOTO_SIDE);
        limits.max_alloc = Some(MAX_DECODE_ALLOC_BYTES);
        reader.limits(limits);
        Ok::<_, ImageError>(reader.decode()?.to_rgb8())
    })();
    let image = decoded.map_err(|source| RenderError::Photo {
        path: path.to_path_buf(),
        source,
    })?;
    let side = image.width().min(image.height());
    let (x, y) = ((image.width() - side) / 2, (image.height() - side) / 2);
    Ok(image::imageops::crop_imm(&image, x, y, side, side).to_image())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_photo_is_cropped_to_its_middle() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wide.png");
        let image = RgbImage::from_fn(30, 10, |x, _| {
            image::Rgb(if (10..20).contains(&x) {
                [255, 0, 0]
            } else {
                [0, 0, 255]
            })
        });
        image.save(&path).unwrap();
        let square = load_square_photo(&path).unwrap();
        assert_eq!(square.dimensions(), (10, 10));
        assert!(square.pixels().all(|pixel| pixel.0 == [255, 0, 0]));
    }

    #[test]
    fn a_file_that_is_not_an_image_is_a_photo_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photo.jpg");
        std::fs::write(&path, b"not a photo").unwrap();
        let error = load_square_photo(&path).unwrap_err();
        assert!(matches!(error, RenderError::Photo { .. }));
        assert!(error.is_input_rejection());
    }
}
