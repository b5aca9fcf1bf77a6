//! Choosing a port for a new service, and naming it.
//!
//! A port can be handed out when it is in an open (not locked) range, is not sacred, has never
//! been registered (a retired service keeps its port forever: that is the spec's "no port
//! reassignment"), and is not held by a socket on this machine right now. The last test needs
//! the machine, so it comes in as `is_busy`: this crate stays free of sockets and tests can
//! pretend any port is taken.
//!
//! ```
//! use portlaw_core::{Registry, alloc};
//! let reg = Registry::builtin();
//! // 9010-9017 are registered; 9018 is the lowest free port of the subscriber range.
//! let got = alloc::choose(&reg, Some("subscriber"), None, &|_| false).unwrap();
//! assert_eq!((got.port, got.range.as_str()), (9018, "subscriber"));
//! assert_eq!(alloc::derive_env("ml-training"), "ML_TRAINING_PORT");
//! ```

use std::collections::HashMap;
use std::fmt;

use crate::ports::PortSpan;
use crate::registry::{Registry, Service};

/// A port that was chosen (or accepted), and the range it is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub port: u16,
    pub range: String,
}

/// Why one port cannot be handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// A live service holds it in the registry.
    Registered(String),
    /// A retired service's tombstone holds it.
    Retired(String),
    /// It lies in a locked range.
    Locked(String),
    /// The policy reserves it for its one owner.
    Sacred,
    /// Something on this machine is bound to it right now.
    Busy,
}

/// Why no port could be chosen. [`AllocError::is_usage`] tells a mistyped request (exit 2)
/// from a request the registry refuses (exit 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllocError {
    UnknownRange {
        name: String,
        known: Vec<String>,
    },
    /// Neither `--range` nor `--port` was given.
    NothingRequested,
    RangeLocked {
        range: String,
        span: PortSpan,
    },
    RangeFull {
        range: String,
        span: PortSpan,
        /// How many ports were ruled out for each reason, and which were busy.
        registered: usize,
        retired: usize,
        locked: usize,
        busy: Vec<u16>,
    },
    PortUnavailable {
        port: u16,
        why: Unavailable,
    },
    PortOutsideRange {
        port: u16,
        range: String,
        span: PortSpan,
    },
    PortOutsideRanges {
        port: u16,
    },
}

impl AllocError {
    /// True for a request that does not make sense (exit 2) rather than one the registry
    /// refuses (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            AllocError::UnknownRange { .. } | AllocError::NothingRequested
        )
    }

    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            AllocError::UnknownRange { known, .. } => {
                format!("ranges in this registry: {}", known.join(", "))
            }
            AllocError::NothingRequested => "pass --range NAME (or --port N)".into(),
            AllocError::RangeLocked { .. } => {
                "a locked range holds only the ports it was locked with; pick an open range (`portlaw list`)".into()
            }
            AllocError::RangeFull { busy, .. } if !busy.is_empty() => format!(
                "pick another range, widen this one in the registry, or free the busy port(s) (`ss -ltunp | grep :{}`); --offline ignores what is running here",
                busy[0]
            ),
            AllocError::RangeFull { .. } => {
                "pick another range, or widen this one in the registry".into()
            }
            AllocError::PortUnavailable { why, .. } => match why {
                Unavailable::Registered(_) | Unavailable::Retired(_) => {
                    "ports are never reassigned; leave out --port to get the lowest free one".into()
                }
                Unavailable::Locked(_) | Unavailable::Sacred => {
                    "pick a port in an open range, or leave out --port".into()
                }
                Unavailable::Busy => {
                    "see what holds it with `ss -ltunp`; --offline ignores what is running here"
                        .into()
                }
            },
            AllocError::PortOutsideRange { .. } => {
                "drop --range (the port's own range is used) or pick a port inside it".into()
            }
            AllocError::PortOutsideRanges { .. } => {
                "declare a [[range]] for it in the registry first".into()
            }
        })
    }
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocError::UnknownRange { name, .. } => write!(f, "no range named '{name}'"),
            AllocError::NothingRequested => f.write_str("no range or port given"),
            AllocError::RangeLocked { range, span } => {
                write!(
                    f,
                    "range '{range}' ({span}) is locked: it takes no new services"
                )
            }
            AllocError::RangeFull {
                range,
                span,
                registered,
                retired,
                locked,
                busy,
            } => {
                let mut why = vec![format!("{registered} registered")];
                if *retired > 0 {
                    why.push(format!("{retired} retired (never reused)"));
                }
                if *locked > 0 {
                    why.push(format!("{locked} locked or sacred"));
                }
                if !busy.is_empty() {
                    let list: Vec<String> = busy.iter().map(u16::to_string).collect();
                    why.push(format!(
                        "{} in use on this machine ({})",
                        busy.len(),
                        list.join(", ")
                    ));
                }
                write!(
                    f,
                    "range '{range}' ({span}) has no free port: {}",
                    why.join(", ")
                )
            }
            AllocError::PortUnavailable { port, why } => match why {
                Unavailable::Registered(id) => write!(f, "port {port} is taken by '{id}'"),
                Unavailable::Retired(id) => {
                    write!(
                        f,
                        "port {port} belonged to retired service '{id}' and is never reused"
                    )
                }
                Unavailable::Locked(r) => write!(f, "port {port} is in locked range '{r}'"),
                Unavailable::Sacred => write!(f, "port {port} is sacred in the registry's policy"),
                Unavailable::Busy => write!(f, "port {port} is in use on this machine right now"),
            },
            AllocError::PortOutsideRange { port, range, span } => {
                write!(f, "port {port} is not in range '{range}' ({span})")
            }
            AllocError::PortOutsideRanges { port } => {
                write!(f, "port {port} is in no range of the registry")
            }
        }
    }
}

impl std::error::Error for AllocError {}

/// Who holds each registered port, built once so a 10,000-service registry costs one pass.
struct Holders<'a> {
    by_port: HashMap<u16, &'a Service>,
}

impl<'a> Holders<'a> {
    fn new(reg: &'a Registry) -> Holders<'a> {
        let mut by_port: HashMap<u16, &Service> = HashMap::with_capacity(reg.services.len());
        for s in &reg.services {
            // A live holder is the better thing to name than a tombstone on the same port.
            let e = by_port.entry(s.port).or_insert(s);
            if e.is_retired() && !s.is_retired() {
                *e = s;
            }
        }
        Holders { by_port }
    }
}

/// Why `port` cannot be handed out, or `None` if it can.
fn unavailable(
    reg: &Registry,
    holders: &Holders,
    port: u16,
    is_busy: &dyn Fn(u16) -> bool,
) -> Option<Unavailable> {
    if let Some(s) = holders.by_port.get(&port) {
        return Some(if s.is_retired() {
            Unavailable::Retired(s.id.clone())
        } else {
            Unavailable::Registered(s.id.clone())
        });
    }
    // Ranges may overlap (check reports that); any locked one containing the port wins.
    if let Some(r) = reg
        .ranges
        .iter()
        .find(|r| r.locked && r.span.contains(port))
    {
        return Some(Unavailable::Locked(r.name.clone()));
    }
    if reg.policy.sacred.contains(&port) {
        return Some(Unavailable::Sacred);
    }
    if is_busy(port) {
        return Some(Unavailable::Busy);
    }
    None
}

/// Picks the lowest free port of `range`, or checks `port` (inside `range` when both are given).
pub fn choose(
    reg: &Registry,
    range: Option<&str>,
    port: Option<u16>,
    is_busy: &dyn Fn(u16) -> bool,
) -> Result<Choice, AllocError> {
    let named = match range {
        None => None,
        Some(name) => Some(reg.range(name).ok_or_else(|| AllocError::UnknownRange {
            name: name.to_string(),
            known: reg.ranges.iter().map(|r| r.name.clone()).collect(),
        })?),
    };
    let holders = Holders::new(reg);

    if let Some(port) = port {
        let r = match named {
            Some(r) if !r.span.contains(port) => {
                return Err(AllocError::PortOutsideRange {
                    port,
                    range: r.name.clone(),
                    span: r.span,
                });
            }
            Some(r) => r,
            None => reg
                .range_of(port)
                .ok_or(AllocError::PortOutsideRanges { port })?,
        };
        if let Some(why) = unavailable(reg, &holders, port, is_busy) {
            return Err(AllocError::PortUnavailable { port, why });
        }
        return Ok(Choice {
            port,
            range: r.name.clone(),
        });
    }

    let r = named.ok_or(AllocError::NothingRequested)?;
    if r.locked {
        return Err(AllocError::RangeLocked {
            range: r.name.clone(),
            span: r.span,
        });
    }
    let (mut registered, mut retired, mut locked, mut busy) = (0, 0, 0, Vec::new());
    for p in r.span.iter() {
        match unavailable(reg, &holders, p, is_busy) {
            None => {
                return Ok(Choice {
                    port: p,
                    range: r.name.clone(),
                });
            }
            Some(Unavailable::Registered(_)) => registered += 1,
            Some(Unavailable::Retired(_)) => retired += 1,
            Some(Unavailable::Locked(_) | Unavailable::Sacred) => locked += 1,
            Some(Unavailable::Busy) => busy.push(p),
        }
    }
    Err(AllocError::RangeFull {
        range: r.name.clone(),
        span: r.span,
        registered,
        retired,
        locked,
        busy,
    })
}

/// The env var for a service id: `ml-training` → `ML_TRAINING_PORT` (an id that already ends
/// in `port` does not get it twice).
pub fn derive_env(id: &str) -> String {
    let mut out = String::with_capacity(id.len() + 5);
    for c in id.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        };
        if !(c == '_' && (out.is_empty() || out.ends_with('_'))) {
            out.push(c);
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if !out.ends_with("_PORT") && out != "PORT" {
        out.push_str("_PORT");
    }
    out
}

/// Checks a new service id: a letter, then letters, digits, `-`, `_` or `.`.
pub fn validate_id(id: &str) -> Result<(), String> {
    let mut chars = id.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "'{id}' is not a valid service id: use a letter, then letters, digits, '-', '_' or '.'"
        ))
    }
}

/// Checks an env var name: an identifier ending in `_PORT` (the registry's naming rule, which
/// `check` enforces too).
pub fn validate_env(env: &str) -> Result<(), String> {
    let mut b = env.bytes();
    let ident = matches!(b.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_');
    if !ident {
        return Err(format!("'{env}' is not a valid environment variable name"));
    }
    if !env.ends_with("_PORT") {
        return Err(format!("env var '{env}' must end in _PORT"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Origin;

    /// Ranges: `core` 100-104 locked, `apps` 110-119, `tiny` 120-121; policy sacred 100.
    fn reg(services: &[(&str, u16, &str)]) -> Registry {
        let mut t = String::from(
            "[policy]\nsacred = [100]\n\n[[range]]\nname = \"core\"\nports = \"100-104\"\nlocked = true\n\n[[range]]\nname = \"apps\"\nports = \"110-119\"\n\n[[range]]\nname = \"tiny\"\nports = \"120-121\"\n",
        );
        for (id, port, status) in services {
            t += &format!(
                "\n[[service]]\nid = \"{id}\"\nname = \"{id}\"\nport = {port}\nenv = \"{}\"\nstatus = \"{status}\"\n",
                derive_env(id)
            );
        }
        Registry::parse(&t, Origin::File("ports.toml".into())).unwrap()
    }

    fn pick(r: &Registry, range: &str, busy: &[u16]) -> Result<u16, AllocError> {
        choose(r, Some(range), None, &|p| busy.contains(&p)).map(|c| c.port)
    }

    #[test]
    fn lowest_free_port_fills_gaps() {
        assert_eq!(pick(&reg(&[]), "apps", &[]), Ok(110));
        let r = reg(&[("a", 110, "active"), ("b", 112, "reserved")]);
        assert_eq!(pick(&r, "apps", &[]), Ok(111));
    }

    #[test]
    fn retired_ports_are_never_handed_out() {
        let r = reg(&[("a", 110, "retired"), ("b", 111, "active")]);
        assert_eq!(pick(&r, "apps", &[]), Ok(112));
    }

    #[test]
    fn busy_ports_are_skipped() {
        let r = reg(&[("a", 110, "active")]);
        assert_eq!(pick(&r, "apps", &[111, 112]), Ok(113));
    }

    #[test]
    fn locked_ranges_and_sacred_ports_are_refused() {
        let r = reg(&[]);
        assert!(matches!(
            pick(&r, "core", &[]),
            Err(AllocError::RangeLocked { .. })
        ));
        let e = choose(&r, None, Some(101), &|_| false).unwrap_err();
        assert_eq!(
            e,
            AllocError::PortUnavailable {
                port: 101,
                why: Unavailable::Locked("core".into())
            }
        );
    }

    #[test]
    fn a_full_range_says_why_each_port_is_gone() {
        let r = reg(&[("a", 120, "active")]);
        let e = pick(&r, "tiny", &[121]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "range 'tiny' (120-121) has no free port: 1 registered, 1 in use on this machine (121)"
        );
        assert!(!e.is_usage());
        let r = reg(&[("a", 120, "active"), ("b", 121, "retired")]);
        let e = pick(&r, "tiny", &[]).unwrap_err();
        assert!(e.to_string().contains("1 retired (never reused)"), "{e}");
    }

    #[test]
    fn a_requested_port_is_checked() {
        let r = reg(&[("a", 110, "active"), ("old", 111, "retired")]);
        let ok = choose(&r, None, Some(115), &|_| false).unwrap();
        assert_eq!((ok.port, ok.range.as_str()), (115, "apps"));
        let taken = |port, busy: bool| {
            choose(&r, Some("apps"), Some(port), &|_| busy)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(taken(110, false), "port 110 is taken by 'a'");
        assert!(taken(111, false).contains("retired service 'old'"));
        assert!(taken(116, true).contains("in use on this machine"));
        assert!(taken(120, false).contains("not in range 'apps'"));
        let e = choose(&r, None, Some(5000), &|_| false).unwrap_err();
        assert_eq!(e, AllocError::PortOutsideRanges { port: 5000 });
    }

    #[test]
    fn an_unknown_range_lists_the_known_ones() {
        let e = pick(&reg(&[]), "nope", &[]).unwrap_err();
        assert!(e.is_usage());
        assert_eq!(
            e.hint().unwrap(),
            "ranges in this registry: core, apps, tiny"
        );
    }

    #[test]
    fn env_names_derive_from_ids() {
        assert_eq!(derive_env("ml-training"), "ML_TRAINING_PORT");
        assert_eq!(derive_env("cdp"), "CDP_PORT");
        assert_eq!(derive_env("admin-port"), "ADMIN_PORT");
        assert_eq!(derive_env("a..b"), "A_B_PORT");
        assert_eq!(derive_env("web.v2"), "WEB_V2_PORT");
        assert!(validate_env(&derive_env("x-1")).is_ok());
        assert!(validate_id("ml-training").is_ok());
        for bad in ["", "-a", "1a", "a b", "a/b"] {
            assert!(validate_id(bad).is_err(), "{bad}");
        }
        assert!(validate_env("FOO").is_err());
        assert!(validate_env("1_PORT").is_err());
    }
}
