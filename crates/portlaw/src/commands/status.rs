//! `portlaw status`: every registered port in one pass over the socket table: `free`, `up`
//! (its owner holds it) or `conflict` (an intruder or an unknown holder), and the squatters:
//! listeners on unregistered ports inside the managed span. Exit 1 on any conflict or
//! squatter. `--watch` redraws until interrupted.

use std::collections::BTreeSet;
use std::io::Write;
use std::time::Duration;

use serde::Serialize;

use portlaw_core::{Project, Service};

use crate::args::StatusArgs;
use crate::commands::holders::{self, PortReport};
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

#[derive(Serialize)]
struct Status {
    services: Vec<PortReport>,
    squatters: Vec<PortReport>,
    conflicts: usize,
}

pub fn run(ctx: &Ctx, args: StatusArgs) -> CmdResult {
    let project = ctx.project()?;
    if !args.watch {
        return once(&project, args.json);
    }
    // try_from: a huge finite value (1e300) would make `from_secs_f64` panic.
    let interval = match Duration::try_from_secs_f64(args.interval) {
        Ok(d) if !d.is_zero() => d,
        _ => {
            return Err(CliError::usage(format!(
                "--interval {} is not a positive number of seconds",
                args.interval
            )));
        }
    };
    let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let mut project = project;
    let mut first = true;
    loop {
        // Each later pass reads the registry again, so an edit (or a `portlaw add`) shows up;
        // a registry that no longer parses is reported and the last good one kept.
        if !std::mem::take(&mut first)
            && let portlaw_core::Origin::File(path) = &project.registry.origin
        {
            match Project::open(path, project.found) {
                Ok(p) => project = p,
                Err(e) => ui::error(format!("{e} (showing the last registry that parsed)")),
            }
        }
        if tty {
            // Clear the screen and go home, so each pass replaces the last.
            print!("\x1b[2J\x1b[H");
        }
        once(&project, args.json)?;
        std::io::stdout().flush()?;
        std::thread::sleep(interval);
    }
}

fn once(project: &Project, json: bool) -> CmdResult {
    let reg = &project.registry;
    let mut services: Vec<(u16, &Service)> = Vec::new();
    let resolver = holders::Resolver::new(project)?;
    for s in reg.live_services() {
        let port = resolver.port(s).unwrap_or_else(|e| {
            ui::warning(format!(
                "{}: {e}; showing its registry port {}",
                s.id, s.port
            ));
            s.port
        });
        services.push((port, s));
    }
    let registered: BTreeSet<u16> = services.iter().map(|(p, _)| *p).collect();
    let snap = portlaw_probe::snapshot(&|p| registered.contains(&p) || holders::managed(reg, p))?;
    let services: Vec<PortReport> = services
        .iter()
        .map(|(port, s)| holders::report(project, &snap, *port, Some(s)))
        .collect();
    let squatters: Vec<PortReport> = snap
        .ports
        .values()
        .filter(|p| p.is_held() && !registered.contains(&p.port) && holders::managed(reg, p.port))
        .map(|p| {
            let mut r = holders::report(project, &snap, p.port, None);
            r.state = "conflict";
            r
        })
        .collect();
    let conflicts = services.iter().filter(|r| r.is_conflict()).count() + squatters.len();
    let status = ExitStatus::findings_if(conflicts > 0);
    if json {
        ui::json(&Status {
            services,
            squatters,
            conflicts,
        })?;
        return Ok(status);
    }
    let rows: Vec<Vec<String>> = services
        .iter()
        .map(|r| row(r, r.service.as_deref().unwrap_or("")))
        .chain(squatters.iter().map(|r| row(r, "(squatter)")))
        .collect();
    ui::table(&["PORT", "SERVICE", "STATE", "HELD BY"], &rows)?;
    let up = services.iter().filter(|r| r.state == "up").count();
    let free = services.iter().filter(|r| r.state == "free").count();
    let summary = format!(
        "{} services: {up} up, {free} free, {} conflict(s); {} squatter(s)",
        services.len(),
        services.iter().filter(|r| r.is_conflict()).count(),
        squatters.len()
    );
    if conflicts > 0 {
        ui::warning(summary);
        ui::hint("`portlaw who PORT` shows every holder in full; `portlaw free PORT` stops one");
    } else {
        ui::note(summary);
    }
    Ok(status)
}

fn row(r: &PortReport, name: &str) -> Vec<String> {
    let state = match r.state {
        "free" => ui::paint(ui::DIM, "free"),
        "up" => ui::paint(ui::GREEN, "up"),
        _ => ui::paint(ui::RED, "conflict"),
    };
    let mut held: Vec<String> = Vec::new();
    for h in r.holders.iter().take(2) {
        let mut s = holders::short(h);
        if h.verdict.is_conflict() {
            s += &format!(": {}", short_verdict(&h.verdict));
        }
        held.push(s);
    }
    if r.holders.len() > 2 {
        held.push(format!("+{} more", r.holders.len() - 2));
    }
    if r.holders.is_empty() && r.time_wait > 0 {
        held.push(format!("({} TIME_WAIT)", r.time_wait));
    }
    vec![r.port.to_string(), name.to_string(), state, held.join(", ")]
}

fn short_verdict(v: &portlaw_probe::Verdict) -> String {
    use portlaw_probe::Verdict::*;
    match v {
        Owner { .. } => "owner".into(),
        WrongService { service, .. } => format!("service '{service}' on the wrong port"),
        Foreign => "intruder".into(),
        Unknown => "unknown".into(),
    }
}
