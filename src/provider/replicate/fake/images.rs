//! The fake model's outputs: real PNG (or JPEG) pictures from the offline demo image generator, drawn
//! from the prompt, the request's seed and the output's index, so each output is
//! deterministic and different outputs differ.

use crate::provider::demo_images::{self, DemoImageRequest, ImageEncoding};

pub use crate::provider::demo_images::DemoImageError as ImageError;

/// The PNG of output `index` for `prompt` and `seed`, `size`×`size` pixels (at least the
/// generator's smallest side).
pub fn render_output(
    prompt: &str,
    seed: u64,
    index: u32,
    size: u32,
    encoding: ImageEncoding,
) -> Result<Vec<u8>, ImageError> {
    let side = size.clamp(demo_images::MIN_SIDE, demo_images::MAX_SIDE);
    demo_images::generate(&DemoImageRequest {
        prompt,
        seed,
        index,
        width: side,
        height: side,
        encoding,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_are_real_deterministic_pngs() {
        let png = render_output("a red fox", 7, 0, 64, ImageEncoding::Png).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let decoded = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(decoded.dimensions(), (64, 64));
        assert_eq!(
            render_output("a red fox", 7, 0, 64, ImageEncoding::Png).unwrap(),
            png
        );
        assert_ne!(
            render_output("a red fox", 7, 1, 64, ImageEncoding::Png).unwrap(),
            png
        );
        assert_ne!(
            render_output("a red fox", 8, 0, 64, ImageEncoding::Png).unwrap(),
            png
        );
        assert_ne!(
            render_output("a blue fox", 7, 0, 64, ImageEncoding::Png).unwrap(),
            png
        );
    }

    #[test]
    fn a_tiny_size_still_draws_the_smallest_picture() {
        let png = render_output("x", 0, 0, 1, ImageEncoding::Jpeg).unwrap();
        assert!(
            png.starts_with(&[0xff, 0xd8, 0xff]),
            "a JPEG when asked for one"
        );
        let decoded = image::load_from_memory(&png).unwrap();
        assert_eq!(decoded.width(), demo_images::MIN_SIDE);
    }
}
