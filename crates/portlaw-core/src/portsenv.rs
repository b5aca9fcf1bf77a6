//! `config/ports.env`: parsing what people and tools write, and generating what portlaw writes.
//!
//! Accepted, so that one file serves bash `source`, docker compose `env_file`, systemd
//! `EnvironmentFile` and python-dotenv: blank lines, `#` comments, `KEY=VALUE`, an optional
//! `export ` prefix, a value in matching single or double quotes, CRLF line ends and a UTF-8
//! BOM. Rejected with file:line: any other line, a key that is not an identifier, an unclosed
//! quote, and a key given twice (the tools above disagree on which one wins).
//!
//! ```
//! use portlaw_core::portsenv::PortsEnv;
//! let env = PortsEnv::parse("# x\nexport RECORDING_PORT=\"9010\"\r\n", "ports.env").unwrap();
//! assert_eq!(env.get("RECORDING_PORT").unwrap().value, "9010");
//! ```

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::Error;
use crate::registry::Registry;

/// One `KEY=VALUE` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// A parsed ports.env file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PortsEnv {
    pub path: String,
    pub entries: Vec<Entry>,
    /// The text as read (BOM removed), to detect hand edits.
    pub text: String,
    /// Key to position in `entries`.
    index: HashMap<String, usize>,
}

impl PortsEnv {
    /// Reads a ports.env file; `Ok(None)` when it does not exist (it is optional).
    pub fn load(path: &Path) -> Result<Option<PortsEnv>, Error> {
        if !path.exists() && !path.is_symlink() {
            return Ok(None);
        }
        let text = crate::fsutil::read_text(path)?;
        PortsEnv::parse(&text, &crate::fsutil::shown(path)).map(Some)
    }

    pub fn parse(text: &str, file: &str) -> Result<PortsEnv, Error> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut entries: Vec<Entry> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, raw) in text.split('\n').enumerate() {
            let line = i + 1;
            let l = raw.strip_suffix('\r').unwrap_or(raw).trim();
            if l.is_empty() || l.starts_with('#') {
                continue;
            }
            let body = l.strip_prefix("export ").map(str::trim_start).unwrap_or(l);
            let Some((key, value)) = body.split_once('=') else {
                return Err(Error::at(
                    file,
                    line,
                    format!("expected KEY=VALUE, found '{l}'"),
                ));
            };
            let key = key.trim_end();
            if !is_identifier(key) {
                return Err(Error::at(
                    file,
                    line,
                    format!("'{key}' is not a variable name"),
                ));
            }
            let value = unquote(value.trim_start())
                .map_err(|m| Error::at(file, line, format!("{key}: {m}")))?;
            if let Some(first) = index.get(key).map(|&i| &entries[i]) {
                return Err(Error::at(
                    file,
                    line,
                    format!(
                        "{key} is set twice (first on line {}); keep one",
                        first.line
                    ),
                ));
            }
            index.insert(key.to_string(), entries.len());
            entries.push(Entry {
                key: key.to_string(),
                value,
                line,
            });
        }
        Ok(PortsEnv {
            path: file.to_string(),
            entries,
            text: text.to_string(),
            index,
        })
    }

    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.index.get(key).map(|&i| &self.entries[i])
    }
}

/// A shell variable name: what every reader of ports.env accepts as a key.
pub(crate) fn is_identifier(s: &str) -> bool {
    let mut b = s.bytes();
    matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// Strips matching quotes. Unquoted values end at ` #` (an inline comment, as dotenv and bash
/// read it) and may not contain spaces, quotes or `$`, which the four readers interpret apart.
fn unquote(v: &str) -> Result<String, String> {
    for q in ['"', '\''] {
        if let Some(rest) = v.strip_prefix(q) {
            let Some(end) = rest.find(q) else {
                return Err(format!("unclosed {q} quote in {v}"));
            };
            let after = rest[end + 1..].trim();
            if !(after.is_empty() || after.starts_with('#')) {
                return Err(format!("unexpected text after the closing quote: {v}"));
            }
            return Ok(rest[..end].to_string());
        }
    }
    let v = match v.find(" #") {
        Some(i) => v[..i].trim_end(),
        None => v.trim_end(),
    };
    if v.contains([' ', '\t', '"', '\'', '$', '`', '\\']) {
        return Err(format!(
            "value '{v}' needs quoting; portlaw ports.env values are plain numbers"
        ));
    }
    Ok(v.to_string())
}

/// The ports.env text portlaw writes for `reg`: every non-retired service, grouped by range.
pub fn generate(reg: &Registry) -> String {
    let mut out = String::from(
        "# config/ports.env: GENERATED by `portlaw env --write` from config/ports.toml.\n\
         # Do not edit by hand: change config/ports.toml and regenerate.\n\
         # Plain KEY=VALUE lines, read alike by bash `source`, docker compose env_file,\n\
         # systemd EnvironmentFile and python-dotenv.\n",
    );
    // Group by range in declaration order (services outside every range last), then by port.
    let mut services: Vec<(usize, &crate::Service)> = reg
        .live_services()
        .map(|s| {
            let g = reg.ranges.iter().position(|r| r.span.contains(s.port));
            (g.unwrap_or(usize::MAX), s)
        })
        .collect();
    services.sort_by_key(|(g, s)| (*g, s.port));
    let mut current = None;
    for (g, s) in services {
        if current != Some(g) {
            current = Some(g);
            let title = match reg.ranges.get(g) {
                // One comment line: a multi-line purpose would leave a bare line that no
                // reader of this file (portlaw included) accepts.
                Some(r) => format!("{} ({})", r.purpose.replace(['\r', '\n'], " "), r.span),
                None => "Outside every range".to_string(),
            };
            let _ = write!(out, "\n# {title}\n");
        }
        let _ = writeln!(out, "{}={}", s.env, s.port);
    }
    out
}

/// One way a ports.env file on disk differs from the generated one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Drift {
    Missing {
        key: String,
        expected: String,
    },
    Extra {
        key: String,
        value: String,
        line: usize,
    },
    Different {
        key: String,
        expected: String,
        found: String,
        line: usize,
    },
    /// Same values, but not the text portlaw writes (comments, order or spacing changed).
    HandEdited,
}

impl Drift {
    pub fn line(&self) -> usize {
        match self {
            Drift::Extra { line, .. } | Drift::Different { line, .. } => *line,
            _ => 0,
        }
    }
    pub fn message(&self) -> String {
        match self {
            Drift::Missing { key, expected } => {
                format!("{key} is missing (expected {key}={expected})")
            }
            Drift::Extra { key, value, .. } => {
                format!("{key}={value} is not a registered service's variable")
            }
            Drift::Different {
                key,
                expected,
                found,
                ..
            } => {
                format!("{key}={found} differs from the registry ({key}={expected})")
            }
            Drift::HandEdited => {
                "values agree but the file was edited by hand (comments, order or spacing)".into()
            }
        }
    }
}

/// Differences between a ports.env on disk and what `generate` would write.
pub fn drift(reg: &Registry, on_disk: &PortsEnv) -> Vec<Drift> {
    let mut out = Vec::new();
    for s in reg.live_services() {
        match on_disk.get(&s.env) {
            None => out.push(Drift::Missing {
                key: s.env.clone(),
                expected: s.port.to_string(),
            }),
            Some(e) if e.value != s.port.to_string() => out.push(Drift::Different {
                key: s.env.clone(),
                expected: s.port.to_string(),
                found: e.value.clone(),
                line: e.line,
            }),
            Some(_) => {}
        }
    }
    let live: HashSet<&str> = reg.live_services().map(|s| s.env.as_str()).collect();
    for e in &on_disk.entries {
        if !live.contains(e.key.as_str()) {
            out.push(Drift::Extra {
                key: e.key.clone(),
                value: e.value.clone(),
                line: e.line,
            });
        }
    }
    if out.is_empty() && on_disk.text.replace("\r\n", "\n") != generate(reg) {
        out.push(Drift::HandEdited);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<PortsEnv, String> {
        PortsEnv::parse(t, "ports.env").map_err(|e| e.to_string())
    }

    #[test]
    fn accepts_the_forms_the_four_readers_share() {
        let e = parse("\u{FEFF}# c\r\nA_PORT=1\r\nexport B_PORT=2\nC_PORT=\"3\"\nD_PORT='4' # x\nE_PORT=5 # note\n\n")
            .unwrap();
        let got: Vec<_> = e
            .entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str(), e.line))
            .collect();
        assert_eq!(
            got,
            [
                ("A_PORT", "1", 2),
                ("B_PORT", "2", 3),
                ("C_PORT", "3", 4),
                ("D_PORT", "4", 5),
                ("E_PORT", "5", 6)
            ]
        );
        assert!(parse("").unwrap().entries.is_empty());
    }

    #[test]
    fn rejects_with_line_numbers() {
        let cases = [
            ("A_PORT=1\ngarbage\n", "ports.env:2: expected KEY=VALUE"),
            (
                "A_PORT=1\nA_PORT=2\n",
                "ports.env:2: A_PORT is set twice (first on line 1)",
            ),
            ("1A=3\n", "ports.env:1: '1A' is not a variable name"),
            ("A=\"3\n", "ports.env:1: A: unclosed"),
            ("A=$B\n", "ports.env:1: A: value '$B' needs quoting"),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err();
            assert!(e.starts_with(want), "{text:?}: {e}");
        }
    }

    #[test]
    fn generated_file_parses_back_and_has_no_drift() {
        let reg = Registry::builtin();
        let text = generate(&reg);
        let env = parse(&text).unwrap();
        assert_eq!(env.entries.len(), 12);
        assert!(drift(&reg, &env).is_empty());
        assert!(text.contains("# Subscriber Services (9010-9019)\nRECORDING_PORT=9010\n"));
    }

    #[test]
    fn a_multi_line_range_purpose_stays_one_comment_line() {
        let reg = Registry::parse(
            "[[range]]\nname = \"apps\"\nports = \"110-119\"\npurpose = \"\"\"Apps\nand more\"\"\"\n\n[[service]]\nid = \"a\"\nname = \"A\"\nport = 111\nenv = \"A_PORT\"\n",
            crate::Origin::Builtin,
        )
        .unwrap();
        let text = generate(&reg);
        assert!(
            text.contains("\n# Apps and more (110-119)\nA_PORT=111\n"),
            "{text}"
        );
        let env = parse(&text).unwrap();
        assert!(drift(&reg, &env).is_empty());
    }

    #[test]
    fn drift_lists_each_difference() {
        let reg = Registry::builtin();
        let text = generate(&reg)
            .replace("RECORDING_PORT=9010", "RECORDING_PORT=9019")
            .replace("CDP_PORT=9222\n", "")
            + "EXTRA_PORT=1\n";
        let d = drift(&reg, &parse(&text).unwrap());
        assert_eq!(d.len(), 3, "{d:?}");
        let hand = generate(&reg) + "# my note\n";
        assert_eq!(drift(&reg, &parse(&hand).unwrap()), [Drift::HandEdited]);
    }
}
