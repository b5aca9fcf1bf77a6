//! Changing the registry and everything generated from it as one step that concurrency and
//! crashes cannot corrupt.
//!
//! The order, all under the registry's exclusive lock ([`crate::lock`]):
//!
//! 1. take the lock; if the journal holds a record, a writer died mid-way: complete its work
//!    first (below), whatever happens to this update;
//! 2. re-read the registry (another writer may have changed it while we waited);
//! 3. compute the new registry text, and from it ports.env and every listed document;
//!    any error here (a full range, a broken doc marker) stops with nothing written;
//! 4. record in the journal what is about to be written (fsynced);
//! 5. write the registry, then ports.env, then the documents, each by temp file + fsync +
//!    rename, so each file is always whole, old or new;
//! 6. empty the journal; release the lock.
//!
//! The registry is the truth and the other files are functions of it. So a kill between two
//! writes leaves a whole registry (old or new) and generated files that may lag it, plus a
//! journal record that says so. The next process to take the lock (any writer, and `check`,
//! which takes it only when it finds a record) regenerates the other files from the registry
//! it finds, and deletes the temp files the dead writer left. After that, everything agrees
//! with whichever registry won: a reader never has to tolerate a half-done write, and a
//! service is either fully added or not at all.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::check::{self, Finding};
use crate::discover::Project;
use crate::error::Error;
use crate::lock::RegistryLock;
use crate::portsenv::{self, PortsEnv};
use crate::registry::{Origin, Registry};
use crate::render;

/// Which file a write is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Registry,
    PortsEnv,
    Doc,
}

/// One file to (re)write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub kind: Kind,
    pub path: PathBuf,
    pub contents: String,
    /// False when the file is created.
    pub existed: bool,
    /// For documents: the blocks that changed.
    pub blocks: Vec<String>,
}

/// What an update did (or, for a dry run, would do).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The registry as read inside the lock, before the edit.
    pub before: Registry,
    /// The registry after the edit (the same as `before` when the edit changed nothing).
    pub after: Registry,
    pub writes: Vec<Write>,
    /// The journal record of a writer that died mid-way, which this update completed.
    pub recovered: Option<String>,
    /// The files rewritten to complete that writer's work.
    pub repaired: Vec<Write>,
    /// Temp files a dead writer left, now deleted.
    pub removed: Vec<PathBuf>,
}

/// How to run an update.
pub struct Options<'a> {
    /// Plan only: take no lock, write nothing.
    pub dry_run: bool,
    /// Regenerate ports.env too (`render` leaves it alone; completing a dead writer's work
    /// regenerates everything regardless).
    pub ports_env: bool,
    /// Called once if the lock is held by another process and we wait for it.
    pub on_wait: &'a dyn Fn(),
}

/// Runs `edit` on the registry of `project` (re-read inside the lock) and writes the result
/// with its generated files. `edit` returns the new registry (parsed from its new text, which
/// is what gets written), or `None` to change only what is generated (`render`, or completing
/// a dead writer's work).
pub fn update<E: From<Error>>(
    project: &Project,
    opts: Options,
    edit: impl FnOnce(&Project) -> Result<Option<Registry>, E>,
) -> Result<Outcome, E> {
    let path = project.registry_path();
    let lock = if opts.dry_run {
        None
    } else {
        Some(RegistryLock::exclusive(&path, opts.on_wait)?)
    };
    let current = reread(project)?;

    // A dead writer's work is completed before anything else, so that even an edit that is
    // refused below leaves the files agreeing with the registry.
    let (mut recovered, mut repaired, mut removed) = (None, Vec::new(), Vec::new());
    if let Some(lock) = &lock
        && let Some(record) = lock.pending()?
    {
        removed = remove_temp_files(&current, &current.registry);
        repaired = plan(&current, &current.registry, true)?;
        commit(&current.root, lock, &repaired, None, true)?;
        recovered = Some(record);
    }

    let after = match edit(&current)? {
        Some(reg) => reg,
        None => current.registry.clone(),
    };
    let writes = plan(&current, &after, opts.ports_env)?;
    if let Some(lock) = &lock {
        commit(&current.root, lock, &writes, None, false)?;
    }
    Ok(Outcome {
        before: current.registry,
        after,
        writes,
        recovered,
        repaired,
        removed,
    })
}

/// The project as it is on disk now. Parsing a big registry is most of an update's cost, so
/// when the bytes are those already parsed, that parse is reused.
fn reread(project: &Project) -> Result<Project, Error> {
    let path = project.registry_path();
    let text = crate::fsutil::read_text(&path)?;
    if text == project.registry.text {
        return Ok(project.clone());
    }
    let registry = Registry::parse(&text, Origin::File(path.clone()))?;
    Ok(Project {
        registry,
        ..project.clone()
    })
}

/// The files that differ from what `after` generates, in write order.
fn plan(current: &Project, after: &Registry, ports_env: bool) -> Result<Vec<Write>, Error> {
    let mut writes = Vec::new();
    if after.text != current.registry.text {
        writes.push(Write {
            kind: Kind::Registry,
            path: current.registry_path(),
            contents: after.text.clone(),
            existed: true,
            blocks: Vec::new(),
        });
    }

    // Never replace a ports.env we cannot read: it may hold something a person needs.
    let env_path = &current.ports_env_path;
    let on_disk = if ports_env {
        // Checked before it is read: a FIFO there would block the read forever.
        crate::fsutil::resolve_target(&current.root, env_path)?;
        PortsEnv::load(env_path)?
    } else {
        None
    };
    let env_text = portsenv::generate(after);
    if ports_env && on_disk.as_ref().map(|e| e.text.as_str()) != Some(env_text.as_str()) {
        writes.push(Write {
            kind: Kind::PortsEnv,
            path: env_path.clone(),
            contents: env_text,
            existed: on_disk.is_some(),
            blocks: Vec::new(),
        });
    }

    for doc in render::plan(after, &current.root)? {
        if doc.changed() {
            writes.push(Write {
                kind: Kind::Doc,
                existed: doc.old.is_some(),
                path: doc.path,
                contents: doc.new,
                blocks: doc.stale,
            });
        }
    }
    Ok(writes)
}

/// Writes `writes` under the journal, then empties it. `stop_after: Some(k)` writes only the
/// first `k` and leaves the journal as a killed writer would (for the tests).
fn commit(
    root: &Path,
    lock: &RegistryLock,
    writes: &[Write],
    stop_after: Option<usize>,
    pending: bool,
) -> Result<(), Error> {
    if writes.is_empty() {
        if pending {
            lock.finish()?;
        }
        return Ok(());
    }
    // Every target is checked (inside the repository, a regular file) before the first
    // write, so a refused target leaves all files and the journal as they were.
    for w in writes {
        crate::fsutil::resolve_target(root, &w.path)?;
    }
    let names: Vec<String> = writes
        .iter()
        .map(|w| w.path.display().to_string())
        .collect();
    lock.begin(&names.join(", "))?;
    for w in writes.iter().take(stop_after.unwrap_or(usize::MAX)) {
        crate::fsutil::write_atomic(root, &w.path, w.contents.as_bytes())?;
    }
    if stop_after.is_none() {
        lock.finish()?;
    }
    Ok(())
}

/// Deletes the temp files (`fsutil::write_atomic`'s `.portlaw-*.tmp`) a dead writer left
/// beside the files it was writing. Only called under the lock, with a journal record, so no
/// live writer owns them.
fn remove_temp_files(current: &Project, after: &Registry) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = vec![current.registry_path(), current.ports_env_path.clone()];
    if let Ok(docs) = render::doc_files(after) {
        dirs.extend(docs.iter().map(|d| current.root.join(d)));
    }
    let mut dirs: Vec<PathBuf> = dirs
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    let mut removed = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".portlaw-")
                && name.ends_with(".tmp")
                && std::fs::remove_file(e.path()).is_ok()
            {
                removed.push(e.path());
            }
        }
    }
    removed
}

/// What a reader (`check`) holds while it looks at the files: a shared lock, so no writer
/// changes them underneath it. Dropping it releases the lock.
#[derive(Debug)]
pub struct Settled {
    pub guard: Option<RegistryLock>,
    /// Set when a dead writer's work had to be completed first.
    pub recovered: Option<Outcome>,
}

/// Waits for a running writer, and completes the work of a dead one, before a read.
/// Costs one `open` when no writer has ever run here (no lock file).
pub fn settle(project: &Project) -> Result<Settled, Error> {
    let none = Settled {
        guard: None,
        recovered: None,
    };
    if project.registry.is_builtin() {
        return Ok(none);
    }
    let path = project.registry_path();
    let Some(shared) = RegistryLock::shared_if_exists(&path)? else {
        return Ok(none);
    };
    if shared.pending()?.is_none() {
        return Ok(Settled {
            guard: Some(shared),
            recovered: None,
        });
    }
    drop(shared);
    let outcome = update(
        project,
        Options {
            dry_run: false,
            ports_env: true,
            on_wait: &|| {},
        },
        |_| Ok::<_, Error>(None),
    )?;
    Ok(Settled {
        guard: RegistryLock::shared_if_exists(&path)?,
        recovered: outcome.recovered.is_some().then_some(outcome),
    })
}

/// Findings that `after` has and `before` did not (by kind: one more `duplicate-env` than
/// before means the edit made one). An edit that adds any is refused, so a command never
/// leaves `check` worse than it found it.
pub fn new_findings(before: &Registry, after: &Registry) -> Vec<Finding> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let old = check::check_registry(before);
    for f in &old {
        *seen.entry(f.code).or_default() += 1;
    }
    let new = check::check_registry(after);
    let mut count: HashMap<&str, usize> = HashMap::new();
    for f in &new {
        *count.entry(f.code).or_default() += 1;
    }
    new.into_iter()
        .filter(|f| count[f.code] > seen.get(f.code).copied().unwrap_or(0))
        .filter(|f| {
            !old.iter()
                .any(|o| o.code == f.code && o.message == f.message)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::Found;
    use crate::edit::{self, NewService};

    const REG: &str = "# my registry\n[docs]\nfiles = [\"docs/PORTS.md\"]\n\n[[range]]\nname = \"apps\"\nports = \"110-119\"\n\n[[service]]\nid = \"a\"\nname = \"A\"\nport = 110\nenv = \"A_PORT\"\n";

    fn repo() -> (tempfile::TempDir, Project) {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("config")).unwrap();
        std::fs::create_dir_all(d.path().join("docs")).unwrap();
        std::fs::write(d.path().join("config/ports.toml"), REG).unwrap();
        std::fs::write(
            d.path().join("docs/PORTS.md"),
            "# Hi\n<!-- portlaw:begin env -->\n<!-- portlaw:end env -->\nbye\n",
        )
        .unwrap();
        let p = Project::open(&d.path().join("config/ports.toml"), Found::Walk).unwrap();
        (d, p)
    }

    fn add_b(text: &str) -> String {
        let svc = NewService {
            id: "b".into(),
            name: "B".into(),
            port: 111,
            env: "B_PORT".into(),
            protocols: vec![],
            purpose: String::new(),
            owners: vec![],
            status: "allocated".into(),
        };
        edit::add_service(text, "ports.toml", &svc).unwrap()
    }

    fn reparse(text: &str) -> Registry {
        Registry::parse(text, Origin::File("ports.toml".into())).unwrap()
    }

    const GO: Options = Options {
        dry_run: false,
        ports_env: true,
        on_wait: &|| {},
    };

    /// Every generated file agrees with the registry on disk, and no temp file is left.
    fn consistent(p: &Project) -> Vec<String> {
        let p = Project::open(&p.registry_path(), Found::Walk).unwrap();
        let mut bad: Vec<String> =
            check::check_ports_env(&p.registry, "ports.env", p.ports_env().unwrap().as_ref())
                .into_iter()
                .chain(render::check_docs(&p.registry, &p.root))
                .map(|f| f.message)
                .collect();
        for dir in ["config", "docs"] {
            for e in std::fs::read_dir(p.root.join(dir)).unwrap().flatten() {
                if e.file_name().to_string_lossy().ends_with(".tmp") {
                    bad.push(format!("left over: {}", e.path().display()));
                }
            }
        }
        bad
    }

    #[test]
    fn update_writes_registry_env_and_docs() {
        let (_d, p) = repo();
        let out = update(&p, GO, |cur| {
            Ok::<_, Error>(Some(reparse(&add_b(&cur.registry.text))))
        })
        .unwrap();
        let kinds: Vec<Kind> = out.writes.iter().map(|w| w.kind).collect();
        assert_eq!(kinds, [Kind::Registry, Kind::PortsEnv, Kind::Doc]);
        assert_eq!(out.writes[2].blocks, ["env"]);
        assert!(consistent(&p).is_empty(), "{:?}", consistent(&p));
        let env = std::fs::read_to_string(&p.ports_env_path).unwrap();
        assert!(env.contains("A_PORT=110\nB_PORT=111\n"), "{env}");
        // Nothing left to do: a second run writes nothing.
        let again = update(&p, GO, |_| Ok::<_, Error>(None)).unwrap();
        assert!(again.writes.is_empty());
    }

    #[test]
    fn dry_run_and_errors_write_nothing() {
        let (d, p) = repo();
        let before = std::fs::read_to_string(d.path().join("config/ports.toml")).unwrap();
        let dry = Options {
            dry_run: true,
            ..GO
        };
        let out = update(&p, dry, |cur| {
            Ok::<_, Error>(Some(reparse(&add_b(&cur.registry.text))))
        })
        .unwrap();
        assert_eq!(out.writes.len(), 3);
        let failed = update(&p, GO, |_| Err(Error::usage("no")));
        assert!(failed.is_err());
        assert_eq!(
            std::fs::read_to_string(d.path().join("config/ports.toml")).unwrap(),
            before
        );
        assert!(!p.ports_env_path.exists());
        // A broken marker in a document stops the whole update.
        std::fs::write(
            d.path().join("docs/PORTS.md"),
            "<!-- portlaw:begin env -->\n",
        )
        .unwrap();
        let e = update(&p, GO, |cur| {
            Ok::<_, Error>(Some(reparse(&add_b(&cur.registry.text))))
        });
        assert!(e.unwrap_err().to_string().contains("PORTS.md:1:"));
        assert_eq!(
            std::fs::read_to_string(d.path().join("config/ports.toml")).unwrap(),
            before
        );
    }

    /// A writer stopped after each possible number of writes (0..=3 of 3) leaves whole
    /// files, and the next lock holder brings everything into agreement with the registry.
    #[test]
    fn a_writer_killed_between_writes_is_completed_by_the_next() {
        for k in 0..=3 {
            let (d, p) = repo();
            // A temp file as write_atomic leaves it when killed before its rename.
            std::fs::write(d.path().join("config/.portlaw-dead.tmp"), "partial").unwrap();
            let lock = RegistryLock::exclusive(&p.registry_path(), &|| {}).unwrap();
            let after =
                Registry::parse(&add_b(&p.registry.text), Origin::File(p.registry_path())).unwrap();
            let writes = plan(&p, &after, true).unwrap();
            assert_eq!(writes.len(), 3);
            commit(&p.root, &lock, &writes, Some(k), false).unwrap();
            drop(lock); // dies here

            let on_disk = Registry::load(&p.registry_path()).unwrap();
            assert_eq!(on_disk.services.len(), if k == 0 { 1 } else { 2 });
            if (1..3).contains(&k) {
                assert!(
                    !consistent(&p).is_empty(),
                    "k={k}: drift is visible before repair"
                );
            }
            let s = settle(&p).unwrap();
            assert!(s.recovered.is_some(), "k={k}");
            drop(s);
            assert!(consistent(&p).is_empty(), "k={k}: {:?}", consistent(&p));
            // The journal is empty again: the next reader does no repair.
            assert!(settle(&p).unwrap().recovered.is_none());
        }
    }

    #[test]
    fn a_refused_edit_still_completes_a_dead_writers_work() {
        let (_d, p) = repo();
        let lock = RegistryLock::exclusive(&p.registry_path(), &|| {}).unwrap();
        let after = reparse(&add_b(&p.registry.text));
        let writes = plan(&p, &after, true).unwrap();
        commit(&p.root, &lock, &writes, Some(1), false).unwrap(); // registry written, then killed
        drop(lock);
        assert!(!consistent(&p).is_empty());
        let refused = update(&p, GO, |_| Err(Error::usage("range full")));
        assert!(refused.is_err());
        assert!(consistent(&p).is_empty(), "{:?}", consistent(&p));
        assert!(settle(&p).unwrap().recovered.is_none(), "journal emptied");
    }

    #[test]
    fn new_findings_are_those_the_edit_made() {
        let (_d, p) = repo();
        let before = p.registry.clone();
        let dup = format!(
            "{}\n[[service]]\nid = \"c\"\nname = \"C\"\nport = 110\nenv = \"C_PORT\"\n",
            before.text
        );
        let after = Registry::parse(&dup, Origin::Builtin).unwrap();
        let f = new_findings(&before, &after);
        let codes: Vec<_> = f.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["duplicate-port"]);
        assert!(new_findings(&after, &after).is_empty());
    }
}
