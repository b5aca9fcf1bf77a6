//! PL001 hard-coded-port
//!
//! **What**: a registered port written as a literal where a port is used — a bind, listen,
//! run, serve or connect argument, a `host:port` string, a URL, a `--port` flag, a port-named
//! variable, key or keyword — instead of being read from the service's env var. The default of
//! a lookup of that service's own variable (`os.getenv("FOUNDATION_PORT", "9000")`,
//! `process.env.FOUNDATION_PORT || 9000`, `${FOUNDATION_PORT:-9000}`) is allowed: that is
//! exactly how the port should be read.
//!
//! **Why**: a port written into code cannot be moved by the registry. When the registry (or an
//! operator's environment) changes it, the literal keeps the old value, and the service either
//! collides with another or cannot be found. Files that cannot read env vars (Dockerfile
//! `EXPOSE`, Kubernetes manifests, nginx, .env) are not checked by this rule.
//!
//! **Example**:
//! ```python
//! server.bind(("localhost", 9000))          # PL001
//! port = int(os.getenv("FOUNDATION_PORT", "9000"))
//! server.bind(("localhost", port))          # fine
//! ```

use super::{FileCtx, Meta, Rules, describe};
use crate::diag::{Code, Raw};
use crate::site::{PortCtx, Site, SiteKind};

pub const META: Meta = Meta {
    code: Code::PL001,
    name: "hard-coded-port",
    summary: "A registered port is written as a literal instead of read from its env var",
    help: "Read the port from the service's env var, with the registry's port as the default \
           (os.getenv(\"FOUNDATION_PORT\", \"9000\")), so that the registry and the environment \
           decide where the service lives.",
};

pub fn check(rules: &Rules, file: &FileCtx, site: &Site, out: &mut Vec<Raw>) {
    if !file.lang.reads_env() {
        return;
    }
    match &site.kind {
        SiteKind::Port { port, ctx } if *ctx != PortCtx::Listen && *ctx != PortCtx::EnvValue => {
            let Some(s) = rules.service_on(*port) else {
                return;
            };
            out.push(Raw {
                code: Code::PL001,
                start: site.start,
                end: site.end,
                message: format!(
                    "hard-coded port {port} of {}; read it from {}",
                    describe(s),
                    s.env
                ),
                hint: Some(file.lang.lookup_hint(&s.env, *port)),
            });
        }
        // `os.getenv("PORT", "9010")`: the default of some other variable is still a
        // hard-coded registered port. Unknown `*_PORT` variables are PL004's.
        SiteKind::Lookup {
            var, definition, ..
        } => {
            let Some((port, d)) = rules.foreign_default_port(&site.kind) else {
                return;
            };
            let Some(s) = rules.service_on(port) else {
                return;
            };
            out.push(Raw {
                code: Code::PL001,
                start: d.start,
                end: d.end,
                message: format!(
                    "{var} {} port {} of {}; read it from {}",
                    if *definition {
                        "is set to"
                    } else {
                        "defaults to"
                    },
                    s.port,
                    describe(s),
                    s.env
                ),
                hint: Some(file.lang.lookup_hint(&s.env, s.port)),
            });
        }
        _ => {}
    }
}
