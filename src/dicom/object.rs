//! Opening one file as a DICOM data set, and reading its attributes.
//!
//! A DICOM file (PS3.10) has a 128-byte preamble, `DICM`, and a file meta
//! group naming its transfer syntax. Some exports (and pydicom's own RT test
//! files) are a bare data set without them; such a file is read when it
//! starts with a group 0008 element, as implicit VR little endian (or
//! explicit, when a two-letter VR follows the tag) — what PS3.5 makes the
//! default. Anything else is not DICOM and is skipped by the caller.
//!
//! Attributes are read by tag ([`dicom_dictionary_std::tags`]); a missing or
//! unreadable one is `None`, and the callers say which one they needed.

use dicom_dictionary_std::tags;
use dicom_object::{InMemDicomObject, OpenFileOptions};
use dicom_transfer_syntax_registry::entries::{EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN};
use std::io::Read;
use std::path::Path;

pub use dicom_object::Tag;

/// A data set as read.
pub type DataSet = InMemDicomObject;

/// Implicit VR little endian, PS3.5's default transfer syntax.
pub const IMPLICIT_LE: &str = "1.2.840.10008.1.2";
/// Explicit VR little endian.
pub const EXPLICIT_LE: &str = "1.2.840.10008.1.2.1";

/// A file opened as DICOM.
pub struct Opened {
    /// The data set (without pixel data unless asked for).
    pub data: DataSet,
    /// Transfer syntax UID of the file's data set.
    pub transfer_syntax: String,
}

/// Why a file was not opened.
#[derive(Debug)]
pub enum NotOpened {
    /// Neither a PS3.10 file nor a bare data set.
    NotDicom,
    /// It looked like DICOM but could not be parsed.
    Unreadable(String),
}

/// Open `path`; `with_pixels` reads the pixel data too (else reading stops
/// before it, which is all a folder scan needs).
pub fn open(path: &Path, with_pixels: bool) -> Result<Opened, NotOpened> {
    let mut head = [0u8; 132];
    let n = std::fs::File::open(path)
        .and_then(|mut f| read_up_to(&mut f, &mut head))
        .map_err(|e| NotOpened::Unreadable(e.to_string()))?;
    let unreadable = |e: &dyn std::fmt::Display| NotOpened::Unreadable(first_line(&e.to_string()));
    if n == 132 && &head[128..132] == b"DICM" {
        let options = OpenFileOptions::new();
        let options = if with_pixels { options } else { options.read_until(tags::PIXEL_DATA) };
        let file = options.open_file(path).map_err(|e| unreadable(&e))?;
        let transfer_syntax = file.meta().transfer_syntax().trim_end_matches(['\0', ' ']).to_string();
        return Ok(Opened { data: file.into_inner(), transfer_syntax });
    }
    if n >= 8 && head[0] == 0x08 && head[1] == 0x00 {
        let explicit = head[4].is_ascii_uppercase() && head[5].is_ascii_uppercase();
        let (ts, uid) = if explicit {
            (EXPLICIT_VR_LITTLE_ENDIAN.erased(), EXPLICIT_LE)
        } else {
            (IMPLICIT_VR_LITTLE_ENDIAN.erased(), IMPLICIT_LE)
        };
        let reader = std::io::BufReader::new(std::fs::File::open(path).map_err(|e| unreadable(&e))?);
        let data = DataSet::read_dataset_with_ts(reader, &ts).map_err(|e| unreadable(&e))?;
        return Ok(Opened { data, transfer_syntax: uid.to_string() });
    }
    Err(NotOpened::NotDicom)
}

fn read_up_to(f: &mut std::fs::File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

/// A text attribute, trimmed; `None` when absent or empty.
pub fn text(data: &DataSet, tag: Tag) -> Option<String> {
    let e = data.get(tag)?;
    // A data set in a transfer syntax this reader only knows by name reads
    // its elements as UN: their bytes are still the text.
    let s = if e.vr() == dicom_core::VR::UN {
        String::from_utf8_lossy(&e.to_bytes().ok()?).into_owned().into()
    } else {
        e.to_str().ok()?
    };
    let s = s.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    (!s.is_empty()).then(|| s.to_string())
}

/// A numeric attribute (DS, IS or binary), finite.
pub fn number(data: &DataSet, tag: Tag) -> Option<f64> {
    data.get(tag)?.to_float64().ok().filter(|v| v.is_finite())
}

/// A multi-valued numeric attribute, every value finite.
pub fn numbers(data: &DataSet, tag: Tag) -> Option<Vec<f64>> {
    let v = data.get(tag)?.to_multi_float64().ok()?;
    v.iter().all(|x| x.is_finite()).then_some(v)
}

/// The items of a sequence attribute (none when absent).
pub fn items(data: &DataSet, tag: Tag) -> &[DataSet] {
    data.get(tag).and_then(|e| e.items()).unwrap_or(&[])
}

/// The UID an item of a reference sequence points at
/// (Referenced SOP Instance UID of its first item).
pub fn referenced_uid(data: &DataSet, sequence: Tag) -> Option<String> {
    items(data, sequence).first().and_then(|i| text(i, tags::REFERENCED_SOP_INSTANCE_UID))
}

/// A DICOM date (DA, `YYYYMMDD`) as `YYYY-MM-DD`.
pub fn date(data: &DataSet, tag: Tag) -> Option<crate::cohort::date::Date> {
    let s = text(data, tag)?;
    let s = s.get(..8)?;
    let (y, m, d) = (s[..4].parse().ok()?, s[4..6].parse().ok()?, s[6..8].parse().ok()?);
    crate::cohort::date::Date::from_ymd(y, m, d)
}
