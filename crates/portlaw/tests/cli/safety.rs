//! Writes never leave the repository (or git's hooks directory) through a symlink, and never
//! replace a file that is not a regular file (issue 8, defect 1).

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use crate::common::{Repo, free_block, stderr};

/// A registry with two services on ports the test picks and a `[docs]` list.
fn registry() -> String {
    let first = free_block(20);
    let mut t = crate::common::registry(first, 20, &[("one", first), ("two", first + 1)]);
    t = t.replacen(
        "\n[[range]]",
        "\n[docs]\nfiles = [\"docs/PORTS.md\"]\n\n[[range]]",
        1,
    );
    t
}

const DOC: &str = "# Ports\n\n<!-- portlaw:begin registry -->\n<!-- portlaw:end registry -->\n";

/// A repository with the registry and doc, and a file outside it (returned with its dir).
fn setup() -> (Repo, tempfile::TempDir, std::path::PathBuf) {
    let r = Repo::with_registry(&registry());
    r.write("docs/PORTS.md", DOC);
    let out = tempfile::tempdir().unwrap();
    let victim = out.path().join("bashrc");
    std::fs::write(&victim, "export KEEP=1\n").unwrap();
    (r, out, victim)
}

fn refused(r: &Repo, args: &[&str], link: &str, target: &Path) {
    let out = r.cmd().args(args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(link), "{args:?} names the path: {err}");
    let target = std::fs::canonicalize(target).unwrap_or(target.to_path_buf());
    assert!(
        err.contains(&target.display().to_string()),
        "{args:?} names where it points: {err}"
    );
}

#[test]
fn ports_env_linked_out_of_the_repo_is_never_written() {
    let cases: &[&[&str]] = &[
        &["env", "--write"],
        &[
            "add",
            "three",
            "--range",
            "apps",
            "--offline",
            "--name",
            "Three",
            "--protocol",
            "HTTP",
            "--purpose",
            "Tests",
        ],
        &["retire", "two"],
        &["set-status", "two", "retired"],
        &["init", "--force"],
    ];
    for args in cases {
        let (r, _out, victim) = setup();
        let toml_before = r.read("config/ports.toml");
        symlink(&victim, r.join("config/ports.env")).unwrap();
        refused(&r, args, "ports.env", &victim);
        assert_eq!(
            std::fs::read_to_string(&victim).unwrap(),
            "export KEEP=1\n",
            "{args:?}"
        );
        assert!(r.join("config/ports.env").is_symlink(), "{args:?}");
        assert_eq!(r.read("config/ports.toml"), toml_before, "{args:?}");
    }
}

/// A FIFO made by the test (never the machine's `/dev/null`: a broken build run as root
/// would replace it).
fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(ok.success());
}

#[test]
fn a_non_regular_ports_env_is_never_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let add = [
        "add",
        "three",
        "--range",
        "apps",
        "--offline",
        "--name",
        "Three",
        "--protocol",
        "HTTP",
        "--purpose",
        "Tests",
    ];
    for args in [&["env", "--write"][..], &["retire", "two"][..], &add[..]] {
        for linked in [false, true] {
            let (r, _out, _victim) = setup();
            let env = r.join("config/ports.env");
            let fifo = if linked {
                let f = r.join("config/pipe");
                mkfifo(&f);
                symlink("pipe", &env).unwrap();
                f
            } else {
                mkfifo(&env);
                env.clone()
            };
            let out = r
                .cmd()
                .args(args)
                .timeout(std::time::Duration::from_secs(20))
                .output()
                .unwrap();
            let err = stderr(&out);
            assert_eq!(out.status.code(), Some(2), "{args:?} {linked}: {err}");
            assert!(err.contains("FIFO"), "{err}");
            let t = std::fs::symlink_metadata(&fifo).unwrap().file_type();
            assert!(t.is_fifo(), "{args:?} {linked}");
            assert_eq!(env.is_symlink(), linked);
        }
    }
}

#[test]
fn render_never_writes_through_a_linked_docs_dir_or_document() {
    // docs/ itself is a link out of the repository.
    let (r, out, _victim) = setup();
    std::fs::remove_dir_all(r.join("docs")).unwrap();
    std::fs::write(out.path().join("PORTS.md"), DOC).unwrap();
    symlink(out.path(), r.join("docs")).unwrap();
    refused(&r, &["render"], "PORTS.md", &out.path().join("PORTS.md"));
    assert_eq!(
        std::fs::read_to_string(out.path().join("PORTS.md")).unwrap(),
        DOC
    );

    // The document is a link out of the repository.
    let (r, out, _victim) = setup();
    let outside = out.path().join("OUT.md");
    std::fs::write(&outside, DOC).unwrap();
    std::fs::remove_file(r.join("docs/PORTS.md")).unwrap();
    symlink(&outside, r.join("docs/PORTS.md")).unwrap();
    refused(&r, &["render"], "PORTS.md", &outside);
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), DOC);
}

#[test]
fn a_link_inside_the_repo_is_written_through_and_kept() {
    let (r, _out, _victim) = setup();
    r.write("shared/ports.env", "");
    symlink("../shared/ports.env", r.join("config/ports.env")).unwrap();
    r.write("shared/PORTS.md", DOC);
    std::fs::remove_file(r.join("docs/PORTS.md")).unwrap();
    symlink("../shared/PORTS.md", r.join("docs/PORTS.md")).unwrap();
    let out = r.cmd().args(["env", "--write"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(r.join("config/ports.env").is_symlink());
    assert!(r.read("shared/ports.env").contains("ONE_PORT="));
    r.cmd().arg("render").assert().success();
    assert!(r.join("docs/PORTS.md").is_symlink());
    assert_ne!(
        r.read("shared/PORTS.md"),
        DOC,
        "the linked document was rendered"
    );
}

#[test]
fn hook_install_never_follows_a_linked_pre_commit_out_of_the_hooks_dir() {
    let r = Repo::new();
    std::fs::remove_dir(r.join(".git")).unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(r.path())
            .status()
            .unwrap();
        assert!(ok.success());
    };
    git(&["init", "-q"]);
    let out = tempfile::tempdir().unwrap();
    let victim = out.path().join("bashrc");
    std::fs::write(&victim, "export KEEP=1\n").unwrap();
    std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::fs::create_dir_all(r.join(".git/hooks")).unwrap();
    symlink(&victim, r.join(".git/hooks/pre-commit")).unwrap();
    for args in [
        &["hook", "install", "--force"][..],
        &["hook", "install"][..],
    ] {
        let o = r.cmd().args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("pre-commit"), "{err}");
        assert!(
            err.contains(
                &std::fs::canonicalize(&victim)
                    .unwrap()
                    .display()
                    .to_string()
            ),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "export KEEP=1\n");
        let mode = std::fs::metadata(&victim).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "{args:?}");
        assert!(r.join(".git/hooks/pre-commit").is_symlink());
    }
}
