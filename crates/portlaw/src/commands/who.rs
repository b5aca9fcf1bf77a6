//! `portlaw who PORT...`: every holder of each port (all processes sharing a socket, each
//! address and protocol), its details and the verdict: owner, another service on the wrong
//! port, a foreign process, or an unknown one. Exit 1 when a registered or managed port has a
//! holder that is not its owner.

use std::io::Write;

use crate::args::WhoArgs;
use crate::commands::holders::{self, PortReport};
use crate::exit::ExitStatus;
use crate::{CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: WhoArgs) -> CmdResult {
    let project = ctx.project()?;
    let mut asked = Vec::new();
    for a in &args.ports {
        asked.push(holders::port_arg(&project, a)?);
    }
    let ports: Vec<u16> = asked.iter().map(|(p, _)| *p).collect();
    let snap = portlaw_probe::snapshot(&|p| ports.contains(&p))?;
    let reports: Vec<PortReport> = asked
        .iter()
        .map(|(port, svc)| holders::report(&project, &snap, *port, *svc))
        .collect();
    let conflict = reports.iter().any(PortReport::is_conflict);
    if args.json {
        ui::json(&reports)?;
        return Ok(ExitStatus::findings_if(conflict));
    }
    let mut out = anstream::stdout().lock();
    for r in &reports {
        write_report(&mut out, r)?;
    }
    Ok(ExitStatus::findings_if(conflict))
}

fn write_report(out: &mut impl Write, r: &PortReport) -> std::io::Result<()> {
    let who = match (&r.service, &r.env) {
        (Some(s), Some(e)) => format!("{s} ({e})"),
        _ => "unregistered".to_string(),
    };
    let state = match r.state {
        "free" => ui::paint(ui::GREEN, "free"),
        "up" => ui::paint(ui::GREEN, "up"),
        "conflict" => ui::paint(ui::RED, "conflict"),
        other => other.to_string(),
    };
    write!(out, "{}  {who}  {state}", ui::paint(ui::BOLD, r.port))?;
    if r.holders.len() > 1 {
        write!(out, "  ({} holders)", r.holders.len())?;
    }
    if r.time_wait > 0 {
        write!(
            out,
            "  {}",
            ui::paint(
                ui::DIM,
                format!("{} TIME_WAIT leftover(s), not holders", r.time_wait)
            )
        )?;
    }
    writeln!(out)?;
    for h in &r.holders {
        holders::write_holder(out, h, "  ")?;
    }
    Ok(())
}
