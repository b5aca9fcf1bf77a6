//! `portlaw init`: write config/ports.toml and config/ports.env, from the built-in registry or
//! from a spec document. Never overwrites without `--force`; writes nothing if anything fails.

use std::path::Path;

use portlaw_core::lock::RegistryLock;
use portlaw_core::{Origin, Registry, fsutil, portsenv, spec, write};

use crate::args::InitArgs;
use crate::exit::ExitStatus;
use crate::{CliError, CmdResult, Ctx, ui};

pub fn run(ctx: &Ctx, args: InitArgs) -> CmdResult {
    let root = match &args.root {
        Some(r) => ctx.cwd.join(r),
        None => portlaw_core::Project::builtin(&ctx.cwd).root,
    };
    let toml_path = root.join("config/ports.toml");
    let env_path = root.join("config/ports.env");

    let mut warnings = Vec::new();
    let (toml_text, registry) = match &args.from_spec {
        None => (
            portlaw_core::registry::BUILTIN_TOML.to_string(),
            Registry::builtin(),
        ),
        Some(spec_path) => {
            let text = fsutil::read_text(&ctx.cwd.join(spec_path))?;
            let imported = spec::import(&text, &spec_path.display().to_string())?;
            for w in &imported.warnings {
                ui::warning(w);
            }
            warnings.clone_from(&imported.warnings);
            let toml_text = write::to_toml(&imported.registry);
            // What we write must load back to what we imported.
            let reparsed = Registry::parse(&toml_text, Origin::File(toml_path.clone()))?;
            if reparsed != imported.registry {
                return Err(CliError::usage(format!(
                    "{}: the imported registry does not survive being written as TOML; nothing was written (this is a portlaw bug: please report it)",
                    fsutil::shown(spec_path)
                )));
            }
            (toml_text, reparsed)
        }
    };

    for p in [&toml_path, &env_path] {
        if p.is_dir() {
            return Err(CliError::usage(format!(
                "{} is a directory",
                fsutil::shown(p)
            )));
        }
        if p.exists() && !args.force {
            return Err(CliError::with_hint(
                format!("{} already exists; not overwriting it", fsutil::shown(p)),
                "pass --force to replace it",
            ));
        }
    }
    // Under the registry lock, like every writer: `init --force` must not interleave with an
    // `add` running against the file it replaces.
    // Nothing is written through a link out of the repository or over a non-regular file.
    for p in [&toml_path, &env_path, &root.join("config/.gitignore")] {
        fsutil::resolve_target(&root, p)?;
    }
    let config = root.join("config");
    std::fs::create_dir_all(&config)
        .map_err(|e| CliError::usage(format!("{}: {e}", fsutil::shown(&config))))?;
    let _lock = RegistryLock::exclusive(&toml_path, &|| {
        ui::note("waiting for another portlaw process that is writing the registry")
    })?;
    write_new(&root, &toml_path, &toml_text)?;
    write_new(&root, &env_path, &portsenv::generate(&registry))?;
    ignore_lock_file(&root, &config)?;
    if args.json {
        ui::json(&serde_json::json!({
            "registry": fsutil::shown(&toml_path),
            "ports_env": fsutil::shown(&env_path),
            "services": registry.services.len(),
            "ranges": registry.ranges.len(),
            "warnings": warnings,
        }))?;
    }
    ui::note(format!(
        "wrote {} ({} services, {} ranges) and {}",
        fsutil::shown(&toml_path),
        registry.services.len(),
        registry.ranges.len(),
        fsutil::shown(&env_path)
    ));
    Ok(ExitStatus::Success)
}

fn write_new(root: &Path, path: &Path, text: &str) -> Result<(), CliError> {
    fsutil::write_atomic(root, path, text.as_bytes()).map_err(CliError::from)
}

/// Keeps the registry's lock file (local state, like `.git/index.lock`) out of version control
/// with a `config/.gitignore` line, added once.
fn ignore_lock_file(root: &Path, config: &Path) -> Result<(), CliError> {
    let path = config.join(".gitignore");
    let line = ".ports.toml.lock";
    let old = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(_) => return Ok(()), // not ours to repair; the lock file is merely untracked noise
    };
    if old.lines().any(|l| l.trim() == line) {
        return Ok(());
    }
    let sep = if old.is_empty() || old.ends_with('\n') {
        ""
    } else {
        "\n"
    };
    write_new(root, &path, &format!("{old}{sep}{line}\n"))
}
