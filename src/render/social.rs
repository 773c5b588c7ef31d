//! The still pictures that go with a video: the poster (its first frame) and the 1200×630
//! Open Graph image for link previews, kept under the size link unfurlers accept.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, ImageError};

use super::frames::compose;
use super::layer::Layer;
use super::scene::Scene;

/// The Open Graph image is re-encoded at lower quality until it fits.
pub const MAX_OPEN_GRAPH_BYTES: usize = 300 * 1024;
/// JPEG quality of the poster.
const POSTER_QUALITY: u8 = 90;
/// Qualities tried for the Open Graph image, best first.
const OPEN_GRAPH_QUALITIES: [u8; 5] = [88, 80, 72, 64, 56];

/// The poster: a frame (packed RGB) as JPEG.
pub fn poster_jpeg(frame: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ImageError> {
    jpeg(frame, width, height, POSTER_QUALITY)
}

/// The Open Graph image: the record with the pet and the needle on the wide background.
pub fn open_graph_jpeg(scene: &Scene, record: &Layer) -> Result<Vec<u8>, ImageError> {
    let picture = compose(scene, record, 0.0);
    let mut smallest = Vec::new();
    for quality in OPEN_GRAPH_QUALITIES {
        smallest = jpeg(&picture, scene.width(), scene.height(), quality)?;
        if smallest.len() <= MAX_OPEN_GRAPH_BYTES {
            break;
        }
    }
    Ok(smallest)
}

fn jpeg(rgb: &[u8], width: u32, height: u32, quality: u8) -> Result<Vec<u8>, ImageError> {
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, quality).encode(
        rgb,
        width,
        height,
        ExtendedColorType::Rgb8,
    )?;
    Ok(bytes)
}
