//! `portlaw get NAME`: the resolved port alone on stdout, so `PORT=$(portlaw get recording)`
//! works; `--explain` tells on stderr which source won and what the others hold.

use std::io::Write;

use portlaw_core::resolve::{self, Source};

use crate::args::GetArgs;
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: GetArgs) -> CmdResult {
    let project = ctx.project()?;
    let reg = &project.registry;
    let service = reg.lookup(&args.name).ok_or_else(|| {
        CliError::with_hint(
            format!(
                "no service, env var or port '{}' in {}",
                args.name,
                reg.origin.display_path()
            ),
            "`portlaw list` shows what is registered",
        )
    })?;
    if service.is_retired() {
        return Err(CliError::usage(format!(
            "service '{}' is retired; its port {} is a tombstone, not for use",
            service.id, service.port
        )));
    }
    let ports_env = project.ports_env()?;
    let r = resolve::resolve(reg, service, &Ctx::getenv, ports_env.as_ref())?;
    if args.json {
        ui::json(&r)?;
        return Ok(ExitStatus::Success);
    }
    writeln!(std::io::stdout(), "{}", r.port)?;
    if args.explain {
        let mut err = anstream::stderr().lock();
        writeln!(
            err,
            "{} ({}) = {} from {}",
            r.env,
            r.service,
            r.port,
            describe(&r.source)
        )?;
        for c in &r.candidates {
            let mark = if c.source == r.source { "*" } else { " " };
            let held = c
                .value
                .as_deref()
                .map(|v| format!("{}={v}", r.env))
                .unwrap_or_else(|| "not set".into());
            writeln!(err, "  {mark} {:<28} {held}", describe(&c.source))?;
        }
    }
    Ok(ExitStatus::Success)
}

fn describe(s: &Source) -> String {
    match s {
        Source::Env => "environment".into(),
        Source::PortsEnv { path, line: 0 } => path.clone(),
        Source::PortsEnv { path, line } => format!("{path} line {line}"),
        Source::Registry => "registry default".into(),
    }
}
