//! Property checks shared by the cargo-fuzz `lint` target (`fuzz/`) and the corpus replay test
//! (`crates/portlaw/tests/fuzz_corpus.rs`). Panics when a property fails.

use crate::config::LintConfig;
use crate::engine::Linter;
use std::sync::OnceLock;

/// The file names the first input byte chooses between: one per scanner the engine has.
pub const FILE_NAMES: &[&str] = &[
    "svc/app.py",
    "web/app.js",
    "web/app.ts",
    "scripts/run.sh",
    "docker-compose.yml",
    "k8s/deploy.yaml",
    "Dockerfile",
    "nginx/site.conf",
    "cmd/main.go",
    "src/main.rs",
    ".env",
    "web/index.html",
];

/// Lints the rest of `data` as the file the first byte picks, the way `lint --stdin
/// --filename` does (built-in registry, default config). Every finding must lie inside the
/// text: its line exists, and its columns (1-based, in characters) fall within that line.
pub fn lint(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let name = FILE_NAMES[usize::from(pick) % FILE_NAMES.len()];
    // Built once: building the registry and the rules per input made the target ~10x slower.
    static REG: OnceLock<portlaw_core::Registry> = OnceLock::new();
    static LINTER: OnceLock<Linter<'static>> = OnceLock::new();
    let linter = LINTER.get_or_init(|| {
        let reg = REG.get_or_init(portlaw_core::Registry::builtin);
        Linter::new(reg, LintConfig::default())
    });
    let text = text.trim_start_matches('\u{feff}');
    let Some(found) = linter.lint_text(name, text) else {
        panic!("{name} is not a file kind the linter reads");
    };
    let lines: Vec<&str> = text.split('\n').collect();
    for d in &found {
        assert!(
            d.line >= 1 && d.line <= lines.len(),
            "{name}: finding on line {} of a {}-line text: {d:?}",
            d.line,
            lines.len()
        );
        let width = lines[d.line - 1].chars().count();
        assert!(
            d.col >= 1 && d.col <= d.end_col && d.end_col <= width + 1,
            "{name}: columns {}..{} outside line {} ({width} chars): {d:?}",
            d.col,
            d.end_col,
            d.line
        );
    }
}
