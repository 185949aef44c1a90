//! A minimal SVG writer: elements appended as text, with escaping. Fonts
//! are named "Liberation Sans" first, the font embedded for PNG output, so
//! the SVG and the PNG look alike.

use std::fmt::Write;

/// The font stack used by every figure.
pub const FONT_FAMILY: &str = "Liberation Sans, Arial, Helvetica, sans-serif";

/// Colour-blind-safe palette (Okabe & Ito 2008).
pub const PALETTE: [&str; 8] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

/// Escape text for XML content and attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Horizontal text anchor.
#[derive(Debug, Clone, Copy)]
pub enum Anchor {
    /// Left-aligned.
    Start,
    /// Centred.
    Middle,
    /// Right-aligned.
    End,
}

/// How a piece of text is drawn.
#[derive(Debug, Clone, Copy)]
pub struct TextStyle<'a> {
    /// Font size, px.
    pub size: f64,
    /// Alignment.
    pub anchor: Anchor,
    /// Colour.
    pub fill: &'a str,
    /// Bold face.
    pub bold: bool,
}

impl<'a> TextStyle<'a> {
    /// Black regular text of `size`, aligned by `anchor`.
    pub fn new(size: f64, anchor: Anchor) -> TextStyle<'a> {
        TextStyle { size, anchor, fill: "#000000", bold: false }
    }

    /// The same, bold.
    pub fn bold(self) -> TextStyle<'a> {
        TextStyle { bold: true, ..self }
    }

    /// The same, in `fill`.
    pub fn fill(self, fill: &'a str) -> TextStyle<'a> {
        TextStyle { fill, ..self }
    }
}

/// An SVG document being built.
pub struct Svg {
    width: f64,
    height: f64,
    body: String,
}

impl Svg {
    /// A blank white canvas.
    pub fn new(width: f64, height: f64) -> Svg {
        let mut s = Svg { width, height, body: String::new() };
        s.rect(0.0, 0.0, width, height, "#ffffff", None);
        s
    }

    /// A rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, stroke: Option<&str>) {
        let stroke = stroke.map_or(String::new(), |s| format!(" stroke=\"{s}\""));
        let _ = write!(
            self.body,
            "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"{fill}\"{stroke}/>"
        );
    }

    /// A straight line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        let _ = write!(self.body, "<line x1=\"{x1:.2}\" y1=\"{y1:.2}\" x2=\"{x2:.2}\" y2=\"{y2:.2}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>");
    }

    /// A path from `d` commands, unfilled.
    pub fn path(&mut self, d: &str, stroke: &str, width: f64) {
        let _ = write!(
            self.body,
            "<path d=\"{d}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{width}\" stroke-linejoin=\"miter\"/>"
        );
    }

    /// Text at a point.
    pub fn text(&mut self, x: f64, y: f64, style: TextStyle, content: &str) {
        let TextStyle { size, anchor, fill, bold } = style;
        let anchor = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let weight = if bold { " font-weight=\"bold\"" } else { "" };
        let _ = write!(
            self.body,
            "<text x=\"{x:.2}\" y=\"{y:.2}\" font-family=\"{FONT_FAMILY}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{weight}>{}</text>",
            escape(content)
        );
    }

    /// Text rotated by -90° around its point (a y-axis title).
    pub fn vertical_text(&mut self, x: f64, y: f64, size: f64, content: &str) {
        let _ = write!(
            self.body,
            "<text x=\"{x:.2}\" y=\"{y:.2}\" font-family=\"{FONT_FAMILY}\" font-size=\"{size}\" text-anchor=\"middle\" fill=\"#000000\" transform=\"rotate(-90 {x:.2} {y:.2})\">{}</text>",
            escape(content)
        );
    }

    /// The finished document, with a title for accessibility.
    pub fn finish(self, title: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\"><title>{}</title>{}</svg>\n",
            escape(title),
            self.body,
            w = self.width,
            h = self.height
        )
    }
}

/// Approximate rendered width of `text` at `size` (Liberation Sans averages ~0.55 em).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.56
}
