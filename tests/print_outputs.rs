//! What `analyze` writes for print. The Word documents: every table of the
//! report is a real Word table in `report.docx` (the paper's) or
//! `supplement.docx` (the Robustness section) with exactly the cells of
//! its CSV file; the figures are embedded at the study's resolution; the
//! document XML matches its golden file; and, where LibreOffice is
//! installed, both documents convert to PDF with every word inside the
//! page. The figures: each also a one-page vector PDF with its fonts
//! embedded and its text searchable.

mod common;

use common::{analyze_example_with, root, sbrt, scratch};
use std::io::Read;
use std::path::Path;

/// The bundled example's report, made once for the tests that only read it.
fn example_report() -> &'static Path {
    static REPORT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    REPORT.get_or_init(|| {
        let out = scratch("example").join("report");
        let o = sbrt(&["analyze", "--example", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    })
}

/// The named part of a ZIP package, as text or bytes.
fn part(docx: &Path, name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut out = Vec::new();
    zip.by_name(name).unwrap_or_else(|_| panic!("{} has no {name}", docx.display())).read_to_end(&mut out).unwrap();
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
}

/// The text of each `<w:t>` run inside `xml`, concatenated.
fn text_of(xml: &str) -> String {
    let mut out = String::new();
    for piece in xml.split("<w:t").skip(1) {
        // `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl>`, `<w:tc>`, `<w:tr>`…
        if !(piece.starts_with('>') || piece.starts_with(' ')) {
            continue;
        }
        let Some(start) = piece.find('>') else { continue };
        if piece[..start].ends_with('/') {
            continue;
        }
        let body = &piece[start + 1..];
        out.push_str(&unescape(&body[..body.find("</w:t>").unwrap()]));
    }
    out
}

/// Every element `<tag>…</tag>` of `xml` (not nested in itself).
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let end = rest[i..].find(&close).unwrap() + i + close.len();
        out.push(&rest[i..end]);
        rest = &rest[end..];
    }
    out
}

/// A Word table: its caption (the paragraph before it), header rows and body rows.
struct WordTable {
    caption: String,
    header: Vec<Vec<String>>,
    body: Vec<Vec<String>>,
}

fn word_tables(document: &str) -> Vec<WordTable> {
    let mut out = Vec::new();
    for t in elements(document, "w:tbl") {
        let before = &document[..document.find(t).unwrap()];
        let caption = text_of(&before[before.rfind("<w:p>").unwrap()..]);
        let (mut header, mut body) = (Vec::new(), Vec::new());
        for row in elements(t, "w:tr") {
            let cells: Vec<String> = elements(row, "w:tc").iter().map(|c| text_of(c)).collect();
            if row.contains("<w:tblHeader/>") {
                header.push(cells);
            } else {
                body.push(cells);
            }
        }
        out.push(WordTable { caption, header, body });
    }
    out
}

/// The CSV's header and rows, the first cell's indentation removed.
fn csv_table(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| {
            let mut cells: Vec<String> = rec.unwrap().iter().map(String::from).collect();
            cells[0] = cells[0].trim_start().to_string();
            cells
        })
        .collect();
    (header, rows)
}

/// A CSV cell and a Word cell say the same (the CSV may carry the leading
/// `'` that keeps a spreadsheet from reading a formula).
fn same_cell(csv: &str, word: &str) -> bool {
    csv == word || csv.strip_prefix('\'') == Some(word)
}

#[test]
fn every_table_is_a_word_table_with_the_cells_of_its_csv() {
    let out = example_report();
    let report = String::from_utf8(part(&out.join("report.docx"), "word/document.xml")).unwrap();
    let supplement = String::from_utf8(part(&out.join("supplement.docx"), "word/document.xml")).unwrap();
    let (main_tables, supp_tables) = (word_tables(&report), word_tables(&supplement));
    let mut csvs: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    csvs.sort();
    assert!(csvs.len() >= 15, "{} CSV tables", csvs.len());
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    for path in &csvs {
        let id = path.file_stem().unwrap().to_str().unwrap();
        let spec = json["results"]["tables"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap();
        let title = spec["title"].as_str().unwrap();
        let in_supplement = id.starts_with("robust_");
        let pool = if in_supplement { &supp_tables } else { &main_tables };
        let found: Vec<&WordTable> = pool.iter().filter(|t| t.caption == title).collect();
        assert_eq!(found.len(), 1, "{id}: one Word table captioned '{title}'");
        let word = found[0];
        let (header, rows) = csv_table(path);
        // The column heads: the last header row; spanning rows above it where the table has them.
        let heads: Vec<String> = spec["heads"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().into()).collect();
        assert_eq!(word.header.last().unwrap(), &heads, "{id}: column heads");
        assert_eq!(word.header.len(), 1 + spec["groups"].as_array().map_or(0, Vec::len), "{id}: header rows");
        if word.header.len() == 1 {
            assert_eq!(heads, header, "{id}: a one-row header is the CSV's");
        }
        assert_eq!(word.body.len(), rows.len(), "{id}: rows");
        for (k, (w, c)) in word.body.iter().zip(&rows).enumerate() {
            assert_eq!(w.len(), c.len(), "{id} row {k}: cells");
            for (a, b) in c.iter().zip(w) {
                assert!(same_cell(a, b), "{id} row {k}: CSV '{a}' vs Word '{b}'");
            }
        }
    }
    // Table 4 as in the paper: endpoint over univariate / multivariable over the columns.
    let t4 = main_tables.iter().find(|t| t.caption.starts_with("Table 4")).unwrap();
    assert_eq!(t4.header[0], ["", "Progression-free survival", "Overall survival"]);
    assert_eq!(t4.header[1], ["", "Univariate", "Multivariable", "Univariate", "Multivariable"]);
    // Every figure of the report is embedded, at the study's resolution (pHYs 300 dpi = 11811 px/m).
    let rels = String::from_utf8(part(&out.join("report.docx"), "word/_rels/document.xml.rels")).unwrap();
    let images = rels.matches("relationships/image").count();
    assert_eq!(images, report.matches("<wp:inline").count());
    assert!(images >= 10, "{images} figures in report.docx");
    let png = part(&out.join("report.docx"), "word/media/figure1.png");
    assert_eq!(&png[37..41], b"pHYs");
    assert_eq!(u32::from_be_bytes([png[41], png[42], png[43], png[44]]), 11811);
    assert!(supplement.contains("<wp:inline"), "the competing-risk figure is in the supplement");
}

#[test]
fn the_document_xml_matches_its_golden_file() {
    let out = example_report();
    for (file, golden) in [("report.docx", "report_document.xml"), ("supplement.docx", "supplement_document.xml")] {
        let xml = String::from_utf8(part(&out.join(file), "word/document.xml")).unwrap();
        // One element per line, so that a change reads as a small diff.
        let xml = xml.replace("><w:p>", ">\n<w:p>").replace("><w:tbl>", ">\n<w:tbl>").replace("<w:tr>", "\n<w:tr>");
        let path = root().join("tests/golden").join(golden);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&path, &xml).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(xml == want, "{golden} differs from tests/golden/{golden} (review, then rerun with UPDATE_GOLDEN=1)");
    }
}

/// Words of a PDF page beyond its right edge, from `pdftotext -bbox`.
fn words_outside_the_page(bbox_html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut width = 0.0;
    for line in bbox_html.lines() {
        let attr = |name: &str| -> Option<f64> {
            let i = line.find(&format!("{name}=\""))? + name.len() + 2;
            line[i..i + line[i..].find('"')?].parse().ok()
        };
        if line.contains("<page") {
            width = attr("width").unwrap_or(0.0);
        } else if line.contains("<word") {
            if let Some(x) = attr("xMax").filter(|&x| x > width) {
                out.push(format!("{line} (xMax {x} > page width {width})"));
            }
        }
    }
    out
}

#[test]
fn libreoffice_converts_both_documents_with_every_word_on_the_page() {
    let has = |cmd: &str| {
        std::process::Command::new("sh").args(["-c", &format!("command -v {cmd}")]).output().unwrap().status.success()
    };
    if !(has("soffice") && has("pdftotext")) {
        assert!(
            std::env::var_os("SBRT_REQUIRE_LIBREOFFICE").is_none(),
            "SBRT_REQUIRE_LIBREOFFICE is set but soffice or pdftotext is missing"
        );
        eprintln!("skipped: LibreOffice (soffice) or pdftotext is not installed");
        return;
    }
    let out = example_report();
    let pdf_dir = scratch("word-pdf-converted");
    for name in ["report", "supplement"] {
        let profile = format!("-env:UserInstallation=file://{}", pdf_dir.join("profile").display());
        let o = std::process::Command::new("soffice")
            .args([&profile, "--headless", "--convert-to", "pdf", "--outdir", pdf_dir.to_str().unwrap()])
            .arg(out.join(format!("{name}.docx")))
            .output()
            .unwrap();
        assert!(o.status.success(), "soffice: {}", String::from_utf8_lossy(&o.stderr));
        let pdf = pdf_dir.join(format!("{name}.pdf"));
        let info = std::process::Command::new("pdfinfo").arg(&pdf).output().unwrap();
        let pages: usize = String::from_utf8_lossy(&info.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("Pages:").map(|p| p.trim().parse().unwrap()))
            .unwrap();
        assert!(pages >= if name == "report" { 8 } else { 3 }, "{name}: {pages} pages");
        let bbox = std::process::Command::new("pdftotext").args(["-bbox"]).arg(&pdf).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&bbox.stdout);
        assert!(text.contains("Univariate") || name == "supplement", "{name}: the tables' text is in the PDF");
        let outside = words_outside_the_page(&text);
        assert!(outside.is_empty(), "{name}: words beyond the page's right edge: {outside:?}");
    }
}

#[test]
fn every_figure_is_also_a_vector_pdf_with_its_fonts_embedded() {
    let out = example_report();
    let svgs: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .collect();
    assert!(svgs.len() >= 10);
    let has = |cmd: &str| {
        std::process::Command::new("sh").args(["-c", &format!("command -v {cmd}")]).output().unwrap().status.success()
    };
    for svg in &svgs {
        let pdf_path = svg.with_extension("pdf");
        let pdf = std::fs::read(&pdf_path).unwrap_or_else(|_| panic!("{} has no PDF", svg.display()));
        assert!(pdf.starts_with(b"%PDF-"), "{}", pdf_path.display());
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile2") && text.contains("/ToUnicode"), "{}: fonts embedded", pdf_path.display());
        if has("pdftotext") && has("pdffonts") {
            let fonts = std::process::Command::new("pdffonts").arg(&pdf_path).output().unwrap();
            let fonts = String::from_utf8_lossy(&fonts.stdout);
            assert!(fonts.lines().skip(2).all(|l| l.contains(" yes ")), "{}: {fonts}", pdf_path.display());
            let words = std::process::Command::new("pdftotext").arg(&pdf_path).arg("-").output().unwrap();
            let words = String::from_utf8_lossy(&words.stdout);
            let title = std::fs::read_to_string(svg).unwrap();
            let title = &title[title.find("<title>").unwrap() + 7..title.find("</title>").unwrap()];
            let first_word = title.split_whitespace().next().unwrap();
            assert!(words.contains(first_word), "{}: text '{first_word}' searchable", pdf_path.display());
        }
    }
}

#[test]
fn figures_are_also_tiff_when_the_study_asks_with_the_png_pixels() {
    let text = sbrt::study::BUILTIN.replace("tiff = false", "tiff = true");
    assert!(text.contains("tiff = true"));
    let out = analyze_example_with(&scratch("tiff"), &text);
    let tiff = std::fs::read(out.join("figure1.tiff")).unwrap();
    let png = resvg::tiny_skia::Pixmap::decode_png(&std::fs::read(out.join("figure1.png")).unwrap()).unwrap();
    // Read the TIFF as a reader does: the directory, then the PackBits strip.
    let u16_at = |i: usize| u16::from_le_bytes([tiff[i], tiff[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([tiff[i], tiff[i + 1], tiff[i + 2], tiff[i + 3]]);
    assert_eq!(&tiff[..4], b"II*\0");
    let ifd = u32_at(4) as usize;
    let value = |tag: u16| {
        (0..u16_at(ifd) as usize).map(|k| ifd + 2 + 12 * k).find(|&e| u16_at(e) == tag).map(|e| u32_at(e + 8))
    };
    assert_eq!((value(256), value(257)), (Some(png.width()), Some(png.height())));
    let (mut at, end) = (value(273).unwrap() as usize, (value(273).unwrap() + value(279).unwrap()) as usize);
    let mut rgb = Vec::new();
    while at < end {
        let n = tiff[at] as i8;
        if n >= 0 {
            rgb.extend_from_slice(&tiff[at + 1..at + 2 + n as usize]);
            at += 2 + n as usize;
        } else {
            rgb.extend(std::iter::repeat_n(tiff[at + 1], (1 - n as i16) as usize));
            at += 2;
        }
    }
    let png_rgb: Vec<u8> = png.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    assert!(rgb == png_rgb, "the TIFF holds the PNG's pixels");
    let r = value(282).unwrap() as usize;
    assert_eq!(u32_at(r) as f64 / u32_at(r + 4) as f64, 300.0);
}
