//! PL007 unregistered-port
//!
//! **What**: a port in the managed span (`policy.managed`, else the registry's ranges) that no
//! live service holds, written in a port position: code, shell, compose `ports:`, Dockerfile
//! `EXPOSE`, Kubernetes `containerPort`, nginx `listen`, .env values. A retired service's port
//! counts as unregistered: tombstones are never reused.
//!
//! **Why**: the spec's Rule 2 — add the service to the registry first, then implement. A port
//! used before it is registered is invisible to `portlaw check`, to the next engineer picking
//! "the next free port", and to the probe.
//!
//! **Example**:
//! ```yaml
//! ports:
//!   - "9018:9018"   # PL007: 9018 is in the subscriber range but not registered
//! ```

use super::{FileCtx, Meta, Rules, describe};
use crate::diag::{Code, Raw};
use crate::site::{Site, SiteKind};

pub const META: Meta = Meta {
    code: Code::PL007,
    name: "unregistered-port",
    summary: "A port in the managed span that the registry does not hold",
    help: "Register the service and its port in config/ports.toml first (portlaw add), then \
           read the port from the new env var.",
};

pub fn check(rules: &Rules, _file: &FileCtx, site: &Site, out: &mut Vec<Raw>) {
    let (port, start, end) = match &site.kind {
        SiteKind::Port { port, .. } => (*port, site.start, site.end),
        kind => match rules.foreign_default_port(kind) {
            Some((p, d)) => (p, d.start, d.end),
            None => return,
        },
    };
    if !rules.is_managed(port) || rules.service_on(port).is_some() {
        return;
    }
    let message = match rules.retired_on(port) {
        Some(s) => format!(
            "port {port} belonged to retired {}; retired ports are never reused",
            describe(s)
        ),
        None => format!("port {port} is in the managed span but no service is registered on it"),
    };
    out.push(Raw {
        code: Code::PL007,
        start,
        end,
        message,
        hint: Some("register it in config/ports.toml first, then read it from its env var".into()),
    });
}
