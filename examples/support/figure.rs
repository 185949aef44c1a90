//! Writing an example's figure: `STEM.svg` and `STEM.png` (rendered as
//! the report renders its figures, 192 dpi, embedded font).

/// Write `svg` to `STEM.svg` and its rendering to `STEM.png`.
pub fn write(stem: &str, svg: String) -> anyhow::Result<()> {
    std::fs::write(format!("{stem}.png"), sbrt::report::png::render(&svg, 192.0)?.bytes)?;
    std::fs::write(format!("{stem}.svg"), svg)?;
    Ok(())
}
