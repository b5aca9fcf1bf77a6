//! Shell scripts (and the shell parts of Dockerfiles and compose `command:` lines), read line
//! by line with a quote-aware word splitter: a full shell parser buys nothing here, since the
//! port positions of a command line are its words (`--port 9010`, `-p 9000:9000`,
//! `http://localhost:9010`, `PORT=9010 cmd`) and its expansions (`${FOUNDATION_PORT:-9000}`).
//! Comments, heredoc bodies and the arguments of `echo`/`printf` are not port positions.

use std::collections::HashSet;

use crate::site::{Comment, Fallback, PortCtx, Scan, Site, SiteKind};
use crate::text::{expansions, is_port_flag, is_port_name, port_value, scan_text};

/// Per-file state: the variables the script assigns itself (not env lookups when read).
#[derive(Default)]
pub struct ShellState {
    pub assigned: HashSet<String>,
}

/// Scans a whole shell script.
pub fn scan(src: &str, out: &mut Scan) {
    let mut st = ShellState::default();
    // First pass: names the script assigns, so `$NAME` of those is not an env lookup.
    for line in src.lines() {
        for (_, w) in split_words(line).0 {
            let w = w.trim_start_matches("export ").trim_start_matches("local ");
            if let Some((k, _)) = w.split_once('=')
                && is_name(k)
            {
                st.assigned.insert(k.to_string());
            }
        }
    }
    let mut heredoc: Option<String> = None;
    let mut off = 0;
    for line in src.split_inclusive('\n') {
        let base = off;
        off += line.len();
        let l = line.trim_end_matches(['\n', '\r']);
        if let Some(end) = &heredoc {
            if l.trim() == end {
                heredoc = None;
            }
            continue;
        }
        if let Some(p) = l.find("<<") {
            let tag = l[p + 2..].trim_start_matches(['-', '~']).trim();
            let tag = tag
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_matches(['\'', '"']);
            if !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                heredoc = Some(tag.to_string());
            }
        }
        scan_line(l, base, &st, out);
    }
}

fn is_name(k: &str) -> bool {
    !k.is_empty()
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !k.as_bytes()[0].is_ascii_digit()
}

/// Words of one line (quote-aware, offsets into the line) and where a comment starts.
/// Command separators (`;`, `&&`, `|`) become words of their own.
pub fn split_words(line: &str) -> (Vec<(usize, &str)>, Option<usize>) {
    let b = line.as_bytes();
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote = 0u8;
    let mut brace = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if quote != 0 {
            if c == b'\\' && quote == b'"' {
                i += 2;
                continue;
            }
            if c == quote {
                quote = 0;
            }
            i += 1;
            continue;
        }
        match c {
            b'\\' => {
                start.get_or_insert(i);
                i += 2;
                continue;
            }
            b'\'' | b'"' => {
                quote = c;
                start.get_or_insert(i);
            }
            b'$' if b.get(i + 1) == Some(&b'{') => {
                brace += 1;
                start.get_or_insert(i);
            }
            b'}' if brace > 0 => brace -= 1,
            b'#' if start.is_none() && brace == 0 => return (words, Some(i)),
            b' ' | b'\t' if brace == 0 => {
                if let Some(s) = start.take() {
                    words.push((s, &line[s..i]));
                }
            }
            b';' | b'|' | b'&' if brace == 0 => {
                if let Some(s) = start.take() {
                    words.push((s, &line[s..i]));
                }
                words.push((i, &line[i..i + 1]));
            }
            _ => {
                start.get_or_insert(i);
            }
        }
        i += 1;
    }
    if let Some(s) = start {
        words.push((s, &line[s..b.len().min(line.len())]));
    }
    (words, None)
}

/// Strips quotes and JSON-array punctuation (`["--port", "9010"]` in a Dockerfile CMD).
fn bare(word: &str, at: usize) -> (&str, usize) {
    let lead = word.len() - word.trim_start_matches(['[', '"', '\'']).len();
    let w = word[lead..].trim_end_matches([']', ',', '"', '\'']);
    (w, at + lead)
}

/// Scans one line of shell text that starts at byte `base` of the file.
pub fn scan_line(line: &str, base: usize, st: &ShellState, out: &mut Scan) {
    let (words, comment) = split_words(line);
    if let Some(c) = comment {
        out.comments.push(Comment {
            start: base + c,
            end: base + line.len(),
        });
    }
    let code = &line[..comment.unwrap_or(line.len())];
    // Expansions anywhere outside single quotes (a typo is a typo, even in an echo).
    for (var, vs, ve, default) in expansions(code) {
        if in_single_quotes(code, vs) {
            continue;
        }
        let braced = vs >= 2 && &code[vs - 2..vs] == "${";
        if !braced && st.assigned.contains(&var) {
            continue;
        }
        out.sites.push(Site {
            kind: SiteKind::Lookup {
                var,
                default: default.map(|(text, s, e)| Fallback {
                    text,
                    start: base + s,
                    end: base + e,
                }),
                definition: false,
            },
            start: base + vs,
            end: base + ve,
        });
    }
    let mut cmd: Option<&str> = None;
    let mut silent = false;
    let mut prev: Option<&str> = None;
    for &(ws, raw) in &words {
        if matches!(raw, ";" | "|" | "&") {
            cmd = None;
            silent = false;
            prev = None;
            continue;
        }
        let (w, wat) = bare(raw, ws);
        let at = base + wat;
        let Some(name) = cmd else {
            // Still before the command word: prefixes and `NAME=value` assignments.
            if matches!(
                w,
                "export"
                    | "local"
                    | "readonly"
                    | "declare"
                    | "ENV"
                    | "-x"
                    | "exec"
                    | "sudo"
                    | "nohup"
                    | "env"
            ) {
                continue;
            }
            if let Some((k, v)) = w.split_once('=')
                && is_name(k)
            {
                let (v, vat) = crate::text::unquote(v, wat + k.len() + 1);
                if !v.contains('$') {
                    definition(k, v, base + vat, out);
                }
                continue;
            }
            let name = w.rsplit('/').next().unwrap_or(w);
            silent = matches!(
                name,
                "echo" | "printf" | "logger" | "log" | "info" | "warn" | "die" | ":"
            );
            cmd = Some(name);
            prev = Some(w);
            continue;
        };
        if silent {
            continue;
        }
        // A server's own port flags bind; anyone else's (`psql --port`) connect.
        let server = is_server(name);
        let flag_ctx = if server { PortCtx::Bind } else { PortCtx::Flag };
        let (flag, value, vat) = match w.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (Some(f), v, at + f.len() + 1),
            _ => (prev.filter(|p| p.starts_with('-')), w, at),
        };
        let joined = w.contains('=') && flag.is_some();
        match flag {
            Some("-p" | "--publish") if value.contains(':') => publish(value, vat, out),
            Some("--bind" | "-b") if server => {
                scan_text(value, vat, Some(PortCtx::Bind), &mut out.sites)
            }
            Some(f) if is_port_flag(f) => {
                if let Some(v) = port_value(value) {
                    out.sites
                        .push(Site::port(v, flag_ctx, vat, vat + value.len()));
                } else if server && value.contains('$') {
                    bind_vars(value, vat, out);
                }
            }
            _ if prev == Some("http.server") => {
                if let Some(v) = port_value(w) {
                    out.sites
                        .push(Site::port(v, PortCtx::Bind, at, at + w.len()));
                }
            }
            _ if !joined && !w.contains('$') && !is_port_flag(w) => {
                // URLs and `host:port` words.
                scan_text(w, at, Some(PortCtx::HostPort), &mut out.sites);
            }
            _ => {}
        }
        prev = Some(w);
    }
}

/// Commands that serve on the port their flags name.
fn is_server(cmd: &str) -> bool {
    matches!(
        cmd,
        "uvicorn"
            | "gunicorn"
            | "hypercorn"
            | "daphne"
            | "flask"
            | "streamlit"
            | "http-server"
            | "serve"
            | "jupyter"
            | "jupyter-lab"
            | "waitress-serve"
            | "granian"
    )
}

/// `--port "$FOUNDATION_PORT"` given to a server: it binds whatever the variable holds.
fn bind_vars(value: &str, at: usize, out: &mut Scan) {
    for (var, vs, ve, _) in expansions(value) {
        out.sites.push(Site {
            kind: SiteKind::BindVar { var },
            start: at + vs,
            end: at + ve,
        });
    }
}

/// A definition `NAME=value` (shell assignment, .env line, compose environment entry).
pub fn definition(name: &str, value: &str, at: usize, out: &mut Scan) {
    let upper = name
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if upper && (name == "PORT" || name.ends_with("_PORT")) {
        out.sites.push(Site {
            kind: SiteKind::Lookup {
                var: name.to_string(),
                default: Some(Fallback {
                    text: value.to_string(),
                    start: at,
                    end: at + value.len(),
                }),
                definition: true,
            },
            start: at,
            end: at + value.len(),
        });
    } else if is_port_name(name)
        && let Some(v) = port_value(value)
    {
        out.sites
            .push(Site::port(v, PortCtx::Assign, at, at + value.len()));
    } else {
        scan_text(value, at, Some(PortCtx::HostPort), &mut out.sites);
    }
}

/// `-p [ip:]host:container` → the host port.
pub fn publish(spec: &str, at: usize, out: &mut Scan) {
    let spec = spec.split('/').next().unwrap_or(spec);
    let parts: Vec<&str> = spec.split(':').collect();
    if parts.len() < 2 {
        ports_or_range(spec, PortCtx::Listen, at, out);
        return;
    }
    let host = parts[parts.len() - 2];
    let offset: usize = parts[..parts.len() - 2].iter().map(|p| p.len() + 1).sum();
    ports_or_range(host, PortCtx::Publish, at + offset, out);
}

/// A port (`9010`) or a range of ports (`9010-9019`, compose `ports:` and Dockerfile `EXPOSE`)
/// at `at`. Each port of a range is a site with the range's span (the engine keeps the most
/// specific finding per span); a range wider than 1024 ports yields only its ends.
pub fn ports_or_range(word: &str, ctx: PortCtx, at: usize, out: &mut Scan) {
    let end = at + word.len();
    if let Some(v) = port_value(word) {
        out.sites.push(Site::port(v, ctx, at, end));
        return;
    }
    let Some((a, b)) = word.split_once('-') else {
        return;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    let (Some(a), Some(b)) = (
        port_value(a).filter(|_| digits(a)),
        port_value(b).filter(|_| digits(b)),
    ) else {
        return;
    };
    if a > b {
        return;
    }
    if b - a > 1024 {
        out.sites.push(Site::port(a, ctx, at, end));
        out.sites.push(Site::port(b, ctx, at, end));
    } else {
        out.sites
            .extend((a..=b).map(|p| Site::port(p, ctx, at, end)));
    }
}

fn in_single_quotes(line: &str, pos: usize) -> bool {
    let mut q = 0u8;
    for (i, c) in line.bytes().enumerate() {
        if i == pos {
            return q == b'\'';
        }
        match (q, c) {
            (0, b'\'') | (0, b'"') => q = c,
            (b'\'', b'\'') | (b'"', b'"') => q = 0,
            _ => {}
        }
    }
    false
}
