//! The spine-specific baseline and failure fields of a lesion: the Spinal
//! Instability Neoplastic Score (SINS) and its six components, the Bilsky
//! epidural grade, the site of a local failure and the salvage treatment.
//!
//! * **SINS** (Fisher et al., Spine 2010;35:E1221): location 0-3, pain 0/1/3,
//!   bone lesion 0-2, radiographic alignment 0/2/4, vertebral body collapse
//!   0-3, posterolateral involvement 0-3; the total 0-18 reads 0-6 stable,
//!   7-12 potentially unstable, 13-18 unstable. When all six components are
//!   given the total must be their sum; when only they are given, the total
//!   is their sum.
//! * **Bilsky grade** (Bilsky et al., J Neurosurg Spine 2010;13:324): 0, 1a,
//!   1b, 1c, 2, 3.
//! * **Local failure site** (Bishop et al., J Neurosurg Spine 2017;27:303;
//!   Leeman et al., J Neurosurg Spine 2016;25:52): in-field (within the
//!   high-dose volume) or marginal (at the edge of the target).

/// One SINS component: its column, and the scores it can take.
pub struct SinsComponent {
    /// The cohort column.
    pub column: &'static str,
    /// Allowed scores.
    pub scores: &'static [u32],
}

/// The six components in the order of [`SinsParts`].
pub const SINS_COMPONENTS: [SinsComponent; 6] = [
    SinsComponent { column: "sins_location", scores: &[0, 1, 2, 3] },
    SinsComponent { column: "sins_pain", scores: &[0, 1, 3] },
    SinsComponent { column: "sins_bone_lesion", scores: &[0, 1, 2] },
    SinsComponent { column: "sins_alignment", scores: &[0, 2, 4] },
    SinsComponent { column: "sins_collapse", scores: &[0, 1, 2, 3] },
    SinsComponent { column: "sins_posterolateral", scores: &[0, 1, 3] },
];

/// The SINS components as recorded, in the order of [`SINS_COMPONENTS`].
pub type SinsParts = [Option<u32>; 6];

/// The SINS of a lesion: the total given, else the sum of all six
/// components when every one is given.
pub fn sins_total(total: Option<u32>, parts: &SinsParts) -> Option<u32> {
    total.or_else(|| parts.iter().copied().sum::<Option<u32>>())
}

/// Every problem of a lesion's SINS fields, as (column, message).
pub fn sins_problems(total: Option<u32>, parts: &SinsParts) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(t) = total.filter(|t| *t > 18) {
        out.push(("sins", format!("SINS is 0-18, found {t}")));
    }
    for (c, v) in SINS_COMPONENTS.iter().zip(parts) {
        if let Some(v) = v.filter(|v| !c.scores.contains(v)) {
            let allowed: Vec<String> = c.scores.iter().map(u32::to_string).collect();
            out.push((c.column, format!("scores {}, found {v}", allowed.join(", "))));
        }
    }
    if let (Some(t), Some(sum)) = (total, parts.iter().copied().sum::<Option<u32>>()) {
        if t != sum && out.is_empty() {
            out.push(("sins", format!("{t} is not the sum of its six components ({sum})")));
        }
    }
    out
}

/// The SINS group labels of the study's cut points: `[6, 12]` gives 0–6, 7–12, 13–18.
pub fn sins_labels(cuts: &[u32]) -> Vec<String> {
    let mut lows = vec![0];
    lows.extend(cuts.iter().map(|c| c + 1));
    let mut highs = cuts.to_vec();
    highs.push(18);
    lows.iter().zip(&highs).map(|(a, b)| if a == b { format!("{a}") } else { format!("{a}–{b}") }).collect()
}

/// Bilsky epidural spinal cord compression grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Bilsky {
    /// 0: bone only.
    G0,
    /// 1a: epidural impingement without deformation of the thecal sac.
    G1a,
    /// 1b: deformation of the thecal sac without abutment of the cord.
    G1b,
    /// 1c: abutment of the cord without compression.
    G1c,
    /// 2: cord compression with CSF visible.
    G2,
    /// 3: cord compression without CSF visible.
    G3,
}

impl Bilsky {
    /// The grade as written.
    pub fn code(self) -> &'static str {
        match self {
            Bilsky::G0 => "0",
            Bilsky::G1a => "1a",
            Bilsky::G1b => "1b",
            Bilsky::G1c => "1c",
            Bilsky::G2 => "2",
            Bilsky::G3 => "3",
        }
    }

    /// Read a grade (`0`, `1a` … `3`, case-insensitive).
    pub fn parse(text: &str) -> Option<Bilsky> {
        [Bilsky::G0, Bilsky::G1a, Bilsky::G1b, Bilsky::G1c, Bilsky::G2, Bilsky::G3]
            .into_iter()
            .find(|b| b.code().eq_ignore_ascii_case(text.trim()))
    }
}

/// Where a local failure arose relative to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FailureSite {
    /// Within the high-dose volume.
    InField,
    /// At the edge of the target.
    Marginal,
}

impl FailureSite {
    /// The schema's spelling.
    pub fn code(self) -> &'static str {
        match self {
            FailureSite::InField => "in_field",
            FailureSite::Marginal => "marginal",
        }
    }

    /// Read a site (`in_field`, `in-field`, `marginal`).
    pub fn parse(text: &str) -> Option<FailureSite> {
        match text.trim().to_lowercase().replace([' ', '-'], "_").as_str() {
            "in_field" | "infield" => Some(FailureSite::InField),
            "marginal" => Some(FailureSite::Marginal),
            _ => None,
        }
    }
}

/// Treatment of a failure at or next to the treated site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Salvage {
    /// No salvage treatment.
    None,
    /// Surgery.
    Surgery,
    /// Re-irradiation.
    Reirradiation,
    /// Surgery and re-irradiation.
    SurgeryAndReirradiation,
    /// Systemic therapy only.
    Systemic,
}

impl Salvage {
    /// Every value, in the order tables list them.
    pub const ALL: [Salvage; 5] =
        [Salvage::Surgery, Salvage::Reirradiation, Salvage::SurgeryAndReirradiation, Salvage::Systemic, Salvage::None];

    /// The schema's spelling.
    pub fn code(self) -> &'static str {
        match self {
            Salvage::None => "none",
            Salvage::Surgery => "surgery",
            Salvage::Reirradiation => "reirradiation",
            Salvage::SurgeryAndReirradiation => "surgery_and_reirradiation",
            Salvage::Systemic => "systemic",
        }
    }

    /// Read a salvage treatment in the schema's spelling.
    pub fn parse(text: &str) -> Option<Salvage> {
        let w = text.trim().to_lowercase().replace([' ', '-'], "_");
        Salvage::ALL.into_iter().find(|s| s.code() == w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sins_total_is_the_sum_of_its_components() {
        let parts = [Some(2), Some(3), Some(1), Some(0), Some(1), Some(1)];
        assert_eq!(sins_total(None, &parts), Some(8));
        assert_eq!(sins_total(Some(9), &parts), Some(9));
        assert!(sins_problems(Some(8), &parts).is_empty());
        let wrong = sins_problems(Some(9), &parts);
        assert_eq!(wrong.len(), 1);
        assert!(wrong[0].1.contains("not the sum"), "{wrong:?}");
        let partial = [Some(2), None, None, None, None, None];
        assert_eq!(sins_total(None, &partial), None);
        assert!(sins_problems(Some(19), &partial)[0].1.contains("0-18"));
        let bad_pain = [None, Some(2), None, None, None, None];
        assert_eq!(sins_problems(None, &bad_pain)[0].0, "sins_pain");
    }

    #[test]
    fn sins_groups_are_labelled_from_the_cut_points() {
        assert_eq!(sins_labels(&[6, 12]), ["0–6", "7–12", "13–18"]);
        assert_eq!(sins_labels(&[6]), ["0–6", "7–18"]);
    }

    #[test]
    fn vocabularies_read_their_spellings() {
        assert_eq!(Bilsky::parse("1B"), Some(Bilsky::G1b));
        assert_eq!(Bilsky::parse("4"), None);
        assert_eq!(FailureSite::parse("In-field"), Some(FailureSite::InField));
        assert_eq!(Salvage::parse("surgery and reirradiation"), Some(Salvage::SurgeryAndReirradiation));
        assert_eq!(Salvage::parse("chemo"), None);
    }
}
