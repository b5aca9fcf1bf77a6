//! `portlaw add`, `retire`, `set-status`, `render` and `check --against`, end to end: the
//! right port, refusals that write nothing, comments that survive, 32 concurrent writers,
//! writers killed at random points, and reassignment caught against git history.
//!
//! Ports: the tests that must look at the machine bind their own ports (port 0, read back);
//! the others pass --offline and use ports nothing here binds.

use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Repo, free_block, stderr, stdout};
use portlaw_core::{Origin, Registry};

/// A registry with a locked range `core` (first..first+4), an open range `apps`
/// (first+10 .. first+10+span-1), the given services and a `[docs]` list; comments
/// sprinkled through it so the tests can see they survive.
fn registry(first: u16, span: u16, services: &[(&str, u16, &str)]) -> String {
    let apps = first + 10;
    let mut t = format!(
        "# Our registry. Hand-written comments must survive every edit.\n\n[policy]\nsacred = [] # nothing sacred here\nwebsocket_allow = []\n\n[docs]\nfiles = [\"docs/PORTS.md\"]\n\n# The locked core.\n[[range]]\nname = \"core\"\nports = \"{first}-{}\"\npurpose = \"Core\"\nlocked = true\n\n[[range]]\nname = \"apps\"  # where new things go\nports = \"{apps}-{}\"\npurpose = \"Applications\"\n",
        first + 4,
        apps + span - 1
    );
    for (id, port, status) in services {
        let env = format!("{}_PORT", id.to_uppercase().replace('-', "_"));
        t += &format!(
            "\n# service {id}\n[[service]]\nid = \"{id}\"\nname = \"{id} service\"\nport = {port}\nenv = \"{env}\"\nprotocol = \"HTTP\"\npurpose = \"Does {id}\"\nstatus = \"{status}\"  # {id}'s status\n"
        );
    }
    t
}

const DOC: &str = "# Ports\n\nProse above the table.\n\n<!-- portlaw:begin registry -->\n<!-- portlaw:end registry -->\n\nProse between.\n\n```md\n<!-- portlaw:begin env -->\n```\n\n<!-- portlaw:begin env -->\n<!-- portlaw:end env -->\n\nProse below.\n";

/// A repository with `registry`, the doc, and ports.env + doc rendered to match.
fn repo(registry: &str) -> Repo {
    let r = Repo::with_registry(registry);
    r.write("docs/PORTS.md", DOC);
    r.cmd().args(["env", "--write"]).assert().success();
    r.cmd().arg("render").assert().success();
    r.cmd().arg("check").assert().success();
    r
}

fn add(r: &Repo, id: &str, extra: &[&str]) -> std::process::Output {
    r.cmd()
        .args([
            "add",
            id,
            "--name",
            id,
            "--protocol",
            "HTTP",
            "--purpose",
            "test",
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn port_of(r: &Repo, id: &str) -> Option<u16> {
    let reg = Registry::load(&r.join("config/ports.toml")).unwrap();
    reg.service(id).map(|s| s.port)
}

/// Every file a write may touch, to prove a refusal wrote nothing.
fn snapshot(r: &Repo) -> Vec<String> {
    ["config/ports.toml", "config/ports.env", "docs/PORTS.md"]
        .iter()
        .map(|f| r.read(f))
        .collect()
}

/// `n` consecutive ports that nothing on this machine binds right now (TCP or UDP, v4), found
/// by binding them; the caller holds none of them afterwards.
#[test]
fn add_takes_the_lowest_port_that_is_free_everywhere() {
    let base = free_block(6);
    let first = base - 10; // so that `apps` starts at `base`
    let r = repo(&registry(
        first,
        6,
        &[("one", base, "active"), ("gone", base + 1, "retired")],
    ));
    // Something on this machine holds base+2 (TCP) and base+3 (UDP) right now.
    let _tcp = TcpListener::bind(("127.0.0.1", base + 2)).unwrap();
    let _udp = UdpSocket::bind(("0.0.0.0", base + 3)).unwrap();

    let out = add(&r, "new-a", &["--range", "apps"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(port_of(&r, "new-a"), Some(base + 4), "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("added new-a on port {}", base + 4)));

    // --offline looks at the registry alone: the busy ports are fair game.
    let out = add(&r, "new-b", &["--range", "apps", "--offline"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(port_of(&r, "new-b"), Some(base + 2));

    // An explicit port is checked against the machine too.
    let out = add(&r, "new-c", &["--port", &(base + 3).to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("in use on this machine"),
        "{}",
        stderr(&out)
    );

    // base+5 is the last free one; then the range is full.
    let out = add(&r, "new-d", &["--range", "apps"]);
    assert_eq!(port_of(&r, "new-d"), Some(base + 5), "{}", stderr(&out));
    let before = snapshot(&r);
    let out = add(&r, "new-e", &["--range", "apps"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "range 'apps' ({base}-{}) has no free port: 4 registered, 1 retired (never reused), 1 in use on this machine ({})",
            base + 5,
            base + 3
        )),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
    assert_eq!(snapshot(&r), before);
    r.cmd().arg("check").assert().success();
}

#[test]
fn refusals_exit_1_usage_errors_exit_2_and_nothing_is_written() {
    let r = repo(&registry(20000, 5, &[("one", 20010, "active")]));
    let before = snapshot(&r);
    let cases: [(&[&str], i32, &str); 8] = [
        (
            &["--range", "core", "--offline"],
            1,
            "range 'core' (20000-20004) is locked",
        ),
        (
            &["--port", "20010", "--offline"],
            1,
            "port 20010 is taken by 'one'",
        ),
        (
            &["--port", "20002", "--offline"],
            1,
            "port 20002 is in locked range 'core'",
        ),
        (
            &["--port", "30000", "--offline"],
            1,
            "port 30000 is in no range",
        ),
        (
            &["--range", "apps", "--env", "ONE_PORT", "--offline"],
            1,
            "env var ONE_PORT is already used by 'one'",
        ),
        (
            &["--range", "nope", "--offline"],
            2,
            "no range named 'nope'",
        ),
        (
            &["--range", "apps", "--env", "TWO", "--offline"],
            2,
            "env var 'TWO' must end in _PORT",
        ),
        (
            &["--range", "apps", "--env", "bad-name", "--offline"],
            2,
            "'bad-name' is not a valid environment variable name",
        ),
    ];
    for (extra, code, want) in cases {
        let out = add(&r, "two", extra);
        assert_eq!(out.status.code(), Some(code), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{extra:?}: {}", stderr(&out));
    }
    let out = add(&r, "one", &["--range", "apps", "--offline"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("service id 'one' is already registered"));
    let out = add(&r, "two", &["--range", "nope", "--offline"]);
    assert!(stderr(&out).contains("hint: ranges in this registry: core, apps"));
    // A WebSocket service needs an allowed URL first: refused, not left for check to find.
    let out = r
        .cmd()
        .args([
            "add",
            "ws",
            "--range",
            "apps",
            "--offline",
            "--name",
            "W",
            "--protocol",
            "WS",
            "--purpose",
            "p",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("websocket-not-allowed"),
        "{}",
        stderr(&out)
    );
    // --dry-run says what it would do and does nothing.
    let out = add(&r, "two", &["--range", "apps", "--offline", "--dry-run"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("would add two on port 20011"),
        "{}",
        stdout(&out)
    );
    assert_eq!(snapshot(&r), before);

    // The built-in registry has no file to edit.
    let bare = Repo::new();
    let out = add(&bare, "x", &["--range", "subscriber", "--offline"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("portlaw init"), "{}", stderr(&out));
    assert!(!bare.join("config").exists());
}

#[test]
fn add_then_retire_keeps_every_comment_and_unrelated_line() {
    let original = registry(
        20100,
        10,
        &[("one", 20110, "active"), ("three", 20112, "reserved")],
    );
    let r = repo(&original);
    let doc_before = r.read("docs/PORTS.md");

    let out = add(
        &r,
        "two",
        &["--range", "apps", "--offline", "--owner", "services/two/"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let after_add = r.read("config/ports.toml");
    // The new table sits between `one` and `three`, and nothing else moved.
    let block = "[[service]]\nid = \"two\"\nname = \"two\"\nport = 20111\nenv = \"TWO_PORT\"\nprotocol = \"HTTP\"\npurpose = \"test\"\nowner = \"services/two/\"\nstatus = \"allocated\"\n";
    let at = original.find("\n\n# service three").unwrap() + 1;
    assert_eq!(
        after_add,
        format!("{}\n{block}{}", &original[..at], &original[at..])
    );
    assert!(
        r.read("config/ports.env")
            .contains("ONE_PORT=20110\nTWO_PORT=20111\nTHREE_PORT=20112\n")
    );

    let out = r.cmd().args(["retire", "one"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let after_retire = r.read("config/ports.toml");
    assert_eq!(
        after_retire,
        after_add.replace(
            "status = \"active\"  # one's status",
            "status = \"retired\"  # one's status"
        )
    );
    // The tombstone stays in the registry table; its variable leaves ports.env and the env table.
    let env = r.read("config/ports.env");
    assert!(
        !env.contains("ONE_PORT") && env.contains("TWO_PORT=20111"),
        "{env}"
    );
    let doc = r.read("docs/PORTS.md");
    assert!(
        doc.contains("| 20110 | one service | HTTP | Does one | — | retired |"),
        "{doc}"
    );
    assert!(!doc.contains("`ONE_PORT`"), "{doc}");
    // Outside the blocks the document is as it was.
    let outside = |d: &str| -> Vec<String> {
        d.lines()
            .filter(|l| !l.starts_with('|') && !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(outside(&doc), outside(&doc_before));
    assert!(
        doc.starts_with("# Ports\n\nProse above the table.\n\n<!-- portlaw:begin registry -->\n")
    );
    assert!(
        doc.contains("```md\n<!-- portlaw:begin env -->\n```\n"),
        "a fenced example is left alone"
    );
    assert!(doc.ends_with("<!-- portlaw:end env -->\n\nProse below.\n"));

    // The retired port is never handed out again, and the tombstone stays a tombstone.
    let out = add(&r, "four", &["--range", "apps", "--offline"]);
    assert_eq!(port_of(&r, "four"), Some(20113), "{}", stderr(&out));
    let out = r
        .cmd()
        .args(["set-status", "one", "active"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("service 'one' is retired"),
        "{}",
        stderr(&out)
    );
    r.cmd().arg("check").assert().success();
}

#[test]
fn set_status_walks_the_life_cycle() {
    let r = repo(&registry(20200, 5, &[("svc", 20210, "reserved")]));
    for (to, from) in [("allocated", "reserved"), ("active", "allocated")] {
        let out = r.cmd().args(["set-status", "svc", to]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains(&format!("set svc (port 20210): {from} → {to}")));
        assert!(
            r.read("config/ports.toml")
                .contains(&format!("status = \"{to}\"  # svc's status"))
        );
        assert!(r.read("docs/PORTS.md").contains(&format!("| {to} |")));
    }
    let out = r
        .cmd()
        .args(["set-status", "svc", "active"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(stderr(&out).contains("already active"));
    let out = r
        .cmd()
        .args(["set-status", "nope", "active"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = r.cmd().args(["retire", "svc", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["from"].as_str(), v["to"].as_str()),
        (Some("active"), Some("retired"))
    );
    r.cmd().arg("check").assert().success();
}

#[test]
fn stale_docs_are_found_and_rendered() {
    let r = repo(&registry(20300, 5, &[("svc", 20310, "active")]));
    let t = r
        .read("config/ports.toml")
        .replace("Does svc", "Does svc better");
    r.write("config/ports.toml", t);
    let out = r.cmd().arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out)
            .contains("docs/PORTS.md:5: doc-stale block 'registry' does not match the registry"),
        "{}",
        stdout(&out)
    );
    let out = r.cmd().args(["render", "--check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = r.cmd().args(["render", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["file"], "docs/PORTS.md", "{v}");
    assert_eq!(
        v["files"][0]["blocks"],
        serde_json::json!(["registry"]),
        "{v}"
    );
    r.write(
        "config/ports.toml",
        r.read("config/ports.toml")
            .replace("Does svc better", "Does svc best"),
    );
    let out = r.cmd().arg("render").output().unwrap();
    assert!(
        stdout(&out).contains("docs/PORTS.md  updated blocks: registry"),
        "{}",
        stdout(&out)
    );
    r.cmd().args(["render", "--check"]).assert().success();
    r.cmd().arg("check").assert().success();
    // A broken marker is reported with its line, and render writes nothing.
    r.write("docs/PORTS.md", "intro\n<!-- portlaw:begin registry -->\n");
    let out = r.cmd().arg("check").output().unwrap();
    assert!(
        stdout(&out).contains("docs/PORTS.md:2: doc-markers block 'registry' has no"),
        "{}",
        stdout(&out)
    );
    let out = r.cmd().arg("render").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        r.read("docs/PORTS.md"),
        "intro\n<!-- portlaw:begin registry -->\n"
    );
}

#[test]
fn concurrent_adds_get_distinct_ports() {
    // --offline: the point here is the registry lock, not what this machine is running.
    let r = repo(&registry(20400, 40, &[]));
    let bin = assert_cmd::cargo::cargo_bin("portlaw");
    let children: Vec<_> = (0..32)
        .map(|i| {
            Command::new(&bin)
                .current_dir(r.path())
                .env("NO_COLOR", "1")
                .env_remove("PORTLAW_REGISTRY")
                .args(["add", &format!("svc-{i}"), "--range", "apps", "--offline"])
                .args(["--name", "S", "--protocol", "HTTP", "--purpose", "p"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let reg = Registry::load(&r.join("config/ports.toml")).unwrap();
    let mut ports: Vec<u16> = reg.services.iter().map(|s| s.port).collect();
    assert_eq!(ports.len(), 32);
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), 32, "every add got its own port");
    assert!(ports.iter().all(|p| (20410..20450).contains(p)));
    // ports.env and the docs agree with the registry; no temp file is left.
    r.cmd().arg("check").assert().success();
    let leftovers: Vec<_> = std::fs::read_dir(r.join("config"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A tiny xorshift, so the test needs no random-number crate; seeded from the clock and
/// printed, so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn a_writer_killed_at_any_point_leaves_a_whole_registry_and_check_passes() {
    let r = repo(&registry(20500, 200, &[]));
    let bin = assert_cmd::cargo::cargo_bin("portlaw");
    let spawn = |id: &str| {
        Command::new(&bin)
            .current_dir(r.path())
            .env("NO_COLOR", "1")
            .args(["add", id, "--range", "apps", "--offline"])
            .args(["--name", "S", "--protocol", "HTTP", "--purpose", "p"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    // How long one uninterrupted add takes here: kills are spread over 0..1.5x that.
    let t = Instant::now();
    assert!(spawn("calibrate").wait().unwrap().success());
    let full = t.elapsed().as_micros() as u64;
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("seed {seed}, one add takes {full} µs");
    let mut rng = Rng(seed);
    let (mut added, mut absent, mut repaired) = (0, 0, 0);
    let deadline = Instant::now() + Duration::from_secs(12);
    let mut runs = 0;
    while runs < 150 && Instant::now() < deadline {
        runs += 1;
        let id = format!("k{runs}");
        let mut child = spawn(&id);
        std::thread::sleep(Duration::from_micros(rng.next() % (full * 3 / 2 + 1)));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();

        // Whatever the moment, the registry on disk is whole ...
        let text = std::fs::read_to_string(r.join("config/ports.toml")).unwrap();
        let reg = Registry::parse(&text, Origin::File("ports.toml".into()))
            .unwrap_or_else(|e| panic!("run {runs} (seed {seed}): registry corrupt: {e}"));
        // ... and check passes (completing a half-done write first if there is one).
        let out = r.cmd().arg("check").output().unwrap();
        assert!(
            out.status.success(),
            "run {runs} (seed {seed}):\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        if stderr(&out).contains("completed an interrupted write") {
            repaired += 1;
        }
        if reg.service(&id).is_some() {
            added += 1;
        } else {
            absent += 1;
        }
    }
    eprintln!(
        "{runs} kills: {added} after the registry was written, {absent} before, {repaired} left a half-done write that check completed"
    );
    assert!(runs >= 20, "too few runs to mean anything");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

#[test]
fn check_against_reports_every_reassignment_in_history() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let r = Repo::new();
    std::fs::remove_dir(r.join(".git")).unwrap();
    git(r.path(), &["init", "-q", "-b", "main"]);
    let base = registry(
        20600,
        10,
        &[
            ("a", 20610, "active"),
            ("b", 20611, "active"),
            ("c", 20612, "retired"),
            ("d", 20613, "active"),
        ],
    );
    let r2 = repo_in(r, &base);
    let r = &r2;
    git(r.path(), &["add", "-A"]);
    git(r.path(), &["commit", "-qm", "base"]);

    // A clean change: add + retire through portlaw. Nothing to report.
    assert!(
        add(r, "e", &["--range", "apps", "--offline"])
            .status
            .success()
    );
    r.cmd().args(["retire", "d"]).assert().success();
    r.cmd()
        .args(["check", "--against", "main"])
        .assert()
        .success();
    git(r.path(), &["commit", "-qam", "clean"]);

    // Each bad commit, and the finding it must produce against the one before.
    let edits: [(&str, &str, &str, &str); 4] = [
        ("reassign", "id = \"a\"", "id = \"a2\"", "port-reassigned"),
        (
            "delete",
            "\n# service b\n[[service]]\nid = \"b\"\nname = \"b service\"\nport = 20611\nenv = \"B_PORT\"\nprotocol = \"HTTP\"\npurpose = \"Does b\"\nstatus = \"active\"  # b's status\n",
            "",
            "service-removed",
        ),
        (
            "resurrect",
            "status = \"retired\"  # c's status",
            "status = \"active\"  # c's status",
            "retired-port-revived",
        ),
        (
            "rename",
            "env = \"E_PORT\"",
            "env = \"E2_PORT\"",
            "env-renamed",
        ),
    ];
    for (what, from, to, code) in edits {
        let t = r.read("config/ports.toml");
        assert!(t.contains(from), "{what}");
        r.write("config/ports.toml", t.replacen(from, to, 1));
        r.cmd().args(["env", "--write"]).assert().success();
        r.cmd().arg("render").assert().success();
        git(r.path(), &["commit", "-qam", what]);
        let out = r
            .cmd()
            .args(["check", "--against", "HEAD~1"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{what}: {}", stderr(&out));
        assert!(stdout(&out).contains(code), "{what}: {}", stdout(&out));
        let json = r
            .cmd()
            .args(["check", "--json", "--against", "HEAD~1"])
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        let codes: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        assert!(codes.contains(&code), "{what}: {codes:?}");
    }
    // Against the clean commit, all four at once, each at its line in today's registry.
    let out = r
        .cmd()
        .args(["check", "--against", "HEAD~4"])
        .output()
        .unwrap();
    let text = stdout(&out);
    for code in [
        "port-reassigned",
        "service-removed",
        "retired-port-revived",
        "env-renamed",
    ] {
        assert!(text.contains(code), "{code}: {text}");
    }
    let line = text.lines().find(|l| l.contains("env-renamed")).unwrap();
    let t = r.read("config/ports.toml");
    let want = t.lines().position(|l| l == "env = \"E2_PORT\"").unwrap() + 1;
    assert!(
        line.starts_with(&format!("config/ports.toml:{want}: ")),
        "{line}"
    );

    let out = r
        .cmd()
        .args(["check", "--against", "no-such-rev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read git revision 'no-such-rev'"));
}

/// `repo`, in an existing (git) directory.
fn repo_in(r: Repo, registry: &str) -> Repo {
    r.write("config/ports.toml", registry);
    r.write("docs/PORTS.md", DOC);
    r.write(".gitignore", "config/.ports.toml.lock\n");
    r.cmd().args(["env", "--write"]).assert().success();
    r.cmd().arg("render").assert().success();
    r
}
