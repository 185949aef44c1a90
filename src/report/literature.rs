//! Published spine-SBRT series in sarcoma that the source paper compares
//! with (its Table 5, with its reference numbers). Text as published.

/// One published series: study, period, patients, lesions, histology,
/// fractionation, median follow-up, local control, overall survival.
pub type Series = [&'static str; 9];

/// The paper's Table 5 rows, including the paper itself.
pub const PUBLISHED: [Series; 5] = [
    [
        "Folkert et al. 2014 [10]",
        "2005–2012",
        "88",
        "120",
        "Leiomyosarcoma (30%), Other/spindle-cell (18%), Hemangiopericytoma/solitary fibrous tumor (16%)",
        "18–24 Gy/1 fx; 24–36 Gy/3–6 fx",
        "12.3 months",
        "1-year 87.9%",
        "1-year 60.6%",
    ],
    [
        "Miller et al. 2017 [11]",
        "2005–2012",
        "18",
        "36",
        "Leiomyosarcoma (32%), Chondrosarcoma (17%), Spindle cell (17%)",
        "Median 16 Gy/1 fx (range, 10–25 Gy/1–5 fx)",
        "15 months",
        "1-year 50%",
        "1-year 60%",
    ],
    [
        "Bishop et al. 2017 [12]",
        "2002–2013",
        "48",
        "66",
        "Leiomyosarcoma (42%), Epithelioid (14%), MFH/UPS (12%)",
        "BED: <50 Gy₁₀ (n = 11), 50–59 Gy₁₀ (n = 40), ≥60 Gy₁₀ (n = 15)",
        "19 months",
        "1-year 81%",
        "1-year 67%",
    ],
    [
        "Elibe et al. 2018 [13]",
        "2001–2013",
        "23",
        "53",
        "Leiomyosarcoma (39%), Ewing's (13%)",
        "Median 18 Gy/1 fx (range, 10–20 Gy/1 fx)",
        "14 months",
        "Overall 67%",
        "Median 15.5 months",
    ],
    [
        "Kim et al. 2023 (source paper)",
        "2006–2017",
        "44",
        "75",
        "Osteosarcoma (57%), MPNST (12%)",
        "Median 33 Gy/3 fx (range, 18–45 Gy/1–5 fx)",
        "18.2 months",
        "1-year 76.4%",
        "1-year 80.5%",
    ],
];
