//! The date parser (ISO and a named format) on arbitrary text: never a
//! panic, and an accepted date prints back to the same calendar day.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sbrt::cohort::date::DateFormat;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(d) = DateFormat::Iso.parse(text) {
            assert_eq!(DateFormat::Iso.parse(&d.to_string()), Ok(d));
        }
        let dmy = DateFormat::parse_pattern("%d/%m/%Y").expect("valid pattern");
        let _ = dmy.parse(text);
        let _ = DateFormat::parse_pattern(text);
    }
});
