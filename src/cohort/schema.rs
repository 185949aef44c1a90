//! The cohort file's columns: one row per treated lesion (SBRT course),
//! patient-level fields repeated on each of the patient's rows.
//!
//! Headers are matched case-insensitively after trimming, with spaces and
//! hyphens read as underscores (`Dose Gy` is `dose_gy`). Columns not listed
//! here are kept as extra covariates, except a header that resembles an
//! absent column ([`resembling`]: `Dose (Gy)`), which is an error naming the
//! column it looks like. `docs/cohort.md` shows this table.

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// A number.
    Number,
    /// A whole number.
    Count,
    /// A calendar date.
    Date,
    /// yes/no (also y/n, true/false, 1/0).
    YesNo,
    /// M/F (also male/female).
    Sex,
    /// primary/metastasis.
    DiseaseStatus,
    /// solitary_spine/multiple_bone/visceral.
    Extent,
    /// Treated vertebrae, e.g. T11-T12.
    Levels,
    /// Bilsky grade 0, 1a, 1b, 1c, 2, 3.
    Bilsky,
    /// in_field/marginal.
    FailureSite,
    /// A salvage treatment.
    Salvage,
}

impl Kind {
    /// Short description for the schema table.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Number => "number",
            Kind::Count => "whole number",
            Kind::Date => "date (YYYY-MM-DD or an Excel date cell)",
            Kind::YesNo => "yes/no",
            Kind::Sex => "M/F",
            Kind::DiseaseStatus => "primary/metastasis",
            Kind::Extent => "solitary_spine/multiple_bone/visceral",
            Kind::Levels => "vertebral levels",
            Kind::Bilsky => "0/1a/1b/1c/2/3",
            Kind::FailureSite => "in_field/marginal",
            Kind::Salvage => "none/surgery/reirradiation/surgery_and_reirradiation/systemic",
        }
    }
}

/// Whether a field belongs to the patient (must agree across the patient's rows) or the lesion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Same on every row of the patient.
    Patient,
    /// Specific to the row's lesion.
    Lesion,
}

/// The field of a cohort row ([`super::Lesion`]) a known column fills: one
/// variant per column of [`COLUMNS`], named as the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    PatientId,
    Sex,
    Age,
    BirthDate,
    Histology,
    DiagnosisDate,
    LastFollowupDate,
    DeathDate,
    ProgressionDate,
    LesionId,
    SbrtDate,
    Levels,
    DiseaseStatus,
    Extent,
    PriorSurgery,
    PriorRt,
    Reirradiation,
    DoseGy,
    Fractions,
    IsodosePct,
    PtvCc,
    PtvCoveragePct,
    CordDmaxGy,
    CordD0035ccGy,
    Sins,
    SinsLocation,
    SinsPain,
    SinsBoneLesion,
    SinsAlignment,
    SinsCollapse,
    SinsPosterolateral,
    Bilsky,
    VcfBaseline,
    PainBaseline,
    OmeBaselineMg,
    LocalFailureDate,
    LocalFailureSite,
    AdjacentFailureDate,
    Salvage,
    VcfDate,
    DistantSpineFailureDate,
}

/// One known column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// The row field it fills.
    pub field: Field,
    /// Header, snake_case.
    pub name: &'static str,
    /// Value type.
    pub kind: Kind,
    /// Whether every row needs a value.
    pub required: bool,
    /// Patient- or lesion-level.
    pub scope: Scope,
    /// Meaning.
    pub meaning: &'static str,
    /// An example value.
    pub example: &'static str,
}

const fn col(
    field: Field,
    name: &'static str,
    kind: Kind,
    required: bool,
    scope: Scope,
    meaning: &'static str,
    example: &'static str,
) -> Column {
    Column { field, name, kind, required, scope, meaning, example }
}

/// Every known column, in the order the schema documents them.
pub const COLUMNS: &[Column] = &[
    col(
        Field::PatientId,
        "patient_id",
        Kind::Text,
        true,
        Scope::Patient,
        "patient identifier (never written to any output)",
        "P017",
    ),
    col(Field::Sex, "sex", Kind::Sex, false, Scope::Patient, "sex", "M"),
    col(
        Field::Age,
        "age",
        Kind::Number,
        false,
        Scope::Patient,
        "age in years at the first SBRT (or give birth_date)",
        "40",
    ),
    col(
        Field::BirthDate,
        "birth_date",
        Kind::Date,
        false,
        Scope::Patient,
        "date of birth (used when age is empty)",
        "1977-03-14",
    ),
    col(
        Field::Histology,
        "histology",
        Kind::Text,
        false,
        Scope::Patient,
        "histology of the primary sarcoma",
        "osteosarcoma",
    ),
    col(
        Field::DiagnosisDate,
        "diagnosis_date",
        Kind::Date,
        false,
        Scope::Patient,
        "initial diagnosis of the primary",
        "2012-05-02",
    ),
    col(
        Field::LastFollowupDate,
        "last_followup_date",
        Kind::Date,
        true,
        Scope::Patient,
        "last follow-up (the death date for those who died)",
        "2019-06-30",
    ),
    col(Field::DeathDate, "death_date", Kind::Date, false, Scope::Patient, "death from any cause", "2018-01-09"),
    col(
        Field::ProgressionDate,
        "progression_date",
        Kind::Date,
        false,
        Scope::Patient,
        "first progression at any site, if recorded",
        "2017-08-21",
    ),
    col(
        Field::LesionId,
        "lesion_id",
        Kind::Text,
        false,
        Scope::Lesion,
        "lesion identifier, unique in the file",
        "P017-1",
    ),
    col(Field::SbrtDate, "sbrt_date", Kind::Date, true, Scope::Lesion, "start of SBRT for this lesion", "2016-11-03"),
    col(
        Field::Levels,
        "levels",
        Kind::Levels,
        false,
        Scope::Lesion,
        "treated vertebrae (C1-C7, T1-T12, L1-L5, S1-S5; ranges and lists)",
        "T11-T12",
    ),
    col(
        Field::DiseaseStatus,
        "disease_status",
        Kind::DiseaseStatus,
        false,
        Scope::Lesion,
        "primary tumour or metastasis at this site",
        "metastasis",
    ),
    col(Field::Extent, "extent", Kind::Extent, false, Scope::Lesion, "extent of disease at SBRT", "visceral"),
    col(
        Field::PriorSurgery,
        "prior_surgery",
        Kind::YesNo,
        false,
        Scope::Lesion,
        "surgery at this site before SBRT",
        "no",
    ),
    col(
        Field::PriorRt,
        "prior_rt",
        Kind::YesNo,
        false,
        Scope::Lesion,
        "external beam radiotherapy at this site before SBRT",
        "no",
    ),
    col(
        Field::Reirradiation,
        "reirradiation",
        Kind::YesNo,
        false,
        Scope::Lesion,
        "SBRT to levels the patient had SBRT to before; without yes, overlapping levels are an error",
        "no",
    ),
    col(Field::DoseGy, "dose_gy", Kind::Number, false, Scope::Lesion, "total prescribed dose, Gy", "33"),
    col(Field::Fractions, "fractions", Kind::Count, false, Scope::Lesion, "number of fractions", "3"),
    col(
        Field::IsodosePct,
        "isodose_pct",
        Kind::Number,
        false,
        Scope::Lesion,
        "prescription isodose line, percent (study default 75)",
        "75",
    ),
    col(Field::PtvCc, "ptv_cc", Kind::Number, false, Scope::Lesion, "planning target volume, cc", "16.0"),
    col(
        Field::PtvCoveragePct,
        "ptv_coverage_pct",
        Kind::Number,
        false,
        Scope::Lesion,
        "percent of the PTV receiving the prescription dose",
        "98.8",
    ),
    col(
        Field::CordDmaxGy,
        "cord_dmax_gy",
        Kind::Number,
        false,
        Scope::Lesion,
        "spinal cord maximum point dose, Gy (sbrt dicom fills it from the plan)",
        "12.4",
    ),
    col(
        Field::CordD0035ccGy,
        "cord_d0035cc_gy",
        Kind::Number,
        false,
        Scope::Lesion,
        "dose to the spinal cord's hottest 0.035 cc, Gy",
        "11.8",
    ),
    col(
        Field::Sins,
        "sins",
        Kind::Count,
        false,
        Scope::Lesion,
        "Spinal Instability Neoplastic Score 0-18 (or give its six components)",
        "8",
    ),
    col(
        Field::SinsLocation,
        "sins_location",
        Kind::Count,
        false,
        Scope::Lesion,
        "SINS location: junctional 3, mobile 2, semirigid 1, rigid 0",
        "2",
    ),
    col(
        Field::SinsPain,
        "sins_pain",
        Kind::Count,
        false,
        Scope::Lesion,
        "SINS pain: mechanical 3, occasional non-mechanical 1, pain-free 0",
        "1",
    ),
    col(
        Field::SinsBoneLesion,
        "sins_bone_lesion",
        Kind::Count,
        false,
        Scope::Lesion,
        "SINS bone lesion: lytic 2, mixed 1, blastic 0",
        "2",
    ),
    col(
        Field::SinsAlignment,
        "sins_alignment",
        Kind::Count,
        false,
        Scope::Lesion,
        "SINS alignment: subluxation 4, de novo deformity 2, normal 0",
        "0",
    ),
    col(
        Field::SinsCollapse,
        "sins_collapse",
        Kind::Count,
        false,
        Scope::Lesion,
        "SINS collapse: over 50 % 3, under 50 % 2, none with over 50 % of the body involved 1, none 0",
        "1",
    ),
    col(
        Field::SinsPosterolateral,
        "sins_posterolateral",
        Kind::Count,
        false,
        Scope::Lesion,
        "SINS posterolateral involvement: bilateral 3, unilateral 1, none 0",
        "1",
    ),
    col(Field::Bilsky, "bilsky", Kind::Bilsky, false, Scope::Lesion, "Bilsky epidural compression grade", "1a"),
    col(
        Field::VcfBaseline,
        "vcf_baseline",
        Kind::YesNo,
        false,
        Scope::Lesion,
        "a vertebral compression fracture at the treated levels before SBRT",
        "no",
    ),
    col(
        Field::PainBaseline,
        "pain_baseline",
        Kind::Number,
        false,
        Scope::Lesion,
        "worst pain at the treated site before SBRT, 0-10",
        "5",
    ),
    col(
        Field::OmeBaselineMg,
        "ome_baseline_mg",
        Kind::Number,
        false,
        Scope::Lesion,
        "daily opioid use before SBRT, oral morphine equivalent mg",
        "30",
    ),
    col(
        Field::LocalFailureDate,
        "local_failure_date",
        Kind::Date,
        false,
        Scope::Lesion,
        "local failure at the treated site",
        "2017-09-12",
    ),
    col(
        Field::LocalFailureSite,
        "local_failure_site",
        Kind::FailureSite,
        false,
        Scope::Lesion,
        "where the local failure arose: in_field (high-dose volume) or marginal (target edge)",
        "in_field",
    ),
    col(
        Field::AdjacentFailureDate,
        "adjacent_failure_date",
        Kind::Date,
        false,
        Scope::Lesion,
        "failure at the level above or below, outside the PTV",
        "",
    ),
    col(
        Field::Salvage,
        "salvage",
        Kind::Salvage,
        false,
        Scope::Lesion,
        "treatment of a local or adjacent failure",
        "surgery",
    ),
    col(
        Field::VcfDate,
        "vcf_date",
        Kind::Date,
        false,
        Scope::Lesion,
        "vertebral compression fracture at the treated levels (new or progressed)",
        "",
    ),
    col(
        Field::DistantSpineFailureDate,
        "distant_spine_failure_date",
        Kind::Date,
        false,
        Scope::Patient,
        "first new spinal metastasis away from every treated and adjacent level",
        "",
    ),
];

/// Normalise a header: trimmed, lower case, spaces and hyphens as underscores.
pub fn normalise_header(h: &str) -> String {
    h.trim().to_lowercase().chars().map(|c| if c == ' ' || c == '-' { '_' } else { c }).collect()
}

/// The known column of a normalised header.
pub fn known(name: &str) -> Option<&'static Column> {
    COLUMNS.iter().find(|c| c.name == name)
}

/// Letters and digits only, lower case: `Dose (Gy)` and `dose_gy` are both `dosegy`.
fn squeeze(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// Levenshtein distance between two short ASCII words.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// The schema column an unknown header most likely means: the same letters
/// and digits (`Dose (Gy)`, `PTV-cc`), a typo of at most one edit in five
/// letters (`isodose_pc`), or the same word with a unit or code dropped
/// or added (`isodose` for `isodose_pct`, at least five letters in common).
pub fn resembling(header: &str) -> Option<&'static Column> {
    let h = squeeze(header);
    if h.len() < 3 {
        return None;
    }
    COLUMNS.iter().find(|c| squeeze(c.name) == h).or_else(|| {
        COLUMNS.iter().find(|c| {
            let k = squeeze(c.name);
            edit_distance(&h, &k) <= (k.len() / 5).max(1)
                || (h.len().min(k.len()) >= 5 && (k.starts_with(&h) || h.starts_with(&k)))
        })
    })
}

/// The schema as a Markdown table (for `docs/cohort.md` and `sbrt schema`).
pub fn markdown_table() -> String {
    let mut out = String::from("| column | type | required | level | meaning | example |\n|---|---|---|---|---|---|\n");
    for c in COLUMNS {
        let scope = match c.scope {
            Scope::Patient => "patient",
            Scope::Lesion => "lesion",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            c.name,
            c.kind.describe(),
            if c.required { "yes" } else { "no" },
            scope,
            c.meaning,
            if c.example.is_empty() { String::new() } else { format!("`{}`", c.example) }
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_and_mistyped_headers_are_recognised() {
        for (h, want) in
            [("Dose (Gy)", "dose_gy"), ("PTV-cc", "ptv_cc"), ("isodose", "isodose_pct"), ("fractons", "fractions")]
        {
            assert_eq!(resembling(h).map(|c| c.name), Some(want), "{h}");
        }
        for h in ["kps", "grade", "notes", "postcode", "chemo_date"] {
            assert_eq!(resembling(h).map(|c| c.name), None, "{h}");
        }
    }

    #[test]
    fn headers_match_loosely() {
        assert_eq!(normalise_header(" Dose-Gy "), "dose_gy");
        assert!(known(&normalise_header("Last Followup Date")).is_some());
    }

    #[test]
    fn the_documented_schema_is_the_code_schema() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/cohort.md")).unwrap();
        assert!(doc.contains(&markdown_table()), "docs/cohort.md is out of date: paste `sbrt schema` into it");
    }
}
