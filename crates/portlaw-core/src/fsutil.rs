//! File reading with precise errors, and atomic writes (temp file + fsync + rename).

use std::io::Write;
use std::path::Path;

use crate::error::Error;

/// A path as users should see it: relative to the working directory when it lies below it
/// (as rustc and ruff print them), else as given.
pub fn shown(path: &Path) -> String {
    if path.is_absolute()
        && let Ok(cwd) = std::env::current_dir()
        && let Ok(rel) = path.strip_prefix(&cwd)
    {
        return rel.display().to_string();
    }
    path.display().to_string()
}

/// Reads a UTF-8 text file. A leading BOM is dropped (editors on Windows add one); a non-UTF-8
/// byte is an error naming its line; a directory or a missing file is an error naming the path.
pub fn read_text(path: &Path) -> Result<String, Error> {
    if path.is_dir() {
        return Err(Error::Io {
            file: shown(path),
            message: "is a directory, expected a file".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, &e))?;
    decode(path, bytes)
}

/// Decodes bytes read from `path` as UTF-8 text (see [`read_text`]).
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String, Error> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => rest.to_vec(),
        None => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let raw = e.as_bytes();
        let line = raw[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::at(
            shown(path),
            line,
            format!(
                "invalid UTF-8 (byte 0x{:02X}); the file must be UTF-8 text",
                raw[at]
            ),
        )
    })
}

/// Where a write to `path` really lands, checked against `root` (the repository, or git's
/// hooks directory for a hook). Every writer goes through this ([`write_atomic`] calls it),
/// so no write can follow a symlink out of `root` or replace a device node, FIFO, socket or
/// directory. Refused (an input error naming the path and where it points):
/// - a target, or any parent directory, that resolves outside `root`;
/// - a target that exists and is not a regular file;
/// - a dangling symlink (we cannot know where a write through it would land).
///
/// A symlink that stays inside `root` resolves to its target, so writing to the returned path
/// keeps the link (a registry or doc shared inside the repository stays shared).
pub fn resolve_target(root: &Path, path: &Path) -> Result<std::path::PathBuf, Error> {
    let refuse = |why: String| Error::Io {
        file: shown(path),
        message: format!("refusing to write: {why}"),
    };
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| Error::io(path, &e))?
            .join(path)
    };
    let root_real = std::fs::canonicalize(root).map_err(|e| Error::io(root, &e))?;
    // The nearest part of the path that exists, resolved; the rest is created below it.
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    while existing.symlink_metadata().is_err() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let real = std::fs::canonicalize(existing).map_err(|e| {
        let to = std::fs::read_link(existing)
            .map(|t| format!(" (a symlink to {}, which cannot be resolved)", t.display()))
            .unwrap_or_default();
        refuse(format!("{}{to}: {e}", existing.display()))
    })?;
    if !real.starts_with(&root_real) {
        return Err(refuse(format!(
            "it resolves to {}, outside {}",
            real.display(),
            root_real.display()
        )));
    }
    let meta = std::fs::metadata(&real).map_err(|e| Error::io(&real, &e))?;
    if rest.is_empty() {
        if !meta.is_file() {
            let kind = file_kind(&meta);
            return Err(if real == abs {
                refuse(format!("it is {kind}, not a regular file"))
            } else {
                refuse(format!(
                    "it points to {}, which is {kind}, not a regular file",
                    real.display()
                ))
            });
        }
    } else if !meta.is_dir() {
        return Err(refuse(format!(
            "{} is {}, not a directory",
            real.display(),
            file_kind(&meta)
        )));
    }
    Ok(rest.iter().rev().fold(real, |p, n| p.join(n)))
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device node"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

/// Writes `contents` to `path` so that readers see the old file or the new one, never a part:
/// a temporary file in the same directory is written, fsynced and renamed over the target,
/// then the directory is fsynced so the rename itself survives a crash. The target is first
/// checked against `root` by [`resolve_target`]; through a symlink inside `root`, the file it
/// points to is replaced (renaming over the link would detach this copy from the shared one).
pub fn write_atomic(root: &Path, path: &Path, contents: &[u8]) -> Result<(), Error> {
    let real = resolve_target(root, path)?;
    let path = real.as_path();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let fail = |e: std::io::Error| Error::Io {
        file: shown(path),
        message: e.to_string(),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    // A new file gets 0666 less the umask, as any editor would create it (tempfile's own
    // 0600 would hide a new ports.env or doc from everyone else).
    let mode = <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o666);
    let mut tmp = tempfile::Builder::new()
        .prefix(".portlaw-")
        .suffix(".tmp")
        .permissions(mode)
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(contents).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    // Keep the target's permissions when replacing it.
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(path).map_err(|e| fail(e.error))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_dropped_and_bad_utf8_names_the_line() {
        let p = Path::new("f.env");
        assert_eq!(decode(p, b"\xEF\xBB\xBFA=1\n".to_vec()).unwrap(), "A=1\n");
        let e = decode(p, b"A=1\nB=\xFF\n".to_vec())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("f.env:2:") && e.contains("0xFF"), "{e}");
    }

    #[test]
    fn atomic_write_through_a_symlink_keeps_the_link() {
        let d = tempfile::tempdir().unwrap();
        let real = d.path().join("shared.toml");
        let link = d.path().join("ports.toml");
        std::fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(d.path(), &link, b"new").unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn writes_out_of_root_or_over_non_regular_files_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let outside = out.path().join("bashrc");
        std::fs::write(&outside, "keep").unwrap();
        let link = d.path().join("ports.env");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        let e = write_atomic(d.path(), &link, b"x").unwrap_err().to_string();
        assert!(e.contains("outside"), "{e}");
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep");
        std::os::unix::fs::symlink(out.path(), d.path().join("docs")).unwrap();
        let e = write_atomic(d.path(), &d.path().join("docs/new.md"), b"x").unwrap_err();
        assert!(e.to_string().contains("outside"), "{e}");
        assert!(!out.path().join("new.md").exists());
        // A FIFO of our own (never /dev/null: a broken build run as root would replace it).
        let fifo = d.path().join("pipe");
        let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(ok.unwrap().success());
        let link = d.path().join("via");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        let e = write_atomic(d.path(), &link, b"x").unwrap_err().to_string();
        assert!(e.contains("a FIFO"), "{e}");
        std::fs::create_dir(d.path().join("dir")).unwrap();
        let e = write_atomic(d.path(), &d.path().join("dir"), b"x").unwrap_err();
        assert!(e.to_string().contains("a directory"), "{e}");
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/x.txt");
        write_atomic(d.path(), &p, b"one").unwrap();
        write_atomic(d.path(), &p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        let leftovers = std::fs::read_dir(d.path().join("sub")).unwrap().count();
        assert_eq!(leftovers, 1);
    }
}
