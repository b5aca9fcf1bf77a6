//! `portlaw exec SERVICE [--listen] -- CMD ARGS...`: start a service the race-free way.
//!
//! Without `--listen` it validates the port from the socket table, sets the service's port
//! variable and execs the command. With `--listen` it binds the port itself (every address
//! asked for) and hands the sockets over by systemd's socket-activation protocol: fds 3, 4, ...
//! with `LISTEN_FDS`, `LISTEN_PID` and `LISTEN_FDNAMES` set, so no one can take the port
//! between the check and the bind, in any language.

use std::io::Write;
use std::os::unix::process::CommandExt;

use portlaw_probe::bind::{self, BindError};

use crate::args::ExecArgs;
use crate::commands::holders;
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: ExecArgs) -> CmdResult {
    let project = ctx.project()?;
    let reg = &project.registry;
    let svc = reg
        .lookup(&args.service)
        .filter(|s| !s.is_retired())
        .ok_or_else(|| {
            CliError::with_hint(
                format!(
                    "no live service or env var '{}' in {}",
                    args.service,
                    reg.origin.display_path()
                ),
                "`portlaw list` shows what is registered",
            )
        })?;
    let port = holders::resolved_port(&project, svc)?;
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let mut cmd = std::process::Command::new(program);
    cmd.args(rest).env(&svc.env, port.to_string());

    if args.listen {
        match bind::bind_service(&project, &svc.id, &Ctx::getenv, &args.addrs) {
            Ok(b) => {
                for (k, v) in bind::into_listen_fds(b.sockets, &svc.id)? {
                    cmd.env(k, v);
                }
            }
            Err(e @ BindError::InUse { .. }) => {
                ui::error(format!("service '{}' cannot start: {e}", svc.id));
                ui::hint(format!(
                    "`portlaw who {port}` shows the holder in full; `portlaw free {port}` stops it"
                ));
                return Ok(ExitStatus::Findings);
            }
            Err(BindError::Resolve(e)) => return Err(e.into()),
            Err(BindError::Registry(e)) => return Err(e.into()),
            Err(e) => {
                return Err(CliError::usage(format!(
                    "cannot bind port {port} for '{}': {e}",
                    svc.id
                )));
            }
        }
    } else {
        let snap = portlaw_probe::snapshot(&|p| p == port)?;
        let r = holders::report(&project, &snap, port, Some(svc));
        if !r.holders.is_empty() {
            let mut err = anstream::stderr().lock();
            writeln!(
                err,
                "{}: port {port} is already in use; service '{}' ({}) cannot start",
                ui::paint(ui::RED, "FATAL"),
                svc.id,
                svc.env
            )?;
            for h in &r.holders {
                holders::write_holder(&mut err, h, "  ")?;
            }
            writeln!(err, "  to stop it: {}", holders::stop_command(&r))?;
            return Ok(ExitStatus::Findings);
        }
    }
    let e = cmd.exec();
    Err(CliError::usage(format!(
        "cannot run {}: {e}",
        program.to_string_lossy()
    )))
}
