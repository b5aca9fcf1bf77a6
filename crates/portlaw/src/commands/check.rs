//! `portlaw check`: every problem in the registry and ports.env at once.

use std::io::Write;

use portlaw_core::check::{self, Finding};
use portlaw_core::fsutil;

use crate::args::CheckArgs;
use crate::exit::ExitStatus;
use crate::{CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: CheckArgs) -> CmdResult {
    let project = ctx.project()?;
    // Wait out a `portlaw add` that is writing, and complete one that was killed mid-way,
    // so check sees whole, agreeing files (see portlaw_core::txn).
    let (project, _settled) = crate::commands::render::settle(project)?;
    let reg = &project.registry;
    let mut findings = check::check_registry(reg);
    // The built-in registry governs no files of its own: a missing ports.env is only drift
    // once the repository has a registry file.
    let ports_env = project.ports_env()?;
    if !project.registry.is_builtin() || ports_env.is_some() {
        let shown = fsutil::shown(&project.ports_env_path);
        findings.extend(check::check_ports_env(reg, &shown, ports_env.as_ref()));
    }
    findings.extend(portlaw_core::render::check_docs(reg, &project.root));
    if let Some(rev) = &args.against {
        findings.extend(crate::git::against(&project, rev)?);
    }
    report(&findings, args.json)?;
    Ok(ExitStatus::findings_if(!findings.is_empty()))
}

/// Prints findings as `file:line: code: message` (stdout) and a summary (stderr).
pub fn report(findings: &[Finding], json: bool) -> std::io::Result<()> {
    if json {
        return ui::json(&findings);
    }
    let mut out = anstream::stdout().lock();
    for f in findings {
        let at = if f.line > 0 {
            format!("{}:{}", f.file, f.line)
        } else {
            f.file.clone()
        };
        writeln!(
            out,
            "{}: {} {}",
            ui::paint(ui::BOLD, at),
            ui::paint(ui::RED, f.code),
            f.message
        )?;
        if let Some(h) = &f.hint {
            writeln!(out, "  {}: {h}", ui::paint(ui::CYAN, "hint"))?;
        }
    }
    drop(out);
    match findings.len() {
        0 => ui::note("no problems found"),
        1 => ui::note("1 problem found"),
        n => ui::note(format!("{n} problems found")),
    }
    Ok(())
}
