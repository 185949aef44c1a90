//! The report as a reader sees it: headless Chromium renders `report.html`
//! with every network request refused, and the test checks that the
//! figures were drawn (coloured curve pixels in the screenshot) and that
//! the tables' text is in the rendered DOM.
//!
//! `.ci/run` installs Debian's `chromium` and sets `SBRT_REQUIRE_BROWSER=1`,
//! so CI fails rather than skips when the browser is missing. Elsewhere the
//! test is skipped, with a message, when no Chromium is found.

use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("SBRT_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn run_chromium(browser: &Path, profile: &Path, extra: &[&str], url: &str) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            // The network is off: every host resolves nowhere, every proxy hop fails.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs")
}

#[test]
fn chromium_renders_the_figures_and_tables() {
    let Some(browser) = chromium() else {
        if std::env::var_os("SBRT_REQUIRE_BROWSER").is_some() {
            panic!("SBRT_REQUIRE_BROWSER is set but no Chromium was found");
        }
        eprintln!(
            "SKIPPED chromium_renders_the_figures_and_tables: no Chromium found (install Debian's chromium package)"
        );
        return;
    };
    let base = std::env::temp_dir().join(format!("sbrt-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let out = base.join("report");
    let o = Command::new(env!("CARGO_BIN_EXE_sbrt"))
        .args(["analyze", "--example", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let url = format!("file://{}", out.join("report.html").display());

    let dom = run_chromium(&browser, &base.join("profile-dom"), &["--dump-dom"], &url);
    let dom = String::from_utf8_lossy(&dom.stdout);
    for needle in [
        "Table 1. Patient characteristics",
        "Table 2. Treatment characteristics",
        "Table 3.",
        "Table 4.",
        "Table 5.",
        "Number at risk",
        "Methods",
    ] {
        assert!(dom.contains(needle), "rendered DOM lacks '{needle}'");
    }
    assert!(dom.matches("<svg").count() >= 6, "figures missing from the DOM");

    let shot = base.join("shot.png");
    let o = run_chromium(
        &browser,
        &base.join("profile-shot"),
        &[&format!("--screenshot={}", shot.display()), "--window-size=1200,6000"],
        &url,
    );
    assert!(shot.exists(), "no screenshot: {}", String::from_utf8_lossy(&o.stderr));
    let png = std::fs::read(&shot).unwrap();
    let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).expect("screenshot decodes");
    let pixels = pixmap.pixels();
    let non_white = pixels.iter().filter(|p| p.red() < 240 || p.green() < 240 || p.blue() < 240).count();
    // Curve colours of the palette (#0072B2 blue, #D55E00 vermillion), within a tolerance.
    let near = |p: &resvg::tiny_skia::PremultipliedColorU8, c: (u8, u8, u8)| {
        (p.red() as i32 - c.0 as i32).abs() < 40
            && (p.green() as i32 - c.1 as i32).abs() < 40
            && (p.blue() as i32 - c.2 as i32).abs() < 40
    };
    let blue = pixels.iter().filter(|p| near(p, (0x00, 0x72, 0xB2))).count();
    let vermillion = pixels.iter().filter(|p| near(p, (0xD5, 0x5E, 0x00))).count();
    assert!(non_white > pixels.len() / 50, "the page looks blank ({non_white} of {} pixels drawn)", pixels.len());
    assert!(blue > 500 && vermillion > 300, "curves not drawn (blue {blue}, vermillion {vermillion} pixels)");
    let _ = std::fs::remove_dir_all(&base);
}
