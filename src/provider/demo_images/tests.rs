use super::*;

fn request(prompt: &str, seed: u64, index: u32) -> DemoImageRequest<'_> {
    DemoImageRequest {
        prompt,
        seed,
        index,
        width: 160,
        height: 120,
        encoding: ImageEncoding::Png,
    }
}

fn mean(picture: &RgbImage) -> [f64; 3] {
    let mut sums = [0f64; 3];
    for pixel in picture.pixels() {
        for (sum, channel) in sums.iter_mut().zip(pixel.0) {
            *sum += f64::from(channel);
        }
    }
    let count = f64::from(picture.width() * picture.height());
    sums.map(|sum| sum / count)
}

#[test]
fn the_same_request_draws_the_same_bytes_and_others_differ() {
    let first = generate(&request("a red fox in a meadow", 7, 0)).unwrap();
    assert_eq!(
        first,
        generate(&request("a red fox in a meadow", 7, 0)).unwrap()
    );
    assert_ne!(
        first,
        generate(&request("a red fox in a meadow", 8, 0)).unwrap()
    );
    assert_ne!(
        first,
        generate(&request("a red fox in a meadow", 7, 1)).unwrap()
    );
    assert_ne!(
        first,
        generate(&request("a blue fox in a meadow", 7, 0)).unwrap()
    );
}

#[test]
fn outputs_decode_at_the_requested_size_in_the_requested_format() {
    for (encoding, format) in [
        (ImageEncoding::Png, image::ImageFormat::Png),
        (ImageEncoding::Jpeg, image::ImageFormat::Jpeg),
    ] {
        let bytes = generate(&DemoImageRequest {
            encoding,
            width: 300,
            height: 200,
            ..request("mountains at dawn", 1, 0)
        })
        .unwrap();
        assert_eq!(image::guess_format(&bytes).unwrap(), format);
        let decoded = image::load_from_memory(&bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (300, 200));
    }
    let clamped = draw(&DemoImageRequest {
        width: 1,
        height: 99_999,
        ..request("x", 1, 0)
    });
    assert_eq!((clamped.width(), clamped.height()), (MIN_SIDE, MAX_SIDE));
}

#[test]
fn the_prompt_sets_the_mood() {
    let sunset = mean(&draw(&request("a beautiful sunset over the hills", 3, 0)));
    let ocean = mean(&draw(&request("calm ocean waves", 3, 0)));
    let night = mean(&draw(&request("night sky full of stars", 3, 0)));
    assert!(sunset[0] > sunset[2], "a sunset is warm: {sunset:?}");
    assert!(ocean[2] > ocean[0], "the ocean is cool: {ocean:?}");
    let brightness = |rgb: [f64; 3]| rgb.iter().sum::<f64>();
    assert!(
        brightness(night) < brightness(ocean),
        "night is darker: {night:?} vs {ocean:?}"
    );
    assert!(Palette::from_prompt("night sky").stars);
    assert!(Palette::from_prompt("a quiet lake").water);
    assert!(!Palette::from_prompt("a quiet lake").stars);
}

#[test]
fn output_formats_are_read_leniently_and_unknown_ones_refused() {
    assert_eq!(ImageEncoding::parse("PNG"), Some(ImageEncoding::Png));
    assert_eq!(ImageEncoding::parse("jpeg"), Some(ImageEncoding::Jpeg));
    assert_eq!(ImageEncoding::parse("jpg").unwrap().extension(), "jpg");
    assert_eq!(ImageEncoding::parse("webp"), None);
}
