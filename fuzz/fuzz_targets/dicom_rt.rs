//! `sbrt dicom`'s reading on arbitrary bytes beside a valid phantom plan:
//! the bytes replace one of the plan's three files in turn (so they are
//! linked, read as a grid and sampled when they parse): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sbrt::dicom::dose::DoseGrid;
use sbrt::dicom::index::Index;
use sbrt::dicom::object::open;

const PHANTOM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/dicom/phantoms/sphere01");

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("sbrt-fuzz-dicom-{}", std::process::id()));
    for replaced in ["RP.dcm", "RD.dcm", "RS.dcm"] {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["RP.dcm", "RD.dcm", "RS.dcm"] {
            if f == replaced {
                std::fs::write(dir.join(f), data).unwrap();
            } else {
                std::fs::copy(format!("{PHANTOM}/{f}"), dir.join(f)).unwrap();
            }
        }
        let mut index = Index::scan(&dir).unwrap();
        for set in index.link() {
            let (Some(d), Some(s)) = (set.dose, set.structures) else { continue };
            let dose = &index.doses[d];
            let Ok(opened) = open(&dir.join(&index.files[dose.file]), true) else { continue };
            if let Ok(grid) = DoseGrid::read(&opened.data, &dose.object.transfer_syntax) {
                let _ = sbrt::dosimetry::plan_figures::plan_figures(&index.structure_sets[s].object, &grid, Some(18.0), &[]);
            }
        }
    }
});
