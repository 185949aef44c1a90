//! The figures' drawing surface: a figure is drawn once as a list of
//! shapes and text in CSS pixels (1/96 inch, y downwards), then written as
//! SVG ([`Canvas::to_svg`], also rasterised to PNG by [`super::png`]) or
//! as vector PDF ([`super::pdf`]), so the three files cannot disagree.

use std::fmt::Write;

/// The font stack used by every figure: Liberation Sans first, the font
/// embedded for PNG and PDF output, so all outputs look alike.
pub const FONT_FAMILY: &str = "Liberation Sans, Arial, Helvetica, sans-serif";

/// Escape text for XML content and attributes.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// Horizontal text anchor.
#[derive(Debug, Clone, Copy, PartialEq)]
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

/// A stroke: colour, width (px) and dash pattern (px; empty = solid).
#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    /// `#rrggbb`.
    pub colour: String,
    /// Line width, px.
    pub width: f64,
    /// Dash and gap lengths; empty for a solid line.
    pub dash: Vec<f64>,
}

impl Stroke {
    /// A solid line.
    pub fn solid(colour: &str, width: f64) -> Stroke {
        Stroke { colour: colour.into(), width, dash: Vec::new() }
    }
}

/// One drawn element.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// A filled rectangle, optionally outlined.
    Rect { x: f64, y: f64, w: f64, h: f64, fill: String, outline: Option<String> },
    /// An open polyline.
    Polyline { points: Vec<(f64, f64)>, stroke: Stroke },
    /// A closed, filled polygon with an opacity (0–1), no outline.
    Polygon { points: Vec<(f64, f64)>, fill: String, opacity: f64 },
    /// Text whose baseline starts, centres or ends at (x, y); `vertical`
    /// turns it by −90° about that point (a y-axis title).
    Text { x: f64, y: f64, size: f64, anchor: Anchor, fill: String, bold: bool, vertical: bool, content: String },
}

/// A figure being drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Canvas {
    /// Width, px.
    pub width: f64,
    /// Height, px.
    pub height: f64,
    /// The shapes, in drawing order.
    pub shapes: Vec<Shape>,
    /// The figure's title (SVG `<title>`, PDF document title).
    pub title: String,
}

impl Canvas {
    /// A blank white canvas.
    pub fn new(width: f64, height: f64, title: &str) -> Canvas {
        let mut c = Canvas { width, height, shapes: Vec::new(), title: title.into() };
        c.rect(0.0, 0.0, width, height, "#ffffff", None);
        c
    }

    /// A rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, outline: Option<&str>) {
        self.shapes.push(Shape::Rect { x, y, w, h, fill: fill.into(), outline: outline.map(String::from) });
    }

    /// A straight line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) {
        self.polyline(vec![(x1, y1), (x2, y2)], Stroke::solid(stroke, width));
    }

    /// An open polyline.
    pub fn polyline(&mut self, points: Vec<(f64, f64)>, stroke: Stroke) {
        self.shapes.push(Shape::Polyline { points, stroke });
    }

    /// A filled polygon (e.g. a confidence band).
    pub fn polygon(&mut self, points: Vec<(f64, f64)>, fill: &str, opacity: f64) {
        self.shapes.push(Shape::Polygon { points, fill: fill.into(), opacity });
    }

    /// Text at a point.
    pub fn text(&mut self, x: f64, y: f64, style: TextStyle, content: &str) {
        let TextStyle { size, anchor, fill, bold } = style;
        self.shapes.push(Shape::Text {
            x,
            y,
            size,
            anchor,
            fill: fill.into(),
            bold,
            vertical: false,
            content: content.into(),
        });
    }

    /// Text rotated by −90° around its point, centred there (a y-axis title).
    pub fn vertical_text(&mut self, x: f64, y: f64, size: f64, content: &str) {
        self.shapes.push(Shape::Text {
            x,
            y,
            size,
            anchor: Anchor::Middle,
            fill: "#000000".into(),
            bold: false,
            vertical: true,
            content: content.into(),
        });
    }

    /// The figure as an SVG document.
    pub fn to_svg(&self) -> String {
        let mut body = String::new();
        let points = |p: &[(f64, f64)]| p.iter().map(|(x, y)| format!("{x:.2},{y:.2}")).collect::<Vec<_>>().join(" ");
        for shape in &self.shapes {
            let _ = match shape {
                Shape::Rect { x, y, w, h, fill, outline } => {
                    let outline = outline.as_ref().map_or(String::new(), |s| format!(" stroke=\"{s}\""));
                    write!(
                        body,
                        "<rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"{fill}\"{outline}/>"
                    )
                }
                Shape::Polyline { points: p, stroke } if p.len() == 2 && stroke.dash.is_empty() => write!(
                    body,
                    "<line x1=\"{:.2}\" y1=\"{:.2}\" x2=\"{:.2}\" y2=\"{:.2}\" stroke=\"{}\" stroke-width=\"{}\"/>",
                    p[0].0, p[0].1, p[1].0, p[1].1, stroke.colour, stroke.width
                ),
                Shape::Polyline { points: p, stroke } => {
                    let dash = if stroke.dash.is_empty() {
                        String::new()
                    } else {
                        let d: Vec<String> = stroke.dash.iter().map(|v| format!("{v}")).collect();
                        format!(" stroke-dasharray=\"{}\"", d.join(" "))
                    };
                    write!(
                        body,
                        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"miter\"{dash}/>",
                        points(p),
                        stroke.colour,
                        stroke.width
                    )
                }
                Shape::Polygon { points: p, fill, opacity } => {
                    write!(body, "<polygon points=\"{}\" fill=\"{fill}\" fill-opacity=\"{opacity}\"/>", points(p))
                }
                Shape::Text { x, y, size, anchor, fill, bold, vertical, content } => {
                    let anchor = match anchor {
                        Anchor::Start => "start",
                        Anchor::Middle => "middle",
                        Anchor::End => "end",
                    };
                    let weight = if *bold { " font-weight=\"bold\"" } else { "" };
                    let turn =
                        if *vertical { format!(" transform=\"rotate(-90 {x:.2} {y:.2})\"") } else { String::new() };
                    write!(
                        body,
                        "<text x=\"{x:.2}\" y=\"{y:.2}\" font-family=\"{FONT_FAMILY}\" font-size=\"{size}\" text-anchor=\"{anchor}\" fill=\"{fill}\"{weight}{turn}>{}</text>",
                        escape(content)
                    )
                }
            };
        }
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\"><title>{}</title>{body}</svg>\n",
            escape(&self.title),
            w = self.width,
            h = self.height
        )
    }
}

/// Approximate rendered width of `text` at `size` (Liberation Sans averages ~0.55 em).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * 0.56
}
