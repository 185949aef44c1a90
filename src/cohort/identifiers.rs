//! Identifiers and dates hidden in text: a value of an extra column a study
//! carries, or a study label, that holds a date-like or id-like token would
//! carry it into every table, figure and file, so it is an error naming the
//! cell. (A histology is a name of the WHO vocabulary, [`super::histology`],
//! so nothing else can pass through it.)
//!
//! A value is split into tokens at white space and `, ; ( ) [ ]`. A token is
//! identifying when it is
//! - a date: digits separated by `-`, `/`, `.` or `:` in three parts
//!   (`2017-03-19`, `19/03/2017`, `3.19.17`, `10:30:00`) or in two parts one
//!   of which has four digits (`2017-03`, `03/2017`); or a month name or
//!   its abbreviation next to a day or year number (`19 Mar 2017`,
//!   `Mar 19, 2017`);
//! - a run of five or more digits anywhere (`20170319`, an Excel date
//!   serial such as `42813`, a record number);
//! - equal, ignoring case, to a patient or lesion id of the file (ids of at
//!   least three characters; the whole value is compared with every id).

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// The patient and lesion ids of a file, lower case, for [`identifying_token`].
#[derive(Debug, Default)]
pub struct KnownIds(foldhash::HashSet<String>);

impl KnownIds {
    /// The patient and lesion ids of a cohort.
    pub fn of(cohort: &super::Cohort) -> KnownIds {
        KnownIds::new(cohort_ids(cohort))
    }

    /// The ids, as written in the file.
    pub fn new<'a>(ids: impl IntoIterator<Item = &'a str>) -> KnownIds {
        KnownIds(ids.into_iter().map(id_key).filter(|s| !s.is_empty()).collect())
    }

    /// The patient and lesion ids of a cohort that [`identifying_token`]
    /// could find in `values`: those equal to a whole value or to one of
    /// its tokens. Judging a few texts this way holds a few ids, not a
    /// million.
    pub fn among<'a>(cohort: &super::Cohort, values: impl IntoIterator<Item = &'a str>) -> KnownIds {
        let wanted: foldhash::HashSet<String> = values
            .into_iter()
            .flat_map(|v| std::iter::once(id_key(v)).chain(tokens(v).into_iter().map(token_key)))
            .collect();
        KnownIds(cohort_ids(cohort).map(id_key).filter(|id| !id.is_empty() && wanted.contains(id)).collect())
    }
}

/// A cohort's patient and lesion ids, as written.
fn cohort_ids(cohort: &super::Cohort) -> impl Iterator<Item = &str> {
    cohort.lesions.iter().flat_map(|l| std::iter::once(&*l.patient_id).chain(l.lesion_id.as_deref()))
}

/// An id, or a whole value, as compared: trimmed, lower case.
fn id_key(id: &str) -> String {
    id.trim().to_lowercase()
}

/// A value's tokens: split at white space and `, ; ( ) [ ]`.
fn tokens(value: &str) -> Vec<&str> {
    value.split(|c: char| c.is_whitespace() || ",;()[]".contains(c)).filter(|t| !t.is_empty()).collect()
}

/// A token as compared with the ids: without leading and trailing
/// punctuation, lower case.
fn token_key(t: &str) -> String {
    t.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase()
}

fn is_month(word: &str) -> bool {
    let w = word.trim_end_matches('.').to_lowercase();
    w.len() >= 3 && MONTHS.iter().any(|m| w.starts_with(m) && (w.len() == 3 || month_name(&w)))
}

fn month_name(w: &str) -> bool {
    [
        "january",
        "february",
        "march",
        "april",
        "june",
        "july",
        "august",
        "september",
        "sept",
        "october",
        "november",
        "december",
    ]
    .contains(&w)
}

fn is_day_or_year(word: &str) -> bool {
    let w = word.trim_end_matches([',', '.']);
    !w.is_empty() && w.chars().all(|c| c.is_ascii_digit()) && (w.len() <= 2 || w.len() == 4)
}

fn is_numeric_date(token: &str) -> bool {
    let parts: Vec<&str> = token.split(['-', '/', '.', ':']).collect();
    let digits = |p: &&str| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit());
    match parts.len() {
        3 => parts.iter().all(digits),
        2 => parts.iter().all(digits) && parts.iter().any(|p| p.len() == 4) && !token.contains('.'),
        _ => false,
    }
}

fn longest_digit_run(s: &str) -> usize {
    s.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0)
}

/// Why `value` may identify a patient, or `None`.
pub fn identifying_token(value: &str, ids: &KnownIds) -> Option<String> {
    let whole = id_key(value);
    if ids.0.contains(&whole) {
        return Some("it is a patient or lesion id of the file".into());
    }
    let tokens = tokens(value);
    for (k, t) in tokens.iter().enumerate() {
        if is_numeric_date(t) {
            return Some(format!("'{t}' looks like a date or time"));
        }
        if is_month(t) {
            let near = [k.checked_sub(1), Some(k + 1)].into_iter().flatten().filter_map(|i| tokens.get(i));
            if near.into_iter().any(|n| is_day_or_year(n)) {
                return Some(format!("'{t}' next to a number looks like a date"));
            }
        }
        let lower = token_key(t);
        if lower.len() >= 3 && ids.0.contains(&lower) {
            return Some(format!("'{t}' is a patient or lesion id of the file"));
        }
    }
    if longest_digit_run(value) >= 5 {
        return Some("it holds a run of five or more digits (a record number, a date or an Excel date serial?)".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_serials_and_ids_inside_text_are_found() {
        let ids = KnownIds::new(["P123", "P123-L1", "7"]);
        for v in [
            "leiomyosarcoma P123 dx 2017-03-19",
            "leiomyosarcoma p123",
            "seen 19 Mar 2017",
            "Mar 19, 2017",
            "March 2017",
            "20170319",
            "42813",
            "2017-03",
            "19/03/2017",
            "19.03.2017",
            "2017-03-19 10:30",
            "P123-L1",
            "7",
        ] {
            assert!(identifying_token(v, &ids).is_some(), "{v}");
        }
    }

    /// The ids kept for a few texts judge those texts as all the ids do.
    #[test]
    fn the_ids_among_some_texts_judge_them_as_all_the_ids() {
        let csv = crate::example::CSV.as_bytes().to_vec();
        let (cohort, _) =
            crate::cohort::load_bytes("c.csv", crate::cohort::read::FileType::Csv, csv, &Default::default())
                .expect("the example reads");
        let (patient, lesion) = (&cohort.lesions[3].patient_id, cohort.lesions[3].lesion_id.clone().expect("ids"));
        let texts = [
            format!("local control ({})", patient.to_lowercase()),
            format!(" {lesion} "),
            format!("[{}]", patient.to_uppercase()),
            "Local control by BED".to_string(),
            "T11-12".to_string(),
        ];
        let all = KnownIds::of(&cohort);
        for t in &texts {
            let few = KnownIds::among(&cohort, [t.as_str()]);
            assert_eq!(identifying_token(t, &few), identifying_token(t, &all), "{t}");
        }
        assert!(texts[..3].iter().all(|t| identifying_token(t, &KnownIds::among(&cohort, [t.as_str()])).is_some()));
        assert_eq!(KnownIds::among(&cohort, texts.iter().map(String::as_str)).0.len(), 2);
    }

    #[test]
    fn ordinary_clinical_words_pass() {
        let ids = KnownIds::new(["P123", "7"]);
        for v in [
            "leiomyosarcoma",
            "Ewing sarcoma",
            "grade 2-3",
            "MPNST",
            "T11-12",
            "may be malignant",
            "1.5",
            "type 7 variant",
            "osteosarcoma (high grade)",
        ] {
            assert_eq!(identifying_token(v, &ids), None, "{v}");
        }
    }
}
