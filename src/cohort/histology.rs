//! Histology as a controlled vocabulary: the malignant entities of the WHO
//! Classification of Tumours, Soft Tissue and Bone Tumours (5th ed., IARC
//! 2020) that reach the spine, each with its common synonyms, the tissue it
//! arises in (bone or soft tissue) and the row of the paper's tables that
//! counts it.
//!
//! A cohort's histology is matched after lower-casing, reading `-` and `_`
//! as spaces, `tumour` as `tumor` and dropping a trailing `nos`; a synonym
//! is stored as its entity's name, so `MPNST`, `malignant peripheral nerve
//! sheath tumour` and `neurofibrosarcoma` are one category. A value that is
//! no entity is an error, with the nearest names when one is close (a typo
//! such as `osteosarcmoa`), so that a misspelling never becomes a category
//! of its own and chordoma is never counted as a soft-tissue sarcoma.

/// Where an entity arises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tissue {
    /// A bone sarcoma.
    Bone,
    /// A soft-tissue sarcoma.
    SoftTissue,
}

/// One WHO entity.
#[derive(Debug, Clone, Copy)]
pub struct Entity {
    /// The name stored in the cohort (lower case).
    pub name: &'static str,
    /// The name printed in tables.
    pub display: &'static str,
    /// Bone or soft tissue.
    pub tissue: Tissue,
    /// Other spellings and abbreviations (lower case).
    pub synonyms: &'static [&'static str],
}

const fn bone(name: &'static str, display: &'static str, synonyms: &'static [&'static str]) -> Entity {
    Entity { name, display, tissue: Tissue::Bone, synonyms }
}

const fn soft(name: &'static str, display: &'static str, synonyms: &'static [&'static str]) -> Entity {
    Entity { name, display, tissue: Tissue::SoftTissue, synonyms }
}

/// The vocabulary (WHO 5th ed., 2020: malignant bone and soft-tissue tumours).
pub const ENTITIES: &[Entity] = &[
    bone(
        "osteosarcoma",
        "Osteosarcoma",
        &[
            "conventional osteosarcoma",
            "telangiectatic osteosarcoma",
            "small cell osteosarcoma",
            "low grade central osteosarcoma",
            "parosteal osteosarcoma",
            "periosteal osteosarcoma",
            "high grade surface osteosarcoma",
            "secondary osteosarcoma",
            "osteogenic sarcoma",
        ],
    ),
    bone(
        "chondrosarcoma",
        "Chondrosarcoma",
        &[
            "central chondrosarcoma",
            "secondary peripheral chondrosarcoma",
            "periosteal chondrosarcoma",
            "clear cell chondrosarcoma",
            "mesenchymal chondrosarcoma",
            "dedifferentiated chondrosarcoma",
        ],
    ),
    bone(
        "ewing sarcoma",
        "Ewing's sarcoma",
        &["ewing's sarcoma", "ewings sarcoma", "ewing", "pnet", "primitive neuroectodermal tumor"],
    ),
    bone(
        "chordoma",
        "Chordoma",
        &["conventional chordoma", "dedifferentiated chordoma", "poorly differentiated chordoma"],
    ),
    bone("adamantinoma", "Adamantinoma", &[]),
    bone("giant cell tumor of bone, malignant", "Malignant giant cell tumour of bone", &["malignant giant cell tumor"]),
    bone(
        "undifferentiated pleomorphic sarcoma of bone",
        "Undifferentiated pleomorphic sarcoma of bone",
        &["ups of bone"],
    ),
    bone("angiosarcoma of bone", "Angiosarcoma of bone", &[]),
    bone("leiomyosarcoma of bone", "Leiomyosarcoma of bone", &[]),
    soft(
        "liposarcoma",
        "Liposarcoma",
        &[
            "well differentiated liposarcoma",
            "dedifferentiated liposarcoma",
            "myxoid liposarcoma",
            "pleomorphic liposarcoma",
            "myxoid pleomorphic liposarcoma",
        ],
    ),
    soft("leiomyosarcoma", "Leiomyosarcoma", &["lms"]),
    soft(
        "rhabdomyosarcoma",
        "Rhabdomyosarcoma",
        &[
            "embryonal rhabdomyosarcoma",
            "alveolar rhabdomyosarcoma",
            "pleomorphic rhabdomyosarcoma",
            "spindle cell rhabdomyosarcoma",
            "sclerosing rhabdomyosarcoma",
            "rms",
        ],
    ),
    soft("angiosarcoma", "Angiosarcoma", &[]),
    soft(
        "epithelioid hemangioendothelioma",
        "Epithelioid haemangioendothelioma",
        &["epithelioid haemangioendothelioma"],
    ),
    soft("synovial sarcoma", "Synovial sarcoma", &[]),
    soft(
        "mpnst",
        "Malignant peripheral nerve sheath tumor",
        &["malignant peripheral nerve sheath tumor", "neurofibrosarcoma", "malignant schwannoma"],
    ),
    soft(
        "undifferentiated pleomorphic sarcoma",
        "Undifferentiated pleomorphic sarcoma",
        &["pleomorphic sarcoma", "ups", "malignant fibrous histiocytoma", "mfh", "undifferentiated sarcoma"],
    ),
    soft("myxofibrosarcoma", "Myxofibrosarcoma", &[]),
    soft("fibrosarcoma", "Fibrosarcoma", &["adult fibrosarcoma", "infantile fibrosarcoma"]),
    soft(
        "solitary fibrous tumor, malignant",
        "Malignant solitary fibrous tumour",
        &[
            "solitary fibrous tumor",
            "malignant solitary fibrous tumor",
            "hemangiopericytoma",
            "haemangiopericytoma",
            "sft",
        ],
    ),
    soft("low grade fibromyxoid sarcoma", "Low-grade fibromyxoid sarcoma", &[]),
    soft("sclerosing epithelioid fibrosarcoma", "Sclerosing epithelioid fibrosarcoma", &[]),
    soft("epithelioid sarcoma", "Epithelioid sarcoma", &[]),
    soft("alveolar soft part sarcoma", "Alveolar soft part sarcoma", &["asps"]),
    soft("clear cell sarcoma", "Clear cell sarcoma", &["clear cell sarcoma of soft tissue"]),
    soft("extraskeletal myxoid chondrosarcoma", "Extraskeletal myxoid chondrosarcoma", &[]),
    soft("extraskeletal osteosarcoma", "Extraskeletal osteosarcoma", &[]),
    soft("desmoplastic small round cell tumor", "Desmoplastic small round cell tumour", &["dsrct"]),
    soft("cic rearranged sarcoma", "CIC-rearranged sarcoma", &[]),
    soft("bcor sarcoma", "Sarcoma with BCOR genetic alterations", &["sarcoma with bcor genetic alterations"]),
    soft("dermatofibrosarcoma protuberans", "Dermatofibrosarcoma protuberans", &["dfsp"]),
    soft("malignant tenosynovial giant cell tumor", "Malignant tenosynovial giant cell tumour", &[]),
    soft("spindle cell sarcoma", "Spindle cell sarcoma", &["spindle cell sarcoma nos"]),
    soft("sarcoma", "Sarcoma, not otherwise specified", &["sarcoma nos", "soft tissue sarcoma"]),
];

/// The text as matched: lower case, `-`/`_` as spaces, `tumour` as `tumor`,
/// single spaces, no trailing `nos` or punctuation.
fn normalise(text: &str) -> String {
    let lower = text.to_lowercase().replace(['-', '_'], " ").replace("tumour", "tumor");
    let words: Vec<&str> = lower.split_whitespace().collect();
    let mut joined = words.join(" ");
    for tail in [", nos", " nos"] {
        if let Some(stripped) = joined.strip_suffix(tail) {
            joined = stripped.to_string();
        }
    }
    joined.trim_end_matches(['.', ',']).to_string()
}

/// Every name and synonym, normalised, with its entity (built once).
fn index() -> &'static std::collections::HashMap<String, &'static Entity> {
    static INDEX: std::sync::OnceLock<std::collections::HashMap<String, &'static Entity>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        ENTITIES
            .iter()
            .flat_map(|e| std::iter::once(e.name).chain(e.synonyms.iter().copied()).map(move |n| (normalise(n), e)))
            .collect()
    })
}

/// The entity a histology names, if any (one hash lookup).
pub fn entity(text: &str) -> Option<&'static Entity> {
    index().get(&normalise(text)).copied()
}

/// The entity stored under `name` (a value already matched).
pub fn by_name(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|e| e.name == name)
}

/// Why `text` is not a histology of the vocabulary, with the nearest names.
pub fn unknown_message(text: &str) -> String {
    let t = normalise(text);
    let mut near: Vec<(usize, &str)> = ENTITIES
        .iter()
        .flat_map(|e| std::iter::once(e.name).chain(e.synonyms.iter().copied()).map(move |n| (n, e.name)))
        .map(|(n, canonical)| (crate::cohort::schema::edit_distance(&t, &normalise(n)), canonical))
        .filter(|(d, _)| *d <= (t.len() / 4).max(2))
        .collect();
    near.sort();
    near.dedup_by_key(|(_, name)| *name);
    let names: Vec<&str> = near.iter().take(3).map(|(_, n)| *n).collect();
    if names.is_empty() {
        format!("'{text}' is not a sarcoma of the WHO classification of bone and soft-tissue tumours (5th ed.): see `sbrt schema` for the names, or write 'sarcoma' for an unspecified one")
    } else {
        format!("'{text}' is not a histology of the WHO classification (5th ed.): did you mean {}?", names.join(" or "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_are_one_entity_and_chordoma_is_bone() {
        assert_eq!(entity("Malignant Peripheral Nerve Sheath Tumour").unwrap().name, "mpnst");
        assert_eq!(entity("MPNST").unwrap().name, "mpnst");
        assert_eq!(entity("Ewing's sarcoma").unwrap().name, "ewing sarcoma");
        assert_eq!(entity("MFH").unwrap().name, "undifferentiated pleomorphic sarcoma");
        assert_eq!(entity("Sarcoma, NOS").unwrap().name, "sarcoma");
        assert_eq!(entity("chordoma").unwrap().tissue, Tissue::Bone);
        assert_eq!(entity("myxoid liposarcoma").unwrap().name, "liposarcoma");
    }

    #[test]
    fn a_typo_is_not_a_category_and_gets_a_suggestion() {
        assert!(entity("Osteosarcmoa").is_none());
        assert!(
            unknown_message("Osteosarcmoa").contains("did you mean osteosarcoma"),
            "{}",
            unknown_message("Osteosarcmoa")
        );
        assert!(unknown_message("banana").contains("not a sarcoma"));
    }

    #[test]
    fn every_name_is_reachable() {
        for e in ENTITIES {
            assert_eq!(entity(e.name).map(|x| x.name), Some(e.name));
            for s in e.synonyms {
                assert_eq!(entity(s).map(|x| x.name), Some(e.name), "{s}");
            }
        }
    }
}
