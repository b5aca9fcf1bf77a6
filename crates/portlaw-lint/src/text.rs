//! Small recognisers shared by every scanner: port-named identifiers, port numbers, CLI port
//! flags, `host:port` strings and URLs inside a piece of text.

use crate::site::{PortCtx, Site, SiteKind};

/// `port`, `PORT`, `http_port`, `HTTP_PORT`, `httpPort`, `http-port` — not `report`, `export`,
/// `transport`, `REPORT`.
pub fn is_port_name(name: &str) -> bool {
    let name = name.trim_matches(|c| c == '"' || c == '\'');
    if name.eq_ignore_ascii_case("port") {
        return true;
    }
    if let Some(stem) = name.strip_suffix("Port") {
        return stem
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    }
    let lower = name.to_ascii_lowercase();
    // `server.port` (Spring Boot, traefik labels) as a dotted config key.
    (lower.ends_with("_port") || lower.ends_with("-port") || lower.ends_with(".port"))
        && (name.ends_with("port") || name.ends_with("PORT"))
}

/// A decimal port number (`"9000"`, `9_000`, `9000u16`); `None` for anything else.
pub fn port_value(lit: &str) -> Option<u16> {
    let s = lit.trim();
    // An integer-type suffix is fine (`9000u16`, `9000L`); a unit (`9000ms`) is not a port.
    let s = [
        "u16", "u32", "u64", "usize", "i32", "i64", "L", "l", "n", "u", "U",
    ]
    .iter()
    .find_map(|suf| s.strip_suffix(suf))
    .unwrap_or(s);
    let digits: String = s.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || digits.len() > 5 || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u32>()
        .ok()
        .filter(|n| *n <= 65535)
        .map(|n| n as u16)
}

/// `--port`, `-p`, `--http-port`, `--port-number` is not one (a flag must *end* in port).
pub fn is_port_flag(word: &str) -> bool {
    if word == "-p" || word == "-P" {
        return true;
    }
    let Some(name) = word.strip_prefix("--") else {
        return false;
    };
    is_port_name(name) || name == "publish"
}

/// Host part of a `host:port`: a name, an IPv4 address, a bracketed IPv6 address, or empty
/// (`:8080`, Go's "all interfaces"). A lone word must contain a letter, so a time like
/// `12:30` is not a host.
fn is_host(h: &str) -> bool {
    if h.is_empty() {
        return true;
    }
    if h.starts_with('[') && h.ends_with(']') {
        return h[1..h.len() - 1]
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    let ok = h
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
    let ipv4 = h.split('.').count() == 4 && h.split('.').all(|p| p.parse::<u8>().is_ok());
    ok && (ipv4 || h.chars().any(|c| c.is_ascii_alphabetic()))
        && !h.starts_with('-')
        && !h.starts_with('.')
}

/// Every `scheme://host:port`, `host:port` (as a whole word), `--port N`/`--port=N` and
/// `ws://`/`wss://` URL in `text` (which starts at byte `base` of the file). `whole` says the
/// text is one string value, where `host:port` or `:port` alone counts.
pub fn scan_text(text: &str, base: usize, whole_ctx: Option<PortCtx>, out: &mut Vec<Site>) {
    let b = text.as_bytes();
    // URLs anywhere in the text.
    let mut i = 0;
    let mut url_spans: Vec<(usize, usize)> = Vec::new();
    while let Some(p) = find(text, "://", i) {
        let mut s = p;
        while s > 0 && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'+' | b'.' | b'-'))
        {
            s -= 1;
        }
        let scheme = &text[s..p];
        let mut e = p + 3;
        while e < b.len()
            && !b[e].is_ascii_whitespace()
            && !matches!(
                b[e],
                b'"' | b'\'' | b'`' | b'<' | b'>' | b')' | b';' | b',' | b'\\'
            )
        {
            e += 1;
        }
        i = e.max(p + 3);
        if scheme.is_empty() {
            continue;
        }
        url_spans.push((s, e));
        let url = &text[s..e];
        let lower = scheme.to_ascii_lowercase();
        let websocket = lower == "ws" || lower == "wss";
        let auth_end = text[p + 3..e]
            .find(['/', '?', '#'])
            .map(|x| p + 3 + x)
            .unwrap_or(e);
        let auth = &text[p + 3..auth_end];
        let auth = auth.rsplit('@').next().unwrap_or(auth);
        // A template (`ws://localhost:{}/x`, `${host}`, `%s`) or a bare scheme is not a URL.
        // A WebSocket URL is compared whole with the allowed list, so any placeholder makes it
        // unknowable; another URL only needs its port literal (`http://localhost:9010/${path}`,
        // `f"http://{host}:9010/"`).
        let placeholder = |t: &str| t.contains(['{', '}', '$', '%']);
        let host_char = text[p + 3..e].chars().next();
        if websocket {
            if placeholder(url) || !host_char.is_some_and(|c| c.is_ascii_alphanumeric() || c == '[')
            {
                continue;
            }
        } else if let Some(c) = auth.rfind(':') {
            let (host, port) = (&auth[..c], &auth[c + 1..]);
            let templated_host = (host.starts_with('{') || host.starts_with("${"))
                && host.ends_with('}')
                && host.matches('{').count() == 1;
            if placeholder(port) || (placeholder(host) && !templated_host) {
                continue;
            }
            if templated_host
                && let Some(v) = port_value(port)
                && port.bytes().all(|c| c.is_ascii_digit())
            {
                let ps = base + (auth_end - port.len());
                out.push(Site::port(v, PortCtx::Url, ps, ps + port.len()));
                continue;
            }
        }
        if !host_char.is_some_and(|c| c.is_ascii_alphanumeric() || c == '[') {
            continue;
        }
        if websocket {
            out.push(Site {
                kind: SiteKind::WebSocket {
                    url: url.to_string(),
                },
                start: base + s,
                end: base + e,
            });
            continue;
        }
        if let Some(c) = auth.rfind(':') {
            let (host, port) = (&auth[..c], &auth[c + 1..]);
            if is_host(host)
                && !host.is_empty()
                && let Some(v) = port_value(port)
                && port.bytes().all(|c| c.is_ascii_digit())
            {
                let ps = base + (auth_end - port.len());
                out.push(Site::port(v, PortCtx::Url, ps, ps + port.len()));
            }
        }
    }
    // Flags inside a command line: `--port 9010`, `--port=9010`.
    let words = words_of(text);
    // Both lists are in text order: one pointer walks the URLs as the words advance.
    let mut u = 0;
    for (k, (ws, w)) in words.iter().enumerate() {
        while u < url_spans.len() && url_spans[u].1 <= *ws {
            u += 1;
        }
        if url_spans.get(u).is_some_and(|(s, e)| ws >= s && ws < e) {
            continue;
        }
        if let Some((flag, val)) = w.split_once('=')
            && is_port_flag(flag)
            && let Some(v) = port_value(val)
        {
            let vs = base + ws + flag.len() + 1;
            out.push(Site::port(v, PortCtx::Flag, vs, vs + val.len()));
        } else if is_port_flag(w)
            && let Some((vs, val)) = words.get(k + 1)
            && let Some(v) = port_value(val)
        {
            out.push(Site::port(
                v,
                PortCtx::Flag,
                base + vs,
                base + vs + val.len(),
            ));
        }
    }
    // `host:port` as the whole value.
    if let Some(ctx) = whole_ctx {
        let t = text.trim();
        let off = text.len() - text.trim_start().len();
        if !t.contains("://")
            && let Some(c) = t.rfind(':')
        {
            let (host, port) = (&t[..c], &t[c + 1..]);
            if is_host(host)
                && port.bytes().all(|c| c.is_ascii_digit())
                && let Some(v) = port_value(port)
            {
                let ps = base + off + c + 1;
                out.push(Site::port(v, ctx, ps, ps + port.len()));
            }
        }
    }
}

/// Whitespace-separated words with their offsets.
pub fn words_of(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, &text[s..i]));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out
}

fn find(hay: &str, needle: &str, from: usize) -> Option<usize> {
    hay.get(from..)?.find(needle).map(|p| p + from)
}

/// `(var, var start, var end, default with its span)`.
pub type Expansion = (String, usize, usize, Option<(String, usize, usize)>);

/// Shell-style expansions in `text`: `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:=default}`, `$VAR`. Returns (var, var span, default with span).
pub fn expansions(text: &str) -> Vec<Expansion> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        if b.get(i + 1) == Some(&b'{') {
            let ns = i + 2;
            let mut ne = ns;
            while ne < b.len() && (b[ne].is_ascii_alphanumeric() || b[ne] == b'_') {
                ne += 1;
            }
            if ne == ns {
                i += 2;
                continue;
            }
            let close = text[ne..].find('}').map(|p| ne + p);
            let mut default = None;
            if let Some(close) = close {
                let rest = &text[ne..close];
                for op in [":-", ":=", "-", "="] {
                    if let Some(d) = rest.strip_prefix(op) {
                        let ds = ne + op.len();
                        let (d, ds) = unquote(d, ds);
                        default = Some((d.to_string(), ds, ds + d.len()));
                        break;
                    }
                }
            }
            out.push((text[ns..ne].to_string(), ns, ne, default));
            i = close.unwrap_or(ne);
        } else {
            let ns = i + 1;
            let mut ne = ns;
            while ne < b.len() && (b[ne].is_ascii_alphanumeric() || b[ne] == b'_') {
                ne += 1;
            }
            if ne > ns && !b[ns].is_ascii_digit() {
                out.push((text[ns..ne].to_string(), ns, ne, None));
            }
            i = ne.max(i + 1);
        }
    }
    out
}

/// Strips one layer of matching quotes, moving the offset along.
pub fn unquote(s: &str, at: usize) -> (&str, usize) {
    let t = s.trim();
    let at = at + (s.len() - s.trim_start().len());
    for q in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(q) && t.ends_with(q) {
            return (&t[1..t.len() - 1], at + 1);
        }
    }
    (t, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_names() {
        for y in [
            "port",
            "PORT",
            "http_port",
            "HTTP_PORT",
            "httpPort",
            "metrics-port",
            "server.port",
            "\"port\"",
        ] {
            assert!(is_port_name(y), "{y}");
        }
        for n in [
            "report",
            "REPORT",
            "export",
            "transport",
            "Transport",
            "ports",
            "portal",
            "server.report",
        ] {
            assert!(!is_port_name(n), "{n}");
        }
    }

    #[test]
    fn port_values() {
        assert_eq!(port_value("9000"), Some(9000));
        assert_eq!(port_value("9_000"), Some(9000));
        assert_eq!(port_value("9000u16"), Some(9000));
        assert_eq!(port_value("9000ms"), None);
        assert_eq!(port_value("70000"), None);
        assert_eq!(port_value("90.0"), None);
    }

    fn ports(text: &str, whole: bool) -> Vec<(u16, PortCtx, String)> {
        let mut v = Vec::new();
        scan_text(text, 0, whole.then_some(PortCtx::HostPort), &mut v);
        v.into_iter()
            .filter_map(|s| match s.kind {
                SiteKind::Port { port, ctx } => Some((port, ctx, text[s.start..s.end].to_string())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn urls_hostports_and_flags() {
        assert_eq!(ports("http://localhost:9010/x", true)[0].0, 9010);
        assert_eq!(ports("localhost:9010", true)[0].1, PortCtx::HostPort);
        assert_eq!(ports(":8080", true)[0].0, 8080);
        assert!(ports("12:30", true).is_empty());
        assert!(ports("localhost:9010", false).is_empty());
        assert_eq!(
            ports("uvicorn app:app --port 9010", false)[0].1,
            PortCtx::Flag
        );
        assert_eq!(ports("serve --port=9010", false)[0].2, "9010");
        assert!(ports("sleep 9000", false).is_empty());
        // A flag inside a URL is the URL's; after it, a flag again (one pointer walks both).
        let p = ports("http://h:1/?x=--port 7010 a://b --port 7011", false);
        let got: Vec<_> = p.iter().map(|x| (x.0, x.1)).collect();
        assert_eq!(got, [(1, PortCtx::Url), (7011, PortCtx::Flag)]);
        // Only the authority of a non-WebSocket URL needs to be literal.
        assert_eq!(ports("http://localhost:9010/${id}", false)[0].0, 9010);
        assert_eq!(ports("http://{host}:9010/", false)[0].0, 9010);
        assert!(ports("http://{host}:{port}/", false).is_empty());
        let mut v = Vec::new();
        scan_text("ws://localhost:9000/${x}", 0, None, &mut v);
        assert!(v.is_empty(), "{v:?}");
    }

    #[test]
    fn shell_expansions() {
        let e = expansions("${A_PORT:-9000} $B_PORT ${C}");
        assert_eq!(e[0].0, "A_PORT");
        assert_eq!(e[0].3.as_ref().unwrap().0, "9000");
        assert_eq!(e[1].0, "B_PORT");
        assert_eq!(e[2].3, None);
    }
}
