//! The generic CSV reader of km/logrank/cox on arbitrary bytes, and the
//! estimators on whatever survives it (first three columns as time, event,
//! covariate/group): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sbrt::csv_table::{CsvTable, Kind};
use sbrt::survival_data::SurvivalData;
use survstat::cox::{fit, CoxData, CoxOptions};
use survstat::design::design_matrix;
use survstat::km::{ConfSpec, KaplanMeier};

fuzz_target!(|data: &[u8]| {
    let Ok(table) = CsvTable::from_bytes("fuzz.csv", data, None) else { return };
    if table.headers.len() < 3 {
        return;
    }
    let (t, e, x) = (table.headers[0].clone(), table.headers[1].clone(), table.headers[2].clone());
    // Read again as the commands read: the outcome and the covariate as numbers.
    let wanted = [(t.as_str(), Kind::Number), (e.as_str(), Kind::Number), (x.as_str(), Kind::Number)];
    let Ok(table) = CsvTable::from_bytes("fuzz.csv", data, Some(&wanted)) else { return };
    let Ok(sd) = SurvivalData::new(&table, &t, &e, &[x.as_str()]) else { return };
    let km = KaplanMeier::fit(&sd.time, &sd.event, ConfSpec::default());
    let _ = km.median();
    // Group counts are capped as the commands cap them (sbrt::limits).
    if let Ok(groups) = sd.levels(&x, "a group", sbrt::limits::MAX_GROUPS) {
        let _ = survstat::logrank::logrank(&sd.time, &sd.event, &groups.codes, groups.labels.len(), None);
    }
    if let Ok(cov) = sd.covariate(&x, false, None) {
        let (m, _) = design_matrix(&[cov], sd.n());
        let _ = fit(
            &CoxData { time: &sd.time, event: &sd.event, x: &m, strata: None, cluster: None , weights: None },
            &CoxOptions::default(),
        );
    }
});
