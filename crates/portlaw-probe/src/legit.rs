//! Legitimacy: is a port's holder the service the registry says belongs there?
//!
//! A process is a service's *owner* when its working directory, or a path on its command
//! line, lies under one of the service's owner paths (relative to the repository root), or
//! when it fits the service's `match` rule. An owner that is not a path (`"Chrome browser"`)
//! is a description: its first word is matched, case-insensitively, inside the executable or
//! command name, so it recognises `chrome`, `google-chrome` and Chrome's helpers.
//!
//! ```
//! use portlaw_probe::legit::owns;
//! # use portlaw_probe::process::Process;
//! let reg = portlaw_core::Registry::builtin();
//! let chrome = Process { comm: "chrome".into(), ..Process::default() };
//! assert!(owns(reg.service("cdp").unwrap(), std::path::Path::new("/repo"), &chrome));
//! ```

use serde::Serialize;
use std::path::{Component, Path, PathBuf};

use portlaw_core::{Registry, Service};

use crate::process::Process;

/// The verdict on one holder of a port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The service registered on this port holds it.
    Owner { service: String },
    /// Another registered service holds a port that is not its own.
    WrongService { service: String, its_port: u16 },
    /// A process that belongs to no registered service.
    Foreign,
    /// portlaw cannot see the process (another user, another namespace, no permission).
    Unknown,
}

impl Verdict {
    pub fn is_conflict(&self) -> bool {
        !matches!(self, Verdict::Owner { .. })
    }

    pub fn describe(&self) -> String {
        match self {
            Verdict::Owner { service } => format!("owner ({service})"),
            Verdict::WrongService { service, its_port } => {
                format!("intruder: registered service '{service}', whose port is {its_port}")
            }
            Verdict::Foreign => "intruder: not a registered service".into(),
            Verdict::Unknown => "unknown: no process this user can see holds it".into(),
        }
    }
}

/// Judge `holder` (`None` = unknown) of `port` under `reg`, with `root` the repository root.
pub fn judge(reg: &Registry, root: &Path, port: u16, holder: Option<&Process>) -> Verdict {
    let Some(p) = holder else {
        return Verdict::Unknown;
    };
    let here: Vec<&Service> = reg.live_services().filter(|s| s.port == port).collect();
    if let Some(s) = here.iter().find(|s| owns(s, root, p)) {
        return Verdict::Owner {
            service: s.id.clone(),
        };
    }
    match reg.live_services().find(|s| owns(s, root, p)) {
        Some(s) => Verdict::WrongService {
            service: s.id.clone(),
            its_port: s.port,
        },
        None => Verdict::Foreign,
    }
}

/// Does `p` belong to `service`?
pub fn owns(service: &Service, root: &Path, p: &Process) -> bool {
    if let Some(rule) = &service.match_rule {
        let exe = p.exe_name();
        if rule
            .exe
            .iter()
            .any(|e| e == &exe || e == &p.comm || truncated_comm(e) == p.comm)
        {
            return true;
        }
        let line = p.cmdline.join(" ");
        if rule
            .cmdline
            .iter()
            .any(|c| !c.is_empty() && line.contains(c.as_str()))
        {
            return true;
        }
    }
    service.owners.iter().any(|owner| {
        if owner.contains('/') {
            under_owner_path(&normalize(&root.join(owner)), p)
        } else {
            let word = owner.split_whitespace().next().unwrap_or("").to_lowercase();
            !word.is_empty()
                && (p.comm.to_lowercase().contains(&word)
                    || p.exe_name().to_lowercase().contains(&word))
        }
    })
}

/// The kernel keeps only the first 15 bytes of a command name.
fn truncated_comm(name: &str) -> &str {
    let mut end = name.len().min(15);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

fn under_owner_path(dir: &Path, p: &Process) -> bool {
    if p.cwd.as_deref().is_some_and(|c| c.starts_with(dir)) {
        return true;
    }
    // Command-line arguments that are paths: absolute, or relative to the process's cwd.
    p.cmdline.iter().skip(1).any(|arg| {
        let a = Path::new(arg.split_once('=').map_or(arg.as_str(), |(_, v)| v));
        if !(a.is_absolute() || arg.contains('/')) {
            return false;
        }
        let full = match (&p.cwd, a.is_absolute()) {
            (_, true) => a.to_path_buf(),
            (Some(cwd), false) => cwd.join(a),
            (None, false) => return false,
        };
        normalize(&full).starts_with(dir)
    })
}

/// Lexical `.`/`..` removal, so `services/x/../y` compares as `services/y` without touching
/// the file system (the path may not exist on this machine).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use portlaw_core::Origin;

    fn reg() -> Registry {
        Registry::parse(
            r#"
[[service]]
id = "api"
name = "API"
port = 7001
env = "API_PORT"
owner = "services/api/"

[[service]]
id = "web"
name = "Web"
port = 7002
env = "WEB_PORT"
owner = ["apps/web/"]
match = { cmdline = ["vite --port"] }

[[service]]
id = "cdp"
name = "Chrome CDP"
port = 9222
env = "CDP_PORT"
owner = "Chrome browser"
"#,
            Origin::Builtin,
        )
        .unwrap()
    }

    fn p(comm: &str, cwd: Option<&str>, cmdline: &[&str]) -> Process {
        Process {
            comm: comm.into(),
            cwd: cwd.map(PathBuf::from),
            cmdline: cmdline.iter().map(|s| s.to_string()).collect(),
            ..Process::default()
        }
    }

    const ROOT: &str = "/repo";

    fn v(port: u16, proc_: &Process) -> Verdict {
        judge(&reg(), Path::new(ROOT), port, Some(proc_))
    }

    #[test]
    fn cwd_under_owner_path_is_the_owner() {
        let api = p(
            "python3",
            Some("/repo/services/api"),
            &["python3", "main.py"],
        );
        assert_eq!(
            v(7001, &api),
            Verdict::Owner {
                service: "api".into()
            }
        );
    }

    #[test]
    fn a_path_argument_under_the_owner_counts_even_from_elsewhere() {
        let api = p(
            "python3",
            Some("/repo"),
            &["python3", "services/api/main.py"],
        );
        assert!(matches!(v(7001, &api), Verdict::Owner { .. }));
        let abs = p(
            "node",
            Some("/tmp"),
            &["node", "/repo/services/api/../api/index.js"],
        );
        assert!(matches!(v(7001, &abs), Verdict::Owner { .. }));
        let escape = p(
            "node",
            Some("/tmp"),
            &["node", "/repo/services/api/../web/x.js"],
        );
        assert_eq!(v(7001, &escape), Verdict::Foreign);
    }

    #[test]
    fn a_sibling_prefix_is_not_under_the_owner() {
        let x = p("python3", Some("/repo/services/api-old"), &["python3"]);
        assert_eq!(v(7001, &x), Verdict::Foreign);
    }

    #[test]
    fn another_service_on_the_wrong_port_is_named() {
        let api = p("python3", Some("/repo/services/api"), &["python3"]);
        assert_eq!(
            v(7002, &api),
            Verdict::WrongService {
                service: "api".into(),
                its_port: 7001
            }
        );
    }

    #[test]
    fn match_rule_and_description_owners() {
        let vite = p("node", Some("/elsewhere"), &["node", "vite --port 7002"]);
        assert!(matches!(v(7002, &vite), Verdict::Owner { .. }));
        for comm in ["chrome", "google-chrome", "Chrome Helper"] {
            // portlaw: ignore[PL001] Chrome's own command line, as the probe sees it
            let c = p(comm, None, &[comm, "--remote-debugging-port=9222"]);
            assert_eq!(
                v(9222, &c),
                Verdict::Owner {
                    service: "cdp".into()
                },
                "{comm}"
            );
        }
        let nc = p("nc", None, &["nc", "-l", "9222"]);
        assert_eq!(v(9222, &nc), Verdict::Foreign);
        assert_eq!(judge(&reg(), Path::new(ROOT), 9222, None), Verdict::Unknown);
    }

    #[test]
    fn verdict_conflicts() {
        assert!(
            !Verdict::Owner {
                service: "a".into()
            }
            .is_conflict()
        );
        assert!(Verdict::Foreign.is_conflict());
        assert!(Verdict::Unknown.is_conflict());
    }
}
