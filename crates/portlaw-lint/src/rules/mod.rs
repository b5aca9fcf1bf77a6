//! The rules, one file each, with a stable code. A rule sees one [`Site`] at a time together
//! with the registry ([`Rules`]) and the file ([`FileCtx`]) and says what is wrong with it.
//!
//! | code  | name | what |
//! |-------|------|------|
//! | PL001 | hard-coded-port | a registered port written where its env var should be read |
//! | PL002 | literal-bind | a server bind/listen with a literal port |
//! | PL003 | default-mismatch | an env lookup whose default differs from the registry |
//! | PL004 | unknown-port-var | a `*_PORT` lookup the registry does not know |
//! | PL005 | foreign-websocket | a WebSocket URL outside the policy's allowed list |
//! | PL006 | sacred-port | a sacred port bound outside its owner's path |
//! | PL007 | unregistered-port | a port in the managed span that no service holds |
//! | PL100 | unused-suppression | a `portlaw: ignore[...]` that suppressed nothing |
//! | PL101 | suppression-without-reason | a `portlaw: ignore[...]` with no reason |

pub mod pl001_hard_coded_port;
pub mod pl002_literal_bind;
pub mod pl003_default_mismatch;
pub mod pl004_unknown_port_var;
pub mod pl005_foreign_websocket;
pub mod pl006_sacred_port;
pub mod pl007_unregistered_port;

use std::collections::{HashMap, HashSet};

use portlaw_core::{PortSpan, Registry, Service};

use crate::diag::{Code, Raw};
use crate::scan::Lang;
use crate::site::{Fallback, Site, SiteKind};
use crate::text::{is_port_name, port_value};

/// What a rule is, for `--explain`, SARIF rule metadata and the docs.
#[derive(Debug)]
pub struct Meta {
    pub code: Code,
    pub name: &'static str,
    pub summary: &'static str,
    /// Why it matters and how to fix it (one paragraph).
    pub help: &'static str,
}

pub fn meta(code: Code) -> &'static Meta {
    match code {
        Code::PL001 => &pl001_hard_coded_port::META,
        Code::PL002 => &pl002_literal_bind::META,
        Code::PL003 => &pl003_default_mismatch::META,
        Code::PL004 => &pl004_unknown_port_var::META,
        Code::PL005 => &pl005_foreign_websocket::META,
        Code::PL006 => &pl006_sacred_port::META,
        Code::PL007 => &pl007_unregistered_port::META,
        Code::PL100 => &crate::suppress::UNUSED,
        Code::PL101 => &crate::suppress::NO_REASON,
    }
}

/// The registry, indexed for the rules.
pub struct Rules<'r> {
    pub registry: &'r Registry,
    live: HashMap<u16, &'r Service>,
    retired: HashMap<u16, &'r Service>,
    by_env: HashMap<&'r str, &'r Service>,
    managed: Vec<PortSpan>,
    /// `*_PORT` variables the `[lint]` table declares as known though not registered.
    known_vars: HashSet<String>,
}

impl<'r> Rules<'r> {
    pub fn new(registry: &'r Registry, known_vars: &[String]) -> Rules<'r> {
        let mut live = HashMap::new();
        let mut retired = HashMap::new();
        for s in &registry.services {
            if s.is_retired() {
                retired.entry(s.port).or_insert(s);
            } else {
                live.entry(s.port).or_insert(s);
            }
        }
        let managed = match registry.policy.managed {
            Some(m) => vec![m],
            None => registry.ranges.iter().map(|r| r.span).collect(),
        };
        Rules {
            registry,
            live,
            retired,
            by_env: registry
                .live_services()
                .map(|s| (s.env.as_str(), s))
                .collect(),
            managed,
            known_vars: known_vars.iter().cloned().collect(),
        }
    }

    /// The live service on `port`.
    pub fn service_on(&self, port: u16) -> Option<&'r Service> {
        self.live.get(&port).copied()
    }
    pub fn retired_on(&self, port: u16) -> Option<&'r Service> {
        self.retired.get(&port).copied()
    }
    /// The live service whose env var is `var`.
    pub fn service_of(&self, var: &str) -> Option<&'r Service> {
        self.by_env.get(var).copied()
    }
    pub fn is_managed(&self, port: u16) -> bool {
        self.managed.iter().any(|s| s.contains(port))
    }
    pub fn is_known_var(&self, var: &str) -> bool {
        self.by_env.contains_key(var) || self.known_vars.contains(var)
    }
    /// For a lookup of (or assignment to) a port-named variable that no service owns, as in
    /// `os.getenv("PORT", "9010")`: the port in its default (or value) and that literal.
    /// Unknown `*_PORT` lookups are left to PL004. Shared by PL001 (the port is registered)
    /// and PL007 (it is not).
    pub fn foreign_default_port<'s>(&self, kind: &'s SiteKind) -> Option<(u16, &'s Fallback)> {
        let SiteKind::Lookup {
            var,
            default: Some(d),
            definition,
        } = kind
        else {
            return None;
        };
        let foreign = self.service_of(var).is_none()
            && is_port_name(var)
            && (*definition || !var.ends_with("_PORT") || self.is_known_var(var));
        if !foreign {
            return None;
        }
        Some((port_value(&d.text)?, d))
    }
    /// Every port string a finding could need (the prefilter's needles).
    pub fn port_needles(&self) -> Vec<String> {
        let mut v: Vec<u16> = self
            .live
            .keys()
            .chain(self.retired.keys())
            .copied()
            .collect();
        for s in &self.managed {
            v.extend(s.first..=s.last);
        }
        v.sort_unstable();
        v.dedup();
        v.into_iter().map(|p| p.to_string()).collect()
    }
    /// The registered env var names.
    pub fn env_names(&self) -> impl Iterator<Item = &str> {
        self.by_env.keys().copied()
    }
}

/// The file being linted.
pub struct FileCtx<'a> {
    /// Path relative to the repository root, `/`-separated.
    pub rel: &'a str,
    pub lang: Lang,
}

impl FileCtx<'_> {
    /// Whether the file lies under one of `service`'s owner paths.
    pub fn owned_by(&self, service: &Service) -> bool {
        service.owners.iter().filter(|o| o.contains('/')).any(|o| {
            let o = o.trim_start_matches("./").trim_end_matches('/');
            self.rel == o || self.rel.starts_with(&format!("{o}/"))
        })
    }
}

/// Runs every rule on every site.
pub fn check(rules: &Rules, file: &FileCtx, sites: &[Site], out: &mut Vec<Raw>) {
    for site in sites {
        pl001_hard_coded_port::check(rules, file, site, out);
        pl002_literal_bind::check(rules, file, site, out);
        pl003_default_mismatch::check(rules, file, site, out);
        pl004_unknown_port_var::check(rules, file, site, out);
        pl005_foreign_websocket::check(rules, file, site, out);
        pl006_sacred_port::check(rules, file, site, out);
        pl007_unregistered_port::check(rules, file, site, out);
    }
}

/// `"recording (Recording Service)"`.
pub fn describe(s: &Service) -> String {
    format!("{} ({})", s.id, s.name)
}

/// The closest registered variable to `var`, for "did you mean" hints.
pub fn closest<'a>(var: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .map(|n| (edit_distance(var, n), n))
        // A typo is a few edits, fewer in a short name: `MY_PORT` is not a typo of `CDP_PORT`.
        .filter(|(d, n)| *d <= (n.len() / 4).clamp(1, 3))
        .min()
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}
