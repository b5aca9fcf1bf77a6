//! Inline suppressions: `portlaw: ignore[PL001] reason` in any comment syntax
//! (`# ...`, `// ...`, `/* ... */`, `<!-- ... -->`).
//!
//! A suppression at the end of a line covers that line; one on a line of its own covers the
//! next line of code (blank lines and comment lines in between are passed over, so
//! suppressions can be stacked). Codes are comma-separated. A suppression must give a reason (PL101), and one that
//! suppresses nothing is reported (PL100), so stale ones do not pile up.
//!
//! ```text
//! app.run(port=9010)  # portlaw: ignore[PL001] the test harness pins this port
//! ```

use crate::diag::{Code, Raw};
use crate::rules::Meta;
use crate::site::Comment;

pub const UNUSED: Meta = Meta {
    code: Code::PL100,
    name: "unused-suppression",
    summary: "A portlaw: ignore[...] comment that suppresses nothing",
    help: "Remove the suppression (or the code it names) so that it cannot hide a future finding.",
};

pub const NO_REASON: Meta = Meta {
    code: Code::PL101,
    name: "suppression-without-reason",
    summary: "A portlaw: ignore[...] comment without a reason",
    help: "Say why the port is allowed here, after the bracket: # portlaw: ignore[PL001] reason.",
};

/// One parsed suppression.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// 0-based line it covers.
    pub line: usize,
    /// Codes (and unknown words, kept to report them).
    pub codes: Vec<(String, Option<Code>)>,
    pub reason: String,
    pub start: usize,
    pub end: usize,
}

/// Reads the suppressions out of `comments`. `line_of` maps an offset to a 0-based line.
pub fn parse(
    src: &str,
    comments: &[Comment],
    line_of: &dyn Fn(usize) -> usize,
) -> Vec<Suppression> {
    let mut out = Vec::new();
    let mut starts: Vec<(usize, usize)> = comments.iter().map(|c| (c.start, c.end)).collect();
    starts.sort_unstable();
    for c in comments {
        let text = &src[c.start..c.end];
        // Doc comments document suppressions; they do not make them.
        if ["///", "//!", "/**", "/*!"]
            .iter()
            .any(|d| text.starts_with(d))
        {
            continue;
        }
        let Some(p) = text.find("portlaw:") else {
            continue;
        };
        if p > 0 && matches!(text.as_bytes()[p - 1], b'`' | b'"' | b'\'') {
            continue;
        }
        let rest = text[p + 8..].trim_start();
        let Some(rest) = rest.strip_prefix("ignore[") else {
            continue;
        };
        let Some(close) = rest.find(']') else {
            continue;
        };
        let codes = rest[..close]
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .map(|s| (s.to_string(), Code::parse(s)))
            .collect();
        let reason = rest[close + 1..]
            .trim()
            .trim_end_matches("-->")
            .trim_end_matches("*/")
            .trim()
            .to_string();
        let line = line_of(c.start);
        let line_start = src[..c.start].rfind('\n').map(|i| i + 1).unwrap_or(0);
        let own_line = src[line_start..c.start].trim().is_empty();
        out.push(Suppression {
            line: if own_line {
                next_code_line(src, &starts, c.end, line_of)
            } else {
                line
            },
            codes,
            reason,
            start: c.start + p,
            end: c.end,
        });
    }
    out
}

/// The first line after offset `from` that holds code: blank lines and lines that start with
/// a comment (another suppression stacked above, an explanation) are passed over.
fn next_code_line(
    src: &str,
    comments: &[(usize, usize)],
    from: usize,
    line_of: &dyn Fn(usize) -> usize,
) -> usize {
    // At most this many lines are passed over, so that a file of thousands of stacked
    // comments stays linear.
    const MAX_SKIP: usize = 64;
    let mut at = src[from..].find('\n').map(|i| from + i + 1);
    for _ in 0..MAX_SKIP {
        let Some(start) = at else { break };
        let body = &src[start..];
        let lead = body.len() - body.trim_start_matches([' ', '\t', '\r']).len();
        let first = start + lead;
        let blank = body[lead..].starts_with('\n');
        let comment = comments
            .binary_search_by_key(&first, |c| c.0)
            .ok()
            .map(|k| comments[k]);
        match comment {
            _ if blank => at = Some(first + 1),
            // `/* note */ app.listen(9010)`: code after the comment on the same line.
            Some((_, end))
                if !src[end..]
                    .split('\n')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .is_empty() =>
            {
                return line_of(start);
            }
            Some((_, end)) => at = src[end..].find('\n').map(|i| end + i + 1),
            None => return line_of(start),
        }
    }
    at.map_or(line_of(from) + 1, line_of)
}

/// Drops suppressed findings and adds PL100/PL101 for the suppressions themselves.
/// `enabled` says which codes are being checked: a suppression of a code that is not is not
/// "unused".
pub fn apply(
    raws: Vec<Raw>,
    sups: &[Suppression],
    line_of: &dyn Fn(usize) -> usize,
    enabled: &dyn Fn(Code) -> bool,
) -> Vec<Raw> {
    let mut used = vec![vec![false; 0]; sups.len()];
    for (u, s) in used.iter_mut().zip(sups) {
        *u = vec![false; s.codes.len()];
    }
    let mut by_line: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    for (k, s) in sups.iter().enumerate() {
        by_line.entry(s.line).or_default().push(k);
    }
    let mut kept = Vec::new();
    for r in raws {
        let line = line_of(r.start);
        let mut hit = false;
        for &k in by_line.get(&line).map_or(&[][..], Vec::as_slice) {
            let s = &sups[k];
            for (j, (_, code)) in s.codes.iter().enumerate() {
                if *code == Some(r.code) {
                    used[k][j] = true;
                    hit = true;
                }
            }
        }
        if !hit {
            kept.push(r);
        }
    }
    for (k, s) in sups.iter().enumerate() {
        for (j, (word, code)) in s.codes.iter().enumerate() {
            match code {
                None => kept.push(Raw {
                    code: Code::PL100,
                    start: s.start,
                    end: s.end,
                    message: format!("unknown rule code {word} in suppression"),
                    hint: Some("codes are PL001-PL007".into()),
                }),
                Some(c) if !used[k][j] && enabled(*c) && enabled(Code::PL100) => kept.push(Raw {
                    code: Code::PL100,
                    start: s.start,
                    end: s.end,
                    message: format!("unused suppression of {c}"),
                    hint: Some("remove it".into()),
                }),
                _ => {}
            }
        }
        if s.reason.is_empty() && enabled(Code::PL101) {
            kept.push(Raw {
                code: Code::PL101,
                start: s.start,
                end: s.end,
                message: "suppression without a reason".into(),
                hint: Some("say why after the bracket: portlaw: ignore[PL001] why".into()),
            });
        }
    }
    kept
}
