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
    /// Report every problem in the registry and ports.env.
    Check(CheckArgs),
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
}
