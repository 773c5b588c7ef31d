//! A premultiplied-alpha RGBA picture (the record, the overlay) with the two operations the
//! renderer needs: bilinear sampling at any point and "over" compositing onto opaque RGB.

use image::imageops::FilterType;
use image::{Rgb, RgbImage, Rgba, RgbaImage};

/// Premultiplied RGBA, row-major, one `[r, g, b, a]` per pixel.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    width: u32,
    height: u32,
    pixels: Vec<[u8; 4]>,
}

impl Layer {
    /// A fully transparent layer.
    pub fn transparent(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: vec![[0; 4]; width as usize * height as usize],
        }
    }

    /// A layer from premultiplied pixels; `None` if the count does not match the size.
    pub fn from_premultiplied(width: u32, height: u32, pixels: Vec<[u8; 4]>) -> Option<Self> {
        (pixels.len() == width as usize * height as usize).then_some(Self {
            width,
            height,
            pixels,
        })
    }

    /// A layer from an ordinary (straight-alpha) image, resized to `width`×`height`.
    /// Resizing happens premultiplied, so transparent pixels do not bleed colour into edges.
    pub fn from_straight_resized(image: &RgbaImage, width: u32, height: u32) -> Self {
        let premultiplied = RgbaImage::from_fn(image.width(), image.height(), |x, y| {
            let Rgba([r, g, b, a]) = *image.get_pixel(x, y);
            let scale = |channel: u8| ((u16::from(channel) * u16::from(a) + 127) / 255) as u8;
            Rgba([scale(r), scale(g), scale(b), a])
        });
        let resized = if (image.width(), image.height()) == (width, height) {
            premultiplied
        } else {
            image::imageops::resize(&premultiplied, width, height, FilterType::CatmullRom)
        };
        let pixels = resized
            .pixels()
            .map(|Rgba([r, g, b, a])| [(*r).min(*a), (*g).min(*a), (*b).min(*a), *a])
            .collect();
        Self {
            width,
            height,
            pixels,
        }
    }

    /// Width of the layer in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height of the layer in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// The pixel at (x, y); transparent outside the layer.
    pub fn pixel(&self, x: i64, y: i64) -> [u8; 4] {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return [0; 4];
        }
        self.pixels[y as usize * self.width as usize + x as usize]
    }

    /// Mutable access for painting.
    pub fn pixels_mut(&mut self) -> &mut [[u8; 4]] {
        &mut self.pixels
    }

    /// Bilinear sample at a continuous position (pixel centres sit at i + 0.5), premultiplied,
    /// channels 0–255.
    pub fn sample(&self, x: f32, y: f32) -> [f32; 4] {
        let (fx, fy) = (x - 0.5, y - 0.5);
        let (x0, y0) = (fx.floor(), fy.floor());
        let (tx, ty) = (fx - x0, fy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let corners = [
            (self.pixel(x0, y0), (1.0 - tx) * (1.0 - ty)),
            (self.pixel(x0 + 1, y0), tx * (1.0 - ty)),
            (self.pixel(x0, y0 + 1), (1.0 - tx) * ty),
            (self.pixel(x0 + 1, y0 + 1), tx * ty),
        ];
        let mut out = [0.0; 4];
        for (pixel, weight) in corners {
            for (channel, value) in out.iter_mut().zip(pixel) {
                *channel += f32::from(value) * weight;
            }
        }
        out
    }

    /// Composites this layer over an opaque image, its top-left corner at `origin`.
    pub fn composite_onto(&self, target: &mut RgbImage, origin: (u32, u32)) {
        for y in 0..self.height {
            for x in 0..self.width {
                let (tx, ty) = (origin.0 + x, origin.1 + y);
                if tx >= target.width() || ty >= target.height() {
                    continue;
                }
                let top = self.pixels[y as usize * self.width as usize + x as usize];
                if top[3] == 0 {
                    continue;
                }
                let below = target.get_pixel(tx, ty).0;
                let blended = over(top.map(f32::from), below.map(f32::from));
                target.put_pixel(tx, ty, Rgb(to_u8(blended)));
            }
        }
    }
}

/// Premultiplied `top` over opaque `below` (channels 0–255).
#[inline]
pub fn over(top: [f32; 4], below: [f32; 3]) -> [f32; 3] {
    let keep = 1.0 - top[3] / 255.0;
    [
        top[0] + below[0] * keep,
        top[1] + below[1] * keep,
        top[2] + below[2] * keep,
    ]
}

/// Rounds and clamps to bytes.
#[inline]
pub fn to_u8(rgb: [f32; 3]) -> [u8; 3] {
    rgb.map(|channel| channel.round().clamp(0.0, 255.0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_between_pixels_blends_them() {
        let layer =
            Layer::from_premultiplied(2, 1, vec![[0, 0, 0, 255], [200, 0, 0, 255]]).unwrap();
        assert_eq!(layer.sample(1.0, 0.5), [100.0, 0.0, 0.0, 255.0]);
        assert_eq!(layer.sample(0.5, 0.5), [0.0, 0.0, 0.0, 255.0]);
        // Half way off the edge is half transparent, not smeared.
        assert_eq!(layer.sample(2.0, 0.5)[3], 127.5);
    }

    #[test]
    fn resizing_does_not_bleed_the_colour_of_transparent_pixels() {
        let mut image = RgbaImage::from_pixel(8, 8, Rgba([255, 255, 255, 0]));
        for y in 0..8 {
            for x in 0..4 {
                image.put_pixel(x, y, Rgba([200, 0, 0, 255]));
            }
        }
        let layer = Layer::from_straight_resized(&image, 4, 4);
        for y in 0..4 {
            for x in 0..4 {
                let [r, g, b, a] = layer.pixel(x, y);
                assert!(r <= a && g == 0 && b == 0, "{:?}", layer.pixel(x, y));
            }
        }
    }

    #[test]
    fn half_transparent_red_over_white_is_pink() {
        let layer = Layer::from_premultiplied(1, 1, vec![[128, 0, 0, 128]]).unwrap();
        let mut target = RgbImage::from_pixel(1, 1, Rgb([255, 255, 255]));
        layer.composite_onto(&mut target, (0, 0));
        assert_eq!(target.get_pixel(0, 0).0, [255, 127, 127]);
    }
}
