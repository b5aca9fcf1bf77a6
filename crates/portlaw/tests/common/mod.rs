//! Shared by the CLI test files: a `portlaw` command isolated from the caller's environment,
//! and temporary repositories holding a registry of the test's own.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// `portlaw` run in `dir`, with no registry variable, no colour and no `*_PORT` variables
/// leaking in from the machine running the tests.
pub fn portlaw(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("portlaw").unwrap();
    cmd.current_dir(dir)
        .env_remove("PORTLAW_REGISTRY")
        .env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.ends_with("_PORT") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// A temporary repository (with a `.git` directory so it is its own root).
pub struct Repo {
    pub dir: tempfile::TempDir,
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        Repo { dir }
    }

    /// A repository whose `config/ports.toml` is `registry`.
    pub fn with_registry(registry: &str) -> Repo {
        let r = Repo::new();
        r.write("config/ports.toml", registry);
        r
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        let p = self.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).unwrap()
    }

    pub fn cmd(&self) -> Command {
        portlaw(self.path())
    }
}

/// A small registry on ports the test chooses: one range `apps` of `first..=first+span-1`
/// and the given `(id, port)` services (env var derived from the id).
pub fn registry(first: u16, span: u16, services: &[(&str, u16)]) -> String {
    let mut t = format!(
        "[policy]\nsacred = []\nwebsocket_allow = []\nmanaged = \"{first}-{last}\"\n\n[[range]]\nname = \"apps\"\nports = \"{first}-{last}\"\npurpose = \"Applications\"\n",
        last = first + span - 1
    );
    for (id, port) in services {
        let env = format!("{}_PORT", id.to_uppercase().replace('-', "_"));
        t += &format!(
            "\n[[service]]\nid = \"{id}\"\nname = \"{id}\"\nport = {port}\nenv = \"{env}\"\nprotocol = \"HTTP\"\nowner = \"services/{id}/\"\nstatus = \"active\"\n"
        );
    }
    t
}

/// Stdout of a finished command as text.
pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Stderr of a finished command as text.
pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
