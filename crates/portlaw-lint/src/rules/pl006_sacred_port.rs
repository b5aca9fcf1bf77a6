//! PL006 sacred-port
//!
//! **What**: a file outside the owner's path that binds a sacred port (`policy.sacred`), either
//! as a literal (`server.bind(("", 9000))`, `EXPOSE 9000`, `listen 9001;`, a compose
//! `"9000:80"` mapping) or through its variable (`port = os.getenv("FOUNDATION_PORT")` and then
//! `bind(("", port))`). Connecting to a sacred port is not binding it and is not this rule's
//! business (PL001 still wants the env var).
//!
//! **Why**: the spec's Rule 4 reserves the Foundation ports for Foundation alone. A subscriber
//! that binds one either fails at start-up or, worse, starts first and takes the feed's place.
//!
//! **Example**:
//! ```python
//! # services/recording/server.py
//! server.bind(("", int(os.getenv("FOUNDATION_PORT", "9000"))))   # PL006
//! ```

use super::{FileCtx, Meta, Rules, describe};
use crate::diag::{Code, Raw};
use crate::site::{Site, SiteKind};

pub const META: Meta = Meta {
    code: Code::PL006,
    name: "sacred-port",
    summary: "A sacred port is bound outside its owner's path",
    help: "Only the registered owner may bind a sacred port. Give this service a port of its \
           own in config/ports.toml and read it from its own env var.",
};

pub fn check(rules: &Rules, file: &FileCtx, site: &Site, out: &mut Vec<Raw>) {
    let sacred = &rules.registry.policy.sacred;
    let (port, how) = match &site.kind {
        SiteKind::Port { port, ctx } if ctx.binds() && sacred.contains(port) => {
            (*port, format!("binds sacred port {port}"))
        }
        SiteKind::BindVar { var } => match rules.service_of(var) {
            Some(s) if sacred.contains(&s.port) => {
                (s.port, format!("binds {var}, sacred port {}", s.port))
            }
            _ => return,
        },
        _ => return,
    };
    let owner = rules.service_on(port);
    if owner.is_some_and(|s| file.owned_by(s)) {
        return;
    }
    let whose = match owner {
        Some(s) => {
            let paths: Vec<&str> = s
                .owners
                .iter()
                .filter(|o| o.contains('/'))
                .map(String::as_str)
                .collect();
            format!(
                " of {}, outside {}",
                describe(s),
                if paths.is_empty() {
                    "its owner".to_string()
                } else {
                    paths.join(", ")
                }
            )
        }
        None => String::new(),
    };
    out.push(Raw {
        code: Code::PL006,
        start: site.start,
        end: site.end,
        message: format!("{how}{whose}"),
        hint: Some("give this service its own port in config/ports.toml".to_string()),
    });
}
