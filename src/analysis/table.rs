//! A report table: a title, column headers and rows of text cells with an
//! indent level, written as CSV, Markdown or HTML. Number formatting
//! shared by every table lives here too.

use serde::Serialize;

/// One row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Cells, one per column.
    pub cells: Vec<String>,
    /// 0 for a variable, 1 for its levels, 2 for sub-levels.
    pub indent: u8,
}

/// A table of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// File stem, e.g. `table1`.
    pub id: String,
    /// Caption.
    pub title: String,
    /// Column headers.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Footnotes.
    pub notes: Vec<String>,
}

impl Table {
    /// An empty table.
    pub fn new(id: &str, title: &str, columns: &[&str]) -> Table {
        Table {
            id: id.into(),
            title: title.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: vec![],
            notes: vec![],
        }
    }

    /// Append a row, padding it to the number of columns.
    pub fn push(&mut self, indent: u8, cells: Vec<String>) {
        let mut cells = cells;
        cells.resize(self.columns.len(), String::new());
        self.rows.push(Row { cells, indent });
    }

    /// CSV, with a UTF-8 byte-order mark so that a spreadsheet reads "–",
    /// "≤" and "₅" as written; indentation as leading spaces in the first
    /// cell; no cell can start a formula ([`crate::inert::csv_cell`]).
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(self.columns.iter().map(|c| crate::inert::csv_cell(c).into_owned())).expect("in-memory write");
        for r in &self.rows {
            let mut cells: Vec<String> = r.cells.iter().map(|c| crate::inert::csv_cell(c).into_owned()).collect();
            cells[0] = format!("{}{}", "  ".repeat(r.indent as usize), cells[0]);
            w.write_record(&cells).expect("in-memory write");
        }
        let text = String::from_utf8(w.into_inner().expect("in-memory")).expect("utf-8 cells");
        format!("\u{feff}{text}")
    }

    /// Markdown: a title line, a pipe table, notes.
    pub fn to_markdown(&self) -> String {
        let esc = |s: &str| crate::inert::markdown(s).into_owned();
        let mut out = format!(
            "**{}**\n\n| {} |\n|{}|\n",
            esc(&self.title),
            self.columns.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | "),
            vec!["---"; self.columns.len()].join("|")
        );
        for r in &self.rows {
            let mut cells: Vec<String> = r.cells.iter().map(|c| esc(c)).collect();
            cells[0] = format!("{}{}", "&nbsp;&nbsp;".repeat(r.indent as usize), cells[0]);
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        }
        for n in &self.notes {
            out.push_str(&format!("\n{}\n", crate::inert::markdown_paragraph(n)));
        }
        out
    }
}

/// Count with percent of a total, as `30 (68.2%)`.
pub fn count_pct(n: usize, total: usize) -> String {
    if total == 0 {
        return format!("{n}");
    }
    format!("{n} ({:.1}%)", 100.0 * n as f64 / total as f64)
}

/// A p-value as tables print it: `<0.001` or three decimals.
pub fn p_value(p: Option<f64>) -> String {
    match p {
        None => "–".into(),
        Some(p) if p < 0.001 => "<0.001".into(),
        Some(p) => format!("{p:.3}"),
    }
}

/// A proportion as a percentage with one decimal.
pub fn percent(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{:.1}", 100.0 * v))
}

/// A number with `digits` decimals, or an en dash.
pub fn fixed(v: Option<f64>, digits: usize) -> String {
    v.filter(|x| x.is_finite()).map_or("–".into(), |x| format!("{x:.digits$}"))
}

/// R's `median` (mean of the two middle values for an even count).
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}

/// `median (min–max)` with the given decimals.
pub fn median_range(values: &[f64], digits: usize) -> String {
    match median(values) {
        None => "–".into(),
        Some(m) => {
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            format!("{m:.digits$} ({min:.digits$}–{max:.digits$})")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(count_pct(30, 44), "30 (68.2%)");
        assert_eq!(p_value(Some(0.0004)), "<0.001");
        assert_eq!(p_value(Some(0.0321)), "0.032");
        assert_eq!(median(&[3.0, 1.0, 2.0, 10.0]), Some(2.5));
        assert_eq!(median_range(&[1.25, 16.0, 163.6], 1), "16.0 (1.2–163.6)");
    }

    #[test]
    fn renders_csv_and_markdown() {
        let mut t = Table::new("t", "T", &["Variable", "n"]);
        t.push(0, vec!["Gender".into()]);
        t.push(1, vec!["Men".into(), "3 (60.0%)".into()]);
        assert_eq!(t.to_csv(), "\u{feff}Variable,n\nGender,\n  Men,3 (60.0%)\n");
        assert!(t.to_markdown().contains("| &nbsp;&nbsp;Men | 3 (60.0%) |"));
    }
}
