//! Errors for bad input: every one names the file, line (and column where known) and value.

use std::fmt;

/// An input error: the command stops with exit 2 and writes nothing.
#[derive(Debug)]
pub enum Error {
    /// Bad content at a place in a file.
    Input {
        file: String,
        line: usize,
        col: usize,
        message: String,
    },
    /// A file that cannot be read at all (missing, a directory, permissions).
    Io { file: String, message: String },
    /// Anything else the user asked for that cannot be done (unknown service, ...).
    Usage(String),
}

impl Error {
    pub fn usage(m: impl Into<String>) -> Error {
        Error::Usage(m.into())
    }
    pub fn at(file: impl Into<String>, line: usize, message: impl Into<String>) -> Error {
        Error::Input {
            file: file.into(),
            line,
            col: 0,
            message: message.into(),
        }
    }
    /// A TOML syntax or type error (from `toml` or `toml_edit`) at byte range `span` of `text`.
    pub fn toml(
        file: &str,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        message: &str,
    ) -> Error {
        let (line, col) = span.map(|s| line_col(text, s.start)).unwrap_or((0, 0));
        Error::Input {
            file: file.to_string(),
            line,
            col,
            message: message.trim().to_string(),
        }
    }
    pub fn io(file: &std::path::Path, e: &std::io::Error) -> Error {
        let message = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::IsADirectory => "is a directory, expected a file".to_string(),
            _ => e.to_string(),
        };
        Error::Io {
            file: crate::fsutil::shown(file),
            message,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input {
                file,
                line,
                col,
                message,
            } => match (line, col) {
                (0, _) => write!(f, "{file}: {message}"),
                (l, 0) => write!(f, "{file}:{l}: {message}"),
                (l, c) => write!(f, "{file}:{l}:{c}: {message}"),
            },
            Error::Io { file, message } => write!(f, "{file}: {message}"),
            Error::Usage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

/// Line starts of a text, for many offset-to-line lookups (one `line_col` scans the text).
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { starts }
    }

    /// Byte offset where 1-based `line` starts (`None` past the last line).
    pub fn start_of(&self, line: usize) -> Option<usize> {
        self.starts.get(line.checked_sub(1)?).copied()
    }

    /// 1-based line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset);
        (line, offset - self.starts[line - 1] + 1)
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text.as_bytes()[..offset];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = offset
        - before
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|i| i + 1)
            .unwrap_or(0)
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(super::line_col("ab\ncd", 0), (1, 1));
        assert_eq!(super::line_col("ab\ncd", 4), (2, 2));
        let idx = super::LineIndex::new("ab\ncd\n\nx");
        for off in 0..9 {
            assert_eq!(
                idx.line_col(off),
                super::line_col("ab\ncd\n\nx", off),
                "{off}"
            );
        }
    }
}
