//! `portlaw hook install|uninstall`: the git pre-commit hook that runs `portlaw lint --staged`,
//! so that no commit adds a hard-coded port. It goes where git looks for hooks (respecting
//! `core.hooksPath`), and never overwrites a hook it did not write unless told to.

use std::path::PathBuf;
use std::process::Command;

use crate::args::HookCommand;
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

/// The line that marks a hook as portlaw's own.
const MARKER: &str = "# portlaw-hook:";

fn script() -> String {
    let exe = std::env::current_exe()
        .ok()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "portlaw".into());
    format!(
        "#!/bin/sh\n\
         {MARKER} written by `portlaw hook install`; remove with `portlaw hook uninstall`.\n\
         # Blocks commits whose staged lines add hard-coded, unregistered or sacred ports.\n\
         # Bypass once with `git commit --no-verify`.\n\
         PORTLAW=\"${{PORTLAW:-portlaw}}\"\n\
         if ! command -v \"$PORTLAW\" >/dev/null 2>&1; then\n\
         \x20   PORTLAW='{}'\n\
         fi\n\
         exec \"$PORTLAW\" lint --staged\n",
        exe.replace('\'', "'\\''")
    )
}

fn hooks_dir(ctx: &Ctx) -> Result<PathBuf, CliError> {
    let out = Command::new("git")
        .args(["rev-parse", "--git-path", "hooks"])
        .current_dir(&ctx.cwd)
        .output()
        .map_err(|e| CliError::usage(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(CliError::with_hint(
            "not inside a git repository",
            "run `portlaw hook install` from the repository you want to protect",
        ));
    }
    Ok(ctx.cwd.join(String::from_utf8_lossy(&out.stdout).trim()))
}

pub fn run(ctx: &Ctx, cmd: HookCommand) -> CmdResult {
    let dir = hooks_dir(ctx)?;
    let path = dir.join("pre-commit");
    let bak = dir.join("pre-commit.bak");
    // Every file touched stays inside git's hooks directory and is a regular file: a
    // pre-commit symlinked to a file elsewhere is refused, never rewritten or chmod-ed.
    if dir.exists() {
        for p in [&path, &bak] {
            portlaw_core::fsutil::resolve_target(&dir, p)?;
        }
    }
    // Any file there counts as a hook, even one that cannot be read as text (a binary, a
    // dangling symlink from a hook manager): only a hook with our marker is ours to replace.
    let existing = path.symlink_metadata().ok().map(|_| {
        std::fs::read(&path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    });
    let ours = existing.as_deref().is_some_and(|t| t.contains(MARKER));
    match cmd {
        HookCommand::Install(a) => {
            if existing.is_some() && !ours {
                if !a.force {
                    return Err(CliError::with_hint(
                        format!("{} exists and was not written by portlaw", path.display()),
                        "add `portlaw lint --staged` to it yourself, or pass --force to replace it (the old one is kept as pre-commit.bak)",
                    ));
                }
                std::fs::rename(&path, &bak)?;
                ui::note(format!("kept the old hook as {}", bak.display()));
            }
            std::fs::create_dir_all(&dir)?;
            let real = portlaw_core::fsutil::resolve_target(&dir, &path)?;
            portlaw_core::fsutil::write_atomic(&dir, &real, script().as_bytes())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o755))?;
            }
            ui::note(format!("installed {}", path.display()));
            ui::hint("it runs `portlaw lint --staged` before every commit");
        }
        HookCommand::Uninstall => match (existing.is_some(), ours) {
            (false, _) => ui::note("no pre-commit hook installed"),
            (true, false) => {
                return Err(CliError::usage(format!(
                    "{} was not written by portlaw; leaving it alone",
                    path.display()
                )));
            }
            (true, true) => {
                std::fs::remove_file(&path)?;
                ui::note(format!("removed {}", path.display()));
            }
        },
    }
    Ok(ExitStatus::Success)
}
