//! Output helpers: stdout carries data, stderr diagnostics. Colour goes through `anstream`,
//! which drops it when the stream is not a terminal, when NO_COLOR is set, or with
//! `--color never`; everything reads the same without it.

use std::io::Write;

use anstyle::{AnsiColor, Style};

pub const BOLD: Style = Style::new().bold();
pub const RED: Style = AnsiColor::Red.on_default().bold();
pub const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
pub const GREEN: Style = AnsiColor::Green.on_default();
pub const CYAN: Style = AnsiColor::Cyan.on_default().bold();
pub const DIM: Style = Style::new().dimmed();

/// `text` wrapped in `style` (stripped later by anstream where colour is off).
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

pub fn error(msg: impl std::fmt::Display) {
    let _ = writeln!(anstream::stderr(), "{}: {msg}", paint(RED, "error"));
}

pub fn warning(msg: impl std::fmt::Display) {
    let _ = writeln!(anstream::stderr(), "{}: {msg}", paint(YELLOW, "warning"));
}

pub fn note(msg: impl std::fmt::Display) {
    let _ = writeln!(anstream::stderr(), "{}: {msg}", paint(CYAN, "note"));
}

pub fn hint(msg: impl std::fmt::Display) {
    let _ = writeln!(anstream::stderr(), "{}: {msg}", paint(CYAN, "hint"));
}

/// Prints rows as left-aligned columns to stdout, with the header in bold.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> std::io::Result<()> {
    let mut width: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(visible_width(c));
        }
    }
    let mut out = anstream::stdout().lock();
    let line = |cells: Vec<String>| {
        let mut s = String::new();
        let last = cells.len().saturating_sub(1);
        for (i, (c, w)) in cells.iter().zip(&width).enumerate() {
            s.push_str(c);
            if i < last {
                s.push_str(&" ".repeat(w - visible_width(c) + 2));
            }
        }
        // An empty last cell would leave the padding behind it.
        s.truncate(s.trim_end().len());
        s
    };
    let head = line(header.iter().map(|h| h.to_string()).collect());
    writeln!(out, "{}", paint(BOLD, head))?;
    for r in rows {
        writeln!(out, "{}", line(r.clone()))?;
    }
    Ok(())
}

/// Prints a value as pretty JSON to stdout.
pub fn json<T: serde::Serialize>(value: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)
}

/// Width of a cell as shown, not counting colour escapes.
fn visible_width(s: &str) -> usize {
    anstream::adapter::strip_str(s).to_string().chars().count()
}
