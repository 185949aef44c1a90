//! Line colours and dash patterns of the figures' curves: the colour-blind
//! safe palette of Okabe & Ito (2008), solid lines; or, for printing in
//! black and white, black and greys with a dash pattern per curve, so that
//! curves stay apart without colour.

use super::canvas::Stroke;
use crate::study::Palette;

/// Okabe & Ito's colours, in the order curves take them.
pub const COLOUR_BLIND: [&str; 8] =
    ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

/// Greys from black, each with its dash pattern (px), in the order curves take them.
const GREYSCALE: [(&str, &[f64]); 6] = [
    ("#000000", &[]),
    ("#555555", &[7.0, 4.0]),
    ("#000000", &[2.0, 3.0]),
    ("#777777", &[10.0, 3.0, 2.0, 3.0]),
    ("#333333", &[4.0, 4.0]),
    ("#999999", &[]),
];

/// The line of curve `k` (width 1; callers set theirs).
pub fn line_style(palette: Palette, k: usize) -> Stroke {
    match palette {
        Palette::ColourBlind => Stroke::solid(COLOUR_BLIND[k % COLOUR_BLIND.len()], 1.0),
        Palette::Greyscale => {
            let (colour, dash) = GREYSCALE[k % GREYSCALE.len()];
            Stroke { colour: colour.into(), width: 1.0, dash: dash.to_vec() }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greyscale_curves_differ_without_colour() {
        let styles: Vec<Stroke> = (0..GREYSCALE.len()).map(|k| line_style(Palette::Greyscale, k)).collect();
        for (a, sa) in styles.iter().enumerate() {
            let rgb = u32::from_str_radix(&sa.colour[1..], 16).unwrap();
            assert_eq!(rgb >> 16, rgb & 0xff, "grey");
            for sb in &styles[a + 1..] {
                assert!(sa.colour != sb.colour || sa.dash != sb.dash);
            }
        }
    }
}
