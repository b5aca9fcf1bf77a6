//! Port resolution, shared by every command and by services through the library:
//! the process environment wins over `config/ports.env`, which wins over the registry default.
//!
//! A value that is present but wrong is an error, never a reason to fall back to the next
//! source: a typo in an env var must stop the service, not silently move it.
//!
//! ```
//! use portlaw_core::{Registry, resolve::{resolve, Source}};
//! let reg = Registry::builtin();
//! let svc = reg.service("recording").unwrap();
//! let r = resolve(&reg, svc, &|_| None, None).unwrap();
//! assert_eq!((r.port, r.source.clone()), (9010, Source::Registry));
//! let r = resolve(&reg, svc, &|k| (k == "RECORDING_PORT").then(|| "9019".into()), None).unwrap();
//! assert_eq!((r.port, r.source), (9019, Source::Env));
//! ```

use std::fmt;

use serde::Serialize;

use crate::portsenv::PortsEnv;
use crate::registry::{Registry, Service};

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", rename_all = "kebab-case")]
pub enum Source {
    /// The process environment.
    Env,
    /// A line of a ports.env file.
    PortsEnv { path: String, line: usize },
    /// The registry's default.
    Registry,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Env => f.write_str("environment"),
            Source::PortsEnv { path, line } => write!(f, "{path}:{line}"),
            Source::Registry => f.write_str("registry"),
        }
    }
}

/// What each source holds for a variable, winner first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    #[serde(flatten)]
    pub source: Source,
    pub value: Option<String>,
}

/// A resolved port and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub service: String,
    pub env: String,
    pub port: u16,
    #[serde(flatten)]
    pub source: Source,
    /// Every source in precedence order with what it holds (`None`: not set there).
    pub candidates: Vec<Candidate>,
}

/// A rejected value: names the variable, where it came from and what it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveError {
    pub env: String,
    pub source: Source,
    pub value: String,
    pub reason: String,
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ResolveError {
            env,
            source,
            value,
            reason,
        } = self;
        match source {
            Source::Env => write!(f, "environment variable {env}={value:?} {reason}"),
            Source::PortsEnv { path, line } => write!(f, "{path}:{line}: {env}={value:?} {reason}"),
            Source::Registry => write!(f, "registry default for {env} ({value}) {reason}"),
        }
    }
}

impl std::error::Error for ResolveError {}

/// Resolves `service`'s port. `getenv` reads the process environment (injected for tests).
pub fn resolve(
    reg: &Registry,
    service: &Service,
    getenv: &dyn Fn(&str) -> Option<String>,
    ports_env: Option<&PortsEnv>,
) -> Result<Resolution, ResolveError> {
    let mut candidates = vec![Candidate {
        source: Source::Env,
        value: getenv(&service.env),
    }];
    if let Some(pe) = ports_env {
        let entry = pe.get(&service.env);
        candidates.push(Candidate {
            source: Source::PortsEnv {
                path: pe.path.clone(),
                line: entry.map_or(0, |e| e.line),
            },
            value: entry.map(|e| e.value.clone()),
        });
    }
    candidates.push(Candidate {
        source: Source::Registry,
        value: Some(service.port.to_string()),
    });

    let winner = candidates
        .iter()
        .find(|c| c.value.is_some())
        .expect("registry always has a value");
    let value = winner.value.clone().unwrap_or_default();
    let port = check_value(reg, service, &value).map_err(|reason| ResolveError {
        env: service.env.clone(),
        source: winner.source.clone(),
        value: value.clone(),
        reason,
    })?;
    Ok(Resolution {
        service: service.id.clone(),
        env: service.env.clone(),
        port,
        source: winner.source.clone(),
        candidates,
    })
}

/// Validates a candidate port value for `service`.
pub fn check_value(reg: &Registry, service: &Service, value: &str) -> Result<u16, String> {
    if value.is_empty() {
        return Err("is empty; unset it or give a port number".into());
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err("is not a port number (digits only)".into());
    }
    let port = match value.parse::<u32>() {
        Ok(0) => return Err("is port 0, which asks the OS for a random port".into()),
        Ok(n @ 1..=65535) => n as u16,
        _ => return Err("is above 65535, the highest TCP/UDP port".into()),
    };
    if let Some(other) = reg
        .services
        .iter()
        .find(|s| s.port == port && s.id != service.id)
    {
        let what = if other.is_retired() {
            "retired service"
        } else {
            "service"
        };
        return Err(format!(
            "lands on port {port}, which belongs to {what} '{}' ({})",
            other.id, other.env
        ));
    }
    if reg.sacred_violation(service, port) {
        return Err(format!(
            "lands on sacred port {port}, which only its registered owner may bind"
        ));
    }
    Ok(port)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_with(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(a, _)| *a == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn precedence_env_then_file_then_registry() {
        let reg = Registry::builtin();
        let svc = reg.service("recording").unwrap();
        let pe = PortsEnv::parse("RECORDING_PORT=9018\n", "config/ports.env").unwrap();
        let r = resolve(&reg, svc, &env_with(&[]), Some(&pe)).unwrap();
        assert_eq!(r.port, 9018);
        assert_eq!(
            r.source,
            Source::PortsEnv {
                path: "config/ports.env".into(),
                line: 1
            }
        );
        let r = resolve(
            &reg,
            svc,
            // portlaw: ignore[PL007] an override the test expects the resolver to honour
            &env_with(&[("RECORDING_PORT", "9019")]),
            Some(&pe),
        )
        .unwrap();
        assert_eq!((r.port, r.source), (9019, Source::Env));
        assert_eq!(r.candidates.len(), 3);
    }

    #[test]
    fn bad_values_are_errors_not_fallbacks() {
        let reg = Registry::builtin();
        let svc = reg.service("recording").unwrap();
        for (value, why) in [
            ("abc", "not a port number"),
            ("", "empty"),
            (" 9010", "not a port number"),
            ("0", "port 0"),
            ("65536", "above 65535"),
            ("99999999999999999999", "above 65535"),
            ("9016", "belongs to service 'rugs-feed'"),
            ("9000", "belongs to service 'foundation'"),
        ] {
            let getenv = move |k: &str| (k == "RECORDING_PORT").then(|| value.to_string());
            let e = resolve(&reg, svc, &getenv, None).unwrap_err().to_string();
            assert!(
                e.contains("RECORDING_PORT") && e.contains(why),
                "{value}: {e}"
            );
        }
    }

    #[test]
    fn sacred_port_unowned_is_rejected() {
        let text = "[policy]\nsacred = [9005]\n[[service]]\nid = \"a\"\nname = \"A\"\nport = 9010\nenv = \"A_PORT\"\n";
        let reg = Registry::parse(text, crate::Origin::Builtin).unwrap();
        let getenv = |k: &str| (k == "A_PORT").then(|| "9005".to_string());
        let e = resolve(&reg, &reg.services[0], &getenv, None).unwrap_err();
        assert!(e.to_string().contains("sacred port 9005"), "{e}");
    }

    #[test]
    fn bad_line_in_ports_env_is_cited() {
        let reg = Registry::builtin();
        let pe = PortsEnv::parse("\nRECORDING_PORT=x\n", "config/ports.env").unwrap();
        let e = resolve(
            &reg,
            reg.service("recording").unwrap(),
            &|_| None,
            Some(&pe),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("config/ports.env:2: RECORDING_PORT=\"x\""),
            "{e}"
        );
    }
}
