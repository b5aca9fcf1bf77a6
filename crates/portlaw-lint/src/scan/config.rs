//! Line-oriented scanners for configuration files: Dockerfile, compose and Kubernetes YAML,
//! .env files and nginx configs.
//!
//! Why no YAML parser: the YAML crates that build values (serde_yaml and kin) drop line numbers,
//! and every finding needs one; the port positions of compose and Kubernetes files are a handful
//! of keys (`ports:` items, `containerPort:`, `published:`, `*_PORT:` in `environment:`,
//! `name:`/`value:` pairs in `env:`), all of which sit on one line each. A line reader with
//! comment and quote handling finds them exactly, at their column.

use super::shell::{self, ShellState};
use crate::site::{Comment, PortCtx, Scan, Site};
use crate::text::{is_port_name, port_value, scan_text, unquote};

/// Lines with their byte offsets (without the line ending).
fn lines(src: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut off = 0;
    src.split_inclusive('\n').map(move |l| {
        let at = off;
        off += l.len();
        (at, l.trim_end_matches(['\n', '\r']))
    })
}

/// Cuts a `#` comment (one outside quotes, at the start or after a space), recording it.
fn cut_comment<'a>(l: &'a str, at: usize, out: &mut Scan) -> &'a str {
    let b = l.as_bytes();
    let mut q = 0u8;
    for i in 0..b.len() {
        match (q, b[i]) {
            (0, b'"') | (0, b'\'') => q = b[i],
            (x, c) if x != 0 && c == x => q = 0,
            (0, b'#') if i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t' => {
                out.comments.push(Comment {
                    start: at + i,
                    end: at + l.len(),
                });
                return &l[..i];
            }
            _ => {}
        }
    }
    l
}

/// Dockerfile: `EXPOSE` ports, `ENV`/`ARG` definitions, and the shell of `RUN`/`CMD`/
/// `ENTRYPOINT`/`HEALTHCHECK` (including the JSON-array form).
pub fn dockerfile(src: &str, out: &mut Scan) {
    let st = ShellState::default();
    let mut instr = String::new();
    let mut continued = false;
    for (at, l) in lines(src) {
        if l.trim_start().starts_with('#') {
            out.comments.push(Comment {
                start: at,
                end: at + l.len(),
            });
            continue;
        }
        let mut body = l;
        let mut body_at = at;
        if !continued {
            let t = l.trim_start();
            let word = t.split_whitespace().next().unwrap_or("");
            instr = word.to_ascii_uppercase();
            let skip = l.len() - t.len() + word.len();
            body = &l[skip..];
            body_at = at + skip;
        }
        continued = l.trim_end().ends_with('\\');
        match instr.as_str() {
            "EXPOSE" => {
                for (ws, w) in crate::text::words_of(body) {
                    let p = w.split('/').next().unwrap_or(w);
                    shell::ports_or_range(p, PortCtx::Listen, body_at + ws, out);
                }
            }
            "ENV" | "ARG" => {
                let words = crate::text::words_of(body);
                if words.len() == 2 && !words[0].1.contains('=') {
                    let (v, vat) = unquote(words[1].1, body_at + words[1].0);
                    shell::definition(words[0].1, v, vat, out);
                } else {
                    for (ws, w) in words {
                        if let Some((k, v)) = w.split_once('=') {
                            let (v, vat) = unquote(v, body_at + ws + k.len() + 1);
                            if !v.contains('$') {
                                shell::definition(k, v, vat, out);
                            }
                        }
                    }
                }
                lookups_of(body, body_at, out);
            }
            "RUN" | "CMD" | "ENTRYPOINT" | "HEALTHCHECK" => {
                shell::scan_line(body, body_at, &st, out)
            }
            _ => {}
        }
    }
}

/// Only the env lookups (`${X:-1}`) of a line whose other parts were read already.
fn lookups_of(line: &str, at: usize, out: &mut Scan) {
    let mut s = Scan::default();
    shell::scan_line(line, at, &ShellState::default(), &mut s);
    out.sites.extend(s.sites.into_iter().filter(|x| {
        matches!(
            x.kind,
            crate::site::SiteKind::Lookup {
                definition: false,
                ..
            }
        )
    }));
}

/// `.env` files: `KEY=VALUE` lines (with optional `export`).
pub fn dotenv(src: &str, out: &mut Scan) {
    for (at, l) in lines(src) {
        let code = cut_comment(l, at, out);
        let t = code.trim_start();
        let lead = code.len() - t.len();
        let (t, lead) = match t.strip_prefix("export ") {
            Some(r) => (r.trim_start(), lead + (t.len() - r.trim_start().len())),
            None => (t, lead),
        };
        if let Some((k, v)) = t.split_once('=') {
            let (v, vat) = unquote(v, at + lead + k.len() + 1);
            let k = k.trim();
            if v.contains('$') {
                shell::scan_line(v, vat, &ShellState::default(), out);
            } else {
                shell::definition(k, v, vat, out);
            }
        }
    }
}

/// nginx: `listen` ports; `host:port` and URLs in other directives (`proxy_pass`, `server`);
/// `${VAR}` in envsubst templates.
pub fn nginx(src: &str, out: &mut Scan) {
    for (at, l) in lines(src) {
        let code = cut_comment(l, at, out);
        // Statements end at `;`, and a block's braces end one too (`server { listen 9010; }`
        // on one line); the braces of a `${VAR}` do not.
        let mut ends = String::with_capacity(code.len());
        let mut in_var = false;
        let mut prev = ' ';
        for c in code.chars() {
            ends.push(match c {
                '{' if prev == '$' => {
                    in_var = true;
                    c
                }
                '}' if in_var => {
                    in_var = false;
                    c
                }
                '{' | '}' => ';',
                _ => c,
            });
            prev = c;
        }
        for (ws, stmt) in split_keep(&ends, ';') {
            let words = crate::text::words_of(stmt);
            let Some(&(_, directive)) = words.first() else {
                continue;
            };
            for &(o, w) in &words[1..] {
                let s = at + ws + o;
                if directive == "listen" {
                    let port = w.rsplit(':').next().unwrap_or(w);
                    if let Some(v) = port_value(port)
                        && port.bytes().all(|c| c.is_ascii_digit())
                    {
                        let ps = s + w.len() - port.len();
                        out.sites
                            .push(Site::port(v, PortCtx::Listen, ps, ps + port.len()));
                    }
                } else if !w.contains('$') {
                    scan_text(w, s, Some(PortCtx::HostPort), &mut out.sites);
                }
            }
            if stmt.contains('$') {
                lookups_of(stmt, at + ws, out);
            }
        }
    }
}

fn split_keep(s: &str, sep: char) -> Vec<(usize, &str)> {
    let mut v = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == sep {
            v.push((start, &s[start..i]));
            start = i + 1;
        }
    }
    v.push((start, &s[start..]));
    v
}

/// Compose and Kubernetes YAML. `compose` says a `ports:` item is a compose mapping
/// (`"HOST:CONTAINER"`); in Kubernetes manifests the keys carry the meaning.
pub fn yaml(src: &str, compose: bool, out: &mut Scan) {
    let st = ShellState::default();
    // Indent of the `ports:` key whose items are being read.
    let mut ports_at: Option<usize> = None;
    // A Kubernetes `- name: X_PORT` waiting for its `value:`.
    let mut env_name: Option<String> = None;
    for (at, l) in lines(src) {
        let code = cut_comment(l, at, out);
        if code.trim().is_empty() {
            continue;
        }
        let indent = code.len() - code.trim_start().len();
        let mut t = code.trim_start();
        let mut off = indent;
        let item = t.starts_with("- ") || t == "-";
        if item {
            let r = t[1..].trim_start();
            off += t.len() - r.len();
            t = r;
        }
        if let Some(p) = ports_at
            && (indent < p || (indent == p && !item))
        {
            ports_at = None;
        }
        let (key, value, vat) = match split_key(t) {
            Some((k, v, vo)) if !t.starts_with('{') => (Some(k), v, at + off + vo),
            _ => (None, t, at + off),
        };
        let (value, vat) = unquote(value, vat);
        if matches!(key, Some("ports" | "expose")) {
            if value.is_empty() {
                ports_at = Some(indent);
                continue;
            }
            // Flow style: `ports: ["9010:9010", "9011"]`.
            if compose && value.starts_with('[') {
                for (o, item) in split_keep(value.trim_matches(['[', ']']), ',') {
                    let (item, at) = unquote(item, vat + 1 + o);
                    shell::publish(item, at, out);
                }
                continue;
            }
        }
        let in_ports =
            ports_at.is_some_and(|p| indent >= p) && (item || indent > ports_at.unwrap_or(0));
        // Expansions anywhere in a value.
        if value.contains('$') {
            lookups_of(value, vat, out);
            if key.is_none() && in_ports && compose {
                shell::publish(value, vat, out);
            }
            continue;
        }
        match key {
            _ if value.starts_with('{') && value.ends_with('}') => {
                // Flow mapping: `- {containerPort: 9010, protocol: TCP}`,
                // `environment: { RECORDING_PORT: "9010" }`.
                let inner = &value[1..value.len() - 1];
                for (o, piece) in split_keep(inner, ',') {
                    let lead = piece.len() - piece.trim_start().len();
                    if let Some((k, v, vo)) = split_key(piece.trim())
                        && !k.is_empty()
                    {
                        let (v, vat) = unquote(v, vat + 1 + o + lead + vo);
                        pair(k, v, vat, compose, &mut env_name, out);
                    }
                }
            }
            None if in_ports && compose => shell::publish(value, vat, out),
            None => {
                // A list item: `- RECORDING_PORT=9010` or a command word list.
                if let Some((k, v)) = value.split_once('=')
                    && !k.contains(' ')
                {
                    shell::definition(k, v, vat + k.len() + 1, out);
                } else {
                    shell::scan_line(value, vat, &st, out);
                }
            }
            Some(k) => pair(k, value, vat, compose, &mut env_name, out),
        }
    }
}

/// One `key: value` of a compose or Kubernetes file (block or flow style).
fn pair(
    k: &str,
    value: &str,
    vat: usize,
    compose: bool,
    env_name: &mut Option<String>,
    out: &mut Scan,
) {
    let st = ShellState::default();
    let v = port_value(value).filter(|_| value.bytes().all(|c| c.is_ascii_digit()));
    if k == "name" && (value.ends_with("_PORT") || value == "PORT") {
        *env_name = Some(value.to_string());
        return;
    }
    if k == "value"
        && let Some(name) = env_name.take()
    {
        shell::definition(&name, value, vat, out);
        return;
    }
    let upper = k
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if upper && (k == "PORT" || k.ends_with("_PORT")) {
        shell::definition(k, value, vat, out);
        return;
    }
    let ctx = match k {
        "containerPort" | "targetPort" | "target" => Some(PortCtx::Listen),
        "hostPort" | "nodePort" | "published" => Some(PortCtx::Publish),
        _ if is_port_name(k) => Some(if compose {
            PortCtx::Assign
        } else {
            PortCtx::Listen
        }),
        _ => None,
    };
    if let (Some(ctx), Some(v)) = (ctx, v) {
        out.sites.push(Site::port(v, ctx, vat, vat + value.len()));
    } else if matches!(k, "command" | "entrypoint" | "args" | "test") {
        shell::scan_line(value, vat, &st, out);
    } else {
        scan_text(value, vat, Some(PortCtx::HostPort), &mut out.sites);
    }
}

/// `key: value` → (key, value, offset of value). A `key:` needs a space or the line end after
/// the colon, so `"9000:9000"` and `http://x` are not keys.
fn split_key(t: &str) -> Option<(&str, &str, usize)> {
    let b = t.as_bytes();
    let mut q = 0u8;
    for i in 0..b.len() {
        match (q, b[i]) {
            (0, b'"') | (0, b'\'') if i == 0 => q = b[i],
            (x, c) if x != 0 && c == x => q = 0,
            (0, b':') if i + 1 == b.len() || b[i + 1] == b' ' => {
                let k = t[..i].trim().trim_matches(['"', '\'']);
                let v = t[i + 1..].trim_start();
                return Some((k, v.trim_end(), b.len() - t[i + 1..].trim_start().len()));
            }
            (0, b' ') if q == 0 && i > 0 && !t[..i].contains(':') && t[..i].contains('=') => {
                return None;
            }
            _ => {}
        }
    }
    None
}

/// HTML (and Vue/Svelte): the `<script>` blocks as JavaScript, plus `<!-- -->` comments for
/// suppressions.
pub fn html(src: &str, out: &mut Scan) {
    let lower = src.to_ascii_lowercase();
    // One pass over the markup: a comment hides any `<script>` in it (commented-out markup),
    // and a script's body is code, where a `<!--` in a string starts no comment.
    let mut i = 0;
    loop {
        let comment = lower[i..].find("<!--").map(|p| i + p);
        let script = lower[i..].find("<script").map(|p| i + p);
        match (comment, script) {
            (Some(c), s) if s.is_none_or(|s| c < s) => {
                let e = lower[c..]
                    .find("-->")
                    .map(|x| c + x + 3)
                    .unwrap_or(src.len());
                out.comments.push(Comment { start: c, end: e });
                i = e;
            }
            (_, Some(open)) => {
                let Some(gt) = lower[open..].find('>') else {
                    break;
                };
                let body = open + gt + 1;
                let end = lower[body..]
                    .find("</script")
                    .map(|x| body + x)
                    .unwrap_or(src.len());
                super::code::scan(&src[body..end], crate::lex::Syntax::JavaScript, body, out);
                i = end;
            }
            _ => break,
        }
    }
}
