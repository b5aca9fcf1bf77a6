//! The multi-service fixture repository (`tests/fixtures/repo`, a made-up shop with its own
//! registry and `[lint]` table): linting it must report exactly the findings listed in its
//! `expected.txt` — every one of them, and nothing else.
//!
//! The repository is copied to a temporary directory first, so that no ignore file above it
//! (portlaw's own `.portlawignore` excludes the fixtures) changes what is walked.

use std::path::{Path, PathBuf};

use portlaw_core::Project;
use portlaw_core::discover::Found;
use portlaw_lint::Linter;
use portlaw_lint::config::LintConfig;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

pub fn fixture_repo() -> (tempfile::TempDir, PathBuf) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/repo");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("shop");
    copy_dir(&src, &root);
    (tmp, root)
}

fn expected(root: &Path) -> Vec<String> {
    std::fs::read_to_string(root.join("expected.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_expected_finding_and_nothing_else() {
    let (_tmp, root) = fixture_repo();
    let project = Project::open(&root.join("config/ports.toml"), Found::Flag).unwrap();
    let config = LintConfig::from_registry(&project.registry).unwrap();
    let linter = Linter::new(&project.registry, config);
    let report = linter.lint_paths(&root, std::slice::from_ref(&root));
    let mut got: Vec<String> = report
        .diagnostics
        .iter()
        .map(|d| format!("{}:{}:{}", d.path, d.line, d.code))
        .collect();
    got.sort();
    let mut want = expected(&root);
    want.sort();
    assert_eq!(got, want);
    assert_eq!(report.skipped.total(), 0);
}

#[test]
fn excluded_and_allowed_paths_hold_ports_that_would_be_flagged() {
    // The exclusions must be what keeps these quiet, not a blind spot of the rules.
    let (_tmp, root) = fixture_repo();
    let project = Project::open(&root.join("config/ports.toml"), Found::Flag).unwrap();
    let linter = Linter::new(&project.registry, LintConfig::default());
    let vendor = std::fs::read_to_string(root.join("vendor/lib.py")).unwrap();
    assert_eq!(linter.lint_text("vendor/lib.py", &vendor).unwrap().len(), 1);
    let dev = std::fs::read_to_string(root.join("scripts/dev/serve.sh")).unwrap();
    let codes: Vec<_> = linter
        .lint_text("scripts/dev/serve.sh", &dev)
        .unwrap()
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["PL002", "PL001"]);
}
