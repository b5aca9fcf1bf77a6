//! The registry's advisory lock, and its record of a write in progress.
//!
//! Every command that writes the registry (or the files generated from it) holds an exclusive
//! `flock(2)` on a lock file beside it, `config/.ports.toml.lock` for `config/ports.toml`.
//! That file is local state, like `.git/index.lock`: keep it out of version control
//! (`.gitignore`: `config/.ports.toml.lock`). It is never deleted, because deleting a lock
//! file races with a process that has opened it and is waiting on it.
//!
//! Why `flock` on a separate file (through `rustix`, already a dependency, rather than raw
//! `libc`): the kernel drops the lock when its holder dies, even by SIGKILL, so a crash can
//! never leave a stale lock behind; and locking a file other than the registry lets the
//! registry itself be replaced by rename while the lock is held.
//!
//! The lock file's *content* is a one-line journal: a writer records what it is about to do
//! (and fsyncs that) before its first write, and empties the file after its last. A later
//! holder that finds a record knows a writer died in the middle, and finishes the job (see
//! [`crate::txn`]). This is the rule SQLite uses for a hot journal: the next process to take
//! the lock repairs, readers included.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use rustix::fs::{FlockOperation, flock};

use crate::error::Error;

/// The lock file for the registry at `registry`.
pub fn lock_path(registry: &Path) -> PathBuf {
    let name = registry
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ports.toml".into());
    registry.with_file_name(format!(".{name}.lock"))
}

/// A held lock; released when dropped (closing the file releases the `flock`).
#[derive(Debug)]
pub struct RegistryLock {
    file: File,
    path: PathBuf,
}

fn io_err(path: &Path, what: &str, e: impl std::fmt::Display) -> Error {
    Error::Io {
        file: path.display().to_string(),
        message: format!("{what}: {e}"),
    }
}

/// `flock`, retried when a signal interrupts the wait.
fn lock(file: &File, op: FlockOperation) -> rustix::io::Result<()> {
    loop {
        match flock(file, op) {
            Err(rustix::io::Errno::INTR) => continue,
            other => return other,
        }
    }
}

impl RegistryLock {
    /// Takes the exclusive lock for `registry`, creating the lock file if needed. Blocks while
    /// another process holds it, calling `on_wait` once first so the user knows why.
    pub fn exclusive(registry: &Path, on_wait: &dyn Fn()) -> Result<RegistryLock, Error> {
        let path = lock_path(registry);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io_err(&path, "cannot open the lock file", e))?;
        match lock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => {
                on_wait();
                lock(&file, FlockOperation::LockExclusive)
                    .map_err(|e| io_err(&path, "cannot lock", e))?;
            }
            Err(e) => return Err(io_err(&path, "cannot lock", e)),
        }
        Ok(RegistryLock { file, path })
    }

    /// Takes a shared lock (waiting out any writer) when the lock file exists and can be
    /// opened; `None` when it does not (no writer has ever run here) or the directory is not
    /// ours to open files in (a read-only checkout: there is nothing to wait for then).
    pub fn shared_if_exists(registry: &Path) -> Result<Option<RegistryLock>, Error> {
        let path = lock_path(registry);
        let Ok(file) = File::open(&path) else {
            return Ok(None);
        };
        lock(&file, FlockOperation::LockShared).map_err(|e| io_err(&path, "cannot lock", e))?;
        Ok(Some(RegistryLock { file, path }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The record of a writer that died before finishing, if any.
    pub fn pending(&self) -> Result<Option<String>, Error> {
        let mut text = String::new();
        let mut f = &self.file;
        f.rewind()
            .and_then(|_| f.read_to_string(&mut text))
            .map_err(|e| io_err(&self.path, "cannot read the lock file", e))?;
        let text = text.trim();
        Ok((!text.is_empty()).then(|| text.to_string()))
    }

    /// Records that a write is starting (durably: it must be on disk before the first write).
    pub fn begin(&self, what: &str) -> Result<(), Error> {
        let record = format!("portlaw (pid {}) was writing: {what}\n", std::process::id());
        let mut f = &self.file;
        f.set_len(0)
            .and_then(|_| f.rewind())
            .and_then(|_| f.write_all(record.as_bytes()))
            .and_then(|_| f.sync_data())
            .map_err(|e| io_err(&self.path, "cannot write the lock file", e))
    }

    /// Records that the write finished. Not fsynced: if the machine loses this, the next
    /// writer merely regenerates files that were already right.
    pub fn finish(&self) -> Result<(), Error> {
        self.file
            .set_len(0)
            .map_err(|e| io_err(&self.path, "cannot write the lock file", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_file_sits_beside_the_registry() {
        assert_eq!(
            lock_path(Path::new("/r/config/ports.toml")),
            Path::new("/r/config/.ports.toml.lock")
        );
    }

    #[test]
    fn exclusive_excludes_and_the_journal_survives_the_holder() {
        let d = tempfile::tempdir().unwrap();
        let reg = d.path().join("ports.toml");
        assert!(RegistryLock::shared_if_exists(&reg).unwrap().is_none());
        let a = RegistryLock::exclusive(&reg, &|| panic!("nobody holds it")).unwrap();
        assert_eq!(a.pending().unwrap(), None);
        a.begin("ports.toml").unwrap();

        // A second open file description cannot take it while `a` holds it.
        let other = File::open(lock_path(&reg)).unwrap();
        assert_eq!(
            flock(&other, FlockOperation::NonBlockingLockShared),
            Err(rustix::io::Errno::WOULDBLOCK)
        );
        drop(a); // the holder "dies" without finishing

        let b = RegistryLock::exclusive(&reg, &|| panic!("released on drop")).unwrap();
        let rec = b.pending().unwrap().unwrap();
        assert!(rec.contains("was writing: ports.toml"), "{rec}");
        b.finish().unwrap();
        assert_eq!(b.pending().unwrap(), None);
        drop(b);
        let s = RegistryLock::shared_if_exists(&reg).unwrap().unwrap();
        assert_eq!(s.pending().unwrap(), None);
    }
}
