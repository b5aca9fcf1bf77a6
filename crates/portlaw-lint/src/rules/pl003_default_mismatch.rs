//! PL003 default-mismatch
//!
//! **What**: a lookup (or definition) of a registered env var whose default differs from the
//! registry: `os.getenv("RECORDING_PORT", "9011")` when recording owns 9010, or
//! `RECORDING_PORT=9011` in a .env file or compose `environment:`.
//!
//! **Why**: the default is what runs whenever the variable is unset — on a new machine, in a
//! test, in CI. A wrong default silently moves the service onto another service's port (here
//! the ML training subscriber's), which is the collision the registry exists to prevent.
//!
//! **Example**:
//! ```python
//! os.getenv("RECORDING_PORT", "9011")   # PL003: the registry says 9010
//! os.getenv("RECORDING_PORT", "9010")   # fine
//! ```

use super::{FileCtx, Meta, Rules, describe};
use crate::diag::{Code, Raw};
use crate::site::{Site, SiteKind};
use crate::text::port_value;

pub const META: Meta = Meta {
    code: Code::PL003,
    name: "default-mismatch",
    summary: "An env var's default (or value) differs from the registry's port",
    help: "Use the registry's port as the default, or change the registry first (Rule 2: no \
           reassignment without updating the registry).",
};

pub fn check(rules: &Rules, file: &FileCtx, site: &Site, out: &mut Vec<Raw>) {
    let SiteKind::Lookup {
        var,
        default: Some(d),
        definition,
    } = &site.kind
    else {
        return;
    };
    let Some(s) = rules.service_of(var) else {
        return;
    };
    let text = d.text.trim();
    if text.is_empty() || port_value(text) == Some(s.port) {
        return;
    }
    let what = if *definition { "is set" } else { "defaults" };
    let value = match port_value(text) {
        Some(p) => match rules.service_on(p) {
            Some(other) => format!("{p}, the port of {}", describe(other)),
            None => p.to_string(),
        },
        None => format!("\"{text}\", which is not a port"),
    };
    let _ = file;
    out.push(Raw {
        code: Code::PL003,
        start: d.start,
        end: d.end,
        message: format!(
            "{var} {what} to {value}; the registry gives {} port {}",
            s.id, s.port
        ),
        hint: Some(format!("use {}", s.port)),
    });
}
