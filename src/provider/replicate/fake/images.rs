//! The fake model's outputs: small real PNGs, a diagonal gradient between two colours taken
//! from SHA-256 of the prompt and the output's index, so each output is deterministic and
//! different outputs differ.

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage};
use sha2::{Digest, Sha256};

/// Could not encode an output (never expected for an in-memory PNG).
#[derive(Debug, thiserror::Error)]
#[error("could not encode the fake output image: {0}")]
pub struct ImageError(#[from] image::ImageError);

/// The PNG of output `index` for `prompt`, `size`×`size` pixels.
pub fn render_output(prompt: &str, index: u32, size: u32) -> Result<Vec<u8>, ImageError> {
    let digest = Sha256::new()
        .chain_update(prompt.as_bytes())
        .chain_update(index.to_be_bytes())
        .finalize();
    let from = [digest[0], digest[1], digest[2]];
    let to = [digest[3], digest[4], digest[5]];
    let size = size.max(1);
    let span = f32::from(u16::try_from(2 * (size - 1)).unwrap_or(u16::MAX).max(1));
    let image = RgbImage::from_fn(size, size, |x, y| {
        let along = ((x + y) as f32 / span).clamp(0.0, 1.0);
        Rgb(std::array::from_fn(|channel| {
            let start = f32::from(from[channel]);
            let end = f32::from(to[channel]);
            (start + (end - start) * along).round() as u8
        }))
    });
    let mut png = Cursor::new(Vec::new());
    image.write_to(&mut png, ImageFormat::Png)?;
    Ok(png.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_real_deterministic_pngs() {
        let png = render_output("a red fox", 0, 64).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let decoded = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(decoded.dimensions(), (64, 64));
        assert_eq!(render_output("a red fox", 0, 64).unwrap(), png);
        assert_ne!(render_output("a red fox", 1, 64).unwrap(), png);
        assert_ne!(render_output("a blue fox", 0, 64).unwrap(), png);
        assert_ne!(decoded.get_pixel(0, 0), decoded.get_pixel(63, 63));
    }

    #[test]
    fn a_one_pixel_image_is_still_an_image() {
        let png = render_output("x", 0, 1).unwrap();
        let decoded = image::load_from_memory(&png).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (1, 1));
    }
}
