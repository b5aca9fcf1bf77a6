//! Every flag of every command, in one place (clap derive). `main` maps these onto commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Make a repository's port allocation real, checked and enforced.
///
/// The registry is found from --registry, else $PORTLAW_REGISTRY, else the nearest
/// config/ports.toml above the working directory, else the built-in VECTRA registry.
#[derive(Debug, Parser)]
#[command(name = "portlaw", version, about, max_term_width = 100)]
pub struct Cli {
    /// The registry file to use (default: discovered, see above).
    #[arg(long, global = true, value_name = "PATH")]
    pub registry: Option<PathBuf>,

    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write config/ports.toml and config/ports.env at the repository root.
    Init(InitArgs),
    /// Show the registry as a table.
    List(ListArgs),
    /// Print the resolved port of a service (by id, env var or port).
    Get(GetArgs),
    /// Generate config/ports.env (or print it in another format).
    Env(EnvArgs),
    /// Report every problem: registry, ports.env, listed docs (--against REV: reassignments).
    Check(CheckArgs),
    /// Who holds these ports: every process, its details, and whether it is the owner.
    Who(WhoArgs),
    /// Every registered port at once: free, up (its owner holds it) or conflict.
    Status(StatusArgs),
    /// Check that services' ports are free before starting them (exit 1 if not).
    Validate(ValidateArgs),
    /// Stop whatever holds a port (SIGTERM, then SIGKILL only with --kill).
    Free(FreeArgs),
    /// Run a command as a service: validate, set its port variable, optionally pre-bind.
    Exec(ExecArgs),
    /// Register a new service on a free port; update ports.env and the docs to match.
    Add(AddArgs),
    /// Retire a service: its port stays registered as a tombstone, never handed out again.
    Retire(RetireArgs),
    /// Move a service along its life cycle: reserved, allocated, active (or retired).
    SetStatus(SetStatusArgs),
    /// Write the registry's tables into the Markdown files it lists ([docs] files).
    Render(RenderArgs),
    /// Lint source code for hard-coded, unregistered and sacred ports (rules PL001-PL007).
    Lint(LintArgs),
    /// Install or remove the git pre-commit hook that runs `portlaw lint --staged`.
    #[command(subcommand)]
    Hook(HookCommand),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Import a Markdown document in the VECTRA spec's form instead of the built-in registry.
    #[arg(long, value_name = "FILE")]
    pub from_spec: Option<PathBuf>,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
    /// Where the repository root is (default: the enclosing git repository, or `.`).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print what was written (and the import's warnings) as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// A service id (`recording`), an env var (`RECORDING_PORT`) or a port (`9010`).
    pub name: String,
    /// Say which source won (environment, ports.env line, registry) and what the others hold.
    #[arg(long)]
    pub explain: bool,
    /// Print JSON (implies --explain's detail).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvFormat {
    /// KEY=VALUE lines (the ports.env format).
    Dotenv,
    /// `export KEY=VALUE` lines for `eval`.
    Shell,
    /// A JSON object.
    Json,
}

#[derive(Debug, Args)]
pub struct EnvArgs {
    #[arg(long, value_enum, default_value_t = EnvFormat::Dotenv)]
    pub format: EnvFormat,
    /// Write config/ports.env (atomically) instead of printing.
    #[arg(long, conflicts_with = "check")]
    pub write: bool,
    /// Exit 1 if config/ports.env differs from what would be written, listing each difference.
    #[arg(long)]
    pub check: bool,
    /// With --check: print the differences as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Print findings as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also report every port, service and env var reassigned since git revision REV
    /// (e.g. origin/main in CI).
    #[arg(long, value_name = "REV")]
    pub against: Option<String>,
}

#[derive(Debug, Args)]
pub struct WhoArgs {
    /// Ports, or service ids / env vars (their resolved port).
    #[arg(required = true, value_name = "PORT")]
    pub ports: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Redraw until interrupted.
    #[arg(long)]
    pub watch: bool,
    /// Seconds between redraws with --watch.
    #[arg(long, value_name = "SECS", default_value_t = 2.0, requires = "watch")]
    pub interval: f64,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Services to check (ids or env vars); default: every live service not external.
    #[arg(value_name = "SERVICE")]
    pub services: Vec<String>,
    /// Accept a port held by its own registered owner.
    #[arg(long)]
    pub allow_running: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FreeArgs {
    /// The port (or a service id / env var).
    pub port: String,
    /// Do not ask before signalling.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Seconds to wait for the holders to exit after each signal.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,
    /// Send SIGKILL to holders still alive after the timeout.
    #[arg(long)]
    pub kill: bool,
    /// Stop the port's registered owner too.
    #[arg(long)]
    pub force: bool,
    /// Say what would be signalled, signal nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print a JSON report.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// The service to run (id or env var).
    pub service: String,
    /// Bind the port first and pass it to the command as systemd socket activation
    /// (LISTEN_FDS, LISTEN_PID, LISTEN_FDNAMES; the sockets are fds 3, 4, ...).
    #[arg(long)]
    pub listen: bool,
    /// With --listen: addresses to bind (repeatable; default: the service's `listen`, else 127.0.0.1).
    #[arg(long = "addr", value_name = "ADDR", requires = "listen")]
    pub addrs: Vec<std::net::IpAddr>,
    /// The command and its arguments.
    #[arg(last = true, required = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

/// The life-cycle states a new service can start in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NewStatus {
    /// Promised, not built.
    Reserved,
    /// Assigned and being built.
    Allocated,
    /// Running.
    Active,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The new service's id, e.g. `ml-training`.
    pub id: String,
    /// The range to allocate from (`portlaw list` shows them).
    #[arg(long, value_name = "NAME", required_unless_present = "port")]
    pub range: Option<String>,
    /// Take this port instead of the lowest free one (checked the same way).
    #[arg(long, value_name = "N", value_parser = port_number)]
    pub port: Option<u16>,
    /// Human-readable name, e.g. "ML Training Subscriber".
    #[arg(long)]
    pub name: String,
    /// Protocol(s): HTTP, WS, HTTP/WS, UDP, ... (repeatable).
    #[arg(long, required = true, value_name = "PROTO")]
    pub protocol: Vec<String>,
    /// What the port is for.
    #[arg(long)]
    pub purpose: String,
    /// Where the owning code lives, from the repository root (repeatable).
    #[arg(long, value_name = "PATH")]
    pub owner: Vec<String>,
    /// The env var that carries the port (default: from the id, ml-training → ML_TRAINING_PORT).
    #[arg(long, value_name = "VAR")]
    pub env: Option<String>,
    /// The life-cycle state it starts in.
    #[arg(long, value_enum, default_value_t = NewStatus::Allocated)]
    pub status: NewStatus,
    /// Do not skip ports held on this machine right now (allocate from the registry alone).
    #[arg(long)]
    pub offline: bool,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RetireArgs {
    /// The service id.
    pub id: String,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Every life-cycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AnyStatus {
    Reserved,
    Allocated,
    Active,
    /// Same as `portlaw retire`.
    Retired,
}

#[derive(Debug, Args)]
pub struct SetStatusArgs {
    /// The service id.
    pub id: String,
    #[arg(value_enum)]
    pub status: AnyStatus,
    /// Show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Write nothing; exit 1 if any document is out of date, naming each stale block.
    #[arg(long)]
    pub check: bool,
    /// Print JSON: the findings with --check, else the files written.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// `path:line:col: CODE message`, the source line and a hint (like rustc and ruff).
    #[value(alias = "text")]
    Human,
    /// `{"findings": [...], "summary": {...}}`.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories to lint (default: the repository root).
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Only report findings on lines changed since REV (work tree against REV).
    #[arg(long, value_name = "REV", conflicts_with_all = ["staged", "stdin"])]
    pub diff: Option<String>,
    /// Only report findings on staged lines, reading the staged content (for pre-commit).
    #[arg(long, conflicts_with = "stdin")]
    pub staged: bool,
    /// Read the file's content from standard input (needs --filename).
    #[arg(long, requires = "filename")]
    pub stdin: bool,
    /// The path the --stdin content will have (decides the language and the owner rules).
    #[arg(long, value_name = "PATH")]
    pub filename: Option<PathBuf>,
    /// Only these rule codes (comma-separated, e.g. PL001,PL003); replaces the [lint] selection.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Skip these rule codes (comma-separated); adds to the [lint] ignores.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Explain a rule (what, why, how to fix) and exit.
    #[arg(long, value_name = "CODE", exclusive = true)]
    pub explain: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write .git/hooks/pre-commit running `portlaw lint --staged`.
    Install(HookInstallArgs),
    /// Remove the pre-commit hook if portlaw wrote it.
    Uninstall,
}

#[derive(Debug, Args)]
pub struct HookInstallArgs {
    /// Replace an existing pre-commit hook that portlaw did not write.
    #[arg(long)]
    pub force: bool,
}

/// A port on the command line: digits only (Rust's own parse would take `+9010`), 1-65535.
fn port_number(s: &str) -> Result<u16, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{s}` is not a port number (digits only)"));
    }
    match s.parse::<u32>() {
        Ok(n @ 1..=65535) => Ok(n as u16),
        _ => Err(format!("`{s}` is not a port from 1 to 65535")),
    }
}
