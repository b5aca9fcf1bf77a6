//! `portlaw env`: generate config/ports.env, print it in other formats, or check it for drift.

use std::io::Write;

use portlaw_core::{fsutil, portsenv};

use crate::args::{EnvArgs, EnvFormat};
use crate::exit::ExitStatus;
use crate::{CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: EnvArgs) -> CmdResult {
    let project = ctx.project()?;
    let reg = &project.registry;
    let path = &project.ports_env_path;
    let shown = fsutil::shown(path);

    if args.check {
        let on_disk = project.ports_env()?;
        let findings = portlaw_core::check::check_ports_env(reg, &shown, on_disk.as_ref());
        if args.json {
            ui::json(&findings)?;
        } else {
            let mut out = anstream::stdout().lock();
            for f in &findings {
                let at = if f.line > 0 {
                    format!("{}:{}", f.file, f.line)
                } else {
                    f.file.clone()
                };
                writeln!(out, "{at}: {}", f.message)?;
            }
            if !findings.is_empty() {
                ui::hint("run `portlaw env --write` to regenerate it from the registry");
            }
        }
        return Ok(ExitStatus::findings_if(!findings.is_empty()));
    }

    let text = portsenv::generate(reg);
    if args.write && !reg.is_builtin() {
        // Under the registry lock, like every other writer, so that a concurrent `add` cannot
        // leave a ports.env from the registry it replaced. Stale listed documents are
        // refreshed in the same step: every generated file then agrees with the registry.
        let outcome = crate::commands::render::update(&project, false, true, |_| Ok(None))?;
        crate::commands::render::print_writes(&outcome, false)?;
        if outcome.writes.is_empty() {
            ui::note(format!("{shown} is up to date"));
        }
        return Ok(ExitStatus::Success);
    }
    if args.write {
        // Refuse to write over a file we cannot parse: it may hold something a person needs.
        // The built-in registry has no file to lock; the line printed matches the locked path's.
        let on_disk = project.ports_env()?;
        let existed = on_disk.is_some();
        if on_disk.is_some_and(|e| e.text == text) {
            ui::note(format!("{shown} is up to date"));
        } else {
            fsutil::write_atomic(&project.root, path, text.as_bytes())?;
            let what = if existed { "regenerated" } else { "created" };
            writeln!(
                anstream::stdout(),
                "  {}  {what}",
                ui::paint(ui::BOLD, &shown)
            )?;
        }
        return Ok(ExitStatus::Success);
    }

    let mut services: Vec<_> = reg.live_services().collect();
    services.sort_by_key(|s| s.port);
    let mut out = std::io::stdout().lock();
    match args.format {
        EnvFormat::Dotenv => out.write_all(text.as_bytes())?,
        EnvFormat::Shell => {
            for s in services {
                writeln!(out, "export {}={}", s.env, s.port)?;
            }
        }
        EnvFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> = services
                .iter()
                .map(|s| (s.env.clone(), s.port.into()))
                .collect();
            drop(out);
            ui::json(&map)?;
        }
    }
    Ok(ExitStatus::Success)
}
