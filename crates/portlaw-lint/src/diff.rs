//! `--diff REV` and `--staged`: which lines changed, from `git diff --unified=0`.
//!
//! The hunk headers of a zero-context diff (`@@ -a,b +c,d @@`) are a fixed one-line grammar;
//! reading them by hand is a few lines, where a diff-parsing crate (or libgit2) would add a
//! dependency tree for the same result. Shelling out to `git` also means the user's own git
//! (its config, its index, its worktree) decides what "changed" means.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Added or changed lines per file (paths relative to the git top level).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Inclusive 1-based line ranges.
    pub files: BTreeMap<String, Vec<(usize, usize)>>,
}

impl Changes {
    /// Whether `line` of `path` was added or changed.
    pub fn contains(&self, path: &str, line: usize) -> bool {
        self.files
            .get(path)
            .is_some_and(|r| r.iter().any(|(a, b)| (*a..=*b).contains(&line)))
    }
}

/// Parses the output of `git diff --unified=0`.
pub fn parse(diff: &str) -> Changes {
    let mut out = Changes::default();
    let mut current: Option<String> = None;
    for line in diff.lines() {
        if let Some(p) = line.strip_prefix("+++ ") {
            current = if p == "/dev/null" {
                None
            } else {
                let p = unquote(p);
                Some(p.strip_prefix("b/").unwrap_or(&p).to_string())
            };
            if let Some(c) = &current {
                out.files.entry(c.clone()).or_default();
            }
        } else if let Some(h) = line.strip_prefix("@@ ")
            && let Some(c) = &current
        {
            // `-a,b +c,d @@ ...`: the new side is `+c,d` (d defaults to 1; 0 means a deletion).
            let Some(new) = h.split_whitespace().find(|w| w.starts_with('+')) else {
                continue;
            };
            let mut it = new[1..].split(',');
            let start: usize = it.next().and_then(|s| s.parse().ok()).unwrap_or(0);
            let count: usize = it.next().and_then(|s| s.parse().ok()).unwrap_or(1);
            if count > 0 {
                out.files
                    .get_mut(c)
                    .unwrap()
                    .push((start, start + count - 1));
            }
        }
    }
    out
}

/// Git quotes unusual paths C-style (`"b/caf\303\251.py"`).
fn unquote(p: &str) -> String {
    let Some(inner) = p.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return p.to_string();
    };
    let mut bytes = Vec::new();
    let b = inner.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let n = b[i + 1];
            if n.is_ascii_digit()
                && i + 3 < b.len()
                && let Ok(v) = u8::from_str_radix(&inner[i + 1..i + 4], 8)
            {
                bytes.push(v);
                i += 4;
                continue;
            }
            bytes.push(match n {
                b'n' => b'\n',
                b't' => b'\t',
                other => other,
            });
            i += 2;
        } else {
            bytes.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "git {} failed: {}",
            args.join(" "),
            err.lines().next().unwrap_or("").trim()
        ));
    }
    Ok(out.stdout)
}

/// The top level of the git work tree containing `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, String> {
    let out = git(dir, &["rev-parse", "--show-toplevel"])
        .map_err(|e| format!("--diff and --staged need a git repository: {e}"))?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out).trim()))
}

/// Lines changed in the work tree since `rev`, or staged in the index (`rev` = None).
pub fn changes(top: &Path, rev: Option<&str>) -> Result<Changes, String> {
    let mut args = vec![
        "-c",
        "core.quotePath=false",
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--unified=0",
        "--diff-filter=ACMR",
        // Fixed here because the user's config changes them and the parser depends on them:
        // `diff.mnemonicPrefix`/`diff.noprefix` change the `b/` prefix the paths are read
        // with, and `diff.renames=false` would report every line of a moved file as new.
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--find-renames",
        "--no-textconv",
    ];
    match rev {
        Some(r) => {
            if r.starts_with('-') {
                return Err(format!("--diff: '{r}' is not a revision"));
            }
            args.push(r);
        }
        None => args.push("--cached"),
    }
    args.push("--");
    let out = git(top, &args)?;
    Ok(parse(&String::from_utf8_lossy(&out)))
}

/// The staged content of `rel` (relative to the top level).
pub fn staged(top: &Path, rel: &str) -> std::io::Result<Vec<u8>> {
    git(top, &["show", &format!(":{rel}")]).map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_become_line_ranges() {
        let d = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,0 +2,3 @@\n+a\n@@ -9 +12 @@\n-b\n+c\n@@ -20,2 +22,0 @@\n-d\n+++ /dev/null\n+++ \"b/caf\\303\\251.py\"\n@@ -0,0 +1 @@\n";
        let c = parse(d);
        assert_eq!(c.files["x.py"], [(2, 4), (12, 12)]);
        assert!(c.contains("x.py", 3) && !c.contains("x.py", 5));
        assert_eq!(c.files["café.py"], [(1, 1)]);
    }
}
