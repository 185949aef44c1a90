//! A figure as a one-page vector PDF, for journals that ask for vector
//! art: the same [`Canvas`] the SVG and PNG are made from, drawn straight
//! to PDF operators with `pdf-writer` (no SVG conversion, whose text
//! support would cost minutes of build), its text set in the embedded
//! Liberation Sans (SIL Open Font License) as real, searchable text.
//!
//! **Coordinates.** The canvas is in CSS pixels (1/96 in) with y down; a
//! PDF page is in points (1/72 in) with y up: `(x, y) → (0.75 x, H − 0.75 y)`.
//!
//! **Fonts.** Each face is embedded as a TrueType program (`FontFile2`,
//! deflated) subset to the glyphs the figure shows (the `subsetter` crate
//! renumbers them in order of first use; the name carries the subset tag
//! `SBRTAA+`), behind a Type 0 font with Identity-H encoding: a shown
//! string is the big-endian subset glyph ids of its characters (from the
//! font's `cmap`), the `W` array gives each subset glyph's advance in
//! 1/1000 em (from `hmtx`), and a `ToUnicode` map lets readers copy and
//! search the text. Anchored text is placed with the same advances (Middle: start at
//! x − width/2; End: x − width), so alignment is exact in the PDF.
//!
//! **Opacity.** A filled band's opacity is an `ExtGState` with `ca`.

use super::canvas::{Anchor, Canvas, Shape};
use anyhow::Context;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo, UnicodeCmap};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::BTreeMap;
use std::io::Write;

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/LiberationSans-Bold.ttf");

/// Points per CSS pixel.
const PT_PER_PX: f64 = 0.75;

/// One embedded face: its parsed font, the subset of its glyphs shown and
/// the character each subset glyph stands for.
struct Face {
    name: &'static [u8],
    resource: &'static [u8],
    data: &'static [u8],
    font: ttf_parser::Face<'static>,
    subset: subsetter::GlyphRemapper,
    used: BTreeMap<u16, char>,
}

impl Face {
    fn new(name: &'static [u8], resource: &'static [u8], data: &'static [u8]) -> anyhow::Result<Face> {
        let font = ttf_parser::Face::parse(data, 0).context("the embedded font cannot be read")?;
        Ok(Face { name, resource, data, font, subset: subsetter::GlyphRemapper::new(), used: BTreeMap::new() })
    }

    /// The font's glyph ids of `text` (0, the missing glyph, for a
    /// character the font lacks) and their ids in the subset, remembered
    /// for the subset and its ToUnicode map.
    fn glyphs(&mut self, text: &str) -> (Vec<u16>, Vec<u16>) {
        text.chars()
            .map(|c| {
                let g = self.font.glyph_index(c).map_or(0, |g| g.0);
                let s = self.subset.remap(g);
                self.used.entry(s).or_insert(c);
                (g, s)
            })
            .unzip()
    }

    /// Advance of glyph `g` in 1/1000 em.
    fn advance(&self, g: u16) -> f64 {
        let units = self.font.units_per_em() as f64;
        self.font.glyph_hor_advance(ttf_parser::GlyphId(g)).map_or(0.0, |a| a as f64 * 1000.0 / units)
    }

    /// Width of glyphs `gs` at `size` (any unit).
    fn width(&self, gs: &[u16], size: f64) -> f64 {
        gs.iter().map(|&g| self.advance(g)).sum::<f64>() * size / 1000.0
    }
}

/// `#rrggbb` as PDF colour components.
fn rgb(hex: &str) -> (f32, f32, f32) {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    let c = |shift: u32| ((v >> shift) & 0xff) as f32 / 255.0;
    (c(16), c(8), c(0))
}

fn deflate(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data)?;
    Ok(e.finish()?)
}

/// Add the path through `points` (canvas coordinates, mapped by `at`).
fn trace(content: &mut Content, points: &[(f64, f64)], at: &dyn Fn(f64, f64) -> (f32, f32)) {
    for (k, &(x, y)) in points.iter().enumerate() {
        let (px, py) = at(x, y);
        if k == 0 {
            content.move_to(px, py);
        } else {
            content.line_to(px, py);
        }
    }
}

/// The figure as a PDF file.
pub fn render(canvas: &Canvas) -> anyhow::Result<Vec<u8>> {
    let mut faces = [Face::new(b"LiberationSans", b"F1", REGULAR)?, Face::new(b"LiberationSans-Bold", b"F2", BOLD)?];
    let (w, h) = (canvas.width * PT_PER_PX, canvas.height * PT_PER_PX);
    let at = |x: f64, y: f64| ((x * PT_PER_PX) as f32, (h - y * PT_PER_PX) as f32);
    let mut content = Content::new();
    let mut opacities: Vec<f64> = Vec::new();
    for shape in &canvas.shapes {
        match shape {
            Shape::Rect { x, y, w: rw, h: rh, fill, outline } => {
                let (r, g, b) = rgb(fill);
                content.set_fill_rgb(r, g, b);
                let (px, py) = at(*x, y + rh);
                content.rect(px, py, (rw * PT_PER_PX) as f32, (rh * PT_PER_PX) as f32);
                match outline {
                    Some(o) => {
                        let (r, g, b) = rgb(o);
                        content.set_stroke_rgb(r, g, b).set_line_width(PT_PER_PX as f32).fill_nonzero_and_stroke()
                    }
                    None => content.fill_nonzero(),
                };
            }
            Shape::Polyline { points, stroke } => {
                let (r, g, b) = rgb(&stroke.colour);
                content.set_stroke_rgb(r, g, b).set_line_width((stroke.width * PT_PER_PX) as f32);
                content.set_dash_pattern(stroke.dash.iter().map(|d| (d * PT_PER_PX) as f32), 0.0);
                trace(&mut content, points, &at);
                content.stroke();
                content.set_dash_pattern([], 0.0);
            }
            Shape::Polygon { points, fill, opacity } => {
                let k = opacities.iter().position(|o| o == opacity).unwrap_or_else(|| {
                    opacities.push(*opacity);
                    opacities.len() - 1
                });
                content.save_state();
                content.set_parameters(Name(format!("GS{k}").as_bytes()));
                let (r, g, b) = rgb(fill);
                content.set_fill_rgb(r, g, b);
                trace(&mut content, points, &at);
                content.close_path().fill_nonzero();
                content.restore_state();
            }
            Shape::Text { x, y, size, anchor, fill, bold, vertical, content: text } => {
                let face = &mut faces[usize::from(*bold)];
                let (glyphs, shown) = face.glyphs(text);
                let size_pt = size * PT_PER_PX;
                let shift = match anchor {
                    Anchor::Start => 0.0,
                    Anchor::Middle => face.width(&glyphs, size_pt) / 2.0,
                    Anchor::End => face.width(&glyphs, size_pt),
                } as f32;
                let (px, py) = at(*x, *y);
                let (r, g, b) = rgb(fill);
                let bytes: Vec<u8> = shown.iter().flat_map(|g| g.to_be_bytes()).collect();
                content.set_fill_rgb(r, g, b).begin_text().set_font(Name(face.resource), size_pt as f32);
                if *vertical {
                    content.set_text_matrix([0.0, 1.0, -1.0, 0.0, px, py - shift]);
                } else {
                    content.set_text_matrix([1.0, 0.0, 0.0, 1.0, px - shift, py]);
                }
                content.show(Str(&bytes)).end_text();
            }
        }
    }

    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut id = || {
        next += 1;
        Ref::new(next - 1)
    };
    let (catalog, pages, page, contents, info) = (id(), id(), id(), id(), id());
    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages).kids([page]).count(1);
    pdf.document_info(info).title(TextStr(&canvas.title)).producer(TextStr("sbrt-outcomes"));
    let font_refs: Vec<[Ref; 5]> = faces.iter().map(|_| [id(), id(), id(), id(), id()]).collect();
    let gs_refs: Vec<Ref> = opacities.iter().map(|_| id()).collect();
    {
        let mut p = pdf.page(page);
        p.media_box(Rect::new(0.0, 0.0, w as f32, h as f32)).parent(pages).contents(contents);
        let mut resources = p.resources();
        let mut fonts = resources.fonts();
        for (face, refs) in faces.iter().zip(&font_refs) {
            fonts.pair(Name(face.resource), refs[0]);
        }
        fonts.finish();
        let mut states = resources.ext_g_states();
        for (k, r) in gs_refs.iter().enumerate() {
            states.pair(Name(format!("GS{k}").as_bytes()), *r);
        }
        states.finish();
    }
    for (o, r) in opacities.iter().zip(&gs_refs) {
        pdf.ext_graphics(*r).non_stroking_alpha(*o as f32);
    }
    pdf.stream(contents, &deflate(&content.finish())?).filter(Filter::FlateDecode);
    let identity = SystemInfo { registry: Str(b"Adobe"), ordering: Str(b"Identity"), supplement: 0 };
    for (face, [type0, cid, descriptor, file, cmap]) in faces.iter().zip(&font_refs) {
        let name = [b"SBRTAA+".as_slice(), face.name].concat();
        pdf.type0_font(*type0)
            .base_font(Name(&name))
            .encoding_predefined(Name(b"Identity-H"))
            .descendant_font(*cid)
            .to_unicode(*cmap);
        let mut c = pdf.cid_font(*cid);
        c.subtype(CidFontType::Type2)
            .base_font(Name(&name))
            .system_info(identity)
            .font_descriptor(*descriptor)
            .cid_to_gid_map_predefined(Name(b"Identity"));
        c.widths().consecutive(0, face.subset.remapped_gids().map(|g| face.advance(g) as f32));
        c.finish();
        let units = face.font.units_per_em() as f32;
        let scale = |v: i16| v as f32 * 1000.0 / units;
        let b = face.font.global_bounding_box();
        pdf.font_descriptor(*descriptor)
            .name(Name(&name))
            .flags(FontFlags::NON_SYMBOLIC)
            .bbox(Rect::new(scale(b.x_min), scale(b.y_min), scale(b.x_max), scale(b.y_max)))
            .italic_angle(0.0)
            .ascent(scale(face.font.ascender()))
            .descent(scale(face.font.descender()))
            .cap_height(scale(face.font.capital_height().unwrap_or(face.font.ascender())))
            .stem_v(if face.resource == b"F2" { 140.0 } else { 80.0 })
            .font_file2(*file);
        let program = subsetter::subset(face.data, 0, &face.subset).context("cannot subset the embedded font")?;
        pdf.stream(*file, &deflate(&program)?).filter(Filter::FlateDecode).pair(Name(b"Length1"), program.len() as i32);
        let mut map = UnicodeCmap::new(Name(b"Custom"), identity);
        for (&g, &ch) in &face.used {
            map.pair(g, ch);
        }
        pdf.cmap(*cmap, &map.finish()).system_info(identity);
    }
    Ok(pdf.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::canvas::TextStyle;

    #[test]
    fn a_figure_becomes_a_pdf_with_its_text_and_page_size() {
        let mut c = Canvas::new(400.0, 200.0, "T");
        c.line(10.0, 10.0, 390.0, 190.0, "#0072B2", 2.0);
        c.polygon(vec![(0.0, 0.0), (50.0, 0.0), (50.0, 50.0)], "#D55E00", 0.15);
        c.text(200.0, 100.0, TextStyle::new(12.0, Anchor::Middle).bold(), "Hi");
        let pdf = render(&c).unwrap();
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.starts_with("%PDF-"));
        assert!(text.contains("/MediaBox [0 0 300 150]"), "400 × 200 px = 300 × 150 pt");
        assert!(text.contains("/FontFile2") && text.contains("/Identity-H") && text.contains("/ToUnicode"));
        assert!(text.contains("/ca 0.15"));
        // The fonts are subset to the glyphs shown: a few kilobytes, not the 0.4 MB faces.
        assert!(text.contains("/SBRTAA+LiberationSans-Bold"));
        assert!(pdf.len() < 40_000, "{} bytes", pdf.len());
    }
}
