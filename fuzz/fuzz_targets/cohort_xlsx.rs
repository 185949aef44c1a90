//! The cohort reader on arbitrary .xlsx bytes (seeded with the example workbook): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sbrt::cohort::read::{grid_from_bytes, FileType};
use sbrt::cohort::{from_grid, ReadOptions};

fuzz_target!(|data: &[u8]| {
    if let Ok(grid) = grid_from_bytes("fuzz.xlsx", FileType::Xlsx, data.to_vec(), None) {
        let _ = from_grid(&grid, &ReadOptions::default());
    }
});
