//! SVG to PNG with resvg, using only the fonts embedded in the binary
//! (Liberation Sans, SIL Open Font License; `assets/fonts/`), so a PNG
//! looks the same on every machine and never depends on system fonts.

use anyhow::Context;
use std::sync::{Arc, OnceLock};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");

fn options() -> &'static resvg::usvg::Options<'static> {
    static OPTIONS: OnceLock<resvg::usvg::Options<'static>> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let mut db = resvg::usvg::fontdb::Database::new();
        db.load_font_data(REGULAR.to_vec());
        db.load_font_data(BOLD.to_vec());
        resvg::usvg::Options { fontdb: Arc::new(db), font_family: "Liberation Sans".into(), ..Default::default() }
    })
}

/// A rasterised figure.
pub struct Png {
    /// The PNG file, its resolution recorded in a `pHYs` chunk.
    pub bytes: Vec<u8>,
    /// Width and height in pixels.
    pub pixels: (u32, u32),
    /// Dots per inch.
    pub dpi: f64,
}

/// Rasterise an SVG document at `dpi`, its user unit taken as the CSS
/// pixel (1/96 inch), so the figure keeps its physical size at any
/// resolution; the PNG records the resolution (`pHYs`, pixels per metre)
/// so that word processors and journals read its print size.
pub fn render(svg: &str, dpi: f64) -> anyhow::Result<Png> {
    encode(&rasterise(svg, dpi)?, dpi)
}

/// A pixmap drawn at `dpi` as PNG, the resolution recorded.
pub fn encode(pixmap: &resvg::tiny_skia::Pixmap, dpi: f64) -> anyhow::Result<Png> {
    let png = pixmap.encode_png().context("cannot encode PNG")?;
    Ok(Png { bytes: with_resolution(&png, dpi), pixels: (pixmap.width(), pixmap.height()), dpi })
}

/// The SVG drawn at `dpi` (1 user unit = 1/96 inch) on a pixmap.
pub fn rasterise(svg: &str, dpi: f64) -> anyhow::Result<resvg::tiny_skia::Pixmap> {
    let scale = (dpi / 96.0) as f32;
    let tree = resvg::usvg::Tree::from_str(svg, options()).context("cannot parse the figure's SVG")?;
    let size = tree.size();
    let (w, h) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).context("figure too large to rasterise")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    Ok(pixmap)
}

/// The PNG with a `pHYs` chunk (PNG 1.2 §4.2.4.2) after its header:
/// pixels per metre on both axes, unit metre.
fn with_resolution(png: &[u8], dpi: f64) -> Vec<u8> {
    // Signature (8) + IHDR (4 length + 4 type + 13 data + 4 CRC).
    const AFTER_IHDR: usize = 33;
    let per_metre = (dpi / 0.0254).round() as u32;
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    let mut body = b"pHYs".to_vec();
    body.extend_from_slice(&per_metre.to_be_bytes());
    body.extend_from_slice(&per_metre.to_be_bytes());
    body.push(1);
    chunk.extend_from_slice(&body);
    chunk.extend_from_slice(&crc32fast::hash(&body).to_be_bytes());
    let mut out = Vec::with_capacity(png.len() + chunk.len());
    out.extend_from_slice(&png[..AFTER_IHDR]);
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&png[AFTER_IHDR..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_drawn_with_the_embedded_font() {
        let with_text = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="30"><rect width="100" height="30" fill="white"/><text x="5" y="20" font-family="Liberation Sans" font-size="16">Hello</text></svg>"#;
        let blank = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="30"><rect width="100" height="30" fill="white"/></svg>"#;
        assert_ne!(render(with_text, 96.0).unwrap().bytes, render(blank, 96.0).unwrap().bytes);
    }

    #[test]
    fn the_resolution_is_recorded_and_sets_the_pixel_size() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="96" height="48"><rect width="96" height="48" fill="white"/></svg>"#;
        let png = render(svg, 300.0).unwrap();
        assert_eq!(png.pixels, (300, 150));
        let b = &png.bytes;
        assert_eq!(&b[12..16], b"IHDR");
        assert_eq!(&b[37..41], b"pHYs");
        let per_metre = u32::from_be_bytes([b[41], b[42], b[43], b[44]]);
        assert_eq!(per_metre, 11811, "300 dpi");
        assert_eq!(b[49], 1, "unit: metre");
        let crc = u32::from_be_bytes([b[50], b[51], b[52], b[53]]);
        assert_eq!(crc, crc32fast::hash(&b[37..50]));
    }
}
