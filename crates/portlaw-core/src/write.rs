//! Rendering a [`Registry`] as `config/ports.toml` text, in the layout of the built-in file:
//! a header, `[policy]`, the ranges, then the services in port order.
//!
//! This writes a *new* file (`portlaw init --from-spec`). Edits to an existing file go through
//! `toml_edit` so that comments and key order survive.

use std::fmt::Write;

use crate::registry::Registry;

/// The header comment of a generated registry (shared with the built-in file).
pub fn header() -> &'static str {
    let text = crate::registry::BUILTIN_TOML;
    let end = text.find("\n[").map(|i| i + 1).unwrap_or(0);
    &text[..end]
}

fn s(v: &str) -> String {
    toml_edit::Value::from(v).to_string()
}

fn list(items: &[String]) -> String {
    let mut a = toml_edit::Array::new();
    for i in items {
        a.push(i.as_str());
    }
    a.to_string()
}

/// TOML text for `reg`.
pub fn to_toml(reg: &Registry) -> String {
    let mut out = header().to_string();
    let p = &reg.policy;
    out.push_str("[policy]\n# Only the service registered on a sacred port may bind it.\n");
    let sacred: Vec<String> = p.sacred.iter().map(u16::to_string).collect();
    let _ = writeln!(out, "sacred = [{}]", sacred.join(", "));
    out.push_str("# The only WebSocket endpoints an artifact may open.\n");
    let _ = writeln!(out, "websocket_allow = {}", list(&p.websocket_allow));
    if let Some(m) = p.managed {
        out.push_str("# Everything in this span belongs to this project; an unregistered listener here is a squatter.\n");
        let _ = writeln!(out, "managed = {}", s(&m.to_string()));
    }
    for r in &reg.ranges {
        let _ = write!(
            out,
            "\n[[range]]\nname = {}\nports = {}\npurpose = {}\n",
            s(&r.name),
            s(&r.span.to_string()),
            s(&r.purpose)
        );
        if r.locked {
            out.push_str("locked = true\n");
        }
    }
    let mut services: Vec<_> = reg.services.iter().collect();
    services.sort_by_key(|x| x.port);
    for v in services {
        let _ = write!(
            out,
            "\n[[service]]\nid = {}\nname = {}\nport = {}\nenv = {}\n",
            s(&v.id),
            s(&v.name),
            v.port,
            s(&v.env)
        );
        match v.protocols.as_slice() {
            [] => {}
            [one] => {
                let _ = writeln!(out, "protocol = {}", s(one));
            }
            many => {
                let _ = writeln!(out, "protocol = {}", list(many));
            }
        }
        if !v.purpose.is_empty() {
            let _ = writeln!(out, "purpose = {}", s(&v.purpose));
        }
        match v.owners.as_slice() {
            [] => {}
            [one] => {
                let _ = writeln!(out, "owner = {}", s(one));
            }
            many => {
                let _ = writeln!(out, "owner = {}", list(many));
            }
        }
        let _ = writeln!(out, "status = {}", s(v.status.as_str()));
        if v.external {
            out.push_str("external = true\n");
        }
        if !v.listen.is_empty() {
            let addrs: Vec<String> = v.listen.iter().map(|a| a.to_string()).collect();
            let _ = writeln!(out, "listen = {}", list(&addrs));
        }
        if let Some(m) = &v.match_rule {
            let _ = writeln!(
                out,
                "match = {{ exe = {}, cmdline = {} }}",
                list(&m.exe),
                list(&m.cmdline)
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_addresses_round_trip() {
        let mut reg = Registry::builtin();
        reg.services[0].listen = vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()];
        let text = to_toml(&reg);
        assert!(text.contains("listen = [\"127.0.0.1\", \"::1\"]"), "{text}");
        let back = Registry::parse(&text, crate::registry::Origin::Builtin).unwrap();
        assert_eq!(back, reg);
    }

    #[test]
    fn builtin_round_trips_to_the_same_text() {
        let reg = Registry::builtin();
        assert_eq!(to_toml(&reg), crate::registry::BUILTIN_TOML);
    }
}
