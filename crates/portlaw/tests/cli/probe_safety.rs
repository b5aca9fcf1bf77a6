//! Hostile input from other processes and the tree: control characters in `/proc` fields.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Repo, free_block, registry, stderr, stdout};

#[test]
fn who_escapes_control_characters_from_a_holders_command_line() {
    let port = free_block(1);
    let repo = Repo::with_registry(&registry(port, 1, &[]));
    let script = "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',int(sys.argv[1])))\ns.listen()\ntime.sleep(30)";
    let mut child = Command::new("python3")
        .args([
            "-c",
            script,
            &port.to_string(),
            "fake\ncwd: /x\nverdict: owner\x1b[2J",
        ])
        .stdin(Stdio::null())
        .spawn()
        .expect("python3");
    let start = Instant::now();
    while !portlaw_probe::held_ports().unwrap().contains(&port) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "listener never came up"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = repo
        .cmd()
        .args(["who", &port.to_string()])
        .output()
        .unwrap();
    child.kill().ok();
    child.wait().ok();
    let text = stdout(&out);
    assert!(
        text.contains("fake\\ncwd: /x\\nverdict: owner\\x1b"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "raw ESC: {text}");
    assert!(
        !text.lines().any(|l| l.trim_start() == "verdict: owner"),
        "{text}"
    );
}

#[test]
fn lint_format_text_is_an_alias_of_human() {
    let repo = Repo::new();
    repo.write("app.py", "x = 1\n");
    let out = repo
        .cmd()
        .args(["lint", "--format", "text"])
        .output()
        .unwrap();
    assert!(out.status.code() != Some(2), "{:?}", out);
}

/// Issue 8, defect 3: a FIFO in the linted tree (walked, or named on the command line) is
/// skipped and counted, never opened: opening one blocks until a writer comes.
#[test]
fn lint_skips_a_fifo_instead_of_blocking() {
    let repo = Repo::new();
    repo.write("src/ok.py", "x = 1\n");
    let fifo = repo.dir.path().join("src/app.py");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for args in [
        vec!["lint", "--format", "json"],
        vec!["lint", "--format", "json", "src/app.py"],
    ] {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("portlaw"))
            .args(&args)
            .current_dir(repo.dir.path())
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if std::time::Instant::now() > deadline {
                child.kill().ok();
                child.wait().ok();
                panic!("portlaw {args:?} blocked on a FIFO");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["summary"]["skipped"]["unreadable"], 1, "{args:?}: {v}");
    }
}

/// Issue 8, nit: `+9010` is not a port, on the command line either.
#[test]
fn add_refuses_a_port_written_with_a_plus_sign() {
    let repo = Repo::with_registry(&registry(7000, 20, &[("api", 7000)]));
    repo.cmd().args(["env", "--write"]).output().unwrap();
    for bad in ["+7010", "0", "70000", ""] {
        let out = repo
            .cmd()
            .args([
                "add",
                "x",
                "--port",
                bad,
                "--name",
                "X",
                "--protocol",
                "HTTP",
            ])
            .args(["--purpose", "p", "--offline"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("port"), "{bad}: {}", stderr(&out));
    }
    // The same port written plainly is taken: the refusal above is the sign's doing.
    let out = repo
        .cmd()
        .args([
            "add",
            "x",
            "--port",
            "7010",
            "--name",
            "X",
            "--protocol",
            "HTTP",
        ])
        .args(["--purpose", "p", "--offline"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
