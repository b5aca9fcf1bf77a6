//! `portlaw check`: every problem in a registry (and its ports.env) at once, each with a
//! stable code, the file and the line.
//!
//! ```
//! let reg = portlaw_core::Registry::builtin();
//! let codes: Vec<_> = portlaw_core::check::check_registry(&reg).into_iter().map(|f| f.code).collect();
//! // The spec gives the sanitizer a WebSocket feed that its own Rule 4 does not allow.
//! assert_eq!(codes, ["websocket-not-allowed"]);
//! ```

use std::collections::HashMap;

use serde::Serialize;

use crate::portsenv::{self, PortsEnv};
use crate::registry::{Registry, Status};

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub file: String,
    /// 1-based; 0 when the problem has no single line (a missing file).
    pub line: usize,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Finding {
    fn new(code: &'static str, file: &str, line: usize, message: String) -> Finding {
        Finding {
            code,
            file: file.to_string(),
            line,
            message,
            hint: None,
        }
    }
    fn hint(mut self, h: impl Into<String>) -> Finding {
        self.hint = Some(h.into());
        self
    }
}

/// Problems in the registry itself.
pub fn check_registry(reg: &Registry) -> Vec<Finding> {
    let file = reg.origin.display_path();
    let file = file.as_str();
    let mut out = Vec::new();

    duplicates(reg, file, &mut out);

    for s in &reg.services {
        if let Status::Unknown(word) = &s.status {
            out.push(
                Finding::new(
                    "unknown-status",
                    file,
                    s.lines.status,
                    format!("service '{}': unknown status '{word}'", s.id),
                )
                .hint(format!("use one of: {}", Status::KNOWN.join(", "))),
            );
        }
        // A name that is not an identifier never loads (see `Registry::parse`); this is the
        // soft case, a valid name that breaks the `_PORT` convention.
        let bad_name = if !s.env.ends_with("_PORT") {
            Some((
                "does not end in _PORT",
                format!("rename it, e.g. {}_PORT", s.env.trim_end_matches('_')),
            ))
        } else {
            None
        };
        if let Some((why, hint)) = bad_name {
            out.push(
                Finding::new(
                    "env-name",
                    file,
                    s.lines.env,
                    format!("service '{}': env var '{}' {why}", s.id, s.env),
                )
                .hint(hint),
            );
        }
        if s.is_retired() {
            continue;
        }
        match reg.range_of(s.port) {
            None => out.push(
                Finding::new(
                    "outside-ranges",
                    file,
                    s.lines.port,
                    format!("service '{}': port {} is outside every range", s.id, s.port),
                )
                .hint("move it into a range, or declare a [[range]] for it"),
            ),
            Some(r) if r.locked && s.status == Status::Active => {
                let belongs = reg.policy.sacred.contains(&s.port) || s.external;
                if !belongs {
                    out.push(Finding::new(
                        "locked-range",
                        file,
                        s.lines.port,
                        format!("service '{}': port {} is in locked range '{}' ({}), which takes no new services", s.id, s.port, r.name, r.span),
                    ).hint("a locked range holds only its sacred or external ports; pick a port in an open range"));
                }
            }
            Some(_) => {}
        }
    }

    for (i, a) in reg.ranges.iter().enumerate() {
        for b in &reg.ranges[i + 1..] {
            if a.span.overlaps(&b.span) {
                out.push(Finding::new(
                    "range-overlap",
                    file,
                    b.line,
                    format!(
                        "range '{}' ({}) overlaps range '{}' ({}) from line {}",
                        b.name, b.span, a.name, a.span, a.line
                    ),
                ));
            }
        }
    }

    for &p in &reg.policy.sacred {
        if !reg.live_services().any(|s| s.port == p) {
            out.push(Finding::new(
                "sacred-unowned",
                file,
                reg.policy.line,
                format!("sacred port {p} has no registered service to own it"),
            ));
        }
    }

    for s in reg
        .live_services()
        .filter(|s| s.protocols.iter().any(|p| p.eq_ignore_ascii_case("ws")))
    {
        let port = format!(":{}/", s.port);
        let allowed = reg
            .policy
            .websocket_allow
            .iter()
            .any(|u| u.contains(&port) || u.ends_with(&port[..port.len() - 1]));
        if !allowed {
            out.push(
                Finding::new(
                    "websocket-not-allowed",
                    file,
                    s.lines.port,
                    format!("service '{}' serves WebSocket on port {}, but no URL on that port is in policy.websocket_allow", s.id, s.port),
                )
                .hint(format!("add its feed (e.g. \"ws://localhost:{}/...\") to policy.websocket_allow, or drop WS from its protocol", s.port)),
            );
        }
    }

    out.sort_by(|a, b| (a.line, a.code).cmp(&(b.line, b.code)));
    out
}

fn duplicates(reg: &Registry, file: &str, out: &mut Vec<Finding>) {
    let mut ids: HashMap<&str, usize> = HashMap::new();
    let mut envs: HashMap<&str, (usize, &str)> = HashMap::new();
    let mut ports: HashMap<u16, (usize, &str, bool)> = HashMap::new();
    for s in &reg.services {
        if let Some(first) = ids.insert(&s.id, s.lines.id) {
            out.push(Finding::new(
                "duplicate-id",
                file,
                s.lines.id,
                format!("service id '{}' is already used on line {first}", s.id),
            ));
            ids.insert(&s.id, first);
        }
        if let Some(&(line, id)) = envs.get(s.env.as_str()) {
            out.push(Finding::new(
                "duplicate-env",
                file,
                s.lines.env,
                format!(
                    "service '{}': env var {} is already used by '{id}' (line {line})",
                    s.id, s.env
                ),
            ));
        } else {
            envs.insert(&s.env, (s.lines.env, &s.id));
        }
        if let Some(&(line, id, retired)) = ports.get(&s.port) {
            let (code, what) = if retired || s.is_retired() {
                ("retired-port-reused", "shares a retired port with")
            } else {
                ("duplicate-port", "is already taken by")
            };
            out.push(
                Finding::new(
                    code,
                    file,
                    s.lines.port,
                    format!(
                        "service '{}': port {} {what} '{id}' (line {line})",
                        s.id, s.port
                    ),
                )
                .hint("ports are never reassigned: pick a free port with `portlaw add`"),
            );
        } else {
            ports.insert(s.port, (s.lines.port, &s.id, s.is_retired()));
        }
    }
}

/// Problems in a ports.env file against the registry (`None`: the file does not exist).
pub fn check_ports_env(reg: &Registry, path: &str, on_disk: Option<&PortsEnv>) -> Vec<Finding> {
    let Some(env) = on_disk else {
        return vec![
            Finding::new("ports-env-drift", path, 0, "does not exist".into())
                .hint("run `portlaw env --write`"),
        ];
    };
    portsenv::drift(reg, env)
        .into_iter()
        .map(|d| {
            Finding::new("ports-env-drift", path, d.line(), d.message())
                .hint("run `portlaw env --write`")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;

    fn codes(text: &str) -> Vec<(&'static str, usize)> {
        let reg = Registry::parse(text, Origin::File("ports.toml".into())).unwrap();
        check_registry(&reg)
            .into_iter()
            .map(|f| (f.code, f.line))
            .collect()
    }

    const RANGES: &str = "[[range]]\nname = \"core\"\nports = \"100-109\"\nlocked = true\n[[range]]\nname = \"apps\"\nports = \"110-119\"\n";

    fn svc(id: &str, port: u16, env: &str, status: &str) -> String {
        format!(
            "[[service]]\nid = \"{id}\"\nname = \"{id}\"\nport = {port}\nenv = \"{env}\"\nstatus = \"{status}\"\n"
        )
    }

    #[test]
    fn clean_registry_has_no_findings() {
        let t = format!(
            "{RANGES}{}{}",
            svc("a", 110, "A_PORT", "active"),
            svc("b", 111, "B_PORT", "reserved")
        );
        assert_eq!(codes(&t), []);
    }

    #[test]
    fn each_problem_is_found_with_its_line() {
        let t = format!(
            "{RANGES}{}{}{}{}{}{}",
            svc("a", 110, "A_PORT", "active"),   // lines 8-13
            svc("a", 110, "B_PORT", "active"),   // 14-19: dup id, port
            svc("c", 200, "C_PORT", "active"),   // 20-25: outside
            svc("d", 101, "D_PORT", "active"),   // 26-31: locked
            svc("e", 112, "E_VAR", "actve"),     // 32-37: env name, status
            svc("f", 113, "F_PORT", "retired"),  // 38-43
        ) + &svc("g", 113, "G_PORT", "active") // 44-49: reuses retired
            + "[[range]]\nname = \"x\"\nports = \"119-120\"\n"; // 50-52
        assert_eq!(
            codes(&t),
            [
                ("duplicate-id", 15),
                ("duplicate-port", 17),
                ("outside-ranges", 23),
                ("locked-range", 29),
                ("env-name", 36),
                ("unknown-status", 37),
                ("retired-port-reused", 47),
                ("range-overlap", 51),
            ]
        );
    }

    #[test]
    fn websocket_services_need_an_allowed_url() {
        // portlaw: ignore[PL005] a registry fixture that allows its own feed URL
        let mut t = format!("[policy]\nwebsocket_allow = [\"ws://localhost:110/feed\"]\n{RANGES}");
        t += &svc("a", 110, "A_PORT", "active").replace("status", "protocol = \"WS\"\nstatus");
        assert_eq!(codes(&t), []);
        t += &svc("b", 111, "B_PORT", "active").replace("status", "protocol = \"HTTP/WS\"\nstatus");
        assert_eq!(codes(&t), [("websocket-not-allowed", 20)]);
    }
}
