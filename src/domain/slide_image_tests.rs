//! Upload checks: each format accepted and cleaned, each refusal with its code, and a GIF
//! that claims a huge canvas refused from its header alone.

use super::*;

fn encoded(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut bytes = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(picture)
        .write_to(&mut bytes, format)
        .unwrap();
    bytes.into_inner()
}

#[test]
fn jpeg_png_and_gif_are_cleaned_into_bounded_jpegs() {
    for format in [ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::Gif] {
        let checked = check(encoded(400, 300, format)).unwrap();
        assert_eq!((checked.width, checked.height), (400, 300));
        let clean = checked.clean().unwrap();
        assert!(clean.jpeg.starts_with(&[0xFF, 0xD8, 0xFF]), "{format:?}");
        assert_eq!((clean.width, clean.height), (400, 300));
    }
    let big = check(encoded(2400, 1200, ImageFormat::Png))
        .unwrap()
        .clean()
        .unwrap();
    assert_eq!((big.width, big.height), (1920, 960));
}

#[test]
fn refusals_have_their_codes() {
    let code = |bytes: Vec<u8>| check(bytes).unwrap_err().code();
    assert_eq!(code(b"<svg></svg>".to_vec()), "invalid_image_format");
    assert_eq!(code(vec![0xFF; MAX_IMAGE_BYTES + 1]), "image_too_large");
    assert_eq!(code(encoded(100, 300, ImageFormat::Png)), "image_too_small");
    let mut cut = encoded(400, 400, ImageFormat::Jpeg);
    cut.truncate(cut.len() / 2);
    assert_eq!(code(cut), "image_corrupt");
}

#[test]
fn a_gif_claiming_a_huge_canvas_is_refused_from_its_header() {
    // A valid 1×1 GIF whose logical screen and frame claim 60000×60000.
    let mut gif = encoded(400, 400, ImageFormat::Gif);
    gif[6..8].copy_from_slice(&60_000u16.to_le_bytes());
    gif[8..10].copy_from_slice(&60_000u16.to_le_bytes());
    let refused = check(gif).unwrap_err();
    assert!(
        matches!(
            refused.code(),
            "image_dimensions_too_large" | "image_corrupt"
        ),
        "{refused:?}"
    );
}
