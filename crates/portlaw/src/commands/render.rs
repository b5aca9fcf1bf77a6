//! `portlaw render`: write the registry's tables into the Markdown files it lists, between
//! `<!-- portlaw:begin NAME -->` / `<!-- portlaw:end NAME -->` lines; `--check` only reports.
//!
//! Also the pieces every registry-writing command shares: refusing the built-in registry,
//! running an update under the lock, and telling the user what changed.

use std::io::Write as _;

use portlaw_core::discover::Project;
use portlaw_core::fsutil::shown;
use portlaw_core::txn::{self, Kind, Options, Outcome};

use crate::args::RenderArgs;
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: RenderArgs) -> CmdResult {
    let project = writable(ctx)?;
    if args.check {
        let findings = portlaw_core::render::check_docs(&project.registry, &project.root);
        crate::commands::check::report(&findings, args.json)?;
        return Ok(ExitStatus::findings_if(!findings.is_empty()));
    }
    if portlaw_core::render::doc_files(&project.registry)?.is_empty() {
        ui::note("the registry lists no documents to render");
        ui::hint("add `[docs]` with `files = [\"docs/PORTS.md\"]` to the registry");
        if args.json {
            ui::json(&serde_json::json!({ "action": "render", "files": [] }))?;
        }
        return Ok(ExitStatus::Success);
    }
    let outcome = update(&project, false, false, |_| Ok(None))?;
    if args.json {
        // Like `add` and `retire`: what was written, as data.
        let files: Vec<_> = outcome
            .writes
            .iter()
            .map(|w| serde_json::json!({ "file": shown(&w.path), "created": !w.existed, "blocks": w.blocks }))
            .collect();
        ui::json(&serde_json::json!({ "action": "render", "files": files }))?;
        return Ok(ExitStatus::Success);
    }
    print_writes(&outcome, false)?;
    if outcome.writes.is_empty() {
        ui::note("every document is up to date");
    }
    Ok(ExitStatus::Success)
}

/// The project, which must have a registry file: the built-in registry has nothing to edit.
pub fn writable(ctx: &Ctx) -> Result<Project, CliError> {
    let project = ctx.project()?;
    if project.registry.is_builtin() {
        return Err(CliError::with_hint(
            "there is no registry file to change (using the built-in VECTRA registry)",
            "run `portlaw init` to write config/ports.toml, then try again",
        ));
    }
    Ok(project)
}

/// Runs `edit` under the registry lock (see `portlaw_core::txn`), saying so if it must wait.
pub fn update(
    project: &Project,
    dry_run: bool,
    ports_env: bool,
    edit: impl FnOnce(&Project) -> Result<Option<portlaw_core::Registry>, CliError>,
) -> Result<Outcome, CliError> {
    let on_wait = || ui::note("waiting for another portlaw process that is writing the registry");
    let outcome = txn::update(
        project,
        Options {
            dry_run,
            ports_env,
            on_wait: &on_wait,
        },
        edit,
    )?;
    if let Some(rec) = &outcome.recovered {
        let files: Vec<String> = outcome.repaired.iter().map(|w| shown(&w.path)).collect();
        ui::note(format!(
            "completed an interrupted write ({rec}){}",
            if files.is_empty() {
                String::new()
            } else {
                format!("; rewrote {}", files.join(", "))
            }
        ));
    }
    Ok(outcome)
}

/// One line per file written (or, with `dry_run`, that would be), on stdout.
pub fn print_writes(outcome: &Outcome, dry_run: bool) -> std::io::Result<()> {
    let mut out = anstream::stdout().lock();
    let width = outcome
        .writes
        .iter()
        .map(|w| shown(&w.path).len())
        .max()
        .unwrap_or(0);
    for w in &outcome.writes {
        let what = match (w.kind, w.existed) {
            (_, false) => "created".to_string(),
            (Kind::Registry, true) => "updated".to_string(),
            (Kind::PortsEnv, true) => "regenerated".to_string(),
            (Kind::Doc, true) => format!("updated blocks: {}", w.blocks.join(", ")),
        };
        let verb = if dry_run { "would be " } else { "" };
        let name = shown(&w.path);
        let pad = " ".repeat(width - name.len());
        writeln!(out, "  {}{pad}  {verb}{what}", ui::paint(ui::BOLD, name))?;
    }
    Ok(())
}

/// For readers (`check`): wait out a running writer and complete a killed one, then hand back
/// the project as the files now are, with a shared lock held until the guard is dropped.
pub fn settle(project: Project) -> Result<(Project, txn::Settled), CliError> {
    let settled = match txn::settle(&project) {
        Ok(s) => s,
        Err(e) => {
            // A read-only checkout cannot be repaired; report what is there instead.
            ui::warning(format!("could not complete an interrupted write: {e}"));
            return Ok((
                project,
                txn::Settled {
                    guard: None,
                    recovered: None,
                },
            ));
        }
    };
    if let Some(o) = &settled.recovered {
        let files: Vec<String> = o.repaired.iter().map(|w| shown(&w.path)).collect();
        ui::note(format!(
            "completed an interrupted write ({}); {}",
            o.recovered.as_deref().unwrap_or("?"),
            if files.is_empty() {
                "nothing needed rewriting".to_string()
            } else {
                format!("rewrote {}", files.join(", "))
            }
        ));
    }
    if settled.guard.is_none() {
        return Ok((project, settled));
    }
    // Re-read under the shared lock: a writer may have finished while we waited.
    let project = Project::open(&project.registry_path(), project.found)?;
    Ok((project, settled))
}
