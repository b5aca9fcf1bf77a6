//! Shared by the CLI test files: a `portlaw` command isolated from the caller's environment,
//! and temporary repositories holding a registry of the test's own.

use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

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

/// The first of `n` consecutive ports that nothing on this machine holds (TCP or UDP, IPv4 or
/// IPv6) right now. Blocks come from below the ephemeral range, where the kernel does not hand
/// out ports on its own, and away from VECTRA's ports; each call in a test binary gets a new
/// block, and the start depends on the process id so parallel runs rarely meet.
pub fn free_block(n: u16) -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32768);
    let region = low.saturating_sub(12_000).max(10_000);
    let start = region + (std::process::id() % 200) * 50;
    let v6 = TcpListener::bind("[::1]:0").is_ok();
    for _ in 0..100 {
        let base = start + NEXT.fetch_add(u32::from(n), Ordering::Relaxed);
        let end = base + u32::from(n) - 1;
        if end >= low || (base <= 9222 && end >= 9000) {
            continue;
        }
        let base = base as u16;
        let held = portlaw_probe::held_ports().unwrap();
        let ok = (base..base + n).all(|p| {
            !held.contains(&p)
                && TcpListener::bind(("0.0.0.0", p)).is_ok()
                && UdpSocket::bind(("0.0.0.0", p)).is_ok()
                && (!v6 || TcpListener::bind(("::1", p)).is_ok())
        });
        if ok {
            return base;
        }
    }
    panic!("no block of {n} free ports found");
}
