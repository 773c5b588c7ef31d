//! Whether a JPEG is whole: its marker segments are walked from the start-of-image marker,
//! skipping each segment by its length and each scan's entropy-coded data up to the next
//! marker, until the end-of-image marker. A file cut off anywhere before that (the common case
//! is a scan cut mid-way, which decoders silently fill with grey) has no end. Bytes after the
//! end-of-image marker are not part of the picture: they are ignored here and never stored,
//! since the stored photo is re-encoded.

/// Where a JPEG's end-of-image marker finishes, or `None` when the data stops before it.
pub fn end_of_image(bytes: &[u8]) -> Option<usize> {
    const SOI: u8 = 0xD8;
    const EOI: u8 = 0xD9;
    const SOS: u8 = 0xDA;
    if bytes.get(..2)? != [0xFF, SOI] {
        return None;
    }
    let mut at = 2;
    loop {
        // Tolerate stray bytes between segments (some cameras write them), as decoders do.
        at += bytes.get(at..)?.iter().position(|&b| b == 0xFF)?;
        // Any number of 0xFF fill bytes may precede a marker code.
        at += bytes.get(at..)?.iter().position(|&b| b != 0xFF)?;
        let marker = bytes[at];
        at += 1;
        match marker {
            EOI => return Some(at),
            // Standalone markers: no length, no payload.
            0x01 | 0xD0..=0xD7 | SOI => {}
            // 0xFF00 is a stuffed data byte, never a marker outside a scan.
            0x00 => {}
            _ => {
                let length =
                    usize::from(u16::from_be_bytes([*bytes.get(at)?, *bytes.get(at + 1)?]));
                if length < 2 {
                    return None;
                }
                at += length;
                if at > bytes.len() {
                    return None;
                }
                if marker == SOS {
                    at = end_of_scan(bytes, at)?;
                }
            }
        }
    }
}

/// Where the entropy-coded data starting at `from` ends: the first marker that is neither a
/// stuffed byte (`FF 00`), fill (`FF FF`) nor a restart marker (`FF D0`–`FF D7`).
fn end_of_scan(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        at += bytes.get(at..)?.iter().position(|&b| b == 0xFF)?;
        match bytes.get(at + 1)? {
            0x00 | 0xD0..=0xD7 => at += 2,
            0xFF => at += 1,
            _ => return Some(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::photo::tests::sample_jpeg;

    #[test]
    fn a_whole_jpeg_ends_at_its_end_marker() {
        let jpeg = sample_jpeg(64, 48);
        assert_eq!(end_of_image(&jpeg), Some(jpeg.len()));
    }

    #[test]
    fn bytes_after_the_end_marker_are_not_part_of_the_image() {
        let jpeg = sample_jpeg(64, 48);
        let mut tailed = jpeg.clone();
        tailed.extend_from_slice(&[0xFF, 0xD8, 0xFF, 0x00, b'<', b'h', 0xFF]);
        assert_eq!(end_of_image(&tailed), Some(jpeg.len()));
    }

    #[test]
    fn a_jpeg_cut_anywhere_has_no_end() {
        let jpeg = sample_jpeg(64, 48);
        for cut in [
            0,
            1,
            2,
            3,
            20,
            jpeg.len() / 2,
            jpeg.len() - 2,
            jpeg.len() - 1,
        ] {
            assert_eq!(end_of_image(&jpeg[..cut]), None, "cut at {cut}");
        }
        let mut cut_then_text = jpeg[..jpeg.len() / 2].to_vec();
        cut_then_text.extend_from_slice(b"<html></html>");
        assert_eq!(end_of_image(&cut_then_text), None);
    }

    #[test]
    fn restart_markers_and_stuffed_bytes_stay_inside_the_scan() {
        // SOI, a minimal SOS header, scan data holding FF00, FFD3 and fill, then EOI.
        let bytes = [
            0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56, 0xFF,
            0xFF, 0xD9,
        ];
        assert_eq!(end_of_image(&bytes), Some(bytes.len()));
        assert_eq!(end_of_image(&bytes[..bytes.len() - 1]), None);
    }
}
