//! Hostile input from other processes and the tree: control characters in `/proc` fields.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Repo, free_block, registry, stdout};

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
