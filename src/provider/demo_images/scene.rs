//! Painting one scene: a sky gradient, stars at night, a sun or moon with a glow, three
//! ridges of layered sine terrain (far to near) and, by water, a darkened reflection with
//! shimmer. Positions and shapes come from a 64-bit seed (`noise`).

use image::{Rgb, RgbImage};

use super::noise::Noise;
use super::palette::Palette;

fn blend(from: Rgb<u8>, to: Rgb<u8>, amount: f32) -> Rgb<u8> {
    let amount = amount.clamp(0.0, 1.0);
    let channel = |a: u8, b: u8| {
        let value = f32::from(a) + (f32::from(b) - f32::from(a)) * amount;
        value.round().clamp(0.0, 255.0) as u8
    };
    Rgb([
        channel(from[0], to[0]),
        channel(from[1], to[1]),
        channel(from[2], to[2]),
    ])
}

/// The whole picture.
pub fn paint(width: u32, height: u32, palette: &Palette, seed: u64) -> RgbImage {
    let mut noise = Noise(seed);
    let (w, h) = (width as f32, height as f32);
    let mut picture = RgbImage::from_fn(width, height, |_, y| {
        blend(palette.sky_top, palette.sky_bottom, y as f32 / (h * 0.7))
    });
    if palette.stars {
        let count = width * height / 700;
        for _ in 0..count {
            let (x, y) = (noise.next() * w, noise.next() * h * 0.6);
            let shine = 0.4 + noise.next() * 0.6;
            let pixel = picture.get_pixel_mut(x as u32 % width, y as u32 % height);
            *pixel = blend(*pixel, palette.light, shine);
        }
    }
    let light_x = w * (0.2 + noise.next() * 0.6);
    let light_y = h * (0.15 + noise.next() * 0.25);
    let radius = w.min(h) * (0.06 + noise.next() * 0.05);
    for (x, y, pixel) in picture.enumerate_pixels_mut() {
        let distance = ((x as f32 - light_x).powi(2) + (y as f32 - light_y).powi(2)).sqrt();
        if distance <= radius {
            *pixel = palette.light;
        } else if distance <= radius * 3.0 {
            let glow = 1.0 - (distance - radius) / (radius * 2.0);
            *pixel = blend(*pixel, palette.light, glow * glow * 0.5);
        }
    }
    for (layer, colour) in palette.ridges.iter().rev().enumerate() {
        let base = h * (0.48 + 0.11 * layer as f32);
        let waves: Vec<(f32, f32, f32)> = (0..3)
            .map(|wave| {
                let frequency = (1.0 + noise.next() * 3.0) * (wave as f32 + 1.0) / w;
                let amplitude = h * (0.07 - 0.02 * wave as f32) * (0.6 + noise.next() * 0.8);
                (frequency, amplitude, noise.next() * std::f32::consts::TAU)
            })
            .collect();
        for x in 0..width {
            let ridge = base
                + waves
                    .iter()
                    .map(|(frequency, amplitude, phase)| {
                        (x as f32 * frequency * std::f32::consts::TAU + phase).sin() * amplitude
                    })
                    .sum::<f32>();
            let top = ridge.clamp(0.0, h) as u32;
            for y in top..height {
                picture.put_pixel(x, y, *colour);
            }
        }
    }
    if palette.water {
        let shore = (h * 0.8) as u32;
        for y in shore..height {
            let mirrored = shore.saturating_sub(y - shore).min(height - 1);
            let shimmer = ((y as f32 * 0.9 + noise.next() * 2.0).sin() * 0.5 + 0.5) * 0.15;
            for x in 0..width {
                let reflected = *picture.get_pixel(x, mirrored);
                let water = blend(reflected, palette.sky_top, 0.45 + shimmer);
                picture.put_pixel(x, y, water);
            }
        }
    }
    picture
}
