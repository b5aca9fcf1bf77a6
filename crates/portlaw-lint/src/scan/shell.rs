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
        let mut prev = "";
        let mut reading = false;
        for (_, w) in split_words(line).0 {
            let w = w.trim_start_matches("export ").trim_start_matches("local ");
            if let Some((k, _)) = w.split_once('=')
                && is_name(k)
            {
                st.assigned.insert(k.to_string());
            }
            // `read -r NAME ...` and `for NAME in ...` assign too.
            if matches!(w, ";" | "|" | "&" | "&&" | "||") {
                reading = false;
            } else if reading && is_name(w) || prev == "for" && is_name(w) {
                st.assigned.insert(w.to_string());
            }
            reading |= w == "read";
            prev = w;
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

/// Commands whose arguments are messages, not port positions.
fn is_silent(cmd: &str) -> bool {
    matches!(
        cmd,
        "echo" | "printf" | "logger" | "log" | "info" | "warn" | "die" | ":"
    )
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
    // The quote state is carried from one expansion to the next (they come in order), so a
    // line with thousands of expansions is read once.
    let mut quotes = QuoteState::default();
    for (var, vs, ve, default) in expansions(code) {
        if quotes.single_at(code, vs) {
            continue;
        }
        // The script's own variable, unless read with a default (`${X:-1}` reads the env).
        if default.is_none() && st.assigned.contains(&var) {
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
                // `x=$(uvicorn app --port 8000)`: the substitution's command starts here.
                let inner = v
                    .strip_prefix("$(")
                    .or_else(|| v.strip_prefix('`'))
                    .filter(|c| !c.is_empty());
                if let Some(c) = inner {
                    let name = c.rsplit('/').next().unwrap_or(c);
                    silent = is_silent(name);
                    cmd = Some(name);
                    prev = Some(c);
                }
                continue;
            }
            let w = w.trim_start_matches("$(").trim_start_matches('`');
            let name = w.rsplit('/').next().unwrap_or(w);
            silent = is_silent(name);
            cmd = Some(name);
            prev = Some(w);
            continue;
        };
        if silent {
            continue;
        }
        // Launchers: the command that runs is a later word (`npx http-server -p 8080`,
        // `uv run uvicorn app --port 8000`, `python -m uvicorn app --port 8000`).
        let launcher = matches!(name, "npx" | "uvx" | "bunx" | "pipx")
            || (matches!(
                name,
                "uv" | "poetry" | "pipenv" | "pdm" | "hatch" | "rye" | "pnpm" | "yarn"
            ) && matches!(prev, Some("run" | "exec" | "dlx")))
            || (name.starts_with("python") && prev == Some("-m"));
        if launcher && !w.starts_with('-') && w != "http.server" {
            cmd = Some(w.rsplit('/').next().unwrap_or(w));
            prev = Some(w);
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
                // The end of a command substitution: `$(serve --port 9010)`.
                let value = value.trim_end_matches([')', '`']);
                if let Some(v) = port_value(value) {
                    out.sites
                        .push(Site::port(v, flag_ctx, vat, vat + value.len()));
                } else if server && value.contains('$') {
                    bind_vars(value, vat, out);
                }
            }
            // Django's `manage.py runserver 8000` / `runserver 0.0.0.0:8000`.
            _ if prev == Some("runserver") => {
                if let Some(v) = port_value(w) {
                    out.sites
                        .push(Site::port(v, PortCtx::Bind, at, at + w.len()));
                } else {
                    scan_text(w, at, Some(PortCtx::Bind), &mut out.sites);
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

/// Commands whose `--port`/`-p`/`-b` starts a server (the engine's prefilter looks for them too).
pub const SERVERS: [&str; 12] = [
    "uvicorn",
    "gunicorn",
    "hypercorn",
    "daphne",
    "flask",
    "streamlit",
    "http-server",
    "serve",
    "jupyter",
    "jupyter-lab",
    "waitress-serve",
    "granian",
];

fn is_server(cmd: &str) -> bool {
    SERVERS.contains(&cmd)
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
    // The `:` and `/` of a `${VAR:-9000}` are not separators: split a copy with the
    // expansions blanked out (same byte offsets).
    let mut masked = spec.as_bytes().to_vec();
    for (_, vs, _, _) in expansions(spec) {
        if vs >= 2 && &spec[vs - 2..vs] == "${" {
            let close = spec[vs..].find('}').map_or(spec.len(), |p| vs + p);
            masked[vs..close].fill(b'_');
        }
    }
    let masked = String::from_utf8(masked).unwrap_or_default();
    let cut = masked.find('/').unwrap_or(spec.len());
    let (spec, masked) = (&spec[..cut], &masked[..cut.min(masked.len())]);
    let mut bounds = vec![0];
    bounds.extend(masked.match_indices(':').map(|(i, _)| i + 1));
    let parts: Vec<&str> = bounds
        .iter()
        .enumerate()
        .map(|(k, &s)| &spec[s..bounds.get(k + 1).map_or(spec.len(), |e| e - 1)])
        .collect();
    if parts.len() < 2 {
        ports_or_range(spec, PortCtx::Listen, at, out);
        return;
    }
    let host = parts[parts.len() - 2];
    let offset = bounds[parts.len() - 2];
    if host.contains('$') {
        // `"${FOUNDATION_PORT:-9000}:9000"` publishes whatever port the variable holds.
        bind_vars(host, at + offset, out);
    } else {
        ports_or_range(host, PortCtx::Publish, at + offset, out);
    }
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

/// Whether a position of a line is inside single quotes, read left to right.
#[derive(Default)]
struct QuoteState {
    pos: usize,
    quote: u8,
}

impl QuoteState {
    /// `pos` must not be before the position of the previous call.
    fn single_at(&mut self, line: &str, pos: usize) -> bool {
        for &c in &line.as_bytes()[self.pos.min(pos)..pos] {
            match (self.quote, c) {
                (0, b'\'') | (0, b'"') => self.quote = c,
                (b'\'', b'\'') | (b'"', b'"') => self.quote = 0,
                _ => {}
            }
        }
        self.pos = self.pos.max(pos);
        self.quote == b'\''
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookups(src: &str) -> Vec<String> {
        let mut out = Scan::default();
        scan(src, &mut out);
        out.sites
            .iter()
            .filter_map(|s| match &s.kind {
                SiteKind::Lookup {
                    var,
                    definition: false,
                    ..
                } => Some(var.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn single_quotes_hide_expansions() {
        let got = lookups("echo '$A_PORT' \"$B_PORT\" $C_PORT '${D_PORT}' \"'$E_PORT'\"\n");
        assert_eq!(got, ["B_PORT", "C_PORT", "E_PORT"]);
    }

    #[test]
    fn the_scripts_own_variables_are_not_lookups() {
        let src = "APP_PORT=1\nread -r DB_PORT\nfor W_PORT in 1; do :; done\n\
                   x \"${APP_PORT}\" $DB_PORT $W_PORT ${APP_PORT:-2}\n";
        assert_eq!(lookups(src), ["APP_PORT"]);
    }
}
