//! The `portlaw` command line as a library: parse arguments, find the registry, run one
//! command, map the result to an exit status. The binary (`src/main.rs`) and the Python
//! package's `portlaw` command both call [`run`]; the work itself lives in the library crates.
//!
//! ```no_run
//! let status = portlaw::run(["portlaw", "get", "recording"]);
//! std::process::exit(status as i32);
//! ```

mod args;
mod commands;
mod exit;
mod git;
mod ui;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::Parser;
use portlaw_core::discover::{Found, Project, REGISTRY_VAR};

use crate::args::{Cli, Color, Command};
pub use crate::exit::ExitStatus;

/// Why a command could not do its job (exit 2).
#[derive(Debug)]
pub enum CliError {
    Core(portlaw_core::Error),
    Resolve(portlaw_core::resolve::ResolveError),
    Usage(String, Option<String>),
    Io(std::io::Error),
    /// A request the registry refuses (a full range, a taken port, a duplicate id): exit 1,
    /// nothing written.
    Refused(String, Option<String>),
}

impl From<portlaw_core::Error> for CliError {
    fn from(e: portlaw_core::Error) -> Self {
        CliError::Core(e)
    }
}
impl From<portlaw_core::resolve::ResolveError> for CliError {
    fn from(e: portlaw_core::resolve::ResolveError) -> Self {
        CliError::Resolve(e)
    }
}
impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::Io(e)
    }
}

impl CliError {
    pub fn usage(msg: impl Into<String>) -> CliError {
        CliError::Usage(msg.into(), None)
    }
    pub fn with_hint(msg: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::Usage(msg.into(), Some(hint.into()))
    }
}

pub type CmdResult = Result<ExitStatus, CliError>;

/// What every command may need: where it runs and how to find the registry.
pub struct Ctx {
    pub cwd: PathBuf,
    pub registry_flag: Option<PathBuf>,
}

impl Ctx {
    /// Finds and loads the registry; says so once on stderr when it is the built-in one.
    pub fn project(&self) -> Result<Project, CliError> {
        let var = std::env::var_os(REGISTRY_VAR).map(PathBuf::from);
        let p = Project::discover(self.registry_flag.as_deref(), var.as_deref(), &self.cwd)?;
        if p.found == Found::Builtin {
            ui::note("no config/ports.toml found; using the built-in VECTRA registry");
            ui::hint("run `portlaw init` to write it to config/ports.toml and edit it from there");
        }
        Ok(p)
    }

    /// The process environment, as the resolver wants it.
    pub fn getenv(key: &str) -> Option<String> {
        std::env::var(key).ok()
    }
}

/// Runs the command line `args` (the first item is the program name) and returns its exit
/// status: 0 clean, 1 findings, 2 usage or input error.
pub fn run<I, T>(args: I) -> ExitStatus
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
        }
    };
    let choice = match cli.color {
        Color::Auto => anstream::ColorChoice::Auto,
        Color::Always => anstream::ColorChoice::Always,
        Color::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let cwd = match std::env::current_dir() {
        Ok(d) => d,
        Err(e) => {
            ui::error(format!("cannot read the working directory: {e}"));
            return ExitStatus::Error;
        }
    };
    let ctx = Ctx {
        cwd,
        registry_flag: cli.registry,
    };
    let result = match cli.command {
        Command::Init(a) => commands::init::run(&ctx, a),
        Command::List(a) => commands::list::run(&ctx, a),
        Command::Get(a) => commands::get::run(&ctx, a),
        Command::Env(a) => commands::env::run(&ctx, a),
        Command::Check(a) => commands::check::run(&ctx, a),
        Command::Who(a) => commands::who::run(&ctx, a),
        Command::Status(a) => commands::status::run(&ctx, a),
        Command::Validate(a) => commands::validate::run(&ctx, a),
        Command::Free(a) => commands::free::run(&ctx, a),
        Command::Exec(a) => commands::exec::run(&ctx, a),
        Command::Add(a) => commands::add::run(&ctx, a),
        Command::Retire(a) => commands::retire::run(&ctx, a),
        Command::SetStatus(a) => commands::set_status::run(&ctx, a),
        Command::Lint(a) => commands::lint::run(&ctx, a),
        Command::Hook(a) => commands::hook::run(&ctx, a),
        Command::Render(a) => commands::render::run(&ctx, a),
    };
    match result {
        Ok(status) => status,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitStatus::Success,
        Err(CliError::Refused(m, h)) => {
            ui::error(m);
            if let Some(h) = h {
                ui::hint(h);
            }
            ExitStatus::Findings
        }
        Err(e) => {
            match e {
                CliError::Refused(..) => unreachable!("handled above"),
                CliError::Core(e) => ui::error(e),
                CliError::Resolve(e) => ui::error(e),
                CliError::Io(e) => ui::error(e),
                CliError::Usage(m, h) => {
                    ui::error(m);
                    if let Some(h) = h {
                        ui::hint(h);
                    }
                }
            }
            ExitStatus::Error
        }
    }
}
