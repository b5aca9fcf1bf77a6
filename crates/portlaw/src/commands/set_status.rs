//! `portlaw set-status ID STATUS`: move a service along reserved → allocated → active, or
//! retire it. A retired service is a tombstone and stays one: its port is never handed out
//! again, and bringing it back is refused (add a new service instead).

use std::io::Write as _;

use portlaw_core::Status;
use portlaw_core::edit;
use portlaw_core::fsutil::shown;

use crate::args::{AnyStatus, SetStatusArgs};
use crate::commands::add::refuse_new_findings;
use crate::commands::render::{print_writes, update, writable};
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: SetStatusArgs) -> CmdResult {
    let status = match args.status {
        AnyStatus::Reserved => Status::Reserved,
        AnyStatus::Allocated => Status::Allocated,
        AnyStatus::Active => Status::Active,
        AnyStatus::Retired => Status::Retired,
    };
    change(ctx, &args.id, status, args.dry_run, args.json)
}

/// Sets service `id`'s status (shared with `portlaw retire`).
pub fn change(ctx: &Ctx, id: &str, status: Status, dry_run: bool, json: bool) -> CmdResult {
    let project = writable(ctx)?;
    let mut was = None;
    let mut port = 0;
    let mut env = String::new();
    let outcome = update(&project, dry_run, true, |cur| {
        let reg = &cur.registry;
        let Some(s) = reg.service(id) else {
            let known: Vec<&str> = reg
                .services
                .iter()
                .map(|s| s.id.as_str())
                .take(12)
                .collect();
            return Err(CliError::with_hint(
                format!("no service with id '{id}' in {}", reg.origin.display_path()),
                format!(
                    "ids here: {}{}",
                    known.join(", "),
                    if reg.services.len() > 12 { ", ..." } else { "" }
                ),
            ));
        };
        was = Some(s.status.clone());
        (port, env) = (s.port, s.env.clone());
        if s.status == status {
            return Ok(None);
        }
        if s.is_retired() {
            return Err(CliError::Refused(
                format!("service '{id}' is retired: its port {} stays a tombstone", s.port),
                Some(
                    "a retired service is never brought back; register a new one with `portlaw add` (it gets a new port)".into(),
                ),
            ));
        }
        let after = edit::with_status(reg, id, status.as_str())?;
        refuse_new_findings(reg, &after)?;
        Ok(Some(after))
    })?;
    let was = was.expect("set by the edit");
    let changed = was != status;

    if json {
        ui::json(&serde_json::json!({
            "action": "set-status",
            "id": id,
            "port": port,
            "env": env,
            "from": was.as_str(),
            "to": status.as_str(),
            "changed": changed,
            "dry_run": dry_run,
            "files": outcome.writes.iter().map(|w| shown(&w.path)).collect::<Vec<_>>(),
        }))?;
        return Ok(ExitStatus::Success);
    }
    if !changed {
        ui::note(format!(
            "service '{id}' is already {status}; nothing to change"
        ));
        print_writes(&outcome, dry_run)?;
        return Ok(ExitStatus::Success);
    }
    let verb = if dry_run { "would set" } else { "set" };
    if status == Status::Retired {
        writeln!(
            anstream::stdout(),
            "{} {} (port {port}): {was} → retired; the port stays registered and is never handed out again, {env} leaves ports.env",
            if dry_run { "would retire" } else { "retired" },
            ui::paint(ui::BOLD, id),
        )?;
    } else {
        writeln!(
            anstream::stdout(),
            "{verb} {} (port {port}): {was} → {status}",
            ui::paint(ui::BOLD, id)
        )?;
    }
    print_writes(&outcome, dry_run)?;
    if dry_run {
        ui::note("dry run: nothing was written");
    }
    Ok(ExitStatus::Success)
}
