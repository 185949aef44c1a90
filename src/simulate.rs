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
const PROG_SCALE: f64 = 100.0;
const PROG_LOG_HR: [f64; 3] = [0.0, 1.10, 1.39];
const PROG_LOG_HR_MFD: f64 = -0.021;
/// Local failure: Weibull shape/scale; log-HR for 2+ levels; log-HR per Gy₅ of BED (centred at 100).
const LF_SHAPE: f64 = 0.8;
const LF_SCALE: f64 = 100.0;
const LF_LOG_HR_MULTILEVEL: f64 = 1.10;
const LF_LOG_HR_BED: f64 = -0.005;
/// Adjacent failure and VCF: exponential means, months.
const ADJACENT_MEAN: f64 = 200.0;
const VCF_MEAN: f64 = 400.0;
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
        .filter(|n| !["birth_date", "reirradiation"].contains(n))
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

/// Write a cohort of `patients` patients drawn with `seed` as CSV.
pub fn write_cohort<W: Write>(
    out: W,
    seed: u64,
    patients: usize,
    mut progress: impl FnMut(usize),
) -> anyhow::Result<()> {
    let mut rng = Rng::new(seed);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(header())?;
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
        let prog_lp = frailty + PROG_LOG_HR[extent0] + PROG_LOG_HR_MFD * (months_from_dx - 22.0);
        let prog_m = weibull(&mut rng, PROG_SHAPE, PROG_SCALE, prog_lp);
        let progression = Some(first_sbrt.plus_days(months_to_days(prog_m))).filter(|d| *d <= end);

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
            // levels: the nearest free run of levels (no extra draw, so the
            // random stream, and every other value, is unchanged).
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
            });
        }
        for (k, l) in lesions.iter().enumerate() {
            let sbrt = first_sbrt.plus_days(l.offset_days);
            let bed = l.dose * (1.0 + l.dose / l.fractions as f64 / 5.0);
            let lf_lp =
                frailty + if l.n_levels > 1 { LF_LOG_HR_MULTILEVEL } else { 0.0 } + LF_LOG_HR_BED * (bed - 100.0);
            let event_date = |m: f64| Some(sbrt.plus_days(months_to_days(m))).filter(|d| *d <= end);
            let lf = event_date(weibull(&mut rng, LF_SHAPE, LF_SCALE, lf_lp));
            let adj = event_date(rng.exponential(ADJACENT_MEAN));
            let vcf = event_date(rng.exponential(VCF_MEAN));
            w.write_record([
                pid.as_str(),
                sex,
                &format!("{age}"),
                histology,
                &diagnosis.to_string(),
                &end.to_string(),
                &fmt_opt_date(death),
                &fmt_opt_date(progression),
                &format!("{pid}-L{}", k + 1),
                &sbrt.to_string(),
                &l.levels,
                if l.primary { "primary" } else { "metastasis" },
                ext_names[l.extent],
                if l.prior_surgery { "yes" } else { "no" },
                if l.prior_rt { "yes" } else { "no" },
                &format!("{}", l.dose),
                &format!("{}", l.fractions),
                &format!("{}", l.isodose),
                &format!("{:.1}", l.ptv),
                &format!("{:.1}", l.coverage),
                &fmt_opt_date(lf),
                &fmt_opt_date(adj),
                &fmt_opt_date(vcf),
            ])?;
        }
    }
    progress(patients);
    w.flush()?;
    Ok(())
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
