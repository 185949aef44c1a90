//! A synthetic SBRT spine-sarcoma cohort calibrated to the source paper
//! (Kim et al. 2023, Tables 1-4 and Results). The generative model is
//! described in `docs/simulation.md`; the constants below carry its
//! numbers. Every cohort it writes satisfies all validation rules.

use crate::cohort::date::Date;
use crate::endpoints::DAYS_PER_MONTH;
use crate::rng::Rng;
use std::io::Write;

/// Histologies and their weights (the paper's Table 1 counts; 4 other
/// soft-tissue sarcomas split between synovial sarcoma and angiosarcoma).
const HISTOLOGY: [(&str, f64); 10] = [
    ("osteosarcoma", 24.0),
    ("chondrosarcoma", 3.0),
    ("ewing sarcoma", 1.0),
    ("liposarcoma", 3.0),
    ("mpnst", 3.0),
    ("leiomyosarcoma", 3.0),
    ("pleomorphic sarcoma", 2.0),
    ("fibrosarcoma", 1.0),
    ("synovial sarcoma", 2.0),
    ("angiosarcoma", 2.0),
];

/// Share of patients treated for a primary spinal tumour (6 of 44).
const PRIMARY_SHARE: f64 = 6.0 / 44.0;
/// Lesions per metastatic patient: 1-4.
const LESIONS_PER_PATIENT: [f64; 4] = [0.50, 0.28, 0.14, 0.08];
/// Extent at first SBRT for metastatic patients: solitary, multiple bone, visceral
/// (the paper's 15/11/49 lesions, less the 6 primaries).
const EXTENT: [f64; 3] = [9.0, 11.0, 49.0];
/// Region of the treated lesion: cervical, thoracic, lumbar, sacral (Table 2).
const REGION: [f64; 4] = [11.0, 34.0, 18.0, 12.0];
/// Number of treated levels 1, 2, 3.
const N_LEVELS: [f64; 3] = [0.80, 0.13, 0.07];
/// Fractions 1..5 and the doses used with each.
const FRACTIONS: [f64; 5] = [0.16, 0.04, 0.56, 0.10, 0.14];
const DOSES: [&[f64]; 5] = [
    &[18.0, 20.0, 22.0, 24.0],
    &[24.0, 26.0, 28.0],
    &[27.0, 30.0, 33.0, 33.0, 33.0, 36.0, 39.0],
    &[32.0, 36.0, 40.0],
    &[35.0, 40.0, 45.0],
];

/// OS: Weibull, shape and scale (months) of the solitary-spine baseline; log-HR by extent; log-HR per cc of PTV.
const OS_SHAPE: f64 = 1.6;
const OS_SCALE: f64 = 150.0;
const OS_LOG_HR: [f64; 3] = [0.0, 1.79, 2.60];
const OS_LOG_HR_PTV: f64 = 0.013;
/// Distant progression: Weibull shape/scale; log-HR by extent; log-HR per month from diagnosis (centred at 22).
const PROG_SHAPE: f64 = 0.6;
const PROG_SCALE: f64 = 450.0;
const PROG_LOG_HR: [f64; 3] = [0.0, 1.6, 2.9];
const PROG_LOG_HR_MFD: f64 = -0.021;
/// Local failure: Weibull shape/scale; log-HR for 2+ levels; log-HR per Gy₅ of BED (centred at 100).
const LF_SHAPE: f64 = 0.8;
const LF_SCALE: f64 = 100.0;
const LF_LOG_HR_MULTILEVEL: f64 = 1.10;
const LF_LOG_HR_BED: f64 = -0.005;
/// Adjacent failure: exponential mean, months.
const ADJACENT_MEAN: f64 = 200.0;
/// Progression of a primary spinal tumour: log-HR against a solitary spinal metastasis.
const PROG_LOG_HR_PRIMARY: f64 = -1.0;
/// Distant spinal failure (patient): Weibull scale, months (shape and log-HR as progression's).
const DISTANT_SPINE_SCALE: f64 = 8000.0;
/// VCF: Weibull shape and scale (months); log-HR for SINS 0-6, 7-12, 13-18;
/// for a fracture before SBRT; for 20 Gy or more per fraction.
const VCF_SHAPE: f64 = 0.6;
const VCF_SCALE: f64 = 1200.0;
const VCF_LOG_HR_SINS: [f64; 3] = [0.0, 0.8, 1.5];
const VCF_LOG_HR_BASELINE: f64 = 0.6;
const VCF_LOG_HR_20GY: f64 = 0.9;
/// Radiation myelopathy per lesion.
const MYELOPATHY_RISK: f64 = 0.004;
/// SINS components' weights, in their scores' order.
const SINS_LOCATION: [f64; 4] = [0.15, 0.30, 0.30, 0.25];
const SINS_PAIN: [f64; 3] = [0.30, 0.45, 0.25];
const SINS_BONE: [f64; 3] = [0.15, 0.25, 0.60];
const SINS_ALIGNMENT: [f64; 3] = [0.85, 0.10, 0.05];
const SINS_COLLAPSE: [f64; 4] = [0.45, 0.25, 0.20, 0.10];
const SINS_POSTEROLATERAL: [f64; 3] = [0.50, 0.35, 0.15];
/// Bilsky grade 0, 1a, 1b, 1c, 2.
const BILSKY: [f64; 5] = [0.50, 0.20, 0.15, 0.10, 0.05];
/// Pain response: complete, partial, indeterminate, progression.
const PAIN_RESPONSE: [f64; 4] = [0.35, 0.25, 0.25, 0.15];
/// Salvage: surgery, re-irradiation, both, systemic, none.
const SALVAGE: [f64; 5] = [0.20, 0.30, 0.10, 0.20, 0.20];
/// Shared patient frailty (log-normal SD) on local failure and progression hazards,
/// which makes a patient's failures go together as in clinical series.
const FRAILTY_SD: f64 = 0.8;
/// Loss to follow-up: exponential mean, months; data cut-off.
const LOSS_MEAN: f64 = 80.0;

/// Draw from a Weibull with survival `exp(-(t/scale)^shape · e^lp)`.
fn weibull(rng: &mut Rng, shape: f64, scale: f64, lp: f64) -> f64 {
    let e = rng.exponential(1.0);
    scale * (e * (-lp).exp()).powf(1.0 / shape)
}

fn months_to_days(m: f64) -> i64 {
    (m * DAYS_PER_MONTH).round().max(1.0) as i64
}

fn fmt_opt_date(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Header of the simulated file: the schema's columns in schema order, less
/// `birth_date` (the simulator records age at first SBRT instead).
fn header() -> Vec<&'static str> {
    crate::cohort::schema::COLUMNS
        .iter()
        .map(|c| c.name)
        // Not simulated: birth dates (age is), declared re-irradiation, and
        // the cord doses `sbrt dicom` reads from plans.
        .filter(|n| !["birth_date", "reirradiation", "cord_dmax_gy", "cord_d0035cc_gy"].contains(n))
        .collect()
}

const VERTEBRA_NAMES: [&str; 29] = [
    "C1", "C2", "C3", "C4", "C5", "C6", "C7", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11",
    "T12", "L1", "L2", "L3", "L4", "L5", "S1", "S2", "S3", "S4", "S5",
];
/// First index and count of each region in `VERTEBRA_NAMES`.
const REGION_SPAN: [(usize, usize); 4] = [(0, 7), (7, 12), (19, 5), (24, 5)];

struct LesionDraw {
    offset_days: i64,
    levels: String,
    /// 0 cervical, 1 thoracic, 2 lumbar, 3 sacral (of the first level).
    region: usize,
    sins: [u32; 6],
    bilsky: &'static str,
    n_levels: usize,
    primary: bool,
    extent: usize,
    prior_surgery: bool,
    prior_rt: bool,
    dose: f64,
    fractions: usize,
    isodose: f64,
    ptv: f64,
    coverage: f64,
}

/// The imaging schedule after SBRT: every 3 months for two years, then
/// every 6 months. A failure is recorded on the first scan on or after it
/// happens (with a few days' jitter), never before the first scan at
/// about 3 months.
fn first_scan_after(rng: &mut Rng, months: f64) -> f64 {
    let scan = if months <= 24.0 { (months / 3.0).ceil().max(1.0) * 3.0 } else { (months / 6.0).ceil() * 6.0 };
    scan + rng.between(-0.25, 0.25)
}

/// SINS components drawn for a lesion (location, pain, bone lesion,
/// alignment, collapse, posterolateral), in [`crate::cohort::spine::SINS_COMPONENTS`] order.
fn draw_sins(rng: &mut Rng) -> [u32; 6] {
    [
        [0, 1, 2, 3][rng.pick(&SINS_LOCATION)],
        [0, 1, 3][rng.pick(&SINS_PAIN)],
        [0, 1, 2][rng.pick(&SINS_BONE)],
        [0, 2, 4][rng.pick(&SINS_ALIGNMENT)],
        [0, 1, 2, 3][rng.pick(&SINS_COLLAPSE)],
        [0, 1, 3][rng.pick(&SINS_POSTEROLATERAL)],
    ]
}

/// One adverse event row.
struct EventDraw {
    lesion: Option<usize>,
    date: Date,
    term: &'static str,
    grade: u8,
    attribution: &'static str,
}

/// Write a cohort of `patients` patients drawn with `seed` as CSV to `out`,
/// and its events table (adverse events and pain scores) to `events_out`.
pub fn write_cohort<W: Write, E: Write>(
    out: W,
    events_out: E,
    seed: u64,
    patients: usize,
    mut progress: impl FnMut(usize),
) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed);
    let mut w = csv::Writer::from_writer(out);
    let mut ev = csv::Writer::from_writer(events_out);
    let columns = header();
    w.write_record(&columns)?;
    ev.write_record(["patient_id", "lesion_id", "event_date", "term", "grade", "attribution", "score", "ome_mg"])?;
    let study_start = Date::from_ymd(2006, 1, 1).expect("valid");
    let study_end = Date::from_ymd(2017, 12, 31).expect("valid");
    let cutoff = Date::from_ymd(2019, 12, 31).expect("valid");
    let ext_names = ["solitary_spine", "multiple_bone", "visceral"];
    for p in 0..patients {
        if p % 10_000 == 0 {
            progress(p);
        }
        let pid = format!("P{:04}", p + 1);
        let primary = rng.chance(PRIMARY_SHARE);
        let histology = HISTOLOGY[rng.pick(&HISTOLOGY.map(|h| h.1))].0;
        let young = matches!(histology, "osteosarcoma" | "ewing sarcoma");
        let age =
            (if young { 31.0 + 13.0 * rng.normal() } else { 51.0 + 14.0 * rng.normal() }).round().clamp(14.0, 76.0);
        let sex = if rng.chance(30.0 / 44.0) { "M" } else { "F" };
        let first_sbrt = study_start.plus_days(rng.integer(0, study_start.days_until(study_end)));
        let months_from_dx =
            if primary { rng.between(0.0, 3.0) } else { (22.0f64.ln() + 0.9 * rng.normal()).exp().clamp(1.0, 141.0) };
        let diagnosis = first_sbrt.plus_days(-(months_from_dx * DAYS_PER_MONTH).round() as i64);
        let n_lesions = if primary { 1 } else { 1 + rng.pick(&LESIONS_PER_PATIENT) };
        let extent0 = if primary { 0 } else { rng.pick(&EXTENT) };

        // Patient outcomes (months from first SBRT).
        let first_ptv = draw_ptv(&mut rng);
        let os_lp = OS_LOG_HR[extent0] + OS_LOG_HR_PTV * (first_ptv - 16.0);
        let death_m = weibull(&mut rng, OS_SHAPE, OS_SCALE, os_lp);
        let loss_m = rng.exponential(LOSS_MEAN);
        let cutoff_m = first_sbrt.days_until(cutoff) as f64 / DAYS_PER_MONTH;
        let died = death_m <= loss_m.min(cutoff_m);
        let end_m = if died { death_m } else { loss_m.min(cutoff_m) };
        let end = first_sbrt.plus_days(months_to_days(end_m).max(30));
        let death = died.then_some(end);
        let frailty = FRAILTY_SD * rng.normal();
        let prog_lp = frailty
            + if primary {
                PROG_LOG_HR_PRIMARY
            } else {
                PROG_LOG_HR[extent0] + PROG_LOG_HR_MFD * (months_from_dx - 22.0)
            };
        let prog_true = weibull(&mut rng, PROG_SHAPE, PROG_SCALE, prog_lp);
        let prog_m = first_scan_after(&mut rng, prog_true);
        let progression = Some(first_sbrt.plus_days(months_to_days(prog_m))).filter(|d| *d <= end);
        let distant_true = weibull(&mut rng, PROG_SHAPE, DISTANT_SPINE_SCALE, prog_lp);
        let distant_m = first_scan_after(&mut rng, distant_true);
        let distant_spine = Some(first_sbrt.plus_days(months_to_days(distant_m))).filter(|d| *d <= end);

        let mut lesions = Vec::with_capacity(n_lesions);
        let mut used: Vec<(usize, usize)> = Vec::new();
        for k in 0..n_lesions {
            let offset_days = if k == 0 || rng.chance(0.3) {
                0
            } else {
                let d = months_to_days(rng.exponential(8.0));
                if first_sbrt.plus_days(d + 30) < end {
                    d
                } else {
                    0
                }
            };
            let region = rng.pick(&REGION);
            let n_levels = 1 + rng.pick(&N_LEVELS);
            let (start, count) = REGION_SPAN[region];
            let drawn = (start + rng.integer(0, count as i64 - 1) as usize).min(29 - n_levels);
            // A patient's later lesion never re-treats an earlier one's
            // levels: the nearest free run of levels.
            let free = |f: usize| used.iter().all(|&(a, b)| f + n_levels <= a || f >= b);
            let first =
                (0..=29 - n_levels).filter(|&f| free(f)).min_by_key(|&f| (f.abs_diff(drawn), f)).unwrap_or(drawn);
            used.push((first, first + n_levels));
            let levels = if n_levels == 1 {
                VERTEBRA_NAMES[first].to_string()
            } else {
                format!("{}-{}", VERTEBRA_NAMES[first], VERTEBRA_NAMES[first + n_levels - 1])
            };
            let fractions = 1 + rng.pick(&FRACTIONS);
            let doses = DOSES[fractions - 1];
            let dose = doses[rng.integer(0, doses.len() as i64 - 1) as usize];
            let extent = if k > 0 && extent0 < 2 && rng.chance(0.3) { extent0 + 1 } else { extent0 };
            lesions.push(LesionDraw {
                offset_days,
                levels,
                region: if first < 7 {
                    0
                } else if first < 19 {
                    1
                } else if first < 24 {
                    2
                } else {
                    3
                },
                n_levels,
                primary: primary && k == 0,
                extent,
                prior_surgery: rng.chance(0.213),
                prior_rt: rng.chance(0.027),
                dose,
                fractions,
                isodose: [75.0, 75.0, 75.0, 75.0, 75.0, 75.0, 70.0, 80.0, 85.0][rng.integer(0, 8) as usize],
                ptv: if k == 0 { first_ptv } else { draw_ptv(&mut rng) },
                coverage: (100.0 - (1.2f64.ln() + 0.8 * rng.normal()).exp()).clamp(93.6, 100.0),
                sins: draw_sins(&mut rng),
                bilsky: ["0", "1a", "1b", "1c", "2"][rng.pick(&BILSKY)],
            });
        }
        let mut events: Vec<EventDraw> = Vec::new();
        let mut pain_rows: Vec<(usize, Date, f64, Option<f64>)> = Vec::new();
        let mut rows: Vec<Vec<(&str, String)>> = Vec::new();
        for (k, l) in lesions.iter().enumerate() {
            let sbrt = first_sbrt.plus_days(l.offset_days);
            let bed = l.dose * (1.0 + l.dose / l.fractions as f64 / 5.0);
            let lf_lp =
                frailty + if l.n_levels > 1 { LF_LOG_HR_MULTILEVEL } else { 0.0 } + LF_LOG_HR_BED * (bed - 100.0);
            let event_date = |m: f64| Some(sbrt.plus_days(months_to_days(m))).filter(|d| *d <= end);
            let lf_true = weibull(&mut rng, LF_SHAPE, LF_SCALE, lf_lp);
            let lf = event_date(first_scan_after(&mut rng, lf_true));
            let adj_true = rng.exponential(ADJACENT_MEAN);
            let adj = event_date(first_scan_after(&mut rng, adj_true));
            // VCF: early (Weibull shape below 1), more likely with SINS 7+,
            // a fracture before SBRT and 20 Gy or more per fraction.
            let sins: u32 = l.sins.iter().sum();
            let vcf_baseline = l.sins[4] >= 2;
            let vcf_lp = VCF_LOG_HR_SINS[usize::from(sins >= 7) + usize::from(sins >= 13)]
                + if vcf_baseline { VCF_LOG_HR_BASELINE } else { 0.0 }
                + if l.dose / l.fractions as f64 >= 20.0 { VCF_LOG_HR_20GY } else { 0.0 };
            let vcf = event_date(weibull(&mut rng, VCF_SHAPE, VCF_SCALE, vcf_lp));
            let lesion_id = format!("{pid}-L{}", k + 1);
            if let Some(d) = vcf {
                let grade = [1, 2, 3][rng.pick(&[0.5, 0.3, 0.2])];
                events.push(EventDraw {
                    lesion: Some(k),
                    date: d,
                    term: "Spinal fracture",
                    grade,
                    attribution: "probable",
                });
            }
            // Acute effects within the first weeks, late ones after 90 days.
            let mut acute = |rng: &mut Rng, p: f64, term: &'static str, grades: &[f64], lesion: bool, max_day: i64| {
                if rng.chance(p) {
                    let date = sbrt.plus_days(rng.integer(1, max_day));
                    let grade = 1 + rng.pick(grades) as u8;
                    let attribution = if rng.chance(0.15) { "unlikely" } else { "probable" };
                    if date <= end {
                        events.push(EventDraw { lesion: lesion.then_some(k), date, term, grade, attribution });
                    }
                }
            };
            acute(&mut rng, 0.22, "Pain", &[0.7, 0.3], true, 10);
            acute(&mut rng, 0.25, "Fatigue", &[0.8, 0.2], false, 30);
            acute(&mut rng, if l.region == 2 { 0.25 } else { 0.08 }, "Nausea", &[0.85, 0.15], false, 14);
            acute(&mut rng, if l.region <= 1 { 0.18 } else { 0.0 }, "Esophagitis", &[0.7, 0.3], false, 30);
            acute(&mut rng, if l.region >= 2 { 0.08 } else { 0.0 }, "Diarrhea", &[0.9, 0.1], false, 21);
            acute(&mut rng, 0.04, "Dermatitis radiation", &[1.0], false, 60);
            if rng.chance(0.03) {
                let date = sbrt.plus_days(rng.integer(120, 720));
                if date <= end {
                    let grade = 1 + rng.pick(&[0.6, 0.4]) as u8;
                    events.push(EventDraw {
                        lesion: Some(k),
                        date,
                        term: "Radiculitis",
                        grade,
                        attribution: "possible",
                    });
                }
            }
            if rng.chance(MYELOPATHY_RISK) {
                let date = sbrt.plus_days(rng.integer(180, 900));
                if date <= end {
                    events.push(EventDraw {
                        lesion: Some(k),
                        date,
                        term: "Myelitis",
                        grade: 3,
                        attribution: "probable",
                    });
                }
            }
            // Pain: baseline from the SINS pain component; scores at 1, 3
            // and 6 months while followed.
            let pain0: f64 = match l.sins[1] {
                0 => rng.integer(0, 1) as f64,
                1 => rng.integer(2, 6) as f64,
                _ => rng.integer(4, 9) as f64,
            };
            let ome0 =
                if pain0 >= 4.0 && rng.chance(0.5) { (rng.between(10.0, 90.0) / 5.0).round() * 5.0 } else { 0.0 };
            let response = rng.pick(&PAIN_RESPONSE);
            for m in [1.0, 3.0, 6.0] {
                let date = sbrt.plus_days(months_to_days(m) + rng.integer(-10, 10));
                if date > end || (lf.is_some_and(|d| d < date) && m > 3.0) {
                    continue;
                }
                let (score, ome) = match response {
                    0 => (0.0, ome0 * 0.5),
                    1 => ((pain0 - 2.0 - rng.integer(0, 2) as f64).max(1.0), ome0),
                    2 => ((pain0 - 1.0).max(0.0), ome0),
                    _ => ((pain0 + 2.0).min(10.0), ome0),
                };
                pain_rows.push((k, date, score, Some(ome)));
            }
            let failure_site = lf.map(|_| if rng.chance(0.7) { "in_field" } else { "marginal" });
            let salvage = if lf.is_some() || adj.is_some() {
                ["surgery", "reirradiation", "surgery_and_reirradiation", "systemic", "none"][rng.pick(&SALVAGE)]
            } else {
                ""
            };
            let text = |d: Option<Date>| fmt_opt_date(d);
            rows.push(vec![
                ("patient_id", pid.clone()),
                ("sex", sex.into()),
                ("age", format!("{age}")),
                ("histology", histology.into()),
                ("diagnosis_date", diagnosis.to_string()),
                ("last_followup_date", end.to_string()),
                ("death_date", text(death)),
                ("progression_date", text(progression)),
                ("lesion_id", lesion_id),
                ("sbrt_date", sbrt.to_string()),
                ("levels", l.levels.clone()),
                ("disease_status", if l.primary { "primary" } else { "metastasis" }.into()),
                ("extent", ext_names[l.extent].into()),
                ("prior_surgery", yes_no(l.prior_surgery)),
                ("prior_rt", yes_no(l.prior_rt)),
                ("dose_gy", format!("{}", l.dose)),
                ("fractions", format!("{}", l.fractions)),
                ("isodose_pct", format!("{}", l.isodose)),
                ("ptv_cc", format!("{:.1}", l.ptv)),
                ("ptv_coverage_pct", format!("{:.1}", l.coverage)),
                ("sins", sins.to_string()),
                ("sins_location", l.sins[0].to_string()),
                ("sins_pain", l.sins[1].to_string()),
                ("sins_bone_lesion", l.sins[2].to_string()),
                ("sins_alignment", l.sins[3].to_string()),
                ("sins_collapse", l.sins[4].to_string()),
                ("sins_posterolateral", l.sins[5].to_string()),
                ("bilsky", l.bilsky.into()),
                ("vcf_baseline", yes_no(vcf_baseline)),
                ("pain_baseline", format!("{pain0}")),
                ("ome_baseline_mg", format!("{ome0}")),
                ("local_failure_date", text(lf)),
                ("local_failure_site", failure_site.unwrap_or("").into()),
                ("adjacent_failure_date", text(adj)),
                ("salvage", salvage.into()),
                ("vcf_date", text(vcf)),
                ("distant_spine_failure_date", text(distant_spine)),
            ]);
        }
        for row in rows {
            w.write_record(
                columns
                    .iter()
                    .map(|c| row.iter().find(|(k, _)| k == c).map(|(_, v)| v.as_str()).expect("every column drawn")),
            )?;
        }
        events.sort_by_key(|e| e.date);
        for e in events {
            let lesion = e.lesion.map(|k| format!("{pid}-L{}", k + 1)).unwrap_or_default();
            ev.write_record([&pid, &lesion, &e.date.to_string(), e.term, &e.grade.to_string(), e.attribution, "", ""])?;
        }
        for (k, date, score, ome) in pain_rows {
            let ome = ome.map(|o| format!("{o}")).unwrap_or_default();
            let lesion = format!("{pid}-L{}", k + 1);
            ev.write_record([&pid, &lesion, &date.to_string(), "pain_score", "", "", &format!("{score}"), &ome])?;
        }
    }
    progress(patients);
    w.flush()?;
    ev.flush()?;
    Ok(())
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

fn draw_ptv(rng: &mut Rng) -> f64 {
    ((16.0f64.ln() + 1.0 * rng.normal()).exp().clamp(1.3, 163.6) * 10.0).round() / 10.0
}

/// One row of synthetic registry-scale survival data (benchmarks): ten
/// standard-normal covariates rounded to 0.01, a group 0-2, exponential
/// event times (mean 24 months, log-HR βᵀx + 0.2 group) censored uniformly
/// on 0-60 months, rounded to 0.1 month (heavy ties).
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryRow {
    /// Months.
    pub time: f64,
    /// Event indicator.
    pub event: bool,
    /// Group 0, 1 or 2.
    pub group: usize,
    /// Covariates.
    pub x: [f64; 10],
}

/// Registry rows as columns, as the engine takes them.
#[derive(Debug, Clone, Default)]
pub struct RegistryColumns {
    /// Months.
    pub time: Vec<f64>,
    /// Event indicators.
    pub event: Vec<bool>,
    /// Groups 0-2.
    pub group: Vec<usize>,
    /// Covariates, n × 10 row-major (empty when not asked for).
    pub x: Vec<f64>,
}

/// The rows of [`registry`] drawn straight into columns (no row vector is
/// held), with the covariates when `with_covariates` (80 MB at 10^6).
pub fn registry_columns(n: usize, seed: u64, with_covariates: bool) -> RegistryColumns {
    let mut out = RegistryColumns {
        time: Vec::with_capacity(n),
        event: Vec::with_capacity(n),
        group: Vec::with_capacity(n),
        x: Vec::with_capacity(if with_covariates { n * 10 } else { 0 }),
    };
    for r in registry(n, seed) {
        out.time.push(r.time);
        out.event.push(r.event);
        out.group.push(r.group);
        if with_covariates {
            out.x.extend(r.x);
        }
    }
    out
}

/// `n` registry rows drawn with `seed` (the data of `benches/engine.rs`,
/// `examples/make_registry.rs` and `bench/compare_r.sh`).
pub fn registry(n: usize, seed: u64) -> impl Iterator<Item = RegistryRow> {
    let mut rng = Rng::new(seed);
    let beta = [0.3, -0.2, 0.1, 0.0, 0.25, -0.15, 0.05, 0.2, -0.1, 0.0];
    (0..n).map(move |_| {
        let mut x = [0.0; 10];
        for v in &mut x {
            *v = (rng.normal() * 100.0).round() / 100.0;
        }
        let lp: f64 = x.iter().zip(beta).map(|(a, b)| a * b).sum();
        let group = rng.integer(0, 2) as usize;
        let t_event = rng.exponential(24.0 * (-lp - 0.2 * group as f64).exp());
        let t_cens = rng.between(0.0, 60.0);
        RegistryRow { time: ((t_event.min(t_cens) * 10.0).round() / 10.0).max(0.1), event: t_event <= t_cens, group, x }
    })
}
