//! Machine-readable output: JSON, SARIF 2.1.0 (for GitHub code scanning) and GitHub workflow
//! annotations. Human output, which needs colour, lives in the CLI.

use serde_json::{Value, json};

use crate::diag::{Code, Diagnostic};
use crate::engine::Report;

/// `{"findings": [...], "summary": {...}}`.
pub fn json(report: &Report) -> Value {
    let findings: Vec<Value> = report
        .diagnostics
        .iter()
        .zip(fingerprints(&report.diagnostics))
        .map(|(d, fp)| {
            let mut v = serde_json::to_value(d).expect("diagnostics serialise");
            v["fingerprint"] = json!(fp);
            v
        })
        .collect();
    json!({
        "findings": findings,
        "summary": {
            "findings": report.diagnostics.len(),
            "files_checked": report.files_checked,
            "skipped": report.skipped,
        }
    })
}

/// A SARIF 2.1.0 log with one run. Paths are relative to the repository root
/// (`%SRCROOT%`), and each result carries a fingerprint that survives unrelated edits above it.
pub fn sarif(report: &Report, version: &str) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            let m = c.meta();
            json!({
                "id": c.as_str(),
                "name": m.name,
                "shortDescription": {"text": m.summary},
                "fullDescription": {"text": format!("{}. {}", m.summary, m.help)},
                "help": {"text": m.help, "markdown": m.help},
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["ports"]}
            })
        })
        .collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .zip(fingerprints(&report.diagnostics))
        .map(|(d, fp)| {
            let mut text = d.message.clone();
            if let Some(h) = &d.hint {
                text.push_str(&format!(" (hint: {h})"));
            }
            json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": "error",
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&d.path), "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": d.line,
                            "startColumn": d.col,
                            "endLine": d.line,
                            "endColumn": d.end_col.max(d.col + 1),
                        }
                    }
                }],
                "partialFingerprints": {"portlaw/v1": fp}
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "portlaw",
                "version": version,
                "informationUri": "https://example.invalid/portlaw",
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The repository root"}}},
            // Columns count characters (SARIF's default would be UTF-16 code units).
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// GitHub Actions workflow commands: `::error file=...,line=...::message`.
pub fn github(report: &Report) -> String {
    let mut s = String::new();
    for d in &report.diagnostics {
        let mut msg = d.message.clone();
        if let Some(h) = &d.hint {
            msg.push_str(&format!("\nhint: {h}"));
        }
        s.push_str(&format!(
            "::error title={},file={},line={},col={},endColumn={}::{}\n",
            prop(&format!("{} {}", d.code, d.rule)),
            prop(&d.path),
            d.line,
            d.col,
            d.end_col,
            data(&msg)
        ));
    }
    s
}

fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A relative path as a URI reference (SARIF's `uri` must be one): every byte but the
/// unreserved characters and `/` percent-encoded, so `my app/café.py` becomes
/// `my%20app/caf%C3%A9.py` and a `#` or `?` in a name is not read as a fragment or query.
fn uri(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Stable fingerprints: a hash of the code, the path, the trimmed source line and how many
/// identical (code, path, line text) findings came before, so moving code up or down keeps the
/// fingerprint and GitHub does not reopen the alert. FNV-1a by hand: the std hasher's output
/// is not promised to stay the same across Rust releases, and this must.
pub fn fingerprints(diags: &[Diagnostic]) -> Vec<String> {
    let mut seen: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    diags
        .iter()
        .map(|d| {
            let key = format!("{}\0{}\0{}", d.code, d.path, d.source.trim());
            let h = fnv1a(key.as_bytes());
            let n = seen.entry(h).or_insert(0);
            *n += 1;
            format!("{:016x}:{}", h, n)
        })
        .collect()
}

fn fnv1a(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(line: usize, source: &str) -> Diagnostic {
        Diagnostic {
            code: Code::PL001,
            rule: "hard-coded-port",
            path: "a,b:c.py".into(),
            line,
            col: 1,
            end_col: 5,
            message: "50% done\nnext".into(),
            hint: None,
            source: source.into(),
            source_col: 1,
        }
    }

    #[test]
    fn github_escapes_properties_and_data() {
        let r = Report {
            diagnostics: vec![diag(1, "x")],
            ..Report::default()
        };
        assert_eq!(
            github(&r),
            "::error title=PL001 hard-coded-port,file=a%2Cb%3Ac.py,line=1,col=1,endColumn=5::50%25 done%0Anext\n"
        );
    }

    #[test]
    fn sarif_uris_are_percent_encoded() {
        assert_eq!(uri("svc/app.py"), "svc/app.py");
        assert_eq!(uri("my app/café#1.py"), "my%20app/caf%C3%A9%231.py");
        let r = Report {
            diagnostics: vec![diag(1, "x")],
            ..Report::default()
        };
        let v = sarif(&r, "0");
        let loc = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "a%2Cb%3Ac.py");
    }

    #[test]
    fn fingerprints_follow_text_not_line_numbers() {
        let a = fingerprints(&[
            diag(3, "  app.run(port=9010)"),
            diag(9, "app.run(port=9010)"),
        ]);
        let b = fingerprints(&[diag(30, "app.run(port=9010)")]);
        assert_eq!(a[0], b[0]);
        assert_ne!(a[0], a[1], "identical lines are told apart by their order");
    }
}
