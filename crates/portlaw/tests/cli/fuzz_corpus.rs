//! Replays the committed fuzz corpora (`fuzz/corpus/<target>/`) through the same property
//! checks the cargo-fuzz targets run, so stable CI exercises every seed and every past crash
//! without nightly. See `fuzz/README.md`.

use std::path::PathBuf;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{}: empty corpus", dir.display());
    for f in files {
        let data = std::fs::read(&f).unwrap();
        if let Err(e) = std::panic::catch_unwind(|| check(&data)) {
            std::panic::resume_unwind(Box::new(format!(
                "{}: {}",
                f.display(),
                e.downcast_ref::<String>().map_or("panicked", |s| s)
            )));
        }
    }
}

#[test]
fn fuzz_corpus_registry() {
    replay("registry", portlaw_core::fuzzing::registry);
}

#[test]
fn fuzz_corpus_ports_env() {
    replay("ports_env", portlaw_core::fuzzing::ports_env);
}

#[test]
fn fuzz_corpus_spec() {
    replay("spec", portlaw_core::fuzzing::spec);
}

#[test]
fn fuzz_corpus_lint() {
    replay("lint", portlaw_lint::fuzzing::lint);
}

#[test]
fn fuzz_corpus_proc_net() {
    replay("proc_net", portlaw_probe::fuzzing::proc_net);
}

#[cfg(target_os = "linux")]
#[test]
fn fuzz_corpus_netlink() {
    replay("netlink", portlaw_probe::fuzzing::netlink);
}
