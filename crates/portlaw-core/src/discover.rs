//! Finding the registry: `--registry PATH`, else `$PORTLAW_REGISTRY`, else the nearest
//! `config/ports.toml` walking up from the working directory, else the built-in registry.
//!
//! A path that was named (flag or env var) must exist: naming a missing file is an error, not a
//! quiet switch to the built-in registry.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::portsenv::PortsEnv;
use crate::registry::Registry;

/// The environment variable that names a registry file.
pub const REGISTRY_VAR: &str = "PORTLAW_REGISTRY";

/// How the registry was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Flag,
    EnvVar,
    Walk,
    Builtin,
}

/// A registry together with the repository it governs.
#[derive(Debug, Clone)]
pub struct Project {
    pub registry: Registry,
    /// The repository root: the directory holding `config/`.
    pub root: PathBuf,
    /// Where `ports.env` lives (beside the registry file).
    pub ports_env_path: PathBuf,
    pub found: Found,
}

impl Project {
    /// Finds and loads the registry (see the module docs).
    pub fn discover(
        flag: Option<&Path>,
        env_var: Option<&Path>,
        cwd: &Path,
    ) -> Result<Project, Error> {
        let (path, found) = match (flag, env_var) {
            (Some(p), _) => (Some(cwd.join(p)), Found::Flag),
            (None, Some(p)) if !p.as_os_str().is_empty() => (Some(cwd.join(p)), Found::EnvVar),
            _ => (find_upwards(cwd), Found::Walk),
        };
        match path {
            Some(path) => Project::open(&path, found),
            None => Ok(Project::builtin(cwd)),
        }
    }

    /// Loads the registry at `path`.
    pub fn open(path: &Path, found: Found) -> Result<Project, Error> {
        let registry = Registry::load(path)?;
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let root = if dir.file_name().is_some_and(|n| n == "config") {
            dir.parent().unwrap_or(Path::new(".")).to_path_buf()
        } else {
            dir.clone()
        };
        Ok(Project {
            registry,
            root,
            ports_env_path: dir.join("ports.env"),
            found,
        })
    }

    /// The built-in registry, governing the enclosing git repository (or `cwd`).
    pub fn builtin(cwd: &Path) -> Project {
        let root = cwd
            .ancestors()
            .find(|d| d.join(".git").exists())
            .unwrap_or(cwd)
            .to_path_buf();
        Project {
            registry: Registry::builtin(),
            ports_env_path: root.join("config/ports.env"),
            root,
            found: Found::Builtin,
        }
    }

    /// Where `init` writes the registry.
    pub fn registry_path(&self) -> PathBuf {
        match &self.registry.origin {
            crate::Origin::File(p) => p.clone(),
            crate::Origin::Builtin => self.root.join("config/ports.toml"),
        }
    }

    /// The ports.env file, if there is one.
    pub fn ports_env(&self) -> Result<Option<PortsEnv>, Error> {
        PortsEnv::load(&self.ports_env_path)
    }
}

fn find_upwards(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|d| d.join("config/ports.toml"))
        // `symlink_metadata`, not `exists`: a dangling or looping link is a registry that is
        // there and broken (an error to report), never a reason to fall back to the built-in one.
        .find(|p| p.symlink_metadata().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_up_and_falls_back_to_builtin() {
        let d = tempfile::tempdir().unwrap();
        let deep = d.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        assert_eq!(
            Project::discover(None, None, &deep).unwrap().found,
            Found::Builtin
        );
        std::fs::create_dir_all(d.path().join("config")).unwrap();
        std::fs::write(d.path().join("config/ports.toml"), "[policy]\n").unwrap();
        let p = Project::discover(None, None, &deep).unwrap();
        assert_eq!((p.found, p.root.as_path()), (Found::Walk, d.path()));
        assert_eq!(p.ports_env_path, d.path().join("config/ports.env"));
    }

    #[test]
    fn a_dangling_registry_link_is_an_error_not_the_builtin() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("config")).unwrap();
        std::os::unix::fs::symlink("nowhere.toml", d.path().join("config/ports.toml")).unwrap();
        let e = Project::discover(None, None, d.path())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("ports.toml") && e.contains("nowhere.toml"),
            "{e}"
        );
    }

    #[test]
    fn a_named_missing_file_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let e = Project::discover(Some(Path::new("nope.toml")), None, d.path()).unwrap_err();
        assert!(e.to_string().ends_with("nope.toml: no such file"), "{e}");
        let e = Project::discover(None, Some(Path::new("x.toml")), d.path()).unwrap_err();
        assert!(e.to_string().contains("x.toml"), "{e}");
    }
}
