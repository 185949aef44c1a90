//! A report table: a title, column headers and rows of text cells with an
//! indent level, written as CSV or Markdown here and as HTML and Word by
//! [`super::html`] and [`super::docx`].
//!
//! A table may have spanning header rows above its column heads (the
//! paper's Table 4: the endpoint over "Univariate" / "Multivariable" over
//! the columns). HTML and Word draw them; CSV and Markdown, which have one
//! header row, keep the flat `columns`, each naming its whole path.

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
    /// Column headers, each complete (`Overall survival: p-value (univariate)`).
    pub columns: Vec<String>,
    /// Spanning header rows above the column heads, each a list of
    /// `(text, columns spanned)` covering every column; empty for one row.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Vec<(String, usize)>>,
    /// The column heads under the spanning rows (`p-value`); `columns`
    /// where there are none.
    pub heads: Vec<String>,
    /// Rows.
    pub rows: Vec<Row>,
    /// Footnotes.
    pub notes: Vec<String>,
}

impl Table {
    /// An empty table.
    pub fn new(id: &str, title: &str, columns: &[&str]) -> Table {
        let columns: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        Table {
            id: id.into(),
            title: title.into(),
            heads: columns.clone(),
            columns,
            groups: vec![],
            rows: vec![],
            notes: vec![],
        }
    }

    /// Spanning header rows over short column heads (one per column).
    pub fn with_groups(mut self, groups: Vec<Vec<(String, usize)>>, heads: Vec<String>) -> Table {
        assert_eq!(heads.len(), self.columns.len(), "one head per column");
        for row in &groups {
            assert_eq!(row.iter().map(|g| g.1).sum::<usize>(), self.columns.len(), "a header row spans every column");
        }
        self.groups = groups;
        self.heads = heads;
        self
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_csv_and_markdown() {
        let mut t = Table::new("t", "T", &["Variable", "n"]);
        t.push(0, vec!["Gender".into()]);
        t.push(1, vec!["Men".into(), "3 (60.0%)".into()]);
        assert_eq!(t.to_csv(), "\u{feff}Variable,n\nGender,\n  Men,3 (60.0%)\n");
        assert!(t.to_markdown().contains("| &nbsp;&nbsp;Men | 3 (60.0%) |"));
    }
}
