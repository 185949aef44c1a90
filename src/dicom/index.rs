//! A folder tree of DICOM files, indexed: which files are RT Plans, RT
//! Doses and RT Structure Sets, and which belong together.
//!
//! Every regular file under the folder is opened (symbolic links are not
//! followed, so a link loop cannot trap the scan); a file that is not
//! DICOM, or is DICOM of another kind (CT images, RT Images, ...), is
//! skipped and counted by reason; a file that looks like DICOM but cannot
//! be parsed is counted and named. The RT objects are then linked through
//! their references: an RT Dose names its plan (Referenced RT Plan
//! Sequence), an RT Plan its structure set (Referenced Structure Set
//! Sequence). A plan's dose is the one of Dose Summation Type `PLAN` that
//! references it (or its only dose of any type); a dose or plan whose
//! reference points at no object in the folder, a plan without a dose, a
//! plan with only per-beam doses, and objects of different patients or
//! frames of reference put together are reported as problems, never
//! dropped silently. Files are opened on every core.

use super::dose::RtDose;
use super::object::{open, text, NotOpened};
use super::plan::RtPlan;
use super::structures::StructureSet;
use dicom_dictionary_std::tags;
use std::path::{Path, PathBuf};

/// SOP Class UIDs of the RT objects read.
const RT_PLAN: &str = "1.2.840.10008.5.1.4.1.1.481.5";
const RT_ION_PLAN: &str = "1.2.840.10008.5.1.4.1.1.481.8";
const RT_DOSE: &str = "1.2.840.10008.5.1.4.1.1.481.2";
const RT_STRUCT: &str = "1.2.840.10008.5.1.4.1.1.481.3";

/// An object with the file it came from (an index into [`Index::files`]).
#[derive(Debug)]
pub struct Indexed<T> {
    /// The file.
    pub file: usize,
    /// The object.
    pub object: T,
}

/// A dose's header and how its file is encoded.
#[derive(Debug)]
pub struct DoseFile {
    /// The header.
    pub dose: RtDose,
    /// Transfer syntax UID of the file.
    pub transfer_syntax: String,
}

/// Files not indexed, by reason.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Not DICOM.
    pub not_dicom: usize,
    /// DICOM of another kind than RT Plan, Dose or Structure Set.
    pub other_kind: usize,
    /// DICOM that could not be parsed (each is also a problem).
    pub unreadable: usize,
}

impl Skipped {
    /// All skipped files.
    pub fn total(&self) -> usize {
        self.not_dicom + self.other_kind + self.unreadable
    }
}

/// A problem with a file of the folder.
#[derive(Debug, Clone, PartialEq)]
pub struct FileProblem {
    /// The file ([`Index::files`]).
    pub file: usize,
    /// What is wrong.
    pub message: String,
}

/// A plan with the dose and structure set that belong to it.
#[derive(Debug, Clone, Copy)]
pub struct PlanSet {
    /// Index into [`Index::plans`].
    pub plan: usize,
    /// Index into [`Index::doses`].
    pub dose: Option<usize>,
    /// Index into [`Index::structure_sets`].
    pub structures: Option<usize>,
}

/// The RT objects of a folder.
#[derive(Debug, Default)]
pub struct Index {
    /// The folder.
    pub root: PathBuf,
    /// Every file looked at, relative to the folder, sorted.
    pub files: Vec<PathBuf>,
    /// RT Plans.
    pub plans: Vec<Indexed<RtPlan>>,
    /// RT Doses.
    pub doses: Vec<Indexed<DoseFile>>,
    /// RT Structure Sets.
    pub structure_sets: Vec<Indexed<StructureSet>>,
    /// Files skipped.
    pub skipped: Skipped,
    /// Problems, in file order.
    pub problems: Vec<FileProblem>,
}

enum Found {
    Plan(RtPlan),
    Dose(DoseFile),
    Structures(StructureSet),
    OtherKind,
    NotDicom,
    Unreadable(String),
}

fn read_one(path: &Path) -> Found {
    match open(path, false) {
        Err(NotOpened::NotDicom) => Found::NotDicom,
        Err(NotOpened::Unreadable(m)) => Found::Unreadable(m),
        Ok(o) => match text(&o.data, tags::SOP_CLASS_UID).as_deref() {
            Some(RT_PLAN | RT_ION_PLAN) => Found::Plan(RtPlan::read(&o.data)),
            Some(RT_DOSE) => Found::Dose(DoseFile { dose: RtDose::read(&o.data), transfer_syntax: o.transfer_syntax }),
            Some(RT_STRUCT) => Found::Structures(StructureSet::read(&o.data)),
            _ => Found::OtherKind,
        },
    }
}

/// Every regular file under `root`, relative to it, sorted.
fn walk(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(root.join(&rel))? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = rel.join(entry.file_name());
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

impl Index {
    /// Scan the folder tree at `root`.
    pub fn scan(root: &Path) -> std::io::Result<Index> {
        let files = walk(root)?;
        let found = crate::parallel_map::map_on_all_cores(&files, |f| read_one(&root.join(f)));
        let mut index = Index { root: root.to_path_buf(), files, ..Index::default() };
        for (file, f) in found.into_iter().enumerate() {
            match f {
                Found::Plan(object) => index.plans.push(Indexed { file, object }),
                Found::Dose(object) => index.doses.push(Indexed { file, object }),
                Found::Structures(object) => index.structure_sets.push(Indexed { file, object }),
                Found::OtherKind => index.skipped.other_kind += 1,
                Found::NotDicom => index.skipped.not_dicom += 1,
                Found::Unreadable(m) => {
                    index.skipped.unreadable += 1;
                    index.problems.push(FileProblem { file, message: format!("not readable as DICOM: {m}") });
                }
            }
        }
        Ok(index)
    }

    /// Link each plan to its dose and structure set, reporting every broken
    /// or doubtful link as a problem.
    pub fn link(&mut self) -> Vec<PlanSet> {
        let mut problems = Vec::new();
        for d in &self.doses {
            if let Err(m) = super::dose::check_transfer_syntax(&d.object.transfer_syntax) {
                // Its header was read as bytes of unknown meaning: only this is sure.
                problems.push(FileProblem { file: d.file, message: m });
                continue;
            }
            let known = d.object.dose.plan_uid.as_ref().is_some_and(|u| self.plans.iter().any(|p| &p.object.uid == u));
            if !known {
                let why = match &d.object.dose.plan_uid {
                    None => "the RT Dose names no plan (Referenced RT Plan Sequence)".to_string(),
                    Some(_) => "the RT Dose references a plan that is not in the folder".to_string(),
                };
                problems.push(FileProblem { file: d.file, message: why });
            }
        }
        let mut sets = Vec::new();
        for (k, p) in self.plans.iter().enumerate() {
            let plan = &p.object;
            let mine: Vec<usize> = (0..self.doses.len())
                .filter(|&d| self.doses[d].object.dose.plan_uid.as_deref() == Some(plan.uid.as_str()))
                .collect();
            let summed: Vec<usize> = mine
                .iter()
                .copied()
                .filter(|&d| self.doses[d].object.dose.summation.as_deref() == Some("PLAN"))
                .collect();
            let dose = match (summed.as_slice(), mine.as_slice()) {
                ([one, ..], _) => {
                    if summed.len() > 1 {
                        problems.push(FileProblem {
                            file: p.file,
                            message: format!("{} plan doses reference this plan: the first is read", summed.len()),
                        });
                    }
                    Some(*one)
                }
                ([], [only]) => Some(*only),
                ([], []) => {
                    problems.push(FileProblem {
                        file: p.file,
                        message: "no RT Dose in the folder references this plan".into(),
                    });
                    None
                }
                ([], several) => {
                    problems.push(FileProblem {
                        file: p.file,
                        message: format!(
                            "{} RT Doses reference this plan, none of Dose Summation Type PLAN: per-beam doses are not summed",
                            several.len()
                        ),
                    });
                    None
                }
            };
            let structures = match &plan.structure_set_uid {
                None => {
                    problems.push(FileProblem {
                        file: p.file,
                        message: "the plan names no structure set (Referenced Structure Set Sequence)".into(),
                    });
                    None
                }
                Some(u) => {
                    let found = self.structure_sets.iter().position(|s| &s.object.uid == u);
                    if found.is_none() {
                        problems.push(FileProblem {
                            file: p.file,
                            message: "the plan references a structure set that is not in the folder".into(),
                        });
                    }
                    found
                }
            };
            if let (Some(d), Some(s)) = (dose, structures) {
                let (dose, set) = (&self.doses[d].object.dose, &self.structure_sets[s].object);
                if dose.frame_uid.is_some() && set.frame_uid.is_some() && dose.frame_uid != set.frame_uid {
                    problems.push(FileProblem {
                        file: self.doses[d].file,
                        message: "the dose and the plan's structure set are in different frames of reference".into(),
                    });
                }
                let patients = [&plan.patient_id, &dose.patient_id, &set.patient_id];
                if patients.iter().any(|p| p.is_some() && *p != patients[0]) {
                    problems.push(FileProblem {
                        file: p.file,
                        message: "the plan, its dose and its structure set name different patients".into(),
                    });
                }
            }
            sets.push(PlanSet { plan: k, dose, structures });
        }
        self.problems.extend(problems);
        self.problems.sort_by_key(|p| p.file);
        sets
    }
}
