//! PL004 unknown-port-var
//!
//! **What**: a lookup of a `*_PORT` variable that the registry does not know:
//! `os.getenv("RECORDNG_PORT")`, `process.env.FOUNDATON_PORT`, `${RUGS_FEED_PROT}`.
//! Definitions (`X_PORT=1` in a .env file) are not lookups and are not checked. Variables
//! that are not the registry's business (`POSTGRES_PORT`) are declared in the `[lint]`
//! table's `known_vars`.
//!
//! **Why**: a misspelt variable is never set, so the code always falls back to its default —
//! and the registry, ports.env and every deployment setting are silently ignored.
//!
//! **Example**:
//! ```python
//! os.getenv("RECORDNG_PORT", "9010")   # PL004: did you mean RECORDING_PORT?
//! ```

use super::{FileCtx, Meta, Rules, closest};
use crate::diag::{Code, Raw};
use crate::site::{Site, SiteKind};

pub const META: Meta = Meta {
    code: Code::PL004,
    name: "unknown-port-var",
    summary: "A *_PORT env var is read that the registry does not know",
    help: "Fix the spelling, register the service in config/ports.toml, or list the variable \
           in the [lint] table's known_vars if it belongs to something else (a database).",
};

pub fn check(rules: &Rules, _file: &FileCtx, site: &Site, out: &mut Vec<Raw>) {
    let SiteKind::Lookup {
        var,
        definition: false,
        ..
    } = &site.kind
    else {
        return;
    };
    if !var.ends_with("_PORT") || rules.is_known_var(var) {
        return;
    }
    let hint = match closest(var, rules.env_names()) {
        Some(n) => format!("did you mean {n}?"),
        None => "register it in config/ports.toml, or add it to [lint] known_vars".to_string(),
    };
    out.push(Raw {
        code: Code::PL004,
        start: site.start,
        end: site.end,
        message: format!("{var} is not a registered port variable"),
        hint: Some(hint),
    });
}
