//! One snapshot per rule: every fixture file under `tests/fixtures/rules/<code>/` (one per
//! language, each with flagged and not-flagged cases) linted with that rule alone against the
//! built-in VECTRA registry. The snapshots were reviewed line by line: each flagged line in a
//! fixture is marked as such in its comments, and nothing else may appear.

use std::path::Path;

use portlaw_core::Registry;
use portlaw_lint::config::LintConfig;
use portlaw_lint::{Code, Linter};

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Lints each fixture of `rule` as if it lived under `prefix` in the repository.
fn render(rule: &str, codes: &[Code], prefix: &str) -> String {
    let reg = Registry::builtin();
    let linter = Linter::with_codes(&reg, LintConfig::default(), Some(codes), &[]);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rules")
        .join(rule);
    let mut list = Vec::new();
    files(&dir, &mut list);
    let mut s = String::new();
    for p in list {
        let name = p
            .strip_prefix(&dir)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let rel = format!("{prefix}/{name}");
        let text = std::fs::read_to_string(&p).unwrap();
        let found = linter
            .lint_text(&rel, &text)
            .unwrap_or_else(|| panic!("{rel}: not a linted language"));
        s += &format!("── {rel}\n");
        if found.is_empty() {
            s += "   (no findings)\n";
        }
        for d in found {
            s += &format!(
                "{}:{}-{} {} {}\n",
                d.line, d.col, d.end_col, d.code, d.message
            );
            s += &format!("   | {}\n", d.source.trim());
            if let Some(h) = d.hint {
                s += &format!("   = hint: {h}\n");
            }
        }
    }
    s
}

#[test]
fn pl001_hard_coded_port() {
    insta::assert_snapshot!(render("pl001", &[Code::PL001], "services/recording"));
}

#[test]
fn pl002_literal_bind() {
    insta::assert_snapshot!(render("pl002", &[Code::PL002], "services/web"));
}

#[test]
fn pl003_default_mismatch() {
    insta::assert_snapshot!(render("pl003", &[Code::PL003], "services/recording"));
}

#[test]
fn pl004_unknown_port_var() {
    insta::assert_snapshot!(render("pl004", &[Code::PL004], "services/recording"));
}

#[test]
fn pl005_foreign_websocket() {
    insta::assert_snapshot!(render("pl005", &[Code::PL005], "artifacts"));
}

#[test]
fn pl006_sacred_port_outside_owner() {
    insta::assert_snapshot!(render("pl006", &[Code::PL006], "services/recording"));
}

#[test]
fn pl006_sacred_port_owner_is_clean() {
    let s = render("pl006", &[Code::PL006], "src/foundation");
    assert!(!s.contains("PL006"), "{s}");
}

#[test]
fn pl007_unregistered_port() {
    insta::assert_snapshot!(render("pl007", &[Code::PL007], "services/new"));
}

#[test]
fn pl100_pl101_suppressions() {
    insta::assert_snapshot!(render(
        "pl100",
        &[Code::PL001, Code::PL005, Code::PL100, Code::PL101],
        "services/recording"
    ));
}

/// The fixtures above hold many lines each, so a line the prefilter alone would drop (no port
/// number, variable or verb it looks for) is caught there by its neighbours. Here every
/// flagged form is a file of its own, as it often is in a real tree (a one-line start script).
#[test]
fn prefilter_keeps_files_with_one_finding() {
    let reg = Registry::builtin();
    let linter = Linter::new(&reg, LintConfig::default());
    let cases = [
        ("run.sh", "exec uvicorn main:app --port 8000\n", "PL002"),
        ("g.sh", "gunicorn -b 0.0.0.0:8000 app:app\n", "PL002"),
        ("f.sh", "flask run -p 5000\n", "PL002"),
        ("d.sh", "python manage.py runserver 8000\n", "PL002"),
        (
            "site.py",
            "site = web.TCPSite(runner, None, 8080)\n",
            "PL002",
        ),
        ("main.go", "func main() { e.Start(\":1323\") }\n", "PL002"),
        ("main2.go", "func main() { r.Run(\":8081\") }\n", "PL002"),
        ("app.py", "app.run(port=5000)\n", "PL002"),
        ("app.js", "app.listen(3000);\n", "PL002"),
        ("srv.py", "HTTPServer((\"\", 8000), H)\n", "PL002"),
        ("c.py", "x = os.getenv(\"RECORDNG_PORT\")\n", "PL004"),
        (
            "w.js",
            // portlaw: ignore[PL005] test data: a foreign URL the rule must flag
            "new WebSocket(\"wss://other.example/x\");\n",
            "PL005",
        ),
        ("Dockerfile", "EXPOSE 9030-9031\n", "PL007"),
    ];
    for (path, text, code) in cases {
        let found = linter.lint_text(path, text).unwrap();
        assert!(
            found.iter().any(|d| d.code.as_str() == code),
            "{path}: {text:?} gave {found:?}"
        );
    }
}
