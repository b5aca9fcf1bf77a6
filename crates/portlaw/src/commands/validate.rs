//! `portlaw validate [SERVICE...]`: the startup check the spec asks every service to run,
//! done from the socket table (a probe bind on one address misses holders on the others).
//! Each service's resolved port must be free, or with `--allow-running` held only by its
//! owner. A failure says who holds the port, whether it is a known service, and the command
//! that would stop it. Exit 1 on any failure.

use std::io::Write;

use serde::Serialize;

use portlaw_core::Service;

use crate::args::ValidateArgs;
use crate::commands::holders::{self, PortReport};
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

#[derive(Serialize)]
struct Outcome {
    ok: bool,
    #[serde(flatten)]
    report: PortReport,
}

pub fn run(ctx: &Ctx, args: ValidateArgs) -> CmdResult {
    let project = ctx.project()?;
    let reg = &project.registry;
    let chosen: Vec<&Service> = if args.services.is_empty() {
        reg.live_services().filter(|s| !s.external).collect()
    } else {
        let mut v = Vec::new();
        for name in &args.services {
            let s = reg.lookup(name).ok_or_else(|| {
                CliError::with_hint(
                    format!(
                        "no service or env var '{name}' in {}",
                        reg.origin.display_path()
                    ),
                    "`portlaw list` shows what is registered",
                )
            })?;
            if s.is_retired() {
                return Err(CliError::usage(format!(
                    "service '{}' is retired; it has no port to validate",
                    s.id
                )));
            }
            v.push(s);
        }
        v
    };
    let resolver = holders::Resolver::new(&project)?;
    let mut ports = Vec::new();
    for s in &chosen {
        ports.push((resolver.port(s)?, *s));
    }
    let wanted: Vec<u16> = ports.iter().map(|(p, _)| *p).collect();
    let snap = portlaw_probe::snapshot(&|p| wanted.contains(&p))?;
    let outcomes: Vec<Outcome> = ports
        .iter()
        .map(|(port, s)| {
            let report = holders::report(&project, &snap, *port, Some(s));
            let ok = report.state == "free" || (args.allow_running && report.state == "up");
            Outcome { ok, report }
        })
        .collect();
    let failed = outcomes.iter().filter(|o| !o.ok).count();
    if args.json {
        ui::json(&outcomes)?;
        return Ok(ExitStatus::findings_if(failed > 0));
    }
    let mut out = anstream::stdout().lock();
    for o in &outcomes {
        let r = &o.report;
        let name = r.service.as_deref().unwrap_or("?");
        let env = r.env.as_deref().unwrap_or("?");
        if o.ok {
            let how = if r.state == "up" {
                "held by its owner"
            } else {
                "free"
            };
            writeln!(
                out,
                "{} {} {name} ({env}): {how}",
                ui::paint(ui::GREEN, "ok"),
                r.port
            )?;
            continue;
        }
        writeln!(
            out,
            "{}: port {} is already in use; service '{name}' ({env}) cannot start",
            ui::paint(ui::RED, "FATAL"),
            r.port
        )?;
        for h in &r.holders {
            holders::write_holder(&mut out, h, "  ")?;
        }
        let owner_only = r.holders.iter().all(|h| !h.verdict.is_conflict());
        if owner_only {
            writeln!(
                out,
                "  it is '{name}' itself, already running: pass --allow-running to accept that"
            )?;
        }
        writeln!(out, "  to stop it: {}", holders::stop_command(r))?;
    }
    if failed > 0 {
        ui::error(format!(
            "{failed} of {} port(s) not available",
            outcomes.len()
        ));
    }
    Ok(ExitStatus::findings_if(failed > 0))
}
