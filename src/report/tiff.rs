//! Figures as TIFF, which some journals still ask for: baseline RGB TIFF
//! 6.0 (Adobe 1992), 8 bits per sample, PackBits compression (the
//! baseline's own, read by every TIFF reader), the resolution in dots per
//! inch recorded in `XResolution`/`YResolution`, so that the file opens at
//! its print size. Drawn from the same pixmap as the PNG.
//!
//! Layout: the 8-byte little-endian header, the image as one strip of
//! PackBits-packed rows, the three `BitsPerSample` values and two
//! resolution rationals, then the image file directory (12 entries in tag
//! order) at the end.

/// PackBits one row: literal runs `n-1, bytes…` (n ≤ 128) and repeat runs
/// `1-n, byte` (2 ≤ n ≤ 128) (TIFF 6.0, section 9).
fn packbits(row: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < row.len() {
        let run = row[i..].iter().take(128).take_while(|&&b| b == row[i]).count();
        if run >= 2 {
            out.push((1 - run as i16) as u8);
            out.push(row[i]);
            i += run;
            continue;
        }
        // A literal run up to the next pair of equal bytes.
        let start = i;
        while i < row.len() && i - start < 128 && !(i + 1 < row.len() && row[i] == row[i + 1]) {
            i += 1;
        }
        out.push((i - start - 1) as u8);
        out.extend_from_slice(&row[start..i]);
    }
}

/// An RGB image (`rgb`, 3 bytes a pixel, rows top to bottom) as a TIFF file.
pub fn encode(rgb: &[u8], width: u32, height: u32, dpi: f64) -> Vec<u8> {
    assert_eq!(rgb.len(), width as usize * height as usize * 3, "one RGB triple per pixel");
    let mut strip = Vec::new();
    for row in rgb.chunks_exact(width as usize * 3) {
        packbits(row, &mut strip);
    }
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&0u32.to_le_bytes()); // IFD offset, set below
    let strip_at = out.len() as u32;
    out.extend_from_slice(&strip);
    if out.len() % 2 == 1 {
        out.push(0); // values start on a word boundary
    }
    let bits_at = out.len() as u32;
    for _ in 0..3 {
        out.extend_from_slice(&8u16.to_le_bytes());
    }
    let resolution_at = out.len() as u32;
    let per_inch = (dpi * 100.0).round() as u32;
    for _ in 0..2 {
        out.extend_from_slice(&per_inch.to_le_bytes());
        out.extend_from_slice(&100u32.to_le_bytes());
    }
    let ifd_at = out.len() as u32;
    out[4..8].copy_from_slice(&ifd_at.to_le_bytes());
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    let entries: [(u16, u16, u32, u32); 12] = [
        (256, LONG, 1, width),
        (257, LONG, 1, height),
        (258, SHORT, 3, bits_at),
        (259, SHORT, 1, 32773), // PackBits
        (262, SHORT, 1, 2),     // RGB
        (273, LONG, 1, strip_at),
        (277, SHORT, 1, 3),
        (278, LONG, 1, height),
        (279, LONG, 1, strip.len() as u32),
        (282, RATIONAL, 1, resolution_at),
        (283, RATIONAL, 1, resolution_at + 8),
        (296, SHORT, 1, 2), // inches
    ];
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for (tag, kind, count, value) in entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        // A single SHORT sits in the first two bytes of the value field.
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    out
}

/// A figure's pixmap (opaque: the figures paint a white background) as TIFF.
pub fn from_pixmap(pixmap: &resvg::tiny_skia::Pixmap, dpi: f64) -> Vec<u8> {
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    encode(&rgb, pixmap.width(), pixmap.height(), dpi)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PackBits decoding, as a reader does it.
    fn unpack(mut data: &[u8], len: usize) -> Vec<u8> {
        let mut out = Vec::new();
        while out.len() < len {
            let n = data[0] as i8;
            if n >= 0 {
                out.extend_from_slice(&data[1..=n as usize + 1]);
                data = &data[n as usize + 2..];
            } else {
                out.extend(std::iter::repeat_n(data[1], (1 - n as i16) as usize));
                data = &data[2..];
            }
        }
        out
    }

    #[test]
    fn packbits_round_trips_runs_and_literals() {
        let mut row: Vec<u8> = vec![255; 300];
        row.extend([1, 2, 3, 3, 4, 5, 6, 7, 7, 7]);
        row.extend((0..=255).map(|b| b as u8));
        let mut packed = Vec::new();
        packbits(&row, &mut packed);
        assert_eq!(unpack(&packed, row.len()), row);
        assert!(packed.len() < row.len());
    }

    #[test]
    fn a_tiff_has_its_size_resolution_and_pixels() {
        let (w, h) = (5u32, 2u32);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 7 % 256) as u8).collect();
        let t = encode(&rgb, w, h, 300.0);
        assert_eq!(&t[..4], b"II*\0");
        let ifd = u32::from_le_bytes(t[4..8].try_into().unwrap()) as usize;
        let n = u16::from_le_bytes([t[ifd], t[ifd + 1]]) as usize;
        let entry = |tag: u16| {
            (0..n)
                .map(|k| ifd + 2 + 12 * k)
                .find(|&e| u16::from_le_bytes([t[e], t[e + 1]]) == tag)
                .map(|e| u32::from_le_bytes(t[e + 8..e + 12].try_into().unwrap()))
        };
        assert_eq!((entry(256), entry(257), entry(259)), (Some(5), Some(2), Some(32773)));
        let r = entry(282).unwrap() as usize;
        let (num, den) = (
            u32::from_le_bytes(t[r..r + 4].try_into().unwrap()),
            u32::from_le_bytes(t[r + 4..r + 8].try_into().unwrap()),
        );
        assert_eq!(num as f64 / den as f64, 300.0);
        let (at, len) = (entry(273).unwrap() as usize, entry(279).unwrap() as usize);
        assert_eq!(unpack(&t[at..at + len], rgb.len()), rgb);
    }
}
