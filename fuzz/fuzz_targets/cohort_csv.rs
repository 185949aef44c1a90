//! The cohort reader and validator on arbitrary CSV bytes: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sbrt::cohort::read::{grid_from_bytes, FileType};
use sbrt::cohort::{from_grid, ReadOptions};

fuzz_target!(|data: &[u8]| {
    if let Ok(grid) = grid_from_bytes("fuzz.csv", FileType::Csv, data.to_vec(), None) {
        if let Ok((cohort, _)) = from_grid(&grid, &ReadOptions::default()) {
            let _ = sbrt::endpoints::derive(&cohort, &Default::default());
        }
    }
});
