//! `portlaw add`: register a new service on the lowest free port of a range (or a port the
//! user names, after the same checks), then regenerate ports.env and the listed documents.
//!
//! Everything is decided inside the registry lock, against the registry as re-read there, so
//! two `portlaw add` at once get two different ports. A refusal (full range, taken port,
//! duplicate id or env var) exits 1 with nothing written.

use std::collections::BTreeSet;
use std::io::Write as _;

use portlaw_core::alloc::{self, AllocError};
use portlaw_core::edit::{self, NewService};
use portlaw_core::fsutil::shown;
use portlaw_core::{Registry, txn};

use crate::args::{AddArgs, NewStatus};
use crate::commands::render::{print_writes, update, writable};
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: AddArgs) -> CmdResult {
    let project = writable(ctx)?;
    alloc::validate_id(&args.id).map_err(CliError::usage)?;
    let env = args
        .env
        .clone()
        .unwrap_or_else(|| alloc::derive_env(&args.id));
    alloc::validate_env(&env).map_err(|m| {
        CliError::with_hint(
            m,
            "pass --env NAME_PORT (portlaw derives one from the id when --env is left out)",
        )
    })?;
    let protocols: Vec<String> = args
        .protocol
        .iter()
        .flat_map(|p| p.split('/'))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if protocols.is_empty() {
        return Err(CliError::usage("--protocol is empty"));
    }
    for o in args.owner.iter().filter(|o| o.contains('/')) {
        if !project.root.join(o).exists() {
            ui::warning(format!(
                "owner path {o} does not exist in the repository (yet?)"
            ));
        }
    }
    // Looked at before taking the lock, to hold it as briefly as possible; what is bound
    // here can change a moment later anyway.
    let held: BTreeSet<u16> = if args.offline {
        BTreeSet::new()
    } else {
        portlaw_probe::held_ports().map_err(|e| {
            CliError::with_hint(
                format!("cannot read this machine's sockets: {e}"),
                "pass --offline to allocate from the registry alone",
            )
        })?
    };
    let status = match args.status {
        NewStatus::Reserved => "reserved",
        NewStatus::Allocated => "allocated",
        NewStatus::Active => "active",
    };

    let mut chosen = None;
    let outcome = update(&project, args.dry_run, true, |cur| {
        let reg = &cur.registry;
        let file = reg.origin.display_path();
        if let Some(s) = reg.service(&args.id) {
            return Err(CliError::Refused(
                format!(
                    "service id '{}' is already registered ({}:{}, port {}, {})",
                    s.id, file, s.lines.id, s.port, s.status
                ),
                Some("ids are never reused, retired ones included: pick another id".into()),
            ));
        }
        if let Some(s) = reg.services.iter().find(|s| s.env == env) {
            return Err(CliError::Refused(
                format!(
                    "env var {env} is already used by '{}' ({}:{})",
                    s.id, file, s.lines.env
                ),
                Some("pass --env with another name".into()),
            ));
        }
        let choice = alloc::choose(reg, args.range.as_deref(), args.port, &|p| {
            held.contains(&p)
        })
        .map_err(refusal)?;
        let svc = NewService {
            id: args.id.clone(),
            name: args.name.clone(),
            port: choice.port,
            env: env.clone(),
            protocols: protocols.clone(),
            purpose: args.purpose.clone(),
            owners: args.owner.clone(),
            status: status.into(),
        };
        let after = edit::with_service(reg, &svc)?;
        refuse_new_findings(reg, &after)?;
        chosen = Some(choice);
        Ok(Some(after))
    })?;
    let choice = chosen.expect("set by a successful edit");

    if args.json {
        ui::json(&serde_json::json!({
            "action": "add",
            "id": args.id,
            "port": choice.port,
            "env": env,
            "range": choice.range,
            "status": status,
            "dry_run": args.dry_run,
            "files": outcome.writes.iter().map(|w| shown(&w.path)).collect::<Vec<_>>(),
        }))?;
        return Ok(ExitStatus::Success);
    }
    writeln!(
        anstream::stdout(),
        "{} {} on port {} (range {}, {env}, {status})",
        if args.dry_run { "would add" } else { "added" },
        ui::paint(ui::BOLD, &args.id),
        ui::paint(ui::GREEN, choice.port),
        choice.range,
    )?;
    print_writes(&outcome, args.dry_run)?;
    if args.dry_run {
        ui::note("dry run: nothing was written");
    }
    Ok(ExitStatus::Success)
}

/// An allocation failure as the CLI reports it: a mistyped request exits 2, a refusal 1.
fn refusal(e: AllocError) -> CliError {
    let hint = e.hint();
    if e.is_usage() {
        CliError::Usage(e.to_string(), hint)
    } else {
        CliError::Refused(e.to_string(), hint)
    }
}

/// Refuses an edit that would give `check` something new to report (a WebSocket service with
/// no allowed URL, a sacred port left without its owner, ...).
pub fn refuse_new_findings(before: &Registry, after: &Registry) -> Result<(), CliError> {
    let new = txn::new_findings(before, after);
    let Some(first) = new.first() else {
        return Ok(());
    };
    let more = match new.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    Err(CliError::Refused(
        format!(
            "this change would make `portlaw check` report: {} {}{more}",
            first.code, first.message
        ),
        first.hint.clone(),
    ))
}
