//! The events reader and its checks against the bundled cohort, on
//! arbitrary CSV bytes: never a panic; what it accepts derives.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sbrt::cohort::date::DateFormat;
use sbrt::cohort::read::FileType;
use sbrt::cohort::{load_bytes, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let csv = sbrt::example::CSV.as_bytes().to_vec();
    let (cohort, _) = load_bytes("example.csv", FileType::Csv, csv, &ReadOptions::default()).expect("the example is valid");
    if let Ok((events, _)) =
        sbrt::cohort::events::from_bytes("fuzz.csv", FileType::Csv, data.to_vec(), None, &cohort, &DateFormat::Iso)
    {
        let _ = sbrt::event_rows::derive(&cohort, &events, 90);
    }
});
