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

/// Rasterise an SVG document at `scale` × its size (2 gives print-quality 192 dpi).
pub fn render(svg: &str, scale: f32) -> anyhow::Result<Vec<u8>> {
    let tree = resvg::usvg::Tree::from_str(svg, options()).context("cannot parse the figure's SVG")?;
    let size = tree.size();
    let (w, h) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h).context("figure too large to rasterise")?;
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().context("cannot encode PNG")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_drawn_with_the_embedded_font() {
        let with_text = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="30"><rect width="100" height="30" fill="white"/><text x="5" y="20" font-family="Liberation Sans" font-size="16">Hello</text></svg>"#;
        let blank = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="30"><rect width="100" height="30" fill="white"/></svg>"#;
        assert_ne!(render(with_text, 1.0).unwrap(), render(blank, 1.0).unwrap());
    }
}
