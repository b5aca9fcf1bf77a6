//! Running the rules over files: one text ([`Linter::lint_text`]), a list of files, or whole
//! trees walked in parallel ([`Linter::lint_paths`]).
//!
//! Speed comes from not scanning what cannot hold a finding: an Aho-Corasick automaton over the
//! registered and managed port numbers, `ws://`, `_PORT`, `portlaw:` and the bind verbs runs over
//! each file first, and only files it matches are lexed. The walk (the `ignore` crate, as in
//! ripgrep) runs on every core and honours `.gitignore` and `.portlawignore`.
//!
//! Files that cannot be linted never stop a run: binary files, invalid UTF-8, files over
//! [`MAX_FILE`], unreadable files, symlinks and walk errors (such as loops) are counted in
//! [`Skipped`].

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::AhoCorasick;
use portlaw_core::Registry;
use portlaw_core::error::LineIndex;
use serde::Serialize;

use crate::config::LintConfig;
use crate::diag::{Code, Diagnostic, Raw};
use crate::rules::{self, FileCtx, Rules};
use crate::scan::Lang;
use crate::suppress;

/// Files larger than this are skipped (generated bundles, data dumps).
pub const MAX_FILE: u64 = 4 * 1024 * 1024;

/// The name of portlaw's own ignore file (gitignore syntax), read in every directory.
pub const IGNORE_FILE: &str = ".portlawignore";

/// Files not linted, by reason.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub binary: usize,
    pub invalid_utf8: usize,
    pub too_large: usize,
    pub unreadable: usize,
    pub symlink: usize,
}

impl Skipped {
    pub fn total(&self) -> usize {
        self.binary + self.invalid_utf8 + self.too_large + self.unreadable + self.symlink
    }
}

/// What a run found.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    /// Files of a linted language that were read.
    pub files_checked: usize,
    pub skipped: Skipped,
}

/// Why one file was not linted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skip {
    Binary,
    InvalidUtf8,
    TooLarge,
    Unreadable,
    Symlink,
}

/// The rules, configured, ready to run on many files from many threads.
pub struct Linter<'r> {
    rules: Rules<'r>,
    config: LintConfig,
    enabled: Vec<Code>,
    prefilter: AhoCorasick,
}

impl<'r> Linter<'r> {
    /// A linter with the codes of `config` (`select`, else all; minus `ignore`).
    pub fn new(registry: &'r Registry, config: LintConfig) -> Linter<'r> {
        Linter::with_codes(registry, config, None, &[])
    }

    /// Like [`Linter::new`]; `select` replaces the configured selection and `ignore` adds to
    /// the configured ignores (the way ruff's flags combine with its config).
    pub fn with_codes(
        registry: &'r Registry,
        config: LintConfig,
        select: Option<&[Code]>,
        ignore: &[Code],
    ) -> Linter<'r> {
        let rules = Rules::new(registry, &config.known_vars);
        let base: Vec<Code> = select
            .map(<[Code]>::to_vec)
            .or_else(|| config.select.clone())
            .unwrap_or_else(|| Code::ALL.to_vec());
        let enabled: Vec<Code> = base
            .into_iter()
            .filter(|c| !ignore.contains(c) && !config.ignore.contains(c))
            .collect();
        let mut needles = rules.port_needles();
        needles.extend(["ws://", "wss://", "_port", "portlaw:"].map(String::from));
        // Registered variables need not end in `_PORT`.
        needles.extend(rules.env_names().map(String::from));
        if enabled.contains(&Code::PL002) || enabled.contains(&Code::PL006) {
            // Bind verbs (matched case-insensitively: `listen` covers `ListenAndServe`, `serve`
            // covers `HTTPServer`).
            needles.extend(
                ["bind", "listen", "serve", "run(", "run_app", "http.server"].map(String::from),
            );
            // Go's `e.Start(":1323")`; a server's CLI flag (`uvicorn app --port 8000`,
            // `gunicorn -b :8000`, `flask run -p 5000`).
            needles.extend(["start(", "--port", "runserver", "tcpsite"].map(String::from));
            needles.extend(crate::scan::shell::SERVERS.map(String::from));
        }
        let prefilter = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(&needles)
            .expect("prefilter patterns are plain strings");
        Linter {
            rules,
            config,
            enabled,
            prefilter,
        }
    }

    pub fn enabled(&self, code: Code) -> bool {
        self.enabled.contains(&code)
    }

    pub fn config(&self) -> &LintConfig {
        &self.config
    }

    /// Lints `text` as the file at `rel` (relative to the repository root). A file of no
    /// linted language gives nothing.
    pub fn lint_text(&self, rel: &str, text: &str) -> Option<Vec<Diagnostic>> {
        let first = text.lines().next();
        let lang = Lang::detect(Path::new(rel), first)?;
        if !self.prefilter.is_match(text) {
            return Some(Vec::new());
        }
        Some(self.lint_lang(rel, text, lang))
    }

    fn lint_lang(&self, rel: &str, text: &str, lang: Lang) -> Vec<Diagnostic> {
        let scan = lang.scan(text);
        let file = FileCtx { rel, lang };
        let mut raws: Vec<Raw> = Vec::new();
        rules::check(&self.rules, &file, &scan.sites, &mut raws);
        raws.retain(|r| self.enabled(r.code));
        // One finding per span: the most specific rule wins.
        raws.sort_by_key(|r| (r.start, r.code.precedence()));
        raws.dedup_by(|b, a| a.start == b.start && a.end == b.end);
        let lines = LineIndex::new(text);
        let line_of = |o: usize| lines.line(o);
        let sups = suppress::parse(text, &scan.comments, &line_of);
        let enabled = |c: Code| self.enabled(c);
        let raws = suppress::apply(raws, &sups, &line_of, &enabled);
        let mut raws: Vec<Raw> = raws
            .into_iter()
            .filter(|r| !self.config.allowed(rel, r.code))
            .collect();
        raws.sort_by_key(|r| r.start);
        let mut cursor = Cursor::default();
        let mut out: Vec<Diagnostic> = raws
            .into_iter()
            .map(|r| lines.locate(text, rel, r, &mut cursor))
            .collect();
        out.sort_by_key(|d| (d.line, d.col, d.code));
        out
    }

    /// Lints one file from disk (or from `read`, for staged content).
    /// `from_disk` says `read` reads `path` from the file system (so its metadata can be
    /// looked at first).
    pub fn lint_file(
        &self,
        path: &Path,
        rel: &str,
        read: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
        from_disk: bool,
    ) -> Result<Option<Vec<Diagnostic>>, Skip> {
        let named = Lang::detect(path, None);
        let has_ext = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.contains('.'));
        if named.is_none() && has_ext {
            return Ok(None);
        }
        if from_disk {
            // Cheap checks before reading: the size, and for a file without an extension
            // (an ELF binary, a LICENSE) whether it is a script at all.
            let meta = std::fs::metadata(path).map_err(|_| Skip::Unreadable)?;
            // A FIFO, socket or device would block the read (or never end): never open one.
            if !meta.is_file() {
                return Err(Skip::Unreadable);
            }
            if meta.len() > MAX_FILE {
                return Err(Skip::TooLarge);
            }
            if named.is_none() {
                use std::io::Read;
                let mut head = [0u8; 2];
                let n = std::fs::File::open(path)
                    .and_then(|mut f| f.read(&mut head))
                    .map_err(|_| Skip::Unreadable)?;
                if &head[..n] != b"#!" {
                    return Ok(None);
                }
            }
        }
        let bytes = read(path).map_err(|_| Skip::Unreadable)?;
        if bytes.len() as u64 > MAX_FILE {
            return Err(Skip::TooLarge);
        }
        if bytes[..bytes.len().min(8192)].contains(&0) {
            return Err(Skip::Binary);
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let text = std::str::from_utf8(bytes).map_err(|_| Skip::InvalidUtf8)?;
        Ok(self.lint_text(rel, text))
    }

    /// Walks `paths` (files or directories) in parallel and lints every file of a known
    /// language. `root` is the repository root (for relative paths, owners and exclusions).
    pub fn lint_paths(&self, root: &Path, paths: &[PathBuf]) -> Report {
        let acc = Acc::default();
        let mut dirs = Vec::new();
        for p in paths {
            match std::fs::metadata(p) {
                Ok(m) if m.is_dir() => {
                    // The walk does not apply ignore rules to its own roots.
                    let rel = rel_path(root, p);
                    let is_root = rel.is_empty() || rel == ".";
                    if is_root || (!self.config.excluded(&rel) && !portlaw_ignored(root, p)) {
                        dirs.push(p.clone());
                    }
                }
                Ok(_) => {
                    // A file named on the command line is linted even if gitignored, but the
                    // registry's exclusions still apply (pre-commit passes file names).
                    let rel = rel_path(root, p);
                    if !self.config.excluded(&rel) && !portlaw_ignored(root, p) {
                        self.one(&acc, p, &rel, &|p| std::fs::read(p), true);
                    }
                }
                // A symlink that leads nowhere (dangling, or a loop).
                Err(_) if p.symlink_metadata().is_ok_and(|m| m.is_symlink()) => {
                    acc.skipped[4].fetch_add(1, Ordering::Relaxed);
                }
                Err(_) => {
                    acc.skipped[3].fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        if let Some((first, rest)) = dirs.split_first() {
            let mut b = ignore::WalkBuilder::new(first);
            for d in rest {
                b.add(d);
            }
            b.hidden(false)
                .require_git(false)
                .follow_links(false)
                .add_custom_ignore_filename(IGNORE_FILE)
                .filter_entry(|e| e.file_name() != ".git")
                .threads(
                    std::thread::available_parallelism()
                        .map_or(2, |n| n.get())
                        .min(12),
                );
            b.build_parallel().run(|| {
                let acc = &acc;
                Box::new(move |entry| {
                    let entry = match entry {
                        Ok(e) => e,
                        Err(_) => {
                            acc.skipped[3].fetch_add(1, Ordering::Relaxed);
                            return ignore::WalkState::Continue;
                        }
                    };
                    let Some(ft) = entry.file_type() else {
                        return ignore::WalkState::Continue;
                    };
                    let rel = rel_path(root, entry.path());
                    if ft.is_dir() {
                        if entry.depth() > 0 && self.config.excluded(&rel) {
                            return ignore::WalkState::Skip;
                        }
                        return ignore::WalkState::Continue;
                    }
                    if self.config.excluded(&rel) {
                        return ignore::WalkState::Continue;
                    }
                    if ft.is_symlink() {
                        if Lang::detect(entry.path(), None).is_some() {
                            acc.skipped[4].fetch_add(1, Ordering::Relaxed);
                        }
                        return ignore::WalkState::Continue;
                    }
                    if !ft.is_file() {
                        // FIFOs, sockets and devices: reading one could block forever.
                        if Lang::detect(entry.path(), None).is_some() {
                            acc.skipped[3].fetch_add(1, Ordering::Relaxed);
                        }
                        return ignore::WalkState::Continue;
                    }
                    self.one(acc, entry.path(), &rel, &|p| std::fs::read(p), true);
                    ignore::WalkState::Continue
                })
            });
        }
        acc.finish()
    }

    /// Lints exactly these files (`(path, rel)`), read through `read`; for `--diff`/`--staged`.
    pub fn lint_list(
        &self,
        files: &[(PathBuf, String)],
        read: &(dyn Fn(&Path) -> std::io::Result<Vec<u8>> + Sync),
        from_disk: bool,
    ) -> Report {
        let acc = Acc::default();
        for (path, rel) in files {
            if !self.config.excluded(rel) {
                self.one(&acc, path, rel, read, from_disk);
            }
        }
        acc.finish()
    }

    fn one(
        &self,
        acc: &Acc,
        path: &Path,
        rel: &str,
        read: &dyn Fn(&Path) -> std::io::Result<Vec<u8>>,
        from_disk: bool,
    ) {
        match self.lint_file(path, rel, read, from_disk) {
            Ok(None) => {}
            Ok(Some(d)) => {
                acc.checked.fetch_add(1, Ordering::Relaxed);
                if !d.is_empty() {
                    acc.diags.lock().unwrap().extend(d);
                }
            }
            Err(s) => {
                let k = match s {
                    Skip::Binary => 0,
                    Skip::InvalidUtf8 => 1,
                    Skip::TooLarge => 2,
                    Skip::Unreadable => 3,
                    Skip::Symlink => 4,
                };
                acc.skipped[k].fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[derive(Default)]
struct Acc {
    diags: Mutex<Vec<Diagnostic>>,
    checked: AtomicUsize,
    skipped: [AtomicUsize; 5],
}

impl Acc {
    fn finish(self) -> Report {
        let mut diagnostics = self.diags.into_inner().unwrap();
        diagnostics.sort_by(|a, b| {
            (a.path.as_str(), a.line, a.col, a.code).cmp(&(b.path.as_str(), b.line, b.col, b.code))
        });
        let s = |k: usize| self.skipped[k].load(Ordering::Relaxed);
        Report {
            diagnostics,
            files_checked: self.checked.load(Ordering::Relaxed),
            skipped: Skipped {
                binary: s(0),
                invalid_utf8: s(1),
                too_large: s(2),
                unreadable: s(3),
                symlink: s(4),
            },
        }
    }
}

/// Whether an explicitly named file is listed in a `.portlawignore` at the root.
fn portlaw_ignored(root: &Path, path: &Path) -> bool {
    let file = root.join(IGNORE_FILE);
    if !file.exists() {
        return false;
    }
    let (gi, _) = ignore::gitignore::Gitignore::new(&file);
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    abs.strip_prefix(root)
        .map(|r| gi.matched_path_or_any_parents(r, abs.is_dir()).is_ignore())
        .unwrap_or(false)
}

/// `path` relative to `root`, `/`-separated (as given when outside `root`).
pub fn rel_path(root: &Path, path: &Path) -> String {
    let abs;
    let p = if path.is_absolute() || root.is_relative() {
        path
    } else {
        abs = std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_default();
        &abs
    };
    let r = p.strip_prefix(root).unwrap_or(path);
    let s = r.to_string_lossy().replace('\\', "/");
    s.trim_start_matches("./").to_string()
}

/// Where a raw finding sits in its text: line, columns and the source line shown under it.
/// (Line lookups share portlaw-core's `LineIndex`.)
trait Locate {
    /// 0-based line of a byte offset.
    fn line(&self, offset: usize) -> usize;
    fn locate(&self, text: &str, rel: &str, r: Raw, cursor: &mut Cursor) -> Diagnostic;
}

/// The last located offset and its column: findings come in offset order, so the columns of
/// many findings on one long line are counted once, not from the line start each time.
#[derive(Default)]
struct Cursor {
    line: usize,
    offset: usize,
    col: usize,
}

impl Locate for LineIndex {
    fn line(&self, offset: usize) -> usize {
        self.line_col(offset).0 - 1
    }

    fn locate(&self, text: &str, rel: &str, r: Raw, cursor: &mut Cursor) -> Diagnostic {
        let line = Locate::line(self, r.start);
        let ls = self.start_of(line + 1).unwrap_or(0);
        let le = self.start_of(line + 2).map_or(text.len(), |e| e - 1);
        let le = if text[ls..le].ends_with('\r') {
            le - 1
        } else {
            le
        };
        let col = if cursor.col > 0 && cursor.line == line && cursor.offset <= r.start {
            cursor.col + text[cursor.offset..r.start].chars().count()
        } else {
            text[ls..r.start].chars().count() + 1
        };
        *cursor = Cursor {
            line,
            offset: r.start,
            col,
        };
        let end = r.end.min(le).max(r.start);
        let end_col = col + text[r.start..end].chars().count();
        let (source, source_col) =
            crate::diag::snippet(&text[ls..le], r.start.min(le) - ls, end - ls);
        Diagnostic {
            code: r.code,
            rule: r.code.meta().name,
            path: rel.to_string(),
            line: line + 1,
            col,
            end_col,
            message: r.message,
            hint: r.hint,
            source,
            source_col,
        }
    }
}
