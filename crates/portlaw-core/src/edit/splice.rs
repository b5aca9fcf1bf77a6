//! The fast path of [`super::with_service`] and [`super::with_status`]: line-level splices
//! that need no parse-and-print of the whole document.
//!
//! These only *propose* text. They work from the line numbers the registry loader recorded
//! and put the new table where `toml_edit` would (after the service with the next lower
//! port, before the comments that introduce the next table). The caller keeps a proposal only
//! when it parses back to exactly the intended registry, so an unusual layout (a multi-line
//! string that looks like a table header, a `[service.match]` sub-table, CRLF line ends) can
//! at worst send the edit down the slower `toml_edit` path, never produce a wrong file.

use crate::registry::Registry;

/// Byte offset of the start of each line, plus the text's length at the end.
fn line_starts(text: &str) -> Vec<usize> {
    let mut v = vec![0];
    v.extend(
        text.bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i + 1),
    );
    if *v.last().unwrap() != text.len() {
        v.push(text.len());
    }
    v
}

fn is_header(line: &str) -> bool {
    line.trim_start().starts_with('[')
}

fn is_decor(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// The registry text with `table` (a `[[service]]` table's text, ending in a newline) for a
/// service on `port` spliced in, and the index the new service takes among the services.
pub fn add(before: &Registry, table: &str) -> Option<(String, usize)> {
    let text = &before.text;
    if text.contains('\r') {
        return None;
    }
    let port: u16 = table
        .lines()
        .find_map(|l| l.strip_prefix("port = "))?
        .trim()
        .parse()
        .ok()?;
    let starts = line_starts(text);
    let n_lines = starts.len() - 1;
    let line = |i: usize| &text[starts[i]..starts[i + 1]]; // 0-based
    let after = before
        .services
        .iter()
        .enumerate()
        .filter(|(_, s)| s.port < port)
        .max_by_key(|(i, s)| (s.port, *i))
        .map(|(i, _)| i);

    let (offset, insert, index) = match after {
        Some(i) => {
            // From the predecessor's `id` line to the next table header (or the end) ...
            let from = before.services[i].lines.id.checked_sub(1)?;
            let mut end = (from + 1..n_lines)
                .find(|&l| is_header(line(l)))
                .unwrap_or(n_lines);
            // ... less the comments and blank lines that introduce that next table.
            while end > from + 1 && is_decor(line(end - 1)) {
                end -= 1;
            }
            let mut insert = String::new();
            if end == n_lines && !text.ends_with('\n') {
                insert.push('\n');
            }
            insert.push('\n');
            insert.push_str(table);
            (starts[end], insert, i + 1)
        }
        None => {
            // Before the first service: right under its heading comments, so the heading
            // stays at the top of the section.
            let first = before.services.first()?;
            let id_line = first.lines.id.checked_sub(1)?;
            let header = (0..=id_line).rev().find(|&l| is_header(line(l)))?;
            (starts[header], format!("{table}\n"), 0)
        }
    };
    let mut out = String::with_capacity(text.len() + insert.len());
    out.push_str(&text[..offset]);
    out.push_str(&insert);
    out.push_str(&text[offset..]);
    Some((out, index))
}

/// The registry text with service `id`'s status value replaced on its own line.
pub fn status(before: &Registry, id: &str, status: &str) -> Option<String> {
    if !status
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return None;
    }
    let s = before.services.iter().find(|s| s.id == id)?;
    let line_no = s.lines.status.checked_sub(1)?;
    let text = &before.text;
    let starts = line_starts(text);
    let (a, b) = (*starts.get(line_no)?, *starts.get(line_no + 1)?);
    let line = &text[a..b];
    let eq = line.find('=')?;
    let old = s.status.as_str();
    let (pos, len) = [format!("\"{old}\""), format!("'{old}'")]
        .iter()
        .find_map(|q| line[eq..].find(q.as_str()).map(|p| (eq + p, q.len())))?;
    let mut out = String::with_capacity(text.len() + status.len());
    out.push_str(&text[..a + pos]);
    out.push_str(&format!("\"{status}\""));
    out.push_str(&text[a + pos + len..]);
    Some(out)
}
