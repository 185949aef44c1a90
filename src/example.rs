//! The bundled synthetic cohort (`examples/spine_sarcoma_synthetic.csv`,
//! made by `sbrt simulate`), embedded so that `sbrt analyze --example`
//! works from any directory and writes no temporary file.

/// The cohort's CSV text.
pub const CSV: &str = include_str!("../examples/spine_sarcoma_synthetic.csv");

/// Its name in messages.
pub const NAME: &str = "spine_sarcoma_synthetic.csv";

/// Its events table (`examples/spine_sarcoma_synthetic_events.csv`, made by
/// `sbrt simulate --events-out`).
pub const EVENTS_CSV: &str = include_str!("../examples/spine_sarcoma_synthetic_events.csv");

/// The events table's name in messages.
pub const EVENTS_NAME: &str = "spine_sarcoma_synthetic_events.csv";
