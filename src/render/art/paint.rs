//! Painting primitives for the built-in artwork: a floating-point canvas, colours, and signed
//! distance functions (circle, capsule, rotated rounded box, heart) whose distance gives
//! anti-aliased or soft edges at any resolution.

use image::{Rgb, RgbImage};

use crate::render::layer::Layer;

/// A point in pixel units (x right, y down).
pub type Point = (f32, f32);

/// A straight-alpha colour, channels 0–1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Colour {
    pub r: f32,
    pub g: f32,
    pub b: f32,
    pub a: f32,
}

impl Colour {
    /// An opaque colour from bytes.
    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self {
            r: r as f32 / 255.0,
            g: g as f32 / 255.0,
            b: b as f32 / 255.0,
            a: 1.0,
        }
    }

    /// The same colour at opacity `a`.
    pub const fn alpha(self, a: f32) -> Self {
        Self { a, ..self }
    }

    /// Linear blend towards `other` (`t` = 0 is self).
    pub fn mix(self, other: Self, t: f32) -> Self {
        let t = t.clamp(0.0, 1.0);
        let lerp = |from: f32, to: f32| from + (to - from) * t;
        Self {
            r: lerp(self.r, other.r),
            g: lerp(self.g, other.g),
            b: lerp(self.b, other.b),
            a: lerp(self.a, other.a),
        }
    }
}

/// The pixel rectangle a shape may touch.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
}

impl Bounds {
    /// A square of half-side `reach` around `centre`.
    pub fn around(centre: Point, reach: f32) -> Self {
        Self {
            x0: centre.0 - reach,
            y0: centre.1 - reach,
            x1: centre.0 + reach,
            y1: centre.1 + reach,
        }
    }

    /// Everything.
    pub fn all() -> Self {
        Self {
            x0: f32::MIN,
            y0: f32::MIN,
            x1: f32::MAX,
            y1: f32::MAX,
        }
    }
}

/// Premultiplied RGBA in floating point, painted with "over".
#[derive(Debug, Clone)]
pub struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<[f32; 4]>,
}

impl Canvas {
    /// A transparent canvas.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            pixels: vec![[0.0; 4]; width as usize * height as usize],
        }
    }

    /// Paints every pixel centre inside `bounds` for which `shade` returns a colour and a
    /// coverage (0–1).
    pub fn paint(&mut self, bounds: Bounds, shade: impl Fn(Point) -> Option<(Colour, f32)>) {
        let clamp = |value: f32, limit: u32| value.clamp(0.0, limit as f32) as u32;
        let (x0, x1) = (
            clamp(bounds.x0.floor(), self.width),
            clamp(bounds.x1.ceil() + 1.0, self.width),
        );
        let (y0, y1) = (
            clamp(bounds.y0.floor(), self.height),
            clamp(bounds.y1.ceil() + 1.0, self.height),
        );
        for y in y0..y1 {
            for x in x0..x1 {
                let Some((colour, coverage)) = shade((x as f32 + 0.5, y as f32 + 0.5)) else {
                    continue;
                };
                let alpha = (colour.a * coverage).clamp(0.0, 1.0);
                if alpha <= 0.0 {
                    continue;
                }
                let pixel = &mut self.pixels[y as usize * self.width as usize + x as usize];
                let keep = 1.0 - alpha;
                *pixel = [
                    colour.r * alpha + pixel[0] * keep,
                    colour.g * alpha + pixel[1] * keep,
                    colour.b * alpha + pixel[2] * keep,
                    alpha + pixel[3] * keep,
                ];
            }
        }
    }

    /// Quantised to a premultiplied byte layer.
    pub fn into_layer(self) -> Layer {
        let pixels = self
            .pixels
            .iter()
            .map(|pixel| pixel.map(|channel| (channel * 255.0).round().clamp(0.0, 255.0) as u8))
            .collect();
        Layer::from_premultiplied(self.width, self.height, pixels)
            .unwrap_or_else(|| Layer::transparent(self.width, self.height))
    }

    /// Flattened over black into an opaque image (for canvases painted edge to edge).
    pub fn into_rgb(self) -> RgbImage {
        RgbImage::from_fn(self.width, self.height, |x, y| {
            let pixel = self.pixels[y as usize * self.width as usize + x as usize];
            Rgb([pixel[0], pixel[1], pixel[2]]
                .map(|channel| (channel * 255.0).round().clamp(0.0, 255.0) as u8))
        })
    }
}

/// Coverage of a pixel whose centre is `distance` pixels outside a hard edge (anti-aliased).
pub fn coverage(distance: f32) -> f32 {
    (0.5 - distance).clamp(0.0, 1.0)
}

/// Coverage with an edge blurred over `softness` pixels either side.
pub fn soft(distance: f32, softness: f32) -> f32 {
    1.0 - smoothstep(-softness, softness, distance)
}

/// Hermite step from 0 at `from` to 1 at `to`.
pub fn smoothstep(from: f32, to: f32, x: f32) -> f32 {
    let t = ((x - from) / (to - from)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// `p` rotated by `angle` radians about the origin (clockwise on screen).
pub fn rotate(p: Point, angle: f32) -> Point {
    let (sin, cos) = angle.sin_cos();
    (p.0 * cos - p.1 * sin, p.0 * sin + p.1 * cos)
}

/// Distance from `p` to a circle's edge (negative inside).
pub fn circle(p: Point, centre: Point, radius: f32) -> f32 {
    (p.0 - centre.0).hypot(p.1 - centre.1) - radius
}

/// A segment with rounded ends: distance, and where `p` lies across it (-1 to 1, left to
/// right looking from `a` to `b`), for shading tubes.
pub fn capsule(p: Point, a: Point, b: Point, radius: f32) -> (f32, f32) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let (px, py) = (p.0 - a.0, p.1 - a.1);
    let along = ((px * dx + py * dy) / (dx * dx + dy * dy)).clamp(0.0, 1.0);
    let (ox, oy) = (px - dx * along, py - dy * along);
    let length = dx.hypot(dy).max(f32::EPSILON);
    let across = (ox * -dy + oy * dx) / length / radius;
    (ox.hypot(oy) - radius, across.clamp(-1.0, 1.0))
}

/// A box of `half` extents with corners rounded by `radius`, turned by `angle` about
/// `centre`: distance, and `p` in the box's own frame.
pub fn rounded_box(p: Point, centre: Point, half: Point, angle: f32, radius: f32) -> (f32, Point) {
    let local = rotate((p.0 - centre.0, p.1 - centre.1), -angle);
    let qx = local.0.abs() - half.0 + radius;
    let qy = local.1.abs() - half.1 + radius;
    let outside = qx.max(0.0).hypot(qy.max(0.0));
    (outside + qx.max(qy).min(0.0) - radius, local)
}

/// A heart `height` pixels tall, centred on `centre`, tilted by `angle` (after Inigo
/// Quilez's exact heart distance, flipped for a y-down screen).
pub fn heart(p: Point, centre: Point, height: f32, angle: f32) -> f32 {
    let scale = height / 1.104;
    let local = rotate((p.0 - centre.0, p.1 - centre.1), -angle);
    let x = (local.0 / scale).abs();
    let y = -local.1 / scale + 0.552;
    let length = |a: f32, b: f32| a.hypot(b);
    let unit = if y + x > 1.0 {
        length(x - 0.25, y - 0.75) - std::f32::consts::SQRT_2 / 4.0
    } else {
        let towards_tip = length(x, y - 1.0);
        let diagonal = 0.5 * (x + y).max(0.0);
        let towards_axis = length(x - diagonal, y - diagonal);
        towards_tip.min(towards_axis) * (x - y).signum()
    };
    unit * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_heart_is_filled_in_the_middle_and_empty_outside() {
        let centre = (50.0, 50.0);
        assert!(heart((50.0, 50.0), centre, 40.0, 0.0) < 0.0);
        // The lobes are at the top (y down) and the tip at the bottom.
        assert!(heart((41.0, 38.0), centre, 40.0, 0.0) < 0.0);
        assert!(heart((50.0, 68.0), centre, 40.0, 0.0) < 0.0);
        assert!(heart((50.0, 31.5), centre, 40.0, 0.0) > 0.0);
        assert!(heart((35.0, 68.0), centre, 40.0, 0.0) > 0.0);
        assert!(heart((50.0, 90.0), centre, 40.0, 0.0) > 0.0);
    }

    #[test]
    fn circle_edges_are_anti_aliased() {
        let mut canvas = Canvas::new(21, 21);
        canvas.paint(Bounds::all(), |p| {
            Some((
                Colour::rgb(255, 255, 255),
                coverage(circle(p, (10.5, 10.5), 8.0)),
            ))
        });
        let layer = canvas.into_layer();
        assert_eq!(layer.pixel(10, 10)[3], 255);
        assert_eq!(layer.pixel(0, 0)[3], 0);
        let edge = layer.pixel(18, 10)[3];
        assert!(edge > 0 && edge < 255, "edge alpha {edge}");
    }

    #[test]
    fn a_capsule_knows_which_side_a_point_is_on() {
        let (inside, left) = capsule((5.0, -1.0), (0.0, 0.0), (10.0, 0.0), 2.0);
        assert!(inside < 0.0);
        assert!(left < 0.0);
        let (_, right) = capsule((5.0, 1.0), (0.0, 0.0), (10.0, 0.0), 2.0);
        assert!(right > 0.0);
    }
}
