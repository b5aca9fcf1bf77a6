//! `portlaw lint` and `portlaw hook` end to end: exit codes, output formats, --stdin,
//! --diff/--staged in scratch git repositories, suppressions, exclusions and files that cannot
//! be read.

use std::path::Path;
use std::process::Command as StdCommand;

use crate::common::{Repo, registry, stderr, stdout};

/// A registry of our own: `web` on 7310 (owner services/web/), `api` on 7311, managed 7300-7339,
/// 7310 sacred, one allowed WebSocket URL.
fn repo() -> Repo {
    let mut reg = registry(7300, 40, &[("web", 7310), ("api", 7311)]);
    reg = reg.replace(
        "sacred = []\nwebsocket_allow = []",
        // portlaw: ignore[PL005] test data: this is the registry's allowed URL
        "sacred = [7310]\nwebsocket_allow = [\"ws://localhost:7310/feed\"]",
    );
    Repo::with_registry(&reg)
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["code"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn clean_repo_exits_0_and_findings_exit_1() {
    let r = repo();
    r.write(
        "services/api/app.py",
        "import os\nport = int(os.getenv(\"API_PORT\", \"7311\"))\napp.run(port=port)\n",
    );
    let out = r.cmd().arg("lint").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("no findings"), "{}", stderr(&out));

    r.write("services/api/bad.py", "app.run(port=7311)\n");
    let out = r.cmd().arg("lint").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = stdout(&out);
    assert!(
        s.starts_with("services/api/bad.py:1:14: PL001 hard-coded port 7311 of api"),
        "{s}"
    );
    assert!(s.contains("1 | app.run(port=7311)"), "{s}");
    assert!(s.contains("|              ^^^^"), "{s}");
    assert!(
        s.contains("= hint: int(os.getenv(\"API_PORT\", \"7311\"))"),
        "{s}"
    );
}

/// A minified bundle's megabyte line is shown as a window around the span, caret aligned.
#[test]
fn long_lines_are_shown_around_the_span() {
    let r = repo();
    let filler = "a".repeat(200_000);
    r.write(
        "web/bundle.min.js",
        format!("var s=\"{filler}\";fetch(\"http://localhost:7311/x\");var t=\"{filler}\";\n"),
    );
    let out = r.cmd().arg("lint").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = stdout(&out);
    assert!(s.len() < 2_000, "{} bytes of output", s.len());
    let lines: Vec<&str> = s.lines().collect();
    let src = lines.iter().find(|l| l.starts_with("1 |")).unwrap();
    let caret = lines.iter().find(|l| l.contains('^')).unwrap();
    assert!(src.starts_with("1 | …") && src.ends_with('…'), "{src}");
    // The caret sits under the port, counted in characters.
    let at = caret.chars().position(|c| c == '^').unwrap();
    let under: String = src.chars().skip(at).take(4).collect();
    assert_eq!(under, "7311", "{src}\n{caret}");
    // JSON carries the same window, not the megabyte line.
    let out = r.cmd().args(["lint", "--json"]).output().unwrap();
    assert!(
        out.stdout.len() < 4_000,
        "{} bytes of JSON",
        out.stdout.len()
    );
    let v = json(&out);
    let source = v["findings"][0]["source"].as_str().unwrap();
    assert!(source.contains("localhost:7311"), "{source}");
}

#[test]
fn paths_print_relative_to_the_working_directory() {
    let r = repo();
    r.write("services/api/bad.py", "app.run(port=7311)\n");
    let out = r
        .cmd()
        .current_dir(r.join("services"))
        .args(["lint", "."])
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("api/bad.py:1:14: PL001"),
        "{}",
        stdout(&out)
    );
    // From a sibling directory the path climbs out of it, rather than reading as a path
    // under it that does not exist.
    r.write("web/index.js", "// the web app\n");
    let out = r
        .cmd()
        .current_dir(r.join("web"))
        .args(["lint", "../services"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).starts_with("../services/api/bad.py:1:14: PL001"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn json_sarif_and_github_formats() {
    let r = repo();
    r.write("services/api/bad.py", "x = 1\napp.run(port=7311)\n");
    let v = json(&r.cmd().args(["lint", "--format", "json"]).output().unwrap());
    assert_eq!(codes(&v), ["services/api/bad.py:2:PL001"]);
    assert_eq!(v["summary"]["files_checked"], 1);
    let fp = v["findings"][0]["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();

    // Moving the line keeps its fingerprint (GitHub must not reopen the alert).
    r.write("services/api/bad.py", "x = 1\n\n\napp.run(port=7311)\n");
    let out = r
        .cmd()
        .args(["lint", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let s = json(&out);
    assert_eq!(s["version"], "2.1.0");
    let run = &s["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["id"] == "PL001" && r["name"] == "hard-coded-port")
    );
    let res = &run["results"][0];
    assert_eq!(res["ruleId"], "PL001");
    assert_eq!(
        rules[res["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "PL001"
    );
    let loc = &res["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "services/api/bad.py");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(loc["region"]["startLine"], 4);
    assert_eq!(res["partialFingerprints"]["portlaw/v1"], fp.as_str());

    let out = r
        .cmd()
        .args(["lint", "--format", "github"])
        .output()
        .unwrap();
    let g = stdout(&out);
    assert!(
        g.starts_with("::error title=PL001 hard-coded-port,file=services/api/bad.py,line=4,col=14,endColumn=18::hard-coded port 7311"),
        "{g}"
    );
    assert!(g.contains("%0Ahint: "), "{g}");
}

#[test]
fn stdin_lints_content_before_it_is_written() {
    let r = repo();
    let out = r
        .cmd()
        .args([
            "lint",
            "--stdin",
            "--filename",
            "services/web/new.js",
            "--format",
            "json",
        ])
        .write_stdin(
            // portlaw: ignore[PL005] test data: content linted through --stdin
            "new WebSocket('ws://localhost:7311/x');\nnew WebSocket('ws://localhost:7310/feed');\n",
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(codes(&json(&out)), ["services/web/new.js:1:PL005"]);
    assert!(!r.join("services/web/new.js").exists());

    // The owner path decides the sacred-port rule.
    let text = "server.bind((\"\", 7310))\n";
    let inside = r
        .cmd()
        .args(["lint", "--stdin", "--filename", "services/web/s.py"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(
        inside.status.code(),
        Some(1),
        "PL001 still applies inside the owner"
    );
    assert!(stdout(&inside).contains("PL001"));
    let outside = r
        .cmd()
        .args(["lint", "--stdin", "--filename", "services/api/s.py"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(
        stdout(&outside).contains("PL006 binds sacred port 7310"),
        "{}",
        stdout(&outside)
    );

    let out = r.cmd().args(["lint", "--stdin"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--stdin needs --filename");
}

#[test]
fn select_ignore_and_unknown_codes() {
    let r = repo();
    r.write(
        "services/api/a.py",
        "app.run(port=7311)\nx = os.getenv(\"APY_PORT\")\n",
    );
    let v = json(
        &r.cmd()
            .args(["lint", "--json", "--select", "PL004"])
            .output()
            .unwrap(),
    );
    assert_eq!(codes(&v), ["services/api/a.py:2:PL004"]);
    let v = json(
        &r.cmd()
            .args(["lint", "--json", "--ignore", "PL001,PL004"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        codes(&v),
        ["services/api/a.py:1:PL002"],
        "with PL001 off, the literal bind remains"
    );
    let out = r
        .cmd()
        .args(["lint", "--select", "PL999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown rule code 'PL999'"),
        "{}",
        stderr(&out)
    );
    let out = r
        .cmd()
        .args(["lint", "--explain", "PL003"])
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("default-mismatch"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn lint_table_excludes_allows_and_rejects_mistakes() {
    let r = repo();
    let base = r.read("config/ports.toml");
    r.write(
        "config/ports.toml",
        format!("{base}\n[lint]\nexclude = [\"gen\"]\n\n[[lint.allow]]\npath = \"tools/**\"\ncodes = [\"PL002\"]\n"),
    );
    r.write("gen/x.py", "app.run(port=7311)\n");
    r.write("tools/dev.py", "app.run(port=8080)\n");
    let out = r.cmd().arg("lint").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // A file named on the command line is still excluded (pre-commit passes names).
    let out = r.cmd().args(["lint", "gen/x.py"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    r.write(
        "config/ports.toml",
        format!("{base}\n[lint]\nselect = [\"PL01\"]\n"),
    );
    let out = r.cmd().arg("lint").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = stderr(&out);
    assert!(e.contains("ports.toml:") && e.contains("PL01"), "{e}");
}

#[test]
fn gitignore_is_respected() {
    let r = repo();
    r.write(".gitignore", "build/\n");
    r.write("build/gen.py", "app.run(port=7311)\n");
    let out = r.cmd().arg("lint").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn portlawignore_files_are_respected() {
    let r = repo();
    r.write(".portlawignore", "samples/\n");
    r.write("samples/a.py", "app.run(port=7311)\n");
    r.write("services/api/b.py", "app.run(port=7311)\n");
    let v = json(&r.cmd().args(["lint", "--json"]).output().unwrap());
    assert_eq!(codes(&v), ["services/api/b.py:1:PL001"]);
    // Also when a subdirectory or the file itself is named.
    let out = r
        .cmd()
        .args(["lint", "samples", "samples/a.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn unreadable_files_are_skipped_and_counted() {
    let r = repo();
    r.write("a/bin.py", b"app.run(port=7311)\0\x01\x02");
    r.write("a/latin1.py", b"# caf\xe9\napp.run(port=7311)\n");
    let mut big = String::from("app.run(port=7311)\n");
    while big.len() < 5 * 1024 * 1024 {
        big.push_str("x = 1  # padding padding padding padding padding padding\n");
    }
    r.write("a/big.py", big);
    std::os::unix::fs::symlink(r.join("a"), r.join("a/loop")).unwrap();
    std::os::unix::fs::symlink(r.join("a/bin.py"), r.join("a/link.py")).unwrap();
    r.write("a/ok.py", "app.run(port=7311)\n");
    let out = r.cmd().args(["lint", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(codes(&v), ["a/ok.py:1:PL001"]);
    let s = &v["summary"]["skipped"];
    assert_eq!(
        (
            s["binary"].as_u64(),
            s["invalid_utf8"].as_u64(),
            s["too_large"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(s["symlink"], 1, "{s}");
    let out = r.cmd().arg("lint").output().unwrap();
    assert!(stderr(&out).contains("skipped 4 files"), "{}", stderr(&out));

    // Named on the command line (pre-commit passes names), a symlink to itself is skipped and
    // counted, not "no such file".
    std::os::unix::fs::symlink("self.py", r.join("a/self.py")).unwrap();
    let out = r
        .cmd()
        .args(["lint", "--json", "a/self.py", "a/ok.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(codes(&v), ["a/ok.py:1:PL001"]);
    assert_eq!(v["summary"]["skipped"]["symlink"], 1);
}

fn git(dir: &Path, args: &[&str]) {
    let st = StdCommand::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&st.stderr)
    );
}

/// A real git repository (the `Repo` helper's `.git` is an empty directory).
fn git_repo() -> Repo {
    let r = repo();
    std::fs::remove_dir(r.join(".git")).unwrap();
    git(r.path(), &["init", "-q"]);
    git(r.path(), &["config", "user.name", "portlaw test"]);
    git(r.path(), &["config", "user.email", "test@example.invalid"]);
    git(r.path(), &["config", "commit.gpgsign", "false"]);
    r
}

#[test]
fn diff_and_staged_report_only_changed_lines() {
    let r = git_repo();
    r.write("services/api/app.py", "app.run(port=7311)\n");
    git(r.path(), &["add", "."]);
    git(r.path(), &["commit", "-q", "-m", "old code"]);
    // Old findings are not "new code".
    let out = r.cmd().args(["lint", "--diff", "HEAD"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    r.write(
        "services/api/app.py",
        "app.run(port=7311)\nclient.connect((\"localhost\", 7311))\n",
    );
    let v = json(
        &r.cmd()
            .args(["lint", "--json", "--diff", "HEAD"])
            .output()
            .unwrap(),
    );
    assert_eq!(codes(&v), ["services/api/app.py:2:PL001"]);

    // --staged reads the index, not the work tree: nothing staged yet.
    let out = r.cmd().args(["lint", "--staged"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    git(r.path(), &["add", "services/api/app.py"]);
    // Fix the work tree after staging: the staged content still has the finding.
    r.write("services/api/app.py", "app.run(port=7311)\n");
    let v = json(
        &r.cmd()
            .args(["lint", "--json", "--staged"])
            .output()
            .unwrap(),
    );
    assert_eq!(codes(&v), ["services/api/app.py:2:PL001"]);

    let out = r
        .cmd()
        .args(["lint", "--diff", "no-such-rev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// The user's git config must not change what counts as a changed line: `diff.mnemonicPrefix`
/// writes `w/path` instead of `b/path`, and `diff.renames=false` turns a move into a deletion
/// plus an all-new file.
#[test]
fn diff_ignores_git_config_that_changes_the_diff() {
    let r = git_repo();
    let old = "import os\n\n\ndef main():\n    app.run(port=7311)\n\n\nmain()\n";
    r.write("services/api/old.py", old);
    git(r.path(), &["add", "."]);
    git(r.path(), &["commit", "-q", "-m", "old code"]);
    git(r.path(), &["config", "diff.mnemonicPrefix", "true"]);
    git(r.path(), &["config", "diff.renames", "false"]);
    git(
        r.path(),
        &["mv", "services/api/old.py", "services/api/new.py"],
    );
    r.write(
        "services/api/new.py",
        format!("{old}client.connect((\"localhost\", 7311))\n"),
    );
    git(r.path(), &["add", "."]);
    for args in [&["--staged"][..], &["--diff", "HEAD"][..]] {
        let out = r
            .cmd()
            .args(["lint", "--json"])
            .args(args)
            .output()
            .unwrap();
        let v = json(&out);
        // Only the added line; the moved one is old code.
        assert_eq!(
            codes(&v),
            ["services/api/new.py:9:PL001"],
            "{args:?}: {}",
            stderr(&out)
        );
        assert_eq!(v["summary"]["skipped"]["unreadable"], 0, "{args:?}");
    }
}

#[test]
fn diff_outside_git_is_an_error() {
    let r = repo();
    std::fs::remove_dir(r.join(".git")).unwrap();
    let out = r
        .cmd()
        .args(["lint", "--staged"])
        .env("GIT_CEILING_DIRECTORIES", r.path().parent().unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("git repository"), "{}", stderr(&out));
}

#[test]
fn hook_install_blocks_a_bad_commit() {
    let r = git_repo();
    let out = r.cmd().args(["hook", "install"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let hook = r.join(".git/hooks/pre-commit");
    let text = std::fs::read_to_string(&hook).unwrap();
    assert!(text.contains("lint --staged"), "{text}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&hook).unwrap().permissions().mode() & 0o111,
        0o111
    );

    // The hook finds this build of portlaw through $PORTLAW.
    let exe = assert_cmd::cargo::cargo_bin("portlaw");
    r.write("services/api/app.py", "app.run(port=7311)\n");
    git(r.path(), &["add", "."]);
    let commit = StdCommand::new("git")
        .args(["commit", "-q", "-m", "bad"])
        .current_dir(r.path())
        .env("PORTLAW", &exe)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!commit.status.success(), "the hook must block the commit");
    // Git sends a hook's output to its stderr.
    let said = format!("{}{}", stdout(&commit), stderr(&commit));
    assert!(said.contains("PL001"), "{said}");

    // Idempotent; a foreign hook is left alone without --force.
    assert_eq!(
        r.cmd()
            .args(["hook", "install"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(0)
    );
    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let out = r.cmd().args(["hook", "install"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    let out = r.cmd().args(["hook", "uninstall"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = r
        .cmd()
        .args(["hook", "install", "--force"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(r.join(".git/hooks/pre-commit.bak").exists());
    let out = r.cmd().args(["hook", "uninstall"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!hook.exists());

    // A hook that cannot be read as text (a binary, a dangling symlink left by a hook manager)
    // is still someone else's.
    std::fs::write(&hook, b"\x7fELF\xff\xfe").unwrap();
    let out = r.cmd().args(["hook", "install"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(std::fs::read(&hook).unwrap(), b"\x7fELF\xff\xfe");
    std::fs::remove_file(&hook).unwrap();
    std::os::unix::fs::symlink("../../no/such/hook", &hook).unwrap();
    let out = r.cmd().args(["hook", "install"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(hook.symlink_metadata().unwrap().is_symlink());
}

#[test]
fn the_fixture_repository_through_the_cli() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../portlaw-lint/tests/fixtures/repo");
    let tmp = tempfile::tempdir().unwrap();
    let status = StdCommand::new("cp")
        .arg("-r")
        .arg(&src)
        .arg(tmp.path().join("shop"))
        .status()
        .unwrap();
    assert!(status.success());
    let root = tmp.path().join("shop");
    std::fs::create_dir(root.join(".git")).unwrap();
    let out = crate::common::portlaw(&root)
        .args(["lint", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut got = codes(&json(&out));
    got.sort();
    let mut want: Vec<String> = std::fs::read_to_string(root.join("expected.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(String::from)
        .collect();
    want.sort();
    assert_eq!(got, want);
}
