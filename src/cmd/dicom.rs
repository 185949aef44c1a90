//! `sbrt dicom`: dose-volume figures straight from DICOM-RT plans.
//!
//! Its usage is [`DicomArgs`], whose doc comments `sbrt dicom --help`
//! prints (and `docs/cli.md` reproduces); the method is `docs/dicom.md`.

use crate::atomic::{refuse_overwriting_inputs, AtomicFile};
use crate::dicom::dose::DoseGrid;
use crate::dicom::index::{Index, PlanSet};
use crate::dicom::object::open;
use crate::dosimetry::cohort_match::{fill, match_lesions, Match, PlanDosimetry, TargetFigures};
use crate::dosimetry::plan_figures::{plan_figures, Role, StructureFigures};
use crate::problem::InputProblems;
use anyhow::Context;
use clap::Args;
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Read DICOM-RT plans, doses and structure sets from a folder tree and
/// give each plan's prescription and dose-volume figures.
///
/// Every file under DIR is looked at; RT Plans, RT Doses and RT Structure
/// Sets are linked by their references (dose → plan → structure set), other
/// files are skipped and counted, broken references reported. Per plan:
/// prescription (dose reference, else beam doses × fractions), fractions,
/// dose per fraction, beams and technique; per structure (targets by RT ROI
/// Interpreted Type or a name starting PTV/GTV/CTV, spinal cord, cauda
/// equina, esophagus, and any --structure): volume, Dmin, Dmax, Dmean, D95,
/// D0.035cc, D1.2cc, V100 and, for targets, the prescription isodose line.
/// No patient ids, dates or file paths are printed unless --keep-ids
/// (files are then named by their number in the scan).
///
/// With --cohort and --out, each lesion of the cohort is matched to its
/// plan (patient id, or --patients for pseudonyms; plan date within
/// --window-days of sbrt_date; the vertebral level in the target's name
/// where several qualify) and the cohort is written to --out with its empty
/// dosimetry cells filled (dose_gy, fractions, isodose_pct, ptv_cc,
/// ptv_coverage_pct, cord_dmax_gy, cord_d0035cc_gy). A value already in
/// the cohort is never overwritten: a disagreeing one is reported as a
/// conflict. Each lesion's match (plan file and label) is written beside
/// --out as <name>.matches.csv for a person to check.
#[derive(Debug, Args)]
pub struct DicomArgs {
    /// Folder of DICOM files (searched recursively).
    pub dir: PathBuf,
    /// Print JSON (plans, skipped, problems) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also report the structure of this name (repeatable; case ignored).
    #[arg(long = "structure", value_name = "NAME")]
    pub structures: Vec<String>,
    /// Print patient ids, plan dates and file paths.
    #[arg(long)]
    pub keep_ids: bool,
    /// Cohort file (.csv or .xlsx) whose lesions get the plans' figures.
    #[arg(long, requires = "out")]
    pub cohort: Option<PathBuf>,
    /// Where to write the cohort with its dosimetry filled (CSV).
    #[arg(long, requires = "cohort")]
    pub out: Option<PathBuf>,
    /// CSV mapping DICOM Patient IDs to the cohort's (columns
    /// dicom_patient_id, patient_id), for pseudonymised cohorts.
    #[arg(long, requires = "cohort")]
    pub patients: Option<PathBuf>,
    /// Days a plan date may lie from the lesion's sbrt_date.
    #[arg(long, default_value_t = 30, requires = "cohort")]
    pub window_days: i64,
    /// Format of the cohort's date text that is not YYYY-MM-DD, e.g. %d/%m/%Y.
    #[arg(long, requires = "cohort")]
    pub date_format: Option<String>,
    /// Excel sheet of the cohort (default: the first).
    #[arg(long, requires = "cohort")]
    pub sheet: Option<String>,
}

/// One plan as reported.
#[derive(Debug, Serialize)]
struct PlanOut {
    plan: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    patient_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<FilesOut>,
    prescription_gy: Option<f64>,
    prescription_source: Option<&'static str>,
    fractions: Option<u32>,
    dose_per_fraction_gy: Option<f64>,
    beams: usize,
    technique: &'static str,
    isodose_pct: Option<f64>,
    structures: Vec<StructureOut>,
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct FilesOut {
    plan: String,
    dose: Option<String>,
    structures: Option<String>,
}

#[derive(Debug, Serialize)]
struct StructureOut {
    name: String,
    role: &'static str,
    volume_cc: f64,
    dmin_gy: Option<f64>,
    dmax_gy: Option<f64>,
    dmean_gy: Option<f64>,
    d95_gy: Option<f64>,
    d0035cc_gy: Option<f64>,
    d1_2cc_gy: Option<f64>,
    v100_pct: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    isodose_pct: Option<f64>,
    outside_dose_grid_pct: f64,
}

#[derive(Debug, Serialize)]
struct ProblemOut {
    file: String,
    message: String,
}

#[derive(Debug, Serialize)]
struct Report {
    files: usize,
    plans: Vec<PlanOut>,
    skipped: usize,
    skipped_by_reason: crate::dicom::index::Skipped,
    problems: Vec<ProblemOut>,
}

/// Run `sbrt dicom`.
pub fn run(args: &DicomArgs) -> anyhow::Result<()> {
    if !args.dir.is_dir() {
        anyhow::bail!("{}: not a folder", args.dir.display());
    }
    if let Some(out) = &args.out {
        let mut inputs: Vec<&Path> = vec![args.cohort.as_deref().expect("clap requires --cohort")];
        inputs.extend(args.patients.as_deref());
        refuse_overwriting_inputs(out, &inputs)?;
    }
    let mut index =
        Index::scan(&args.dir).with_context(|| format!("{}: cannot read the folder", args.dir.display()))?;
    let sets = index.link();
    let name_file = |k: usize| -> String {
        if args.keep_ids {
            index.files[k].display().to_string()
        } else {
            format!("file {}", k + 1)
        }
    };
    let reports = crate::parallel_map::map_on_all_cores(&sets, |set| {
        let mut problems = Vec::new();
        let (out, d) = plan_report(&index, set, &args.structures, args.keep_ids, &name_file, &mut problems);
        (out, d, problems)
    });
    let mut extra_problems = Vec::new();
    let mut plans = Vec::new();
    let mut dosimetry = Vec::new();
    for (out, d, problems) in reports {
        plans.push(out);
        dosimetry.push(d);
        extra_problems.extend(problems);
    }
    let mut problems: Vec<(usize, String)> =
        index.problems.iter().map(|p| (p.file, p.message.clone())).chain(extra_problems).collect();
    problems.sort_by_key(|(file, _)| *file);
    let report = Report {
        files: index.files.len(),
        plans,
        skipped: index.skipped.total(),
        skipped_by_reason: index.skipped,
        problems: problems.into_iter().map(|(file, message)| ProblemOut { file: name_file(file), message }).collect(),
    };
    if let (Some(cohort), Some(out)) = (&args.cohort, &args.out) {
        write_cohort(args, cohort, out, &dosimetry)?;
    }
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut w, &report)?;
        writeln!(w)?;
    } else {
        print_text(&mut w, &report)?;
    }
    w.flush()?;
    Ok(())
}

type Problems = Vec<(usize, String)>;

/// The figures of one plan: what is printed, and what the cohort uses.
fn plan_report(
    index: &Index,
    set: &PlanSet,
    requested: &[String],
    keep_ids: bool,
    name_file: &(dyn Fn(usize) -> String + Sync),
    problems: &mut Problems,
) -> (PlanOut, PlanDosimetry) {
    let entry = &index.plans[set.plan];
    let plan = &entry.object;
    let rx = plan.prescription.map(|p| p.0);
    let mut notes = plan.notes.clone();
    if rx.is_none() {
        problems.push((entry.file, "the plan gives no prescription (no TARGET dose reference, no beam doses)".into()));
    }
    let mut figures: Vec<StructureFigures> = Vec::new();
    if let (Some(d), Some(s)) = (set.dose, set.structures) {
        let dose = &index.doses[d];
        match read_grid(&index.root.join(&index.files[dose.file]), &dose.object.transfer_syntax) {
            Err(m) => problems.push((dose.file, m)),
            Ok(grid) => {
                let set = &index.structure_sets[s].object;
                figures = plan_figures(set, &grid, rx, requested);
                for roi in set.rois.iter().filter(|r| r.not_closed > 0 && figures.iter().any(|f| f.name == r.name)) {
                    notes.push(format!(
                        "{}: {} contour(s) not closed planar (points, open lines) are left out",
                        roi.name, roi.not_closed
                    ));
                }
                if dose.object.dose.units.as_deref() != Some("GY") {
                    notes.push(format!(
                        "dose units {}: dose figures are not in Gy and are left out",
                        dose.object.dose.units.as_deref().unwrap_or("missing")
                    ));
                    figures.iter_mut().for_each(|f| {
                        f.figures = crate::dosimetry::dvh::DvhFigures {
                            volume_cc: f.figures.volume_cc,
                            outside_pct: f.figures.outside_pct,
                            ..Default::default()
                        };
                        f.isodose_pct = None;
                    });
                }
                for f in figures.iter().filter(|f| f.figures.outside_pct > 0.0) {
                    notes.push(format!(
                        "{}: {:.1} % of its volume lies outside the dose grid; its dose figures are over the rest",
                        f.name, f.figures.outside_pct
                    ));
                }
            }
        }
    }
    let targets: Vec<&StructureFigures> = figures.iter().filter(|f| f.role == Role::Target).collect();
    let cord = figures.iter().find(|f| f.role == Role::SpinalCord);
    let label = plan.label.clone().unwrap_or_else(|| "(no label)".into());
    let out = PlanOut {
        plan: label.clone(),
        patient_id: plan.patient_id.clone().filter(|_| keep_ids),
        plan_date: plan.date.filter(|_| keep_ids).map(|d| d.to_string()),
        files: keep_ids.then(|| FilesOut {
            plan: name_file(entry.file),
            dose: set.dose.map(|d| name_file(index.doses[d].file)),
            structures: set.structures.map(|s| name_file(index.structure_sets[s].file)),
        }),
        prescription_gy: rx,
        prescription_source: plan.prescription.map(|p| p.1.label()),
        fractions: plan.fractions,
        dose_per_fraction_gy: plan.dose_per_fraction(),
        beams: plan.beams,
        technique: plan.technique,
        isodose_pct: match targets.as_slice() {
            [one] => one.isodose_pct,
            _ => None,
        },
        structures: figures
            .iter()
            .map(|f| StructureOut {
                name: f.name.clone(),
                role: f.role.label(),
                volume_cc: f.figures.volume_cc,
                dmin_gy: f.figures.dmin_gy,
                dmax_gy: f.figures.dmax_gy,
                dmean_gy: f.figures.dmean_gy,
                d95_gy: f.figures.d95_gy,
                d0035cc_gy: f.figures.d0035cc_gy,
                d1_2cc_gy: f.figures.d1_2cc_gy,
                v100_pct: f.figures.v100_pct,
                isodose_pct: f.isodose_pct,
                outside_dose_grid_pct: f.figures.outside_pct,
            })
            .collect(),
        notes,
    };
    let dosimetry = PlanDosimetry {
        patient_id: plan.patient_id.clone(),
        date: plan.date,
        label,
        file: index.files[entry.file].display().to_string(),
        prescription_gy: rx,
        fractions: plan.fractions,
        targets: targets
            .iter()
            .map(|t| TargetFigures {
                name: t.name.clone(),
                volume_cc: t.figures.volume_cc,
                v100_pct: t.figures.v100_pct,
                isodose_pct: t.isodose_pct,
            })
            .collect(),
        cord: cord.map(|c| (c.figures.dmax_gy, c.figures.d0035cc_gy)),
    };
    (out, dosimetry)
}

fn read_grid(path: &Path, transfer_syntax: &str) -> Result<DoseGrid, String> {
    let opened = open(path, true).map_err(|e| match e {
        crate::dicom::object::NotOpened::NotDicom => "the dose file is no longer DICOM".to_string(),
        crate::dicom::object::NotOpened::Unreadable(m) => format!("the dose grid is not readable: {m}"),
    })?;
    DoseGrid::read(&opened.data, transfer_syntax)
}

/// Match the cohort's lesions to the plans and write the filled cohort
/// and its matches file.
fn write_cohort(args: &DicomArgs, cohort_path: &Path, out: &Path, plans: &[PlanDosimetry]) -> anyhow::Result<()> {
    let input = super::inputs::CohortInput {
        file: cohort_path.to_path_buf(),
        date_format: args.date_format.clone(),
        sheet: args.sheet.clone(),
        columns: None,
        events: None,
    };
    let options = input.options()?;
    let name = cohort_path.display().to_string();
    let (kind, bytes) = crate::cohort::read_file(cohort_path).map_err(InputProblems)?;
    let mut grid =
        crate::cohort::read::grid_from_bytes(&name, kind, bytes, options.sheet.as_deref()).map_err(InputProblems)?;
    let (cohort, warnings) = crate::cohort::from_grid(&grid, &options).map_err(InputProblems)?;
    super::print::first_warnings(&name, &warnings);
    let pseudonyms = match &args.patients {
        None => HashMap::new(),
        Some(p) => read_pseudonyms(p)?,
    };
    let matches = match_lesions(&cohort, plans, &pseudonyms, args.window_days);
    let (filled, conflicts) = fill(&mut grid, &cohort, &matches, plans);
    let mut file = AtomicFile::create(out)?;
    {
        let mut w = csv::Writer::from_writer(file.writer());
        w.write_record(&grid.headers)?;
        for i in 0..grid.n_rows() {
            w.write_record((0..grid.headers.len()).map(|j| grid.cell(i, j).display()))?;
        }
        w.flush()?;
    }
    let matches_path = matches_path(out);
    refuse_overwriting_inputs(&matches_path, &[cohort_path])?;
    let mut mfile = AtomicFile::create(&matches_path)?;
    {
        let mut w = csv::Writer::from_writer(mfile.writer());
        w.write_record([
            "row",
            "patient_id",
            "lesion_id",
            "plan_file",
            "plan_label",
            "target",
            "filled",
            "conflicts",
            "unmatched_because",
        ])?;
        for (i, (lesion, m)) in cohort.lesions.iter().zip(&matches).enumerate() {
            let row_conflicts: Vec<String> = conflicts
                .iter()
                .filter(|c| c.row == lesion.row)
                .map(|c| format!("{}: cohort {} plan {:.2}", c.column, c.cohort, c.plan))
                .collect();
            let (file, label, target, why) = match m {
                Match::Plan(k, t) => {
                    (plans[*k].file.clone(), plans[*k].label.clone(), plans[*k].targets[*t].name.clone(), String::new())
                }
                Match::Unmatched(why) => (String::new(), String::new(), String::new(), why.clone()),
            };
            w.write_record([
                lesion.row.to_string(),
                lesion.patient_id.to_string(),
                lesion.lesion_id.as_deref().unwrap_or_default().to_string(),
                file,
                label,
                target,
                filled[i].join(" "),
                row_conflicts.join("; "),
                why,
            ])?;
        }
        w.flush()?;
    }
    file.commit()?;
    mfile.commit()?;
    let matched = matches.iter().filter(|m| matches!(m, Match::Plan(..))).count();
    for (k, p) in plans.iter().enumerate() {
        if !matches.iter().any(|m| matches!(m, Match::Plan(j, _) if *j == k)) {
            eprintln!("{} '{}': no lesion of the cohort matched this plan", p.file, p.label);
        }
    }
    for c in &conflicts {
        let p = &plans[c.plan_index];
        eprintln!(
            "{name}:{}:{}: the cohort has {}, the plan {:.2} ({} '{}'): the cohort's value is kept",
            c.row, c.column, c.cohort, c.plan, p.file, p.label
        );
    }
    eprintln!(
        "{} lesions: {matched} matched to a plan, {} not matched; {} conflict(s) with values in the cohort. \
         Wrote {} and {}",
        cohort.lesions.len(),
        cohort.lesions.len() - matched,
        conflicts.len(),
        out.display(),
        matches_path.display()
    );
    Ok(())
}

/// `<out without .csv>.matches.csv`.
fn matches_path(out: &Path) -> PathBuf {
    let stem = out.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    out.with_file_name(format!("{stem}.matches.csv"))
}

/// The pseudonym table: DICOM Patient ID → cohort patient_id.
fn read_pseudonyms(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let name = path.display().to_string();
    let table = crate::csv_table::CsvTable::read(path, None)?;
    let (dicom, cohort) = (table.column("dicom_patient_id"), table.column("patient_id"));
    let (dicom, cohort) = match (dicom, cohort) {
        (Ok(d), Ok(c)) => (d, c),
        (d, c) => return Err(InputProblems([d.err(), c.err()].into_iter().flatten().collect()).into()),
    };
    let mut map = HashMap::new();
    let mut problems = Vec::new();
    for i in 0..table.n_rows() {
        let (d, c) = (table.cell(i, dicom).text(), table.cell(i, cohort).text());
        let row = table.row_number(i);
        if d.is_empty() || c.is_empty() {
            problems.push(crate::problem::Problem::error(&name, Some(row), None, "both ids are needed"));
        } else if let Some(before) = map.insert(d.to_string(), c.to_string()) {
            if before != c {
                problems.push(crate::problem::Problem::error(
                    &name,
                    Some(row),
                    Some("dicom_patient_id"),
                    "this DICOM id is mapped to two cohort ids",
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Err(InputProblems(problems).into());
    }
    Ok(map)
}

fn na(v: Option<f64>, digits: usize) -> String {
    super::print::number_or_na(v, digits)
}

fn print_text(w: &mut impl Write, r: &Report) -> std::io::Result<()> {
    writeln!(
        w,
        "{} files: {} plan(s); skipped {} (not DICOM {}, other DICOM {}, unreadable {})",
        r.files,
        r.plans.len(),
        r.skipped,
        r.skipped_by_reason.not_dicom,
        r.skipped_by_reason.other_kind,
        r.skipped_by_reason.unreadable
    )?;
    for (k, p) in r.plans.iter().enumerate() {
        writeln!(w)?;
        let who = match (&p.patient_id, &p.plan_date) {
            (Some(id), Some(d)) => format!(" (patient {id}, {d})"),
            (Some(id), None) => format!(" (patient {id})"),
            _ => String::new(),
        };
        writeln!(
            w,
            "Plan {}: {}{who}: {} Gy in {} fraction(s), {} Gy per fraction ({}); {} beam(s), {}; isodose {} %",
            k + 1,
            crate::inert::terminal(&p.plan),
            na(p.prescription_gy, 2),
            p.fractions.map_or("NA".into(), |f| f.to_string()),
            na(p.dose_per_fraction_gy, 2),
            p.prescription_source.unwrap_or("no prescription"),
            p.beams,
            p.technique,
            na(p.isodose_pct, 1)
        )?;
        if !p.structures.is_empty() {
            writeln!(
                w,
                "  {:<20} {:<13} {:>9} {:>7} {:>7} {:>7} {:>7} {:>9} {:>7} {:>7}",
                "structure", "role", "volume_cc", "Dmin", "Dmax", "Dmean", "D95", "D0.035cc", "D1.2cc", "V100_%"
            )?;
        }
        for s in &p.structures {
            writeln!(
                w,
                "  {:<20} {:<13} {:>9} {:>7} {:>7} {:>7} {:>7} {:>9} {:>7} {:>7}",
                crate::inert::terminal(&s.name),
                s.role,
                format!("{:.3}", s.volume_cc),
                na(s.dmin_gy, 2),
                na(s.dmax_gy, 2),
                na(s.dmean_gy, 2),
                na(s.d95_gy, 2),
                na(s.d0035cc_gy, 2),
                na(s.d1_2cc_gy, 2),
                na(s.v100_pct, 1)
            )?;
        }
        for n in &p.notes {
            writeln!(w, "  note: {}", crate::inert::terminal(n))?;
        }
    }
    if !r.problems.is_empty() {
        writeln!(w)?;
        writeln!(w, "Problems:")?;
        for p in &r.problems {
            writeln!(w, "  {}: {}", p.file, crate::inert::terminal(&p.message))?;
        }
    }
    Ok(())
}
