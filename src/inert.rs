//! Text from the input made inert in each output format, so that a cell of
//! the cohort can never act as markup, a formula or a terminal command.
//!
//! - **Markdown** ([`markdown`]): every character Markdown or HTML gives a
//!   meaning (`\ | * _ ` [ ] # ~ $`, `<` before a letter, `/`, `!` or `?`,
//!   and `&` before a letter, digit or `#`) is written as a numeric
//!   character reference. References are decoded after a table row is split into
//!   cells (GFM and pandoc alike), so `a\|b` stays one cell showing `a\|b`,
//!   and `<script>` is text. Line breaks become spaces.
//! - **CSV** ([`csv_cell`]): a cell whose first non-blank character is
//!   `=`, `+`, `-`, `@`, a tab or a carriage return, and that is not a
//!   number, is prefixed with `'`, as OWASP recommends against formula
//!   injection (a spreadsheet then shows it as text).
//! - **Terminal** ([`terminal`]): control characters (newline, escape,
//!   NUL, …) are shown as `\u{1b}`-style escapes, so a cell cannot forge a
//!   `file:row:column` line or move the cursor.

use std::borrow::Cow;

/// Markdown text that renders as exactly `s`.
pub fn markdown(s: &str) -> Cow<'_, str> {
    const SPECIAL: &[char] = &['\\', '|', '*', '_', '`', '[', ']', '#', '~', '$', '\n', '\r'];
    let starts_entity = |rest: &str| rest.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '#');
    // `<` starts markup only before a letter, `/`, `!` or `?` (CommonMark raw HTML and autolinks).
    let starts_tag = |rest: &str| rest.starts_with(|c: char| c.is_ascii_alphabetic() || "/!?".contains(c));
    let needed = s.contains(SPECIAL)
        || s.match_indices('&').any(|(i, _)| starts_entity(&s[i + 1..]))
        || s.match_indices('<').any(|(i, _)| starts_tag(&s[i + 1..]));
    if !needed {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, c) in s.char_indices() {
        match c {
            '\n' | '\r' => out.push(' '),
            '&' if starts_entity(&s[i + 1..]) => out.push_str("&#38;"),
            '<' if starts_tag(&s[i + 1..]) => out.push_str("&#60;"),
            c if SPECIAL.contains(&c) => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A Markdown paragraph that renders as exactly `s`: as [`markdown`], and
/// a first character that could start a block (quotation, list, rule) is
/// written as a reference too.
pub fn markdown_paragraph(s: &str) -> String {
    let text = markdown(s);
    let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let numbered_list = digits > 0 && text[digits..].starts_with(['.', ')']);
    match text.chars().next() {
        Some(c) if c.is_ascii_punctuation() && !"&(".contains(c) || numbered_list => {
            format!("&#{};{}", c as u32, &text[c.len_utf8()..])
        }
        _ => text.into_owned(),
    }
}

/// A CSV cell that a spreadsheet will not run as a formula.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    let start = s.trim_start_matches(' ');
    let risky = start.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && start.trim().parse::<f64>().map_or(true, |v| !v.is_finite()) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Text safe to print on a terminal: control characters escaped.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_keeps_pipes_backslashes_and_tags_as_text() {
        assert_eq!(markdown("Leiomyosarcoma"), "Leiomyosarcoma");
        assert_eq!(markdown(r"back\|slash"), "back&#92;&#124;slash");
        assert_eq!(markdown("<script>alert(1)</script>"), "&#60;script>alert(1)&#60;/script>");
        assert_eq!(markdown("p <0.001, >40"), "p <0.001, >40");
        assert_eq!(markdown("a\nb"), "a b");
        assert_eq!(markdown("Sauerbrei & Schumacher, >40"), "Sauerbrei & Schumacher, >40");
        assert_eq!(markdown("&lt;b&gt; >x"), "&#38;lt;b&#38;gt; >x");
        assert_eq!(markdown_paragraph("> quote"), "&#62; quote");
        assert_eq!(markdown_paragraph("1. x"), "&#49;. x");
        assert_eq!(markdown_paragraph("Local control"), "Local control");
        assert_eq!(markdown_paragraph("500 resamples"), "500 resamples");
        assert!(!markdown("\"><img src=x onerror=alert(1)>").contains('<'));
    }

    #[test]
    fn csv_cells_that_start_a_formula_are_quoted_but_numbers_are_not() {
        for risky in
            ["=HYPERLINK(\"http://x\",\"y\")", "=1+1", "+sum(1,2)", "-2+3", "@cmd", "\t=1", "\r=1", "  =1", "-inf"]
        {
            assert!(csv_cell(risky).starts_with('\''), "{risky}");
        }
        for plain in ["-2.5", "+3", "1e-3", "Leiomyosarcoma", "  Men", ""] {
            assert_eq!(csv_cell(plain), plain);
        }
    }

    #[test]
    fn terminal_text_has_no_control_characters() {
        let forged = "x\ninj.csv:99:patient_id: error: FORGED LINE\u{1b}[2J";
        let shown = terminal(forged);
        assert!(!shown.chars().any(char::is_control), "{shown}");
        assert!(shown.contains("\\u{a}") && shown.contains("\\u{1b}"));
        assert_eq!(terminal("plain – text"), "plain – text");
    }
}
