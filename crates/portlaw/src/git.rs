//! Reading the registry as it was at a git revision, for `check --against REV`.
//!
//! This shells out to `git` rather than reading object files: packs, alternates, worktrees and
//! partial clones are git's business, and CI machines that check out a repository have git.

use std::path::Path;
use std::process::Command;

use portlaw_core::check::Finding;
use portlaw_core::discover::Project;
use portlaw_core::{Origin, Registry, history};

use crate::{CliError, ui};

fn git(dir: &Path, args: &[&str]) -> Result<std::process::Output, CliError> {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| {
            CliError::with_hint(
                format!("cannot run git: {e}"),
                "install git, or drop --against",
            )
        })
}

/// The text of `file` at `rev`, `None` when it did not exist there. An unknown revision, or a
/// directory outside any git repository, is a usage error (exit 2).
pub fn show(file: &Path, rev: &str) -> Result<Option<String>, CliError> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let verify = git(
        dir,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &format!("{rev}^{{commit}}"),
        ],
    )?;
    if !verify.status.success() {
        let why = String::from_utf8_lossy(&verify.stderr).trim().to_string();
        let msg = if why.is_empty() {
            format!("cannot read git revision '{rev}'")
        } else {
            format!("cannot read git revision '{rev}': {why}")
        };
        return Err(CliError::with_hint(
            msg,
            "pass a commit, branch or tag that exists here (in CI, fetch it first: `git fetch origin main`)",
        ));
    }
    // `REV:./NAME` is resolved relative to `-C DIR`, wherever the repository root is.
    let spec = format!("{rev}:./{name}");
    let exists = git(dir, &["cat-file", "-e", &spec])?;
    if !exists.status.success() {
        return Ok(None);
    }
    let out = git(dir, &["show", &spec])?;
    if !out.status.success() {
        return Err(CliError::usage(format!(
            "git show {spec}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    let text = portlaw_core::fsutil::decode(Path::new(&spec), out.stdout)?;
    Ok(Some(text))
}

/// Findings for every reassignment between the registry at `rev` and the current one.
pub fn against(project: &Project, rev: &str) -> Result<Vec<Finding>, CliError> {
    let path = project.registry_path();
    let shown = portlaw_core::fsutil::shown(&path);
    let Some(text) = show(&path, rev)? else {
        ui::note(format!(
            "{shown} did not exist at {rev}: nothing to compare against"
        ));
        return Ok(Vec::new());
    };
    let old = Registry::parse(&text, Origin::File(format!("{rev}:{shown}").into()))?;
    Ok(history::compare(&old, &project.registry, rev))
}
