//! A scene is everything about a picture that does not depend on the pet: the background
//! (with the record's shadow), the fixed overlay (sheen and needle), the bare record, and the
//! precomposed frame wherever the record is not. Built once per renderer; the photo is then
//! set into a copy of the record for each render.

use image::RgbImage;
use image::imageops::FilterType;

use super::art::Artwork;
use super::art::paint::coverage;
use super::layer::Layer;

/// Fraction of the frame the record spans (736 px of the reference 1080 px frame).
pub const RECORD_FRACTION: f32 = 736.0 / 1080.0;
/// Fraction of the frame the photo spans (360 px at 720 px).
pub const PHOTO_FRACTION: f32 = 0.5;
/// Open Graph image width.
pub const OPEN_GRAPH_WIDTH: u32 = 1200;
/// Open Graph image height.
pub const OPEN_GRAPH_HEIGHT: u32 = 630;

/// The pet-independent parts of one picture format.
#[derive(Debug, Clone)]
pub struct Scene {
    background: RgbImage,
    base: RgbImage,
    overlay: Layer,
    square_origin: (u32, u32),
    record: Layer,
    record_centre: (f32, f32),
    photo_diameter: u32,
}

impl Scene {
    /// A `width`×`height` picture with the record and needle in the centred square.
    pub fn build(artwork: &Artwork, width: u32, height: u32) -> Self {
        let side = width.min(height);
        let photo_diameter = ((side as f32 * PHOTO_FRACTION).round() as u32).max(2);
        // Same parity as the photo, so the photo sits on whole pixels in the record.
        let mut record_diameter = (side as f32 * RECORD_FRACTION).round() as u32;
        if record_diameter % 2 != photo_diameter % 2 {
            record_diameter -= 1;
        }
        let record_radius = record_diameter as f32 / 2.0;
        let square_origin = ((width - side) / 2, (height - side) / 2);
        let record_centre = (width as f32 / 2.0, height as f32 / 2.0);

        let mut background = artwork.background(width, height, record_radius);
        if let Some(shadow) = artwork.record_shadow(width, height, record_centre, record_radius) {
            shadow.composite_onto(&mut background, (0, 0));
        }
        let overlay = artwork.overlay(side, record_radius);
        let mut base = background.clone();
        overlay.composite_onto(&mut base, square_origin);
        let record = artwork.record(
            record_diameter,
            photo_diameter as f32 / record_diameter as f32,
        );
        Self {
            background,
            base,
            overlay,
            square_origin,
            record,
            record_centre,
            photo_diameter,
        }
    }

    /// Width of the picture in pixels.
    pub fn width(&self) -> u32 {
        self.base.width()
    }

    /// Height of the picture in pixels.
    pub fn height(&self) -> u32 {
        self.base.height()
    }

    /// The background under the record (shadow included).
    pub fn background(&self) -> &RgbImage {
        &self.background
    }

    /// Background and overlay together: the frame wherever the record is not.
    pub fn base(&self) -> &RgbImage {
        &self.base
    }

    /// The fixed overlay and where its square starts.
    pub fn overlay(&self) -> (&Layer, (u32, u32)) {
        (&self.overlay, self.square_origin)
    }

    /// Centre of the record in the picture.
    pub fn record_centre(&self) -> (f32, f32) {
        self.record_centre
    }

    /// A copy of the record with the (square) photo set in its middle, clipped to an
    /// anti-aliased circle.
    pub fn record_with_photo(&self, photo: &RgbImage) -> Layer {
        let side = self.photo_diameter;
        let photo = image::imageops::resize(photo, side, side, FilterType::Lanczos3);
        let mut record = self.record.clone();
        let record_side = record.width();
        let offset = (record_side - side) / 2;
        let radius = side as f32 / 2.0;
        let pixels = record.pixels_mut();
        for (x, y, pixel) in photo.enumerate_pixels() {
            let distance = (x as f32 + 0.5 - radius).hypot(y as f32 + 0.5 - radius);
            let alpha = coverage(distance - (radius - 0.5));
            if alpha <= 0.0 {
                continue;
            }
            let index = ((y + offset) * record_side + x + offset) as usize;
            let below = pixels[index];
            let keep = 1.0 - alpha;
            let mix = |top: u8, under: u8| {
                (f32::from(top) * alpha + f32::from(under) * keep).round() as u8
            };
            pixels[index] = [
                mix(pixel[0], below[0]),
                mix(pixel[1], below[1]),
                mix(pixel[2], below[2]),
                mix(255, below[3]),
            ];
        }
        record
    }
}
