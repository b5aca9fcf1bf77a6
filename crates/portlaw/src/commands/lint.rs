//! `portlaw lint`: the port rules (PL001-PL007) over source code, with rustc/ruff-style output,
//! JSON, SARIF or GitHub annotations, limited to changed lines with `--diff`/`--staged`, or
//! run on unsaved content with `--stdin --filename`. The linting itself is `portlaw-lint`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use portlaw_lint::config::LintConfig;
use portlaw_lint::engine::{Report, rel_path};
use portlaw_lint::{Code, Diagnostic, Linter, diff, emit};

use crate::args::{LintArgs, LintFormat};
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: LintArgs) -> CmdResult {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    let format = if args.json {
        LintFormat::Json
    } else {
        args.format
    };
    let project = ctx.project()?;
    let root = canonical(&project.root);
    let config = LintConfig::from_registry(&project.registry)?;
    let select = codes(&args.select, "--select")?;
    let ignore = codes(&args.ignore, "--ignore")?;
    let linter = Linter::with_codes(
        &project.registry,
        config,
        (!select.is_empty()).then_some(select.as_slice()),
        &ignore,
    );
    let paths: Vec<PathBuf> = if args.paths.is_empty() {
        vec![root.clone()]
    } else {
        args.paths.iter().map(|p| ctx.cwd.join(p)).collect()
    };
    for p in &paths {
        // A dangling or looping symlink exists (it is skipped and counted, not an error).
        if p.symlink_metadata().is_err() && !args.stdin {
            return Err(CliError::usage(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
    }

    let report = if args.stdin {
        let filename = args.filename.as_ref().expect("clap requires --filename");
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text).map_err(|e| {
            CliError::usage(format!("--stdin: cannot read standard input as UTF-8: {e}"))
        })?;
        let rel = rel_path(&root, &canonical_parent(&ctx.cwd.join(filename)));
        let mut r = Report::default();
        if linter.config().excluded(&rel) {
            ui::note(format!("{rel} is excluded by the [lint] table"));
        } else if let Some(d) = linter.lint_text(&rel, text.trim_start_matches('\u{feff}')) {
            r.files_checked = 1;
            r.diagnostics = d;
        } else {
            ui::note(format!(
                "{rel}: not a file type portlaw lint reads; nothing checked"
            ));
        }
        r
    } else if args.staged || args.diff.is_some() {
        changed(
            &linter,
            &root,
            &ctx.cwd,
            &paths,
            args.diff.as_deref(),
            !args.paths.is_empty(),
        )?
    } else {
        linter.lint_paths(&root, &paths)
    };

    match format {
        LintFormat::Human => human(&report, &root, &ctx.cwd)?,
        LintFormat::Json => ui::json(&emit::json(&report))?,
        LintFormat::Sarif => ui::json(&emit::sarif(&report, env!("CARGO_PKG_VERSION")))?,
        LintFormat::Github => {
            let mut out = std::io::stdout().lock();
            out.write_all(emit::github(&report).as_bytes())?;
            summary(&report);
        }
    }
    Ok(ExitStatus::findings_if(!report.diagnostics.is_empty()))
}

/// Lints the files git reports as changed, keeping only findings on changed lines.
fn changed(
    linter: &Linter,
    root: &Path,
    cwd: &Path,
    paths: &[PathBuf],
    rev: Option<&str>,
    limit: bool,
) -> Result<Report, CliError> {
    let top = canonical(&diff::toplevel(cwd).map_err(CliError::usage)?);
    let changes = diff::changes(&top, rev).map_err(CliError::usage)?;
    let wanted: Vec<PathBuf> = paths.iter().map(|p| canonical(p)).collect();
    let mut files = Vec::new();
    let mut git_rel = std::collections::HashMap::new();
    for (g, ranges) in &changes.files {
        if ranges.is_empty() {
            continue;
        }
        let abs = top.join(g);
        if limit && !wanted.iter().any(|w| abs.starts_with(w)) {
            continue;
        }
        let rel = rel_path(root, &abs);
        git_rel.insert(rel.clone(), g.clone());
        files.push((abs, rel));
    }
    let staged = rev.is_none();
    let top2 = top.clone();
    let read = move |p: &Path| -> std::io::Result<Vec<u8>> {
        if staged {
            let g = p
                .strip_prefix(&top2)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/");
            diff::staged(&top2, &g)
        } else {
            std::fs::read(p)
        }
    };
    let mut report = linter.lint_list(&files, &read, !staged);
    report.diagnostics.retain(|d| {
        git_rel
            .get(&d.path)
            .is_some_and(|g| changes.contains(g, d.line))
    });
    Ok(report)
}

fn codes(list: &[String], flag: &str) -> Result<Vec<Code>, CliError> {
    list.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            Code::parse(s).ok_or_else(|| {
                CliError::with_hint(
                    format!("{flag}: unknown rule code '{s}'"),
                    "codes are PL001-PL007, PL100 and PL101; `portlaw lint --explain PL001` describes one",
                )
            })
        })
        .collect()
}

fn explain(code: &str) -> CmdResult {
    let Some(c) = Code::parse(code) else {
        return Err(CliError::with_hint(
            format!("--explain: unknown rule code '{code}'"),
            "codes are PL001-PL007, PL100 and PL101",
        ));
    };
    let m = c.meta();
    let mut out = anstream::stdout().lock();
    writeln!(
        out,
        "{} {}",
        ui::paint(ui::BOLD, c),
        ui::paint(ui::BOLD, m.name)
    )?;
    writeln!(out, "\n{}.\n\n{}", m.summary, m.help)?;
    Ok(ExitStatus::Success)
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Canonicalises the directory of a path that may not exist yet (an unsaved file).
fn canonical_parent(p: &Path) -> PathBuf {
    match (p.parent(), p.file_name()) {
        (Some(d), Some(n)) => canonical(d).join(n),
        _ => p.to_path_buf(),
    }
}

/// `path:line:col: CODE message`, the line with a caret under the span, and the hint.
fn human(report: &Report, root: &Path, cwd: &Path) -> std::io::Result<()> {
    let mut out = anstream::stdout().lock();
    let cwd = canonical(cwd);
    for d in &report.diagnostics {
        let shown = shown_path(d, root, &cwd);
        writeln!(
            out,
            "{}: {} {}",
            ui::paint(ui::BOLD, format!("{shown}:{}:{}", d.line, d.col)),
            ui::paint(ui::RED, d.code),
            d.message
        )?;
        let num = d.line.to_string();
        let pad = " ".repeat(num.len());
        let (source, col) = (&d.source, d.source_col);
        let lead: String = source
            .chars()
            .take(col - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let width = d.end_col.saturating_sub(d.col).max(1);
        writeln!(out, "{pad} {}", ui::paint(ui::CYAN, "|"))?;
        writeln!(
            out,
            "{} {}",
            ui::paint(ui::CYAN, format!("{num} |")),
            source
        )?;
        writeln!(
            out,
            "{pad} {} {lead}{}",
            ui::paint(ui::CYAN, "|"),
            ui::paint(ui::RED, "^".repeat(width))
        )?;
        if let Some(h) = &d.hint {
            writeln!(
                out,
                "{pad} {} {}: {h}",
                ui::paint(ui::CYAN, "="),
                ui::paint(ui::CYAN, "hint")
            )?;
        }
        writeln!(out)?;
    }
    drop(out);
    summary(report);
    Ok(())
}

/// The path as the user can open it from the working directory: `app.py` from inside its
/// directory, `../web/app.js` from a sibling (`--staged` and `--diff` report the whole
/// repository wherever they run), absolute when the two share only the filesystem root.
fn shown_path(d: &Diagnostic, root: &Path, cwd: &Path) -> String {
    let abs = root.join(&d.path);
    if let Ok(p) = abs.strip_prefix(cwd) {
        return p.display().to_string();
    }
    let a: Vec<_> = abs.components().collect();
    let c: Vec<_> = cwd.components().collect();
    let common = a.iter().zip(&c).take_while(|(x, y)| x == y).count();
    if common <= 1 {
        return abs.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in common..c.len() {
        rel.push("..");
    }
    rel.extend(&a[common..]);
    rel.display().to_string()
}

fn summary(report: &Report) {
    let n = report.diagnostics.len();
    let mut files: Vec<&str> = report.diagnostics.iter().map(|d| d.path.as_str()).collect();
    files.dedup();
    let checked = match report.files_checked {
        1 => "1 file checked".to_string(),
        k => format!("{k} files checked"),
    };
    match n {
        0 => ui::note(format!("no findings ({checked})")),
        _ => ui::note(format!(
            "{n} finding{} in {} file{} ({checked})",
            if n == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        )),
    }
    let s = &report.skipped;
    if s.total() > 0 {
        let parts: Vec<String> = [
            (s.binary, "binary"),
            (s.invalid_utf8, "not UTF-8"),
            (s.too_large, "too large"),
            (s.unreadable, "unreadable"),
            (s.symlink, "symlinks"),
        ]
        .iter()
        .filter(|(k, _)| *k > 0)
        .map(|(k, what)| format!("{k} {what}"))
        .collect();
        ui::note(format!("skipped {} files: {}", s.total(), parts.join(", ")));
    }
    if n > 0 {
        ui::hint(
            "suppress a finding that is intended with a `portlaw: ignore[CODE] reason` comment",
        );
    }
}
