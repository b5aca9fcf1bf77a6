//! Importing a Markdown document written in the form of the VECTRA port specification:
//! registry tables (`| Port | Service | Protocol | Purpose | Owner or Status |`), a ranges
//! table (`| Range | Purpose |`), a fenced block of `NAME=PORT` defaults grouped by `# Group`
//! comments, an optional shorter `config/ports.env` example block, a "sacred" section naming
//! ports, and the allowed `ws://` URLs in prose.
//!
//! The spec's own inconsistencies come back as warnings, not silently fixed.
//!
//! The document form is narrow (pipe tables and fenced blocks, one per line), and every error
//! and warning must cite a line, so it is read line by line here rather than through a full
//! CommonMark parser, which would give us events and byte offsets to map back by hand.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::ports::PortSpan;
use crate::registry::{Origin, Policy, PortRange, Registry, Service, ServiceLines, Status};

/// The registry read from a spec, and what the spec got wrong.
#[derive(Debug, Clone)]
pub struct Imported {
    pub registry: Registry,
    pub warnings: Vec<String>,
}

struct Table {
    heading: String,
    header: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

struct Block {
    line: usize,
    /// `(line, group comment in force, NAME, value)`.
    assignments: Vec<(usize, String, String, String)>,
}

/// A port for the service-table-row at `line`.
struct Row {
    line: usize,
    port: u16,
    name: String,
    protocols: Vec<String>,
    purpose: String,
    owner: Option<String>,
    status: Status,
    future_table: bool,
}

/// Reads a spec-form document. `file` names it in errors and warnings.
pub fn import(text: &str, file: &str) -> Result<Imported, Error> {
    let (tables, blocks, prose) = scan(text);
    let mut warnings = Vec::new();
    let warn = |w: &mut Vec<String>, line: usize, m: String| w.push(format!("{file}:{line}: {m}"));

    // Ranges.
    let mut ranges = Vec::new();
    let mut fixed_by_third_party = Vec::new();
    for t in tables
        .iter()
        .filter(|t| has(&t.header, "range") && has(&t.header, "purpose"))
    {
        let (ri, pi) = (
            col(&t.header, "range").unwrap(),
            col(&t.header, "purpose").unwrap(),
        );
        for (line, cells) in &t.rows {
            // A short row (fewer cells than the header) has no span to read: an error, not
            // an index out of bounds; a missing purpose is just empty.
            let span_text = cells.get(ri).map(|c| plain(c)).unwrap_or_default();
            let span = PortSpan::parse(&span_text).map_err(|m| Error::at(file, *line, m))?;
            let (purpose, note) = split_note(cells.get(pi).map_or("", String::as_str));
            let note = note.to_ascii_lowercase();
            let name = purpose
                .split_whitespace()
                .next()
                .unwrap_or("range")
                .to_ascii_lowercase();
            if note.contains("fixed by") {
                fixed_by_third_party.push(span);
            }
            let locked = note.contains("do not use") || note.contains("fixed by");
            ranges.push(PortRange {
                name,
                span,
                purpose,
                locked,
                line: *line,
            });
        }
    }

    // Service rows from every registry table.
    let mut rows = Vec::new();
    for t in tables
        .iter()
        .filter(|t| has(&t.header, "port") && has(&t.header, "service"))
    {
        let future = t
            .heading
            .to_ascii_lowercase()
            .contains("not yet implemented");
        let get = |cells: &[String], name: &str| {
            col(&t.header, name)
                .and_then(|i| cells.get(i))
                .map(|c| plain(c))
        };
        for (line, cells) in &t.rows {
            let port_text = get(cells, "port").unwrap_or_default();
            let port = PortSpan::parse(&port_text)
                .ok()
                .filter(|s| s.first == s.last)
                .ok_or_else(|| {
                    Error::at(file, *line, format!("'{port_text}' is not a port number"))
                })?
                .first;
            let status = match get(cells, "status") {
                Some(s) => Status::parse(&s.to_ascii_lowercase()),
                None => Status::Active,
            };
            if let Status::Unknown(s) = &status {
                return Err(Error::at(
                    file,
                    *line,
                    format!("unknown status '{s}' for port {port}"),
                ));
            }
            rows.push(Row {
                line: *line,
                port,
                name: get(cells, "service").unwrap_or_default(),
                protocols: get(cells, "protocol")
                    .map(|p| p.split('/').map(|x| x.trim().to_string()).collect())
                    .unwrap_or_default(),
                purpose: get(cells, "purpose").unwrap_or_default(),
                owner: get(cells, "owner").filter(|o| !o.is_empty()),
                status,
                future_table: future,
            });
        }
    }
    if rows.is_empty() {
        return Err(Error::at(
            file,
            0,
            "no registry table found (a Markdown table with Port and Service columns)",
        ));
    }

    // The defaults block is the largest block of NAME=PORT lines; a smaller one is the
    // ports.env example.
    let mut blocks: Vec<&Block> = blocks
        .iter()
        .filter(|b| !b.assignments.is_empty())
        .collect();
    blocks.sort_by_key(|b| std::cmp::Reverse(b.assignments.len()));
    let defaults = blocks.first();
    let mut env_by_port: BTreeMap<u16, (usize, String, String)> = BTreeMap::new();
    if let Some(b) = defaults {
        for (line, group, name, value) in &b.assignments {
            match value.parse::<u16>() {
                Ok(p) if p > 0 => {
                    env_by_port.insert(p, (*line, group.clone(), name.clone()));
                }
                _ => {
                    return Err(Error::at(
                        file,
                        *line,
                        format!("{name}={value} is not a port number"),
                    ));
                }
            }
        }
    }

    let mut services = Vec::new();
    // A variable names one service: a repeated row (or two names that derive the same
    // variable) would give `ports.env` a key twice, which its own reader rejects.
    let mut env_rows: BTreeMap<String, (usize, u16)> = BTreeMap::new();
    for r in &rows {
        if r.future_table && r.status == Status::Allocated {
            warn(
                &mut warnings,
                r.line,
                format!(
                    "port {} ({}) is marked ALLOCATED in a table of ports not yet implemented; imported as 'allocated'",
                    r.port, r.name
                ),
            );
        }
        let env = match env_by_port.get(&r.port) {
            Some((_, _, name)) => name.clone(),
            None => {
                let derived = format!(
                    "{}_PORT",
                    r.name
                        .to_ascii_uppercase()
                        .split(|c: char| !c.is_ascii_alphanumeric())
                        .filter(|w| !w.is_empty())
                        .collect::<Vec<_>>()
                        .join("_")
                );
                warn(
                    &mut warnings,
                    r.line,
                    format!(
                        "port {} has no variable in the defaults block; using {derived}",
                        r.port
                    ),
                );
                derived
            }
        };
        if !crate::portsenv::is_identifier(&env) {
            return Err(Error::at(
                file,
                r.line,
                format!(
                    "port {} ({}) gives no variable name ('{env}'); name it in the defaults block",
                    r.port, r.name
                ),
            ));
        }
        if let Some((first, port)) = env_rows.insert(env.clone(), (r.line, r.port)) {
            return Err(Error::at(
                file,
                r.line,
                format!(
                    "port {} ({}) would use {env}, already the variable of port {port} on line {first}; give each service its own row and variable",
                    r.port, r.name
                ),
            ));
        }
        let id = env
            .trim_end_matches("_PORT")
            .to_ascii_lowercase()
            .replace('_', "-");
        services.push(Service {
            id,
            name: r.name.clone(),
            port: r.port,
            env,
            udp: r.protocols.iter().any(|p| p.eq_ignore_ascii_case("udp")),
            protocols: r.protocols.clone(),
            purpose: r.purpose.clone(),
            owners: r.owner.iter().cloned().collect(),
            status: r.status.clone(),
            external: fixed_by_third_party.iter().any(|s| s.contains(r.port)),
            match_rule: None,
            listen: Vec::new(),
            lines: ServiceLines::default(),
        });
    }
    services.sort_by_key(|s| s.port);

    // The defaults block against the tables and the ranges.
    for (port, (line, group, name)) in &env_by_port {
        if !rows.iter().any(|r| r.port == *port) {
            warn(
                &mut warnings,
                *line,
                format!(
                    "{name}={port} is in the defaults block but in no registry table; not imported"
                ),
            );
        }
        let group_word = group
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if let Some(range) = ranges.iter().find(|r| r.span.contains(*port))
            && !group_word.is_empty()
            && group_word != range.name
        {
            warn(
                &mut warnings,
                *line,
                format!(
                    "{name}={port} is listed under '{group}', but port {port} lies in range '{}' ({}, {})",
                    range.name, range.span, range.purpose
                ),
            );
        }
    }
    if let (Some(defaults), Some(example)) = (defaults, blocks.get(1)) {
        let shown: Vec<&str> = example.assignments.iter().map(|a| a.2.as_str()).collect();
        let missing: Vec<&str> = defaults
            .assignments
            .iter()
            .map(|a| a.2.as_str())
            .filter(|n| !shown.contains(n))
            .collect();
        if !missing.is_empty() {
            warn(
                &mut warnings,
                example.line,
                format!(
                    "the ports.env example lists {} of {} variables (missing: {}); `portlaw env --write` generates all of them",
                    shown.len(),
                    defaults.assignments.len(),
                    missing.join(", ")
                ),
            );
        }
    }
    for r in &rows {
        if !ranges.iter().any(|g| g.span.contains(r.port)) && !ranges.is_empty() {
            warn(
                &mut warnings,
                r.line,
                format!("port {} ({}) lies outside every range", r.port, r.name),
            );
        }
    }

    let policy = Policy {
        sacred: sacred_ports(&prose, &services),
        websocket_allow: websocket_urls(&prose),
        managed: managed_span(&ranges),
        line: 0,
    };
    for s in &services {
        if s.protocols.iter().any(|p| p.eq_ignore_ascii_case("ws"))
            && !policy
                .websocket_allow
                .iter()
                .any(|u| u.contains(&format!(":{}/", s.port)))
        {
            let line = rows.iter().find(|r| r.port == s.port).map_or(0, |r| r.line);
            warn(
                &mut warnings,
                line,
                format!(
                    "{} serves WebSocket on port {}, but the only allowed WebSocket URLs are {}",
                    s.name,
                    s.port,
                    policy.websocket_allow.join(", ")
                ),
            );
        }
    }

    let registry = Registry {
        origin: Origin::File(file.into()),
        ranges,
        services,
        policy,
        extra: toml::Table::new(),
        text: String::new(),
    };
    Ok(Imported { registry, warnings })
}

/// Splits the document into tables (with the heading above them), fenced blocks, and prose
/// lines (with the heading above them).
fn scan(text: &str) -> (Vec<Table>, Vec<Block>, Vec<(String, String)>) {
    let mut tables: Vec<Table> = Vec::new();
    let mut blocks = Vec::new();
    let mut prose = Vec::new();
    let mut heading = String::new();
    let mut in_block: Option<Block> = None;
    let mut group = String::new();
    let mut table_open = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let l = raw.trim();
        if l.starts_with("```") {
            match in_block.take() {
                Some(b) => blocks.push(b),
                None => {
                    in_block = Some(Block {
                        line,
                        assignments: Vec::new(),
                    });
                    group.clear();
                }
            }
            table_open = false;
            continue;
        }
        if let Some(b) = in_block.as_mut() {
            if let Some(c) = l.strip_prefix('#') {
                let c = c.trim();
                // A comment that names a file or says what not to do is not a group title.
                if !c.contains('/') && !c.contains(".env") {
                    group = c.to_string();
                }
            } else if let Some((k, v)) = l.split_once('=') {
                let k = k.trim();
                if !k.is_empty()
                    && k.bytes()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
                {
                    b.assignments
                        .push((line, group.clone(), k.to_string(), v.trim().to_string()));
                }
            }
            continue;
        }
        if l.starts_with('#') {
            heading = l.trim_start_matches('#').trim().to_string();
            table_open = false;
        } else if l.starts_with('|') {
            let cells: Vec<String> = l
                .trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect();
            let separator = cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')));
            if !table_open {
                tables.push(Table {
                    heading: heading.clone(),
                    header: cells,
                    rows: Vec::new(),
                });
                table_open = true;
            } else if !separator {
                tables.last_mut().unwrap().rows.push((line, cells));
            }
        } else {
            table_open = false;
            if !l.is_empty() {
                prose.push((heading.clone(), l.to_string()));
            }
        }
    }
    (tables, blocks, prose)
}

fn has(header: &[String], name: &str) -> bool {
    col(header, name).is_some()
}

fn col(header: &[String], name: &str) -> Option<usize> {
    header.iter().position(|h| h.eq_ignore_ascii_case(name))
}

/// A cell without Markdown emphasis or code marks.
fn plain(cell: &str) -> String {
    cell.replace("**", "").replace('`', "").trim().to_string()
}

/// `**Foundation Core** (DO NOT USE)` -> (`Foundation Core`, `DO NOT USE`).
fn split_note(cell: &str) -> (String, String) {
    let c = plain(cell);
    match c.split_once('(') {
        Some((head, note)) => (
            head.trim().to_string(),
            note.trim_end_matches(')').trim().to_string(),
        ),
        None => (c, String::new()),
    }
}

/// Registered ports named in prose under a heading that calls them sacred.
fn sacred_ports(prose: &[(String, String)], services: &[Service]) -> Vec<u16> {
    let mut out = Vec::new();
    for (_, line) in prose
        .iter()
        .filter(|(h, _)| h.to_ascii_lowercase().contains("sacred"))
    {
        for word in line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|w| !w.is_empty())
        {
            if let Ok(p) = word.parse::<u16>()
                && services.iter().any(|s| s.port == p)
                && !out.contains(&p)
            {
                out.push(p);
            }
        }
    }
    out.sort_unstable();
    out
}

/// Every `ws://` or `wss://` URL in the prose.
fn websocket_urls(prose: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (_, line) in prose {
        for (i, _) in line
            .match_indices("ws://")
            .chain(line.match_indices("wss://"))
        {
            if i > 0 && line[..i].ends_with('w') && line[i..].starts_with("ws://") {
                continue; // the tail of a `wss://` match
            }
            let url: String = line[i..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !"`*)\"'".contains(*c))
                .collect();
            if !out.contains(&url) {
                out.push(url);
            }
        }
    }
    out
}

/// The managed span: the contiguous run of ranges that starts at the lowest range (the spec's
/// own block of ports; a lone third-party port like Chrome's is outside it).
fn managed_span(ranges: &[PortRange]) -> Option<PortSpan> {
    let mut spans: Vec<PortSpan> = ranges.iter().map(|r| r.span).collect();
    spans.sort();
    let mut it = spans.into_iter();
    let mut run = it.next()?;
    for s in it {
        if s.first <= run.last.saturating_add(1) {
            run.last = run.last.max(s.last);
        } else {
            break;
        }
    }
    Some(run)
}

#[cfg(test)]
mod tests;
