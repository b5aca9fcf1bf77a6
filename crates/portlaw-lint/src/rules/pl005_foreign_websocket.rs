//! PL005 foreign-websocket
//!
//! **What**: a `ws://` or `wss://` URL that is not in the policy's `websocket_allow` list.
//! A URL in the list (`ws://localhost:9000/feed`) is how a browser artifact reaches the feed —
//! it cannot read env vars — so no rule flags it. A URL built from placeholders
//! (`` `ws://${host}/feed` ``) is not a literal and is not checked.
//!
//! **Why**: the spec's Rule 4 lets artifacts open exactly one WebSocket, the Foundation feed.
//! Any other URL bypasses the feed (and its sanitising), or points at a port that may belong
//! to something else tomorrow.
//!
//! **Example**:
//! ```js
//! new WebSocket("ws://localhost:9017/raw");   // PL005
//! new WebSocket("ws://localhost:9000/feed");  // fine
//! ```

use super::{FileCtx, Meta, Rules};
use crate::diag::{Code, Raw};
use crate::site::{Site, SiteKind};

pub const META: Meta = Meta {
    code: Code::PL005,
    name: "foreign-websocket",
    summary: "A WebSocket URL outside the policy's allowed list",
    help: "Connect to an allowed URL (policy.websocket_allow in config/ports.toml), or add the \
           URL to the policy if it is meant to be used.",
};

/// Allowed when equal to an entry, up to a trailing `/` and a query or fragment.
pub fn allowed(url: &str, allow: &[String]) -> bool {
    let base = url
        .split(['?', '#'])
        .next()
        .unwrap_or(url)
        .trim_end_matches('/');
    allow
        .iter()
        .any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(base))
}

pub fn check(rules: &Rules, _file: &FileCtx, site: &Site, out: &mut Vec<Raw>) {
    let SiteKind::WebSocket { url } = &site.kind else {
        return;
    };
    let allow = &rules.registry.policy.websocket_allow;
    if allowed(url, allow) {
        return;
    }
    let hint = if allow.is_empty() {
        "the policy allows no WebSocket URLs (policy.websocket_allow)".to_string()
    } else {
        format!("allowed: {}", allow.join(", "))
    };
    out.push(Raw {
        code: Code::PL005,
        start: site.start,
        end: site.end,
        message: format!("WebSocket URL {url} is not in the policy's allowed list"),
        hint: Some(hint),
    });
}
