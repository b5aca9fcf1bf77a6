//! `portlaw free PORT`: stop whatever holds a port. SIGTERM first; SIGKILL only with `--kill`
//! once `--timeout` has passed. Each process is pinned with a pidfd and its start time
//! rechecked before anything is sent, so a pid reused by a newcomer is never signalled. The
//! port's registered owner is refused without `--force`; on a terminal it asks first unless
//! `--yes`. Exit 0 when the port ends up free, 1 when it is still held.

use std::io::{BufRead, IsTerminal, Write};
use std::time::{Duration, Instant};

use serde::Serialize;

use portlaw_probe::Pinned;

use crate::args::FreeArgs;
use crate::commands::holders::{self, Judged, PortReport};
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

#[derive(Serialize)]
struct Signalled {
    pid: u32,
    signal: &'static str,
}

#[derive(Serialize, Default)]
struct Report {
    port: u16,
    dry_run: bool,
    /// Each process signalled, with the last signal it was sent.
    signalled: Vec<Signalled>,
    /// Processes that had exited (or whose pid was reused) before they could be signalled.
    gone: Vec<u32>,
    free: bool,
    /// The holders left at the end (with --dry-run: those that would be signalled).
    still_held_by: Vec<Judged>,
}

pub fn run(ctx: &Ctx, args: FreeArgs) -> CmdResult {
    // try_from: a huge finite value (1e300) would make `from_secs_f64` panic.
    let Ok(wait) = Duration::try_from_secs_f64(args.timeout) else {
        return Err(CliError::usage(format!(
            "--timeout {} is not a number of seconds",
            args.timeout
        )));
    };
    let project = ctx.project()?;
    let (port, svc) = holders::port_arg(&project, &args.port)?;
    let look = || -> Result<PortReport, CliError> {
        let snap = portlaw_probe::snapshot(&|p| p == port)?;
        Ok(holders::report(&project, &snap, port, svc))
    };
    let before = look()?;
    let mut rep = Report {
        port,
        dry_run: args.dry_run,
        ..Report::default()
    };
    if before.holders.is_empty() {
        rep.free = true;
        return finish(&args, rep, "nothing holds it");
    }
    // Still held, and not by bad input: exit 1, like refusing the owner below.
    if let Some(h) = before.holders.iter().find(|h| h.pid.is_none()) {
        return Err(CliError::Refused(
            format!(
                "port {port} is held by a process this user cannot see (socket uid {}); nothing was signalled",
                h.uid
            ),
            Some("run portlaw as root (or as that user) to see and stop it".into()),
        ));
    }
    // pid 1 (systemd or another init holding the port for socket activation) cannot be
    // stopped by a signal, and must not be: the fix is its unit, not a SIGTERM.
    if let Some(h) = before.holders.iter().find(|h| h.pid == Some(1)) {
        return Err(CliError::Refused(
            format!(
                "port {port} is held by {} (the init process); refusing to signal it",
                holders::short(h)
            ),
            Some(
                "stop or reconfigure the socket unit that holds it (systemctl list-sockets)".into(),
            ),
        ));
    }
    if !args.force
        && let Some(h) = before.holders.iter().find(|h| !h.verdict.is_conflict())
    {
        return Err(CliError::Refused(
            format!(
                "{} is the registered owner of port {port} ({}); refusing to stop it",
                holders::short(h),
                h.verdict.describe()
            ),
            Some(format!(
                "pass --force to stop it anyway: portlaw free {port} --force"
            )),
        ));
    }

    let mut err = anstream::stderr().lock();
    let verb = if args.dry_run {
        "would send"
    } else {
        "will send"
    };
    for h in &before.holders {
        writeln!(
            err,
            "{verb} SIGTERM to {}: {}",
            holders::short(h),
            h.verdict.describe()
        )?;
        if let Some(p) = &h.process {
            writeln!(err, "  {}", holders::esc(p.command()))?;
        }
    }
    drop(err);
    if args.dry_run {
        // The JSON report says who would be signalled: the holders as they are.
        rep.still_held_by = before.holders;
        return finish(&args, rep, "dry run: nothing was signalled");
    }
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Err(CliError::with_hint(
                "not asking on a non-terminal: nothing was signalled",
                "pass --yes to stop the holders without asking",
            ));
        }
        eprint!("stop {} process(es)? [y/N] ", before.holders.len());
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            ui::note("nothing was signalled");
            return Ok(ExitStatus::Findings);
        }
    }

    // Pin every holder first, then signal: a pidfd names one process for good.
    let mut pinned: Vec<(Pinned, u64)> = Vec::new();
    for h in &before.holders {
        let Some(p) = &h.process else { continue };
        match Pinned::open(p.pid, p.start_ticks)? {
            Some(pin) => pinned.push((pin, p.start_ticks)),
            None => rep.gone.push(p.pid),
        }
    }
    signal_all(&pinned, false, &mut rep)?;
    pinned = wait_exit(pinned, wait);
    if !pinned.is_empty() && args.kill {
        signal_all(&pinned, true, &mut rep)?;
        pinned = wait_exit(pinned, wait.max(Duration::from_secs(1)));
    }
    let after = look()?;
    rep.free = after.holders.is_empty();
    rep.still_held_by = after.holders;
    if !rep.free && !pinned.is_empty() && !args.kill {
        ui::hint(format!(
            "still running after {}s: add --kill to send SIGKILL",
            args.timeout
        ));
    }
    finish(&args, rep, "")
}

fn signal_all(pinned: &[(Pinned, u64)], kill: bool, rep: &mut Report) -> std::io::Result<()> {
    let name = if kill { "SIGKILL" } else { "SIGTERM" };
    for (p, _) in pinned {
        p.signal(kill)?;
        rep.signalled.retain(|s| s.pid != p.pid);
        rep.signalled.push(Signalled {
            pid: p.pid,
            signal: name,
        });
    }
    Ok(())
}

/// Waits until every pinned process has exited or `limit` passes; returns those still alive.
fn wait_exit(mut pinned: Vec<(Pinned, u64)>, limit: Duration) -> Vec<(Pinned, u64)> {
    let start = Instant::now();
    loop {
        pinned.retain(|(p, ticks)| !p.exited(*ticks));
        if pinned.is_empty() || start.elapsed() >= limit {
            return pinned;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn finish(args: &FreeArgs, rep: Report, why: &str) -> CmdResult {
    let status = ExitStatus::findings_if(!rep.free && !args.dry_run);
    if args.json {
        ui::json(&rep)?;
        return Ok(status);
    }
    let mut out = anstream::stdout().lock();
    for s in &rep.signalled {
        writeln!(out, "sent {} to pid {}", s.signal, s.pid)?;
    }
    for pid in &rep.gone {
        writeln!(out, "pid {pid} had already exited; not signalled")?;
    }
    if args.dry_run {
        writeln!(out, "port {} is held; {why}", rep.port)?;
    } else if rep.free {
        let tail = if why.is_empty() {
            String::new()
        } else {
            format!(" ({why})")
        };
        writeln!(out, "port {} is free{tail}", ui::paint(ui::GREEN, rep.port))?;
    } else {
        writeln!(
            out,
            "port {} is {}",
            rep.port,
            ui::paint(ui::RED, "still held")
        )?;
        for h in &rep.still_held_by {
            holders::write_holder(&mut out, h, "  ")?;
        }
    }
    Ok(status)
}
