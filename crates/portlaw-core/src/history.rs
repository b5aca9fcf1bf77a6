//! `check --against REV`: the registry compared with an earlier version of itself, so that
//! "ports are never reassigned" is checked in review rather than trusted.
//!
//! Services are matched by id. Reported, each at its line in the current registry:
//!
//! - `port-reassigned`: a port that belonged to one service now belongs to another;
//! - `port-changed`: a service moved to another port (its old port is reassigned in effect:
//!   everything deployed still points at it);
//! - `service-removed`: a service deleted instead of retired (its tombstone is what keeps its
//!   port from being handed out again);
//! - `retired-port-revived`: a retired service made live again, or its port given to another;
//! - `env-renamed`: a service's env var renamed (code and deployments still read the old name);
//! - `env-reassigned`: an env var that named one service's port now names another's.
//!
//! ```
//! use portlaw_core::{Origin, Registry, history};
//! let old = Registry::builtin();
//! let new_text = portlaw_core::registry::BUILTIN_TOML.replace("port = 9010", "port = 9018");
//! let new = Registry::parse(&new_text, Origin::File("ports.toml".into())).unwrap();
//! let f = history::compare(&old, &new, "origin/main");
//! assert_eq!(f[0].code, "port-changed");
//! ```

use std::collections::HashMap;

use crate::check::Finding;
use crate::registry::{Registry, Service};

fn by_id(reg: &Registry) -> HashMap<&str, &Service> {
    let mut m = HashMap::with_capacity(reg.services.len());
    for s in &reg.services {
        m.entry(s.id.as_str()).or_insert(s);
    }
    m
}

/// Findings for every way `new` reassigns what `old` (the registry at `rev`) assigned.
pub fn compare(old: &Registry, new: &Registry, rev: &str) -> Vec<Finding> {
    let file = new.origin.display_path();
    let finding = |code: &'static str, line: usize, message: String, hint: &str| Finding {
        code,
        file: file.clone(),
        line,
        message,
        hint: Some(hint.to_string()),
    };
    let old_ids = by_id(old);
    let new_ids = by_id(new);
    // Who held each port and env var at `rev`; a live holder is named before a tombstone.
    let mut old_port: HashMap<u16, &Service> = HashMap::new();
    let mut old_env: HashMap<&str, &Service> = HashMap::new();
    for s in &old.services {
        let e = old_port.entry(s.port).or_insert(s);
        if e.is_retired() && !s.is_retired() {
            *e = s;
        }
        old_env.entry(s.env.as_str()).or_insert(s);
    }

    let mut out = Vec::new();
    for s in &new.services {
        let before = old_ids.get(s.id.as_str()).copied();
        if new_ids
            .get(s.id.as_str())
            .is_some_and(|f| !std::ptr::eq(*f, s))
        {
            continue; // a duplicate id: `check` reports that on its own
        }
        if let Some(o) = before {
            if o.port != s.port {
                out.push(finding(
                    "port-changed",
                    s.lines.port,
                    format!("service '{}' moved from port {} (at {rev}) to {}", s.id, o.port, s.port),
                    "ports are never reassigned: keep the old port, or retire this service and add a new one",
                ));
            }
            if o.env != s.env {
                out.push(finding(
                    "env-renamed",
                    s.lines.env,
                    format!(
                        "service '{}' renamed its env var from {} (at {rev}) to {}",
                        s.id, o.env, s.env
                    ),
                    "code and deployments still read the old name: keep it",
                ));
            }
            if o.is_retired() && !s.is_retired() {
                out.push(finding(
                    "retired-port-revived",
                    s.lines.status,
                    format!("service '{}' was retired at {rev} and is {} again on port {}", s.id, s.status, s.port),
                    "a retired service stays retired; add a new service instead (it gets a new port)",
                ));
            }
        }

        // The port (or env var) changed hands: it was someone else's at `rev`.
        let moved_here = before.is_none_or(|o| o.port != s.port);
        if moved_here
            && !s.is_retired()
            && let Some(o) = old_port.get(&s.port).filter(|o| o.id != s.id)
        {
            if o.is_retired() {
                out.push(finding(
                    "retired-port-revived",
                    s.lines.port,
                    format!(
                        "port {} belonged to retired service '{}' at {rev}; now '{}' holds it",
                        s.port, o.id, s.id
                    ),
                    "retired ports are never handed out again: let `portlaw add` pick a free one",
                ));
            } else {
                out.push(finding(
                    "port-reassigned",
                    s.lines.port,
                    format!(
                        "port {} belonged to '{}' at {rev}; now '{}' holds it",
                        s.port, o.id, s.id
                    ),
                    "ports are never reassigned: let `portlaw add` pick a free one",
                ));
            }
        }
        let env_moved = before.is_none_or(|o| o.env != s.env);
        if env_moved && let Some(o) = old_env.get(s.env.as_str()).filter(|o| o.id != s.id) {
            out.push(finding(
                "env-reassigned",
                s.lines.env,
                format!(
                    "env var {} named '{}' at {rev}; now it names '{}'",
                    s.env, o.id, s.id
                ),
                "an env var keeps its meaning: give the new service its own name",
            ));
        }
    }

    let mut removed: Vec<&Service> = old
        .services
        .iter()
        .filter(|o| !new_ids.contains_key(o.id.as_str()))
        .collect();
    removed.sort_by_key(|o| o.port);
    removed.dedup_by_key(|o| o.id.as_str());
    for o in removed {
        out.push(finding(
            "service-removed",
            0,
            format!("service '{}' (port {}, {}) was deleted since {rev}", o.id, o.port, o.env),
            "put it back and retire it (`portlaw retire ID`): the tombstone keeps its port from being reused",
        ));
    }
    out.sort_by_key(|f| f.line);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;

    fn reg(services: &[(&str, u16, &str, &str)]) -> Registry {
        let mut t = String::from("[[range]]\nname = \"apps\"\nports = \"110-119\"\n");
        for (id, port, env, status) in services {
            t += &format!(
                "\n[[service]]\nid = \"{id}\"\nname = \"{id}\"\nport = {port}\nenv = \"{env}\"\nstatus = \"{status}\"\n"
            );
        }
        Registry::parse(&t, Origin::File("ports.toml".into())).unwrap()
    }

    fn codes(old: &Registry, new: &Registry) -> Vec<(&'static str, usize)> {
        compare(old, new, "main")
            .into_iter()
            .map(|f| (f.code, f.line))
            .collect()
    }

    #[test]
    fn adding_and_retiring_is_clean() {
        let old = reg(&[("a", 110, "A_PORT", "active")]);
        let new = reg(&[
            ("a", 110, "A_PORT", "retired"),
            ("b", 111, "B_PORT", "active"),
        ]);
        assert_eq!(codes(&old, &new), []);
    }

    #[test]
    fn each_kind_of_reassignment_is_reported() {
        let old = reg(&[
            ("a", 110, "A_PORT", "active"),
            ("b", 111, "B_PORT", "active"),
            ("c", 112, "C_PORT", "retired"),
            ("d", 113, "D_PORT", "active"),
            ("e", 114, "E_PORT", "retired"),
        ]);
        // `[[service]]` headers on lines 5, 12, 19, ...: port +3, env +4, status +5.
        let new = reg(&[
            ("a", 115, "A_PORT", "active"),  // 5: moved
            ("x", 111, "X_PORT", "active"),  // 12: b deleted, its port reassigned
            ("c", 112, "C_PORT", "active"),  // 19: un-retired
            ("d", 113, "D2_PORT", "active"), // 26: env renamed
            ("y", 114, "E_PORT", "active"),  // 33: e's tombstone deleted, port + env reused
        ]);
        let got = codes(&old, &new);
        assert_eq!(
            got,
            [
                ("service-removed", 0),
                ("service-removed", 0),
                ("port-changed", 8),
                ("port-reassigned", 15),
                ("retired-port-revived", 24),
                ("env-renamed", 30),
                ("retired-port-revived", 36),
                ("env-reassigned", 37),
            ]
        );
        let msgs: Vec<String> = compare(&old, &new, "main")
            .into_iter()
            .map(|f| f.message)
            .collect();
        assert_eq!(
            msgs[0],
            "service 'b' (port 111, B_PORT) was deleted since main"
        );
        assert_eq!(
            msgs[3],
            "port 111 belonged to 'b' at main; now 'x' holds it"
        );
    }
}
