//! The registry model: ranges, services and policy, loaded from `config/ports.toml`.
//!
//! Loading is strict about *syntax and types* (a port that is not a number, a misspelt key, a
//! range like `"90x0"`): those are input errors that stop every command. It is lenient about
//! *meaning* (two services on one port, an unknown status): those are findings that
//! [`crate::check`] reports all at once, so one typo does not hide the other nine.
//!
//! ```
//! let reg = portlaw_core::Registry::builtin();
//! let rec = reg.service("recording").unwrap();
//! assert_eq!((rec.port, rec.env.as_str()), (9010, "RECORDING_PORT"));
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, LineIndex};
use crate::ports::PortSpan;
use raw::{RawRegistry, StringOrList, port_number};

/// The VECTRA registry that ships inside the binary, used when no `config/ports.toml` is found.
pub const BUILTIN_TOML: &str = include_str!("builtin/vectra.toml");

/// Where a registry came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The copy compiled into portlaw.
    Builtin,
    /// A file on disk (as given or as discovered).
    File(PathBuf),
}

impl Origin {
    /// The path to cite in diagnostics.
    pub fn display_path(&self) -> String {
        match self {
            Origin::Builtin => "<built-in registry>".to_string(),
            Origin::File(p) => crate::fsutil::shown(p),
        }
    }
}

/// A service's life-cycle state. Unknown words are kept so `check` can name them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Active,
    Reserved,
    Allocated,
    Retired,
    Unknown(String),
}

impl Status {
    pub const KNOWN: [&'static str; 4] = ["active", "reserved", "allocated", "retired"];

    pub fn parse(s: &str) -> Status {
        match s {
            "active" => Status::Active,
            "reserved" => Status::Reserved,
            "allocated" => Status::Allocated,
            "retired" => Status::Retired,
            other => Status::Unknown(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Status::Active => "active",
            Status::Reserved => "reserved",
            Status::Allocated => "allocated",
            Status::Retired => "retired",
            Status::Unknown(s) => s,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A named block of ports (`[[range]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortRange {
    pub name: String,
    pub span: PortSpan,
    pub purpose: String,
    /// Nothing new may be allocated here.
    pub locked: bool,
    /// 1-based line of the range's `name` key (0 for none).
    #[serde(skip)]
    pub line: usize,
}

/// Optional rule that recognises a service's legitimate process (used by the probe).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchRule {
    /// Executable names (the process `comm` or the basename of its executable).
    #[serde(default)]
    pub exe: Vec<String>,
    /// Substrings of the full command line.
    #[serde(default)]
    pub cmdline: Vec<String>,
}

/// Lines of a service's keys, for diagnostics (1-based, 0 when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceLines {
    pub id: usize,
    pub port: usize,
    pub env: usize,
    pub status: usize,
}

/// One registered port owner (`[[service]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub port: u16,
    pub env: String,
    pub protocols: Vec<String>,
    pub purpose: String,
    /// Paths (relative to the repository root) whose processes own the port; a value without a
    /// `/` (such as `Chrome browser`) describes an owner outside the repository.
    pub owners: Vec<String>,
    pub status: Status,
    /// The port is fixed by a third party (Chrome's DevTools port).
    pub external: bool,
    #[serde(rename = "match", skip_serializing_if = "Option::is_none")]
    pub match_rule: Option<MatchRule>,
    /// Transport: TCP unless the protocol list says UDP.
    pub udp: bool,
    /// Addresses the service binds (`listen = ["127.0.0.1", "::1"]`); empty: not said, and
    /// the binding library's default (IPv4 loopback) applies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listen: Vec<std::net::IpAddr>,
    #[serde(skip)]
    pub lines: ServiceLines,
}

impl Service {
    pub fn is_retired(&self) -> bool {
        self.status == Status::Retired
    }
    /// Protocols joined the way the spec writes them (`HTTP/WS`).
    pub fn protocol_label(&self) -> String {
        self.protocols.join("/")
    }
}

/// `[policy]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Policy {
    /// Ports only their registered service may bind (spec Rule 4).
    pub sacred: Vec<u16>,
    /// The only WebSocket URLs an artifact may open.
    pub websocket_allow: Vec<String>,
    /// The span that belongs to this project; unregistered listeners in it are squatters.
    pub managed: Option<PortSpan>,
    #[serde(skip)]
    pub line: usize,
}

/// The whole registry.
#[derive(Debug, Clone, Serialize)]
pub struct Registry {
    #[serde(skip)]
    pub origin: Origin,
    #[serde(rename = "range")]
    pub ranges: Vec<PortRange>,
    #[serde(rename = "service")]
    pub services: Vec<Service>,
    pub policy: Policy,
    /// Tables this crate does not interpret (`[lint]`, `[docs]`, ...), for the crates that do.
    #[serde(skip)]
    pub extra: toml::Table,
    /// The source text, kept for line lookups and for editing.
    #[serde(skip)]
    pub text: String,
}

/// Semantic equality: same ranges, services and policy, wherever they came from.
impl PartialEq for Registry {
    fn eq(&self, other: &Self) -> bool {
        fn strip(r: &Registry) -> (Vec<PortRange>, Vec<Service>, Policy) {
            let ranges = r
                .ranges
                .iter()
                .cloned()
                .map(|x| PortRange { line: 0, ..x })
                .collect();
            let services = r
                .services
                .iter()
                .cloned()
                .map(|s| Service {
                    lines: ServiceLines::default(),
                    ..s
                })
                .collect();
            (
                ranges,
                services,
                Policy {
                    line: 0,
                    ..r.policy.clone()
                },
            )
        }
        strip(self) == strip(other)
    }
}

impl Registry {
    /// The built-in VECTRA registry.
    pub fn builtin() -> Registry {
        Registry::parse(BUILTIN_TOML, Origin::Builtin).expect("the built-in registry is valid")
    }

    /// Reads and parses a registry file.
    pub fn load(path: &Path) -> Result<Registry, Error> {
        let text = crate::fsutil::read_text(path)?;
        Registry::parse(&text, Origin::File(path.to_path_buf()))
    }

    /// Parses registry text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: Origin) -> Result<Registry, Error> {
        let file = origin.display_path();
        let raw: RawRegistry =
            toml::from_str(text).map_err(|e| Error::toml(&file, text, e.span(), e.message()))?;
        check_top_level_keys(&raw.extra, text, &file)?;
        if raw.range.is_empty() && raw.service.is_empty() && raw.policy.is_none() {
            return Err(Error::at(
                file,
                0,
                "the registry is empty (no [policy], [[range]] or [[service]]); run `portlaw init --force` to start from the built-in one",
            ));
        }
        let index = LineIndex::new(text);
        let at = |offset: usize| index.line_col(offset).0;
        let bad = |offset: usize, message: String| Error::Input {
            file: file.clone(),
            line: index.line_col(offset).0,
            col: index.line_col(offset).1,
            message,
        };

        let mut ranges = Vec::new();
        for r in raw.range {
            let span = PortSpan::parse_value(r.ports.get_ref()).map_err(|m| {
                bad(
                    r.ports.span().start,
                    format!("range '{}': {m}", r.name.get_ref()),
                )
            })?;
            ranges.push(PortRange {
                line: at(r.name.span().start),
                name: r.name.into_inner(),
                span,
                purpose: r.purpose,
                locked: r.locked,
            });
        }

        let mut services = Vec::new();
        for s in raw.service {
            let id = s.id.get_ref().clone();
            reject_plus_sign(text, s.port.span(), &bad)?;
            let port = port_number(*s.port.get_ref())
                .map_err(|m| bad(s.port.span().start, format!("service '{id}': {m}")))?;
            let protocols = s
                .protocol
                .map(StringOrList::into_protocols)
                .unwrap_or_default();
            let udp = protocols.iter().any(|p| p.eq_ignore_ascii_case("udp"));
            let mut listen = Vec::new();
            for a in s.listen.unwrap_or_default() {
                listen.push(a.get_ref().parse().map_err(|_| {
                    bad(
                        a.span().start,
                        format!(
                            "service '{id}': listen address '{}' is not an IP address",
                            a.get_ref()
                        ),
                    )
                })?);
            }
            services.push(Service {
                lines: ServiceLines {
                    id: at(s.id.span().start),
                    port: at(s.port.span().start),
                    env: at(s.env.span().start),
                    status: s.status.as_ref().map(|x| at(x.span().start)).unwrap_or(0),
                },
                id,
                name: s.name,
                port,
                env: s.env.into_inner(),
                protocols,
                purpose: s.purpose.unwrap_or_default(),
                owners: s.owner.map(StringOrList::into_vec).unwrap_or_default(),
                status: s
                    .status
                    .map(|x| Status::parse(x.get_ref()))
                    .unwrap_or(Status::Active),
                external: s.external,
                match_rule: s.match_rule,
                udp,
                listen,
            });
        }

        check_env_names(&services, &file)?;

        let policy = match raw.policy {
            None => Policy::default(),
            Some(p) => {
                let mut sacred = Vec::new();
                for v in p.sacred {
                    reject_plus_sign(text, v.span(), &bad)?;
                    sacred.push(
                        port_number(*v.get_ref())
                            .map_err(|m| bad(v.span().start, format!("policy.sacred: {m}")))?,
                    );
                }
                let managed = match p.managed {
                    None => None,
                    Some(m) => Some(
                        PortSpan::parse_value(m.get_ref())
                            .map_err(|e| bad(m.span().start, format!("policy.managed: {e}")))?,
                    ),
                };
                Policy {
                    sacred,
                    websocket_allow: p.websocket_allow,
                    managed,
                    line: 0,
                }
            }
        };
        let policy_line = table_header_line(text, "policy");

        Ok(Registry {
            origin,
            ranges,
            services,
            policy: Policy {
                line: policy_line,
                ..policy
            },
            extra: raw.extra,
            text: text.to_string(),
        })
    }

    pub fn is_builtin(&self) -> bool {
        self.origin == Origin::Builtin
    }

    /// A service by id.
    pub fn service(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id == id)
    }

    /// A service by id, env var name or port number, in that order.
    pub fn lookup(&self, key: &str) -> Option<&Service> {
        if let Some(s) = self.service(key) {
            return Some(s);
        }
        if let Some(s) = self.services.iter().find(|s| s.env == key) {
            return Some(s);
        }
        let port: u16 = key.parse().ok()?;
        // Prefer the live owner of a port over its tombstone.
        self.services
            .iter()
            .filter(|s| s.port == port)
            .min_by_key(|s| s.is_retired())
    }

    /// Services that are not retired.
    pub fn live_services(&self) -> impl Iterator<Item = &Service> {
        self.services.iter().filter(|s| !s.is_retired())
    }

    /// The first range containing `port`.
    pub fn range_of(&self, port: u16) -> Option<&PortRange> {
        self.ranges.iter().find(|r| r.span.contains(port))
    }

    pub fn range(&self, name: &str) -> Option<&PortRange> {
        self.ranges.iter().find(|r| r.name == name)
    }

    /// True when `port` is sacred and `service` is not the one registered on it.
    pub fn sacred_violation(&self, service: &Service, port: u16) -> bool {
        self.policy.sacred.contains(&port)
            && !self
                .live_services()
                .any(|s| s.port == port && s.id == service.id)
    }
}

/// Top-level keys the registry knows: its own tables and the ones other crates read from `extra`.
const TOP_LEVEL_KEYS: [&str; 5] = ["range", "service", "policy", "lint", "docs"];

/// A top-level key nobody reads (`[[servise]]`) would silently drop what it holds.
fn check_top_level_keys(extra: &toml::Table, text: &str, file: &str) -> Result<(), Error> {
    let Some(key) = extra.keys().find(|k| !TOP_LEVEL_KEYS.contains(&k.as_str())) else {
        return Ok(());
    };
    let line = text
        .lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches('[').trim_start();
            l.strip_prefix(key.as_str())
                .is_some_and(|rest| rest.trim_start().starts_with([']', '=', '.']))
        })
        .map_or(0, |i| i + 1);
    let hint = TOP_LEVEL_KEYS
        .iter()
        .map(|k| (strsim::levenshtein(k, key), k))
        .min()
        .filter(|(d, _)| *d <= 2)
        .map(|(_, k)| format!("; did you mean `{k}`?"))
        .unwrap_or_else(|| format!("; known keys: {}", TOP_LEVEL_KEYS.join(", ")));
    Err(Error::at(
        file,
        line,
        format!("unknown top-level key `{key}`{hint}"),
    ))
}

/// TOML accepts `+9010`, but a port is written as digits; the sign is a typo, never a port.
fn reject_plus_sign(
    text: &str,
    span: std::ops::Range<usize>,
    bad: &impl Fn(usize, String) -> Error,
) -> Result<(), Error> {
    match text.get(span.clone()) {
        Some(v) if v.starts_with('+') => Err(bad(
            span.start,
            format!("'{v}' is not a port (write the number without a sign)"),
        )),
        _ => Ok(()),
    }
}

/// Env names become `NAME=port` lines of a generated `ports.env` that shells source, so a name
/// that is not an identifier (`X=$(touch pwned)`) or that two live services share is an input
/// error at load, for every command: nothing may ever generate from it. (A retired tombstone is
/// not generated, so its variable may be reused; `check` reports that as `duplicate-env`.)
fn check_env_names(services: &[Service], file: &str) -> Result<(), Error> {
    let mut seen: std::collections::HashMap<&str, (&str, usize)> = Default::default();
    for s in services {
        if !crate::portsenv::is_identifier(&s.env) {
            return Err(Error::at(
                file,
                s.lines.env,
                format!(
                    "service '{}': env {:?} is not a variable name (use letters, digits and '_', not starting with a digit)",
                    s.id, s.env
                ),
            ));
        }
        if s.is_retired() {
            continue;
        }
        if let Some((id, line)) = seen.insert(&s.env, (&s.id, s.lines.env)) {
            return Err(Error::at(
                file,
                s.lines.env,
                format!(
                    "service '{}': env {} is already used by '{id}' (line {line}); each service needs its own variable",
                    s.id, s.env
                ),
            ));
        }
    }
    Ok(())
}

/// 1-based line of the `[name]` table header (0 if absent), allowing spaces and a trailing
/// comment (`[policy] # rules`) the way TOML does.
pub fn table_header_line(text: &str, name: &str) -> usize {
    text.lines()
        .position(|l| {
            let l = l.trim();
            l.strip_prefix('[')
                .and_then(|r| r.split_once(']'))
                .is_some_and(|(key, rest)| {
                    !key.starts_with('[')
                        && key.trim() == name
                        && (rest.trim().is_empty() || rest.trim_start().starts_with('#'))
                })
        })
        .map_or(0, |i| i + 1)
}

mod raw;
#[cfg(test)]
mod tests;
