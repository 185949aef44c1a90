//! Word documents (`.docx`) of the report: `report.docx` (title, methods,
//! the paper's tables and figures) and `supplement.docx` (the Robustness
//! section), written as WordprocessingML by this small writer rather than
//! a document library: the report needs paragraphs, tables and inline
//! pictures only, and writing them directly keeps the build small and the
//! XML under test (`tests/golden/report_document.xml`).
//!
//! **Package.** A ZIP (deflate, fixed timestamps, so the same report gives
//! the same bytes) of `[Content_Types].xml`, `_rels/.rels`,
//! `word/document.xml`, `word/styles.xml`, `word/_rels/document.xml.rels`
//! and `word/media/figureN.png` (ECMA-376 Part 1, §11 and §17).
//!
//! **Journal style.** A4, 2 cm margins; Arial (Liberation Sans where
//! Word's fonts are absent), 10.5 pt text, 9 pt tables and 8 pt notes.
//! Tables have three rules only (top, under the header, bottom: no
//! vertical rules), spanning header rows drawn with `gridSpan` and a rule
//! under each group, header rows repeated on every page, sub-rows indented
//! 0.4 cm per level, fixed column widths that add up to the text width, each
//! in proportion to its longest text (within bounds), so that a table never
//! runs off the page; text columns left-aligned, numbers centred. A table of
//! more than [`PORTRAIT_MAX_COLUMNS`] columns gets a landscape section of
//! its own. Footnotes follow each table; figures are PNGs at print
//! resolution, as wide as the text at most, each with its caption.

use super::table::Table;
use std::io::Write;

/// Widest table kept in portrait; wider ones get a landscape page.
pub const PORTRAIT_MAX_COLUMNS: usize = 6;

/// Page geometry in twentieths of a point (A4, 2 cm margins).
const PAGE_SHORT: u32 = 11906;
const PAGE_LONG: u32 = 16838;
const MARGIN: u32 = 1134;
/// English Metric Units per twip (914400 per inch, 1440 twips per inch).
const EMU_PER_TWIP: u64 = 635;

/// A picture to embed: PNG bytes with their size in pixels and resolution.
pub struct Picture<'a> {
    /// The PNG file.
    pub png: &'a [u8],
    /// Width and height in pixels.
    pub pixels: (u32, u32),
    /// Resolution the PNG was drawn at (dots per inch).
    pub dpi: f64,
    /// The caption under it.
    pub caption: &'a str,
}

/// A document being written.
pub struct Document {
    body: String,
    images: Vec<Vec<u8>>,
}

/// Text safe inside XML: the five markup characters escaped, and the
/// control characters XML 1.0 cannot hold dropped.
fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// One run of text in a paragraph of `style`, with optional extra
/// paragraph properties.
fn paragraph(style: &str, extra_ppr: &str, text: &str) -> String {
    format!(
        "<w:p><w:pPr><w:pStyle w:val=\"{style}\"/>{extra_ppr}</w:pPr><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
        xml_text(text)
    )
}

/// The section properties of a page orientation.
fn section(landscape: bool) -> String {
    let (w, h, orient) =
        if landscape { (PAGE_LONG, PAGE_SHORT, " w:orient=\"landscape\"") } else { (PAGE_SHORT, PAGE_LONG, "") };
    format!(
        "<w:sectPr><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/><w:pgMar w:top=\"{MARGIN}\" w:right=\"{MARGIN}\" w:bottom=\"{MARGIN}\" w:left=\"{MARGIN}\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/></w:sectPr>"
    )
}

/// The text width of a page orientation, in twips.
fn text_width(landscape: bool) -> u32 {
    (if landscape { PAGE_LONG } else { PAGE_SHORT }) - 2 * MARGIN
}

/// Shortest and longest text length (characters) a column is sized for.
const MIN_CHARS: usize = 6;
const MAX_CHARS: usize = 36;

/// Column widths adding up to `total`, each in proportion to the longest
/// text of its column (head or cell, indentation counted), bounded to
/// [`MIN_CHARS`, `MAX_CHARS`] so that no column starves or dominates.
fn column_widths(t: &Table, total: u32) -> Vec<u32> {
    let n = t.columns.len();
    let chars = |s: &str| s.chars().count();
    let want: Vec<usize> = (0..n)
        .map(|j| {
            let cells = t.rows.iter().map(|r| chars(&r.cells[j]) + if j == 0 { 2 * r.indent as usize } else { 0 });
            cells.chain(std::iter::once(chars(&t.heads[j]) / 2)).max().unwrap_or(0).clamp(MIN_CHARS, MAX_CHARS)
        })
        .collect();
    let sum: usize = want.iter().sum();
    let mut widths: Vec<u32> = want.iter().map(|&w| (total as f64 * w as f64 / sum as f64).floor() as u32).collect();
    widths[0] += total - widths.iter().sum::<u32>();
    widths
}

/// Whether column `j` holds text (most of its filled cells start with a
/// letter): left-aligned, where numbers are centred.
fn text_column(t: &Table, j: usize) -> bool {
    let filled: Vec<&String> = t.rows.iter().map(|r| &r.cells[j]).filter(|c| !c.is_empty()).collect();
    j == 0 || 2 * filled.iter().filter(|c| c.chars().next().is_some_and(char::is_alphabetic)).count() > filled.len()
}

/// A table cell: its width (twips), span, borders, alignment, indent, text.
fn cell(width: u32, span: usize, borders: &str, centred: bool, indent: u8, text: &str) -> String {
    let span = if span > 1 { format!("<w:gridSpan w:val=\"{span}\"/>") } else { String::new() };
    let borders = if borders.is_empty() { String::new() } else { format!("<w:tcBorders>{borders}</w:tcBorders>") };
    let jc = if centred { "<w:jc w:val=\"center\"/>" } else { "" };
    let ind = if indent > 0 { format!("<w:ind w:left=\"{}\"/>", 227 * indent as u32) } else { String::new() };
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>{span}{borders}</w:tcPr><w:p><w:pPr><w:pStyle w:val=\"TableText\"/>{jc}{ind}</w:pPr><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
        xml_text(text)
    )
}

const RULE_BELOW: &str = "<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>";

impl Default for Document {
    fn default() -> Self {
        Document::new()
    }
}

impl Document {
    /// An empty document.
    pub fn new() -> Document {
        Document { body: String::new(), images: Vec::new() }
    }

    /// The document's title.
    pub fn title(&mut self, text: &str) {
        self.body.push_str(&paragraph("Title", "", text));
    }

    /// A section heading.
    pub fn heading(&mut self, text: &str) {
        self.body.push_str(&paragraph("Heading1", "", text));
    }

    /// A paragraph of body text.
    pub fn paragraph(&mut self, text: &str) {
        self.body.push_str(&paragraph("BodyText", "", text));
    }

    /// A table with its caption above and its notes below; on a landscape
    /// page of its own when wider than [`PORTRAIT_MAX_COLUMNS`] columns.
    pub fn table(&mut self, t: &Table) {
        let landscape = t.columns.len() > PORTRAIT_MAX_COLUMNS;
        if landscape {
            // End the portrait section before the table.
            self.body.push_str(&format!("<w:p><w:pPr>{}</w:pPr></w:p>", section(false)));
        }
        self.body.push_str(&paragraph("TableCaption", "<w:keepNext/>", &t.title));
        let widths = column_widths(t, text_width(landscape));
        let centred: Vec<bool> = (0..t.columns.len()).map(|j| !text_column(t, j)).collect();
        let total: u32 = widths.iter().sum();
        let rule = |v: &str| format!("<w:{v} w:val=\"single\" w:sz=\"8\" w:space=\"0\" w:color=\"000000\"/>");
        let mut x = format!(
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"JournalTable\"/><w:tblW w:w=\"{total}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/><w:tblBorders>{}{}</w:tblBorders><w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>",
            rule("top"),
            rule("bottom")
        );
        for w in &widths {
            x.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
        }
        x.push_str("</w:tblGrid>");
        let header_row = |cells: String| format!("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>{cells}</w:tr>");
        for row in &t.groups {
            let mut cells = String::new();
            let mut col = 0;
            for (text, span) in row {
                let width: u32 = widths[col..col + span].iter().sum();
                let borders = if text.is_empty() { "" } else { RULE_BELOW };
                cells.push_str(&cell(width, *span, borders, true, 0, text));
                col += span;
            }
            x.push_str(&header_row(cells));
        }
        let heads: String = t
            .heads
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(k, (h, &w))| cell(w, 1, RULE_BELOW, centred[k], 0, h))
            .collect();
        x.push_str(&header_row(heads));
        for r in &t.rows {
            x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
            for (k, (c, &w)) in r.cells.iter().zip(&widths).enumerate() {
                x.push_str(&cell(w, 1, "", centred[k], if k == 0 { r.indent } else { 0 }, c));
            }
            x.push_str("</w:tr>");
        }
        x.push_str("</w:tbl>");
        self.body.push_str(&x);
        for n in &t.notes {
            self.body.push_str(&paragraph("TableNote", "", n));
        }
        if landscape {
            self.body.push_str(&format!("<w:p><w:pPr>{}</w:pPr></w:p>", section(true)));
        }
    }

    /// A figure: the picture as wide as its resolution gives, at most the
    /// text width, centred, then its caption.
    pub fn figure(&mut self, pic: &Picture) {
        self.images.push(pic.png.to_vec());
        let n = self.images.len();
        let natural_twips = pic.pixels.0 as f64 / pic.dpi * 1440.0;
        let scale = (text_width(false) as f64 / natural_twips).min(1.0);
        let cx = (natural_twips * scale) as u64 * EMU_PER_TWIP;
        let cy = (pic.pixels.1 as f64 / pic.dpi * 1440.0 * scale) as u64 * EMU_PER_TWIP;
        self.body.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"Figure\"/><w:keepNext/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{n}\" name=\"Figure {n}\"/><a:graphic><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:pic><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"figure{n}.png\"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed=\"rIdImage{n}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>"
        ));
        self.body.push_str(&paragraph("FigureCaption", "", pic.caption));
    }

    /// `word/document.xml`.
    pub fn document_xml(&self) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" xmlns:wp=\"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing\" xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><w:body>{}{}</w:body></w:document>\n",
            self.body,
            section(false)
        )
    }

    /// The `.docx` file.
    pub fn finish(&self) -> anyhow::Result<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let mut put = |name: &str, bytes: &[u8]| -> anyhow::Result<()> {
            zip.start_file(name, options)?;
            zip.write_all(bytes)?;
            Ok(())
        };
        put("[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
        put("_rels/.rels", PACKAGE_RELS.as_bytes())?;
        put("word/document.xml", self.document_xml().as_bytes())?;
        put("word/styles.xml", STYLES.as_bytes())?;
        let mut rels = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
        );
        for n in 1..=self.images.len() {
            rels.push_str(&format!("<Relationship Id=\"rIdImage{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"media/figure{n}.png\"/>"));
        }
        rels.push_str("</Relationships>\n");
        put("word/_rels/document.xml.rels", rels.as_bytes())?;
        for (k, png) in self.images.iter().enumerate() {
            put(&format!("word/media/figure{}.png", k + 1), png)?;
        }
        Ok(zip.finish()?.into_inner())
    }
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Default Extension=\"png\" ContentType=\"image/png\"/><Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/><Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/></Types>\n";

const PACKAGE_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rIdDocument\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>\n";

/// Styles: sizes in half-points (`w:sz`), spacing in twips.
const STYLES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">",
    "<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Arial\" w:hAnsi=\"Arial\" w:cs=\"Arial\" w:eastAsia=\"Arial\"/><w:sz w:val=\"21\"/><w:szCs w:val=\"21\"/><w:lang w:val=\"en-GB\"/></w:rPr></w:rPrDefault>",
    "<w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"264\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>",
    "<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>",
    "<w:style w:type=\"paragraph\" w:styleId=\"BodyText\"><w:name w:val=\"Body Text\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:jc w:val=\"both\"/></w:pPr></w:style>",
    "<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:after=\"240\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"32\"/></w:rPr></w:style>",
    "<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:keepNext/><w:spacing w:before=\"240\" w:after=\"120\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"26\"/></w:rPr></w:style>",
    "<w:style w:type=\"paragraph\" w:styleId=\"TableCaption\"><w:name w:val=\"Table Caption\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:before=\"240\" w:after=\"80\"/></w:pPr><w:rPr><w:b/><w:sz w:val=\"20\"/></w:rPr></w:style>",
    "<w:style w:type=\"paragraph\" w:styleId=\"TableText\"><w:name w:val=\"Table Text\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:before=\"20\" w:after=\"20\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:rPr><w:sz w:val=\"18\"/><w:szCs w:val=\"18\"/></w:rPr></w:style>",
    "<w:style w:type=\"paragraph\" w:styleId=\"TableNote\"><w:name w:val=\"Table Note\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:before=\"40\" w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr><w:rPr><w:sz w:val=\"16\"/><w:szCs w:val=\"16\"/></w:rPr></w:style>",
    "<w:style w:type=\"paragraph\" w:styleId=\"Figure\"><w:name w:val=\"Figure\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:jc w:val=\"center\"/><w:spacing w:before=\"240\" w:after=\"0\"/></w:pPr></w:style>",
    "<w:style w:type=\"paragraph\" w:styleId=\"FigureCaption\"><w:name w:val=\"Figure Caption\"/><w:basedOn w:val=\"Normal\"/><w:pPr><w:spacing w:after=\"240\"/></w:pPr><w:rPr><w:sz w:val=\"18\"/></w:rPr></w:style>",
    "<w:style w:type=\"table\" w:styleId=\"JournalTable\"><w:name w:val=\"Journal Table\"/><w:tblPr><w:tblCellMar><w:left w:w=\"57\" w:type=\"dxa\"/><w:right w:w=\"57\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>",
    "</w:styles>\n"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_widths_fill_the_text_width_in_proportion_to_the_text() {
        for n in 1..15 {
            let cols: Vec<String> = (0..n).map(|k| format!("column {k}")).collect();
            let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
            let mut t = Table::new("t", "T", &refs);
            let mut cells = vec!["a rather long variable name".to_string()];
            cells.extend((1..n).map(|k| {
                if k == 1 {
                    "a long text cell, longer than the limit".into()
                } else {
                    "0.05".into()
                }
            }));
            t.push(1, cells);
            let w = column_widths(&t, 9638);
            assert_eq!(w.len(), n);
            assert_eq!(w.iter().sum::<u32>(), 9638);
            if n > 2 {
                assert!(w[0] > w[2] && w[1] > w[2], "{w:?}");
                assert!(text_column(&t, 1) && !text_column(&t, 2));
            }
        }
    }

    #[test]
    fn markup_and_control_characters_cannot_break_the_xml() {
        assert_eq!(xml_text("a<b>&\"c'\u{1}\td"), "a&lt;b&gt;&amp;&quot;c&apos;\td");
    }

    #[test]
    fn wide_tables_get_a_landscape_section_and_spanning_headers() {
        let cols: Vec<String> = (0..11).map(|k| format!("c{k}")).collect();
        let refs: Vec<&str> = cols.iter().map(String::as_str).collect();
        let heads = cols.clone();
        let mut t = Table::new("t", "Table", &refs)
            .with_groups(vec![vec![(String::new(), 1), ("A".into(), 5), ("B".into(), 5)]], heads);
        t.push(1, vec!["level".into()]);
        let mut d = Document::new();
        d.table(&t);
        let xml = d.document_xml();
        assert!(xml.contains("w:orient=\"landscape\""));
        assert_eq!(xml.matches("<w:gridSpan w:val=\"5\"/>").count(), 2);
        assert!(xml.contains("<w:ind w:left=\"227\"/>"));
        assert_eq!(xml.matches("<w:tblHeader/>").count(), 2);
        assert!(!xml.contains("w:insideV"), "no vertical rules");
    }
}
