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
    /// The source line, for display.
    pub source: String,
}
