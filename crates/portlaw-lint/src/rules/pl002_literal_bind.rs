//! PL002 literal-bind
//!
//! **What**: a server bind or listen call given a literal port — `app.run(port=5000)`,
//! `server.bind(("localhost", 8080))`, `uvicorn.run(app, port=8000)`, `app.listen(3000)`,
//! `http.ListenAndServe(":8080", nil)`, `TcpListener::bind("127.0.0.1:8080")` — whether or not
//! the registry knows the port. Port 0 (let the OS choose) is correct and never flagged.
//!
//! **Why**: the spec's enforcement blocks port bindings that do not come from environment
//! variables. A literal bind is a port the registry cannot see or move; when two of them
//! pick the same number, the second service dies with "address already in use". Where the
//! port is registered, PL001 reports it (with the variable to use) instead of this rule.
//!
//! **Example**:
//! ```js
//! app.listen(3000);                          // PL002
//! app.listen(Number(process.env.WEB_PORT));  // fine
//! ```

use super::{FileCtx, Meta, Rules};
use crate::diag::{Code, Raw};
use crate::site::{PortCtx, Site, SiteKind};

pub const META: Meta = Meta {
    code: Code::PL002,
    name: "literal-bind",
    summary: "A server binds or listens on a literal port",
    help: "Register the port in config/ports.toml and read it from the service's env var, or \
           bind port 0 and let the OS choose when any free port will do.",
};

pub fn check(rules: &Rules, file: &FileCtx, site: &Site, out: &mut Vec<Raw>) {
    let SiteKind::Port {
        port,
        ctx: PortCtx::Bind,
    } = site.kind
    else {
        return;
    };
    if port == 0 {
        return;
    }
    let hint = match rules.service_on(port) {
        Some(s) => file.lang.lookup_hint(&s.env, port),
        None => "register the port in config/ports.toml and read it from its env var, or bind \
                 port 0 to let the OS choose"
            .to_string(),
    };
    out.push(Raw {
        code: Code::PL002,
        start: site.start,
        end: site.end,
        message: format!("server binds literal port {port}"),
        hint: Some(hint),
    });
}
