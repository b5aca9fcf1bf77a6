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

/// Writes `contents` to `path` so that readers see the old file or the new one, never a part:
/// a temporary file in the same directory is written, fsynced and renamed over the target,
/// then the directory is fsynced so the rename itself survives a crash.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Error> {
    // Through a symlink (a registry or doc shared from elsewhere), replace the file it points
    // to: renaming over the link itself would silently detach this copy from the shared one.
    let real;
    let path = match std::fs::canonicalize(path) {
        Ok(p) if path.is_symlink() => {
            real = p;
            real.as_path()
        }
        _ => path,
    };
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
        write_atomic(&link, b"new").unwrap();
        assert!(link.is_symlink());
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn atomic_write_replaces_whole_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("sub/x.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "two");
        let leftovers = std::fs::read_dir(d.path().join("sub")).unwrap().count();
        assert_eq!(leftovers, 1);
    }
}
