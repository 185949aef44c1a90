//! The vertebral-level parser on arbitrary text: never a panic, and every
//! accepted list names real vertebrae.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(levels) = sbrt::cohort::vertebra::parse_levels(text) {
            assert!(!levels.vertebrae.is_empty() && levels.vertebrae.iter().all(|v| v.index() < 29));
            let _ = levels.site();
        }
    }
});
