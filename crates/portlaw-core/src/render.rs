//! Registry tables in Markdown documents, kept true by `portlaw render`.
//!
//! The registry lists the documents it keeps (`[docs] files = ["docs/PORTS.md"]`, paths from
//! the repository root). In each, a block between two marker lines is regenerated and the rest
//! of the document is left byte for byte as it was:
//!
//! ```markdown
//! <!-- portlaw:begin registry -->
//! (generated: the services table)
//! <!-- portlaw:end registry -->
//! ```
//!
//! Blocks: `registry` (every service, tombstones included), `ranges`, `env` (the variables
//! of ports.env). Markers inside fenced code blocks are text, not markers, so a document can
//! show how to use them. A listed document that does not exist yet is created with all three.
//!
//! ```
//! use portlaw_core::{Registry, render};
//! let reg = Registry::builtin();
//! let doc = "# Ports\n<!-- portlaw:begin ranges -->\nold\n<!-- portlaw:end ranges -->\nfooter\n";
//! let out = render::splice(&reg, doc, "PORTS.md").unwrap();
//! assert!(out.text.contains("| 9010-9019 | subscriber | Subscriber Services |"));
//! assert!(out.text.starts_with("# Ports\n") && out.text.ends_with("footer\n"));
//! assert_eq!(out.stale, ["ranges"]);
//! ```

use std::path::{Path, PathBuf};

use crate::check::Finding;
use crate::error::Error;
use crate::registry::Registry;

/// The blocks portlaw can write.
pub const BLOCKS: [&str; 3] = ["registry", "ranges", "env"];

/// The documents the registry keeps (`[docs] files`), as written there.
pub fn doc_files(reg: &Registry) -> Result<Vec<String>, Error> {
    let Some(docs) = reg.extra.get("docs") else {
        return Ok(Vec::new());
    };
    let file = reg.origin.display_path();
    let line = crate::registry::table_header_line(&reg.text, "docs");
    let bad = |m: &str| Error::at(file.clone(), line, m.to_string());
    let table = docs
        .as_table()
        .ok_or_else(|| bad("`docs` must be a table: [docs] files = [\"docs/PORTS.md\"]"))?;
    if let Some(k) = table.keys().find(|k| *k != "files") {
        return Err(bad(&format!(
            "[docs]: unknown key '{k}' (expected `files`)"
        )));
    }
    let Some(files) = table.get("files") else {
        return Ok(Vec::new());
    };
    let list = files
        .as_array()
        .ok_or_else(|| bad("[docs] files must be a list of paths"))?;
    list.iter()
        .map(|v| {
            let p = v
                .as_str()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| bad(&format!("[docs] files: {v} is not a path")))?;
            // portlaw rewrites these files: keep that inside the repository.
            let inside = Path::new(p).components().all(|c| {
                matches!(
                    c,
                    std::path::Component::Normal(_) | std::path::Component::CurDir
                )
            });
            if !inside {
                return Err(bad(&format!(
                    "[docs] files: '{p}' must be a relative path inside the repository"
                )));
            }
            Ok(p.to_string())
        })
        .collect()
}

/// A table cell: pipes escaped, line breaks flattened, empty shown as a dash.
fn cell(s: &str) -> String {
    let s = s.replace('|', "\\|").replace(['\r', '\n'], " ");
    if s.trim().is_empty() { "—".into() } else { s }
}

fn table(out: &mut String, header: &[&str], rows: Vec<Vec<String>>) {
    out.push_str(&format!("| {} |\n", header.join(" | ")));
    let rule: Vec<String> = header.iter().map(|h| "-".repeat(h.len() + 2)).collect();
    out.push_str(&format!("|{}|\n", rule.join("|")));
    for r in rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
}

/// The generated body of block `name` (`None` for an unknown name). Lines end in `\n`.
pub fn block(reg: &Registry, name: &str) -> Option<String> {
    let mut out = String::new();
    match name {
        "registry" => {
            let mut services: Vec<_> = reg.services.iter().collect();
            services.sort_by_key(|s| (s.port, s.is_retired()));
            let rows = services
                .iter()
                .map(|s| {
                    let owner = s
                        .owners
                        .iter()
                        .map(|o| {
                            if o.contains('/') {
                                format!("`{o}`")
                            } else {
                                o.clone()
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ");
                    vec![
                        s.port.to_string(),
                        cell(&s.name),
                        cell(&s.protocol_label()),
                        cell(&s.purpose),
                        cell(&owner),
                        s.status.to_string(),
                    ]
                })
                .collect();
            table(
                &mut out,
                &["Port", "Service", "Protocol", "Purpose", "Owner", "Status"],
                rows,
            );
        }
        "ranges" => {
            let rows = reg
                .ranges
                .iter()
                .map(|r| {
                    vec![
                        r.span.to_string(),
                        cell(&r.name),
                        cell(&r.purpose),
                        if r.locked { "locked" } else { "open" }.to_string(),
                    ]
                })
                .collect();
            table(
                &mut out,
                &["Range", "Name", "Purpose", "New services"],
                rows,
            );
        }
        "env" => {
            let mut services: Vec<_> = reg.live_services().collect();
            services.sort_by_key(|s| s.port);
            let rows = services
                .iter()
                .map(|s| vec![format!("`{}`", s.env), s.port.to_string(), cell(&s.name)])
                .collect();
            table(&mut out, &["Variable", "Default", "Service"], rows);
        }
        _ => return None,
    }
    Some(out)
}

/// A document with its blocks regenerated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spliced {
    pub text: String,
    /// Blocks whose content changed, in document order.
    pub stale: Vec<String>,
    /// Line of each stale block's begin marker (1-based), parallel to `stale`.
    pub stale_lines: Vec<usize>,
    /// How many blocks the document has.
    pub blocks: usize,
}

/// `<!-- portlaw:begin NAME -->` → `Some((true, "NAME"))`.
fn marker(line: &str) -> Option<(bool, &str)> {
    let inner = line
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let rest = inner.strip_prefix("portlaw:")?;
    let (kind, name) = rest.split_once(char::is_whitespace)?;
    let begin = match kind {
        "begin" => true,
        "end" => false,
        _ => return None,
    };
    Some((begin, name.trim()))
}

/// Regenerates every block of `doc` (named `file` in errors). Unbalanced or unknown markers
/// are errors naming the line: nothing is rewritten then.
pub fn splice(reg: &Registry, doc: &str, file: &str) -> Result<Spliced, Error> {
    // Keep the document's own line ends.
    let crlf = doc.contains("\r\n");
    let mut out = String::with_capacity(doc.len() + 1024);
    let mut stale = Vec::new();
    let mut stale_lines = Vec::new();
    let mut blocks = 0;
    // (name, line, start of the old body in `doc`, where the body goes in `out`)
    let mut open: Option<(String, usize, usize, usize)> = None;
    let mut fence: Option<String> = None;
    let mut offset = 0;
    for (i, raw) in doc.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let line_start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if open.is_none() {
            // Fences (``` or ~~~, three or more) switch markers off until they close.
            let tick = trimmed
                .chars()
                .take_while(|&c| c == '`' || c == '~')
                .collect::<String>();
            if tick.len() >= 3 && tick.chars().all(|c| c == tick.chars().next().unwrap()) {
                match &fence {
                    None => fence = Some(tick),
                    Some(f) if tick.starts_with(f.as_str()) && trimmed.trim() == tick => {
                        fence = None
                    }
                    Some(_) => {}
                }
                out.push_str(raw);
                continue;
            }
        }
        let found = if fence.is_none() { marker(line) } else { None };
        match (found, &open) {
            (Some((true, name)), None) => {
                if !BLOCKS.contains(&name) {
                    return Err(Error::at(
                        file,
                        line_no,
                        format!(
                            "unknown portlaw block '{name}' (known: {})",
                            BLOCKS.join(", ")
                        ),
                    ));
                }
                out.push_str(raw);
                open = Some((name.to_string(), line_no, offset, out.len()));
            }
            (Some((true, name)), Some((outer, at, ..))) => {
                return Err(Error::at(
                    file,
                    line_no,
                    format!(
                        "block '{name}' begins inside block '{outer}' (begun on line {at}); close that one first"
                    ),
                ));
            }
            (Some((false, name)), None) => {
                return Err(Error::at(
                    file,
                    line_no,
                    format!("`portlaw:end {name}` with no `portlaw:begin {name}` above it"),
                ));
            }
            (Some((false, name)), Some((outer, at, body_start, _))) => {
                if name != outer {
                    return Err(Error::at(
                        file,
                        line_no,
                        format!("`portlaw:end {name}` closes block '{outer}' (begun on line {at})"),
                    ));
                }
                let mut body = String::from("\n");
                body.push_str(&block(reg, name).expect("checked at begin"));
                body.push('\n');
                if crlf {
                    body = body.replace('\n', "\r\n");
                }
                if doc[*body_start..line_start] != body {
                    stale.push(outer.clone());
                    stale_lines.push(*at);
                }
                out.push_str(&body);
                out.push_str(raw);
                blocks += 1;
                open = None;
            }
            (None, _) => {
                if open.is_none() {
                    out.push_str(raw);
                }
            }
        }
    }
    if let Some((name, at, ..)) = open {
        return Err(Error::at(
            file,
            at,
            format!("block '{name}' has no `<!-- portlaw:end {name} -->` line"),
        ));
    }
    Ok(Spliced {
        text: out,
        stale,
        stale_lines,
        blocks,
    })
}

/// The text of a new document holding every block.
pub fn new_document(reg: &Registry) -> String {
    let mut out = String::from(
        "# Ports\n\nThe tables below are generated from the port registry by `portlaw render`;\nedit the registry, not the tables.\n",
    );
    for (name, title) in BLOCKS
        .iter()
        .zip(["Services", "Ranges", "Environment variables"])
    {
        out.push_str(&format!(
            "\n## {title}\n\n<!-- portlaw:begin {name} -->\n\n{}\n<!-- portlaw:end {name} -->\n",
            block(reg, name).expect("known block")
        ));
    }
    out
}

/// What rendering one listed document would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocPlan {
    /// As listed in the registry.
    pub rel: String,
    pub path: PathBuf,
    /// `None` when the file does not exist yet.
    pub old: Option<String>,
    pub new: String,
    pub stale: Vec<String>,
    pub stale_lines: Vec<usize>,
    pub blocks: usize,
}

impl DocPlan {
    pub fn changed(&self) -> bool {
        self.old.as_deref() != Some(self.new.as_str())
    }
}

/// Plans every listed document for `reg` (the repository at `root`). Fails on the first
/// document that cannot be read or has broken markers, so nothing is written half.
pub fn plan(reg: &Registry, root: &Path) -> Result<Vec<DocPlan>, Error> {
    let mut out = Vec::new();
    for rel in doc_files(reg)? {
        let path = root.join(&rel);
        let shown = crate::fsutil::shown(&path);
        if !path.exists() {
            out.push(DocPlan {
                new: new_document(reg),
                stale: BLOCKS.iter().map(|b| b.to_string()).collect(),
                stale_lines: vec![0; BLOCKS.len()],
                blocks: BLOCKS.len(),
                old: None,
                rel,
                path,
            });
            continue;
        }
        let old = crate::fsutil::read_text(&path)?;
        let s = splice(reg, &old, &shown)?;
        out.push(DocPlan {
            rel,
            path,
            old: Some(old),
            new: s.text,
            stale: s.stale,
            stale_lines: s.stale_lines,
            blocks: s.blocks,
        });
    }
    Ok(out)
}

/// Stale, missing or broken documents, as `check` findings.
pub fn check_docs(reg: &Registry, root: &Path) -> Vec<Finding> {
    let finding = |code: &'static str, file: String, line: usize, message: String| Finding {
        code,
        file,
        line,
        message,
        hint: Some("run `portlaw render`".into()),
    };
    let files = match doc_files(reg) {
        Ok(f) => f,
        Err(e) => {
            return vec![Finding {
                hint: None,
                ..finding("docs-config", reg.origin.display_path(), 0, e.to_string())
            }];
        }
    };
    let mut out = Vec::new();
    for rel in files {
        let path = root.join(&rel);
        let shown = crate::fsutil::shown(&path);
        if !path.exists() {
            out.push(finding(
                "doc-missing",
                shown,
                0,
                "listed in [docs] files but does not exist".into(),
            ));
            continue;
        }
        let text = match crate::fsutil::read_text(&path) {
            Ok(t) => t,
            Err(e) => {
                out.push(Finding {
                    hint: None,
                    ..finding("doc-markers", shown, 0, e.to_string())
                });
                continue;
            }
        };
        match splice(reg, &text, &shown) {
            Err(Error::Input { line, message, .. }) => out.push(Finding {
                hint: Some("fix the marker lines; `portlaw render` writes nothing until then".into()),
                ..finding("doc-markers", shown, line, message)
            }),
            Err(e) => out.push(finding("doc-markers", shown, 0, e.to_string())),
            Ok(s) if s.blocks == 0 => out.push(Finding {
                hint: Some(format!(
                    "add e.g. `<!-- portlaw:begin registry -->` and `<!-- portlaw:end registry -->` lines (blocks: {})",
                    BLOCKS.join(", ")
                )),
                ..finding(
                    "doc-markers",
                    shown,
                    0,
                    "has no portlaw blocks to keep up to date".into(),
                )
            }),
            Ok(s) => {
                for (name, line) in s.stale.iter().zip(&s.stale_lines) {
                    out.push(finding(
                        "doc-stale",
                        shown.clone(),
                        *line,
                        format!("block '{name}' does not match the registry"),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;

    fn reg(extra: &str) -> Registry {
        let t = format!(
            "{extra}\n[[range]]\nname = \"apps\"\nports = \"110-119\"\npurpose = \"Apps | more\"\n\n[[service]]\nid = \"a\"\nname = \"A\"\nport = 111\nenv = \"A_PORT\"\nprotocol = \"HTTP/WS\"\nowner = [\"services/a/\", \"ops team\"]\n\n[[service]]\nid = \"old\"\nname = \"Old\"\nport = 110\nenv = \"OLD_PORT\"\nstatus = \"retired\"\n"
        );
        Registry::parse(&t, Origin::File("ports.toml".into())).unwrap()
    }

    #[test]
    fn tables_look_like_the_spec() {
        let r = reg("");
        assert_eq!(
            block(&r, "registry").unwrap(),
            "| Port | Service | Protocol | Purpose | Owner | Status |\n|------|---------|----------|---------|-------|--------|\n| 110 | Old | — | — | — | retired |\n| 111 | A | HTTP/WS | — | `services/a/`, ops team | active |\n"
        );
        assert_eq!(
            block(&r, "ranges").unwrap(),
            "| Range | Name | Purpose | New services |\n|-------|------|---------|--------------|\n| 110-119 | apps | Apps \\| more | open |\n"
        );
        // Tombstones stay in the registry table but leave the env table (as in ports.env).
        assert_eq!(
            block(&r, "env").unwrap(),
            "| Variable | Default | Service |\n|----------|---------|---------|\n| `A_PORT` | 111 | A |\n"
        );
        assert!(block(&r, "nope").is_none());
    }

    #[test]
    fn only_the_blocks_change() {
        let r = reg("");
        let doc = "intro\r\n<!-- portlaw:begin env -->\r\nstale\r\n<!-- portlaw:end env -->\r\n```md\r\n<!-- portlaw:begin nonsense -->\r\n```\r\nend";
        let s = splice(&r, doc, "d.md").unwrap();
        assert_eq!(s.stale, ["env"]);
        assert_eq!(s.stale_lines, [2]);
        assert_eq!(s.blocks, 1);
        let want = format!(
            "intro\r\n<!-- portlaw:begin env -->\r\n\r\n{}\r\n<!-- portlaw:end env -->\r\n```md\r\n<!-- portlaw:begin nonsense -->\r\n```\r\nend",
            block(&r, "env").unwrap().replace('\n', "\r\n")
        );
        assert_eq!(s.text, want);
        let again = splice(&r, &s.text, "d.md").unwrap();
        assert_eq!((again.text, again.stale.len()), (s.text, 0));
    }

    #[test]
    fn broken_markers_name_the_line() {
        let r = reg("");
        let cases = [
            ("<!-- portlaw:begin env -->\n", "d.md:1: block 'env' has no"),
            (
                "x\n<!-- portlaw:end env -->\n",
                "d.md:2: `portlaw:end env` with no",
            ),
            (
                "<!-- portlaw:begin tables -->\n",
                "d.md:1: unknown portlaw block 'tables'",
            ),
            (
                "<!-- portlaw:begin env -->\n<!-- portlaw:begin ranges -->\n",
                "d.md:2: block 'ranges' begins inside",
            ),
            (
                "<!-- portlaw:begin env -->\n<!-- portlaw:end ranges -->\n",
                "d.md:2: `portlaw:end ranges` closes block 'env'",
            ),
        ];
        for (doc, want) in cases {
            let e = splice(&r, doc, "d.md").unwrap_err().to_string();
            assert!(e.starts_with(want), "{doc:?}: {e}");
        }
    }

    #[test]
    fn docs_are_listed_in_the_registry_and_checked() {
        let d = tempfile::tempdir().unwrap();
        let r = reg("[docs]\nfiles = [\"docs/PORTS.md\", \"README.md\"]\n");
        assert_eq!(doc_files(&r).unwrap(), ["docs/PORTS.md", "README.md"]);
        std::fs::write(d.path().join("README.md"), "no blocks here\n").unwrap();
        let codes: Vec<_> = check_docs(&r, d.path()).iter().map(|f| f.code).collect();
        assert_eq!(codes, ["doc-missing", "doc-markers"]);

        let plans = plan(&r, d.path()).unwrap();
        std::fs::create_dir(d.path().join("docs")).unwrap();
        std::fs::write(&plans[0].path, &plans[0].new).unwrap();
        std::fs::write(
            d.path().join("README.md"),
            "# R\n<!-- portlaw:begin ranges -->\n<!-- portlaw:end ranges -->\n",
        )
        .unwrap();
        let f = check_docs(&r, d.path());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].code, f[0].line), ("doc-stale", 2));

        let e = doc_files(&reg("[docs]\nfiles = \"x.md\"\n")).unwrap_err();
        assert!(e.to_string().starts_with("ports.toml:1:"), "{e}");
        for bad in ["/etc/motd", "../x.md", "docs/../../x.md"] {
            let e = doc_files(&reg(&format!("[docs]\nfiles = [\"{bad}\"]\n"))).unwrap_err();
            assert!(e.to_string().contains("inside the repository"), "{e}");
        }
        let e = doc_files(&reg("[docs]\nfile = [\"x.md\"]\n")).unwrap_err();
        assert!(e.to_string().contains("unknown key 'file'"), "{e}");
    }
}
