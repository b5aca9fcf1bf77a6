//! Rule codes and diagnostics.

use serde::Serialize;

/// A stable rule code. Codes are never renumbered or reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Code {
    PL001,
    PL002,
    PL003,
    PL004,
    PL005,
    PL006,
    PL007,
    PL100,
    PL101,
}

impl Code {
    pub const ALL: [Code; 9] = [
        Code::PL001,
        Code::PL002,
        Code::PL003,
        Code::PL004,
        Code::PL005,
        Code::PL006,
        Code::PL007,
        Code::PL100,
        Code::PL101,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::PL001 => "PL001",
            Code::PL002 => "PL002",
            Code::PL003 => "PL003",
            Code::PL004 => "PL004",
            Code::PL005 => "PL005",
            Code::PL006 => "PL006",
            Code::PL007 => "PL007",
            Code::PL100 => "PL100",
            Code::PL101 => "PL101",
        }
    }

    /// Parses `PL001` (any case); `None` for an unknown code.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The rule's metadata.
    pub fn meta(self) -> &'static crate::rules::Meta {
        crate::rules::meta(self)
    }

    /// When two rules flag the same span, the earlier in this order wins: the most specific
    /// statement of what is wrong.
    pub fn precedence(self) -> u8 {
        match self {
            Code::PL006 => 0,
            Code::PL005 => 1,
            Code::PL001 => 2,
            Code::PL007 => 3,
            Code::PL002 => 4,
            _ => 5,
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A rule's verdict on a span of one file (byte offsets), before positions are computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    pub code: Code,
    pub start: usize,
    pub end: usize,
    pub message: String,
    pub hint: Option<String>,
}

/// A finding, located.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    /// The rule's name (`hard-coded-port`).
    pub rule: &'static str,
    /// Path relative to the repository root, with `/` separators.
    pub path: String,
    /// 1-based line and column (columns count characters).
    pub line: usize,
    pub col: usize,
    pub end_col: usize,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The source line, for display; for a long line (a minified bundle's can be megabytes)
    /// the part around the span, cut ends marked with `…` (see [`snippet`]).
    pub source: String,
    /// The span's 1-based column in `source`.
    #[serde(skip)]
    pub source_col: usize,
}

/// The part of `line` shown for the span at bytes `start..end` of it: the whole line when it
/// is short, else at most `CONTEXT` characters either side of the span, cut ends marked with
/// `…`. Returns the text and the span's 1-based column in it. Costs O(CONTEXT), not O(line),
/// so a line with thousands of findings stays cheap.
pub fn snippet(line: &str, start: usize, end: usize) -> (String, usize) {
    const CONTEXT: usize = 60;
    let start = start.min(line.len());
    let end = end.clamp(start, line.len());
    if line.len() <= 2 * CONTEXT + 40 {
        return (line.to_string(), line[..start].chars().count() + 1);
    }
    let from = line[..start]
        .char_indices()
        .rev()
        .take(CONTEXT)
        .last()
        .map_or(start, |(i, _)| i);
    let to = line[end..]
        .char_indices()
        .nth(CONTEXT)
        .map_or(line.len(), |(i, _)| end + i);
    let mut s = String::with_capacity(to - from + 8);
    if from > 0 {
        s.push('…');
    }
    s.push_str(&line[from..to]);
    if to < line.len() {
        s.push('…');
    }
    (
        s,
        line[from..start].chars().count() + 1 + usize::from(from > 0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_of_long_lines_keep_the_span() {
        let short = "app.run(port=9010)";
        assert_eq!(snippet(short, 13, 17), (short.into(), 14));
        let line = format!("{}9010{}", "é".repeat(500), "x".repeat(500));
        let (s, col) = snippet(&line, 1000, 1004);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(s.chars().count(), 2 + 60 + 4 + 60);
        let at: String = s.chars().skip(col - 1).take(4).collect();
        assert_eq!(at, "9010");
        // Near the start: nothing cut on the left.
        let (s, col) = snippet(&line[1000..], 0, 4);
        assert!(s.starts_with("9010") && col == 1, "{s}");
        // Out-of-range offsets (never produced) are clamped, not a panic.
        let _ = snippet(&line, 5000, 5001);
    }
}
