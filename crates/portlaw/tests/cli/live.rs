//! Live port state against real listeners: `who`, `status`, `validate`, `free`, `exec`.
//!
//! Every test picks its own block of free ports (see `free_block`) and builds a temporary
//! registry around them; nothing depends on the VECTRA ports. Where `ss` exists its
//! answer is the oracle for which pids hold a port; where it does not, that comparison is
//! skipped and says so.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{Repo, free_block, registry, stdout};
use serde_json::Value;
use socket2::{Domain, Socket, Type};

/// A block of `n` consecutive ports that nothing holds (checked against the socket table and
/// by binding each on IPv4 and IPv6 loopback).
///
/// Blocks are handed out below the kernel's ephemeral range, disjoint across the tests of this
/// binary: a port-0 bind would land in the ephemeral range, where the client end of another
/// test's connection (or its own port-0 probe) can take the port between our check and use.
fn have_v6() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

/// A python3 child run in `cwd` that prints `ready` once listening; the guard kills it.
struct Py(Child);

impl Drop for Py {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Py {
    fn pid(&self) -> u32 {
        self.0.id()
    }
    fn alive(&mut self) -> bool {
        self.0.try_wait().unwrap().is_none()
    }
}

fn python(cwd: &std::path::Path, code: &str) -> Py {
    let mut child = Command::new("python3")
        .args(["-c", code])
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is needed for these tests");
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "python child did not come up");
    Py(child)
}

/// A python3 TCP listener on 127.0.0.1:`port`.
fn py_listener(cwd: &std::path::Path, port: u16) -> Py {
    python(
        cwd,
        &format!(
            "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',{port}))\ns.listen()\nprint('ready',flush=True)\ntime.sleep(600)"
        ),
    )
}

/// `portlaw who PORT --json` in `repo`.
fn who_json(repo: &Repo, port: u16) -> std::process::Output {
    repo.cmd()
        .args(["who", &port.to_string(), "--json"])
        .output()
        .unwrap()
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stdout(out)))
}

fn holder_pids(report: &Value) -> BTreeSet<u64> {
    report["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["pid"].as_u64().expect("a visible pid"))
        .collect()
}

/// `ss`'s pids for TCP listeners (or UDP sockets) on `port`; `None` when ss is absent.
fn ss_pids(port: u16, udp: bool) -> Option<BTreeSet<u64>> {
    let flags = if udp { "-Hulnp" } else { "-Htlnp" };
    let out = Command::new("ss")
        .args([flags, &format!("sport = :{port}")])
        .output();
    let Ok(out) = out else {
        eprintln!("ss not installed: oracle comparison skipped");
        return None;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut pids = BTreeSet::new();
    for part in text.split("pid=").skip(1) {
        let n: String = part.chars().take_while(char::is_ascii_digit).collect();
        pids.insert(n.parse().unwrap());
    }
    Some(pids)
}

fn repo_for(base: u16, services: &[(&str, u16)]) -> Repo {
    Repo::with_registry(&registry(base, 10, services))
}

#[test]
fn who_names_a_foreign_holder_and_agrees_with_ss() {
    let base = free_block(10);
    let repo = repo_for(base, &[("api", base)]);
    // The spec's everyday culprit: a stray `python3 -m http.server` on the service's port.
    let child = Command::new("python3")
        .args([
            "-m",
            "http.server",
            "--bind",
            "127.0.0.1",
            &base.to_string(),
        ])
        .current_dir(repo.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 is needed for these tests");
    let mut py = Py(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !portlaw_probe::held_ports().unwrap().contains(&base) {
        assert!(Instant::now() < deadline, "http.server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = who_json(&repo, base);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an intruder on a registered port is a conflict"
    );
    let r = &json(&out)[0];
    assert_eq!(r["state"], "conflict");
    assert_eq!(r["service"], "api");
    let h = &r["holders"][0];
    assert_eq!(h["pid"].as_u64(), Some(u64::from(py.pid())));
    assert_eq!(h["verdict"], "foreign");
    assert_eq!(h["sockets"][0], "tcp 127.0.0.1");
    assert_eq!(h["process"]["comm"], "python3");
    assert!(
        h["process"]["cmdline"]
            .as_array()
            .unwrap()
            .contains(&Value::from("http.server"))
    );
    assert!(h["process"]["started"].as_u64().unwrap() > 1_600_000_000);
    if let Some(ss) = ss_pids(base, false) {
        assert_eq!(holder_pids(r), ss);
    }
    // The text form carries the same facts.
    let text = stdout(
        &repo
            .cmd()
            .args(["who", &base.to_string()])
            .output()
            .unwrap(),
    );
    assert!(text.contains(&format!("pid {}", py.pid())), "{text}");
    assert!(text.contains("intruder"), "{text}");
    assert!(py.alive());
}

#[test]
fn who_on_a_free_port_says_free_and_exits_0() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let out = repo.cmd().args(["who", "api", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r = &json(&out)[0];
    assert_eq!(
        (r["port"].as_u64(), &r["state"]),
        (Some(u64::from(base)), &Value::from("free"))
    );
}

#[test]
fn the_owner_running_from_its_directory_is_up() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    std::fs::create_dir_all(repo.join("services/api")).unwrap();
    let _py = python(
        &repo.join("services/api"),
        &format!(
            "import http.server,threading\ns=http.server.HTTPServer(('127.0.0.1',{base}),http.server.SimpleHTTPRequestHandler)\nprint('ready',flush=True)\ns.serve_forever()"
        ),
    );
    let out = who_json(&repo, base);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&out)
    );
    let r = &json(&out)[0];
    assert_eq!(r["state"], "up");
    assert_eq!(r["holders"][0]["verdict"], "owner");
    assert_eq!(r["holders"][0]["service"], "api");
    // validate refuses it unless it may be running; free refuses it unless forced.
    repo.cmd().args(["validate", "api"]).assert().code(1);
    repo.cmd()
        .args(["validate", "api", "--allow-running"])
        .assert()
        .code(0);
    let out = repo
        .cmd()
        .args(["free", &base.to_string(), "--yes"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        crate::common::stderr(&out).contains("--force"),
        "{}",
        crate::common::stderr(&out)
    );
    assert!(
        portlaw_probe::held_ports().unwrap().contains(&base),
        "the owner was left alone"
    );
}

#[test]
fn a_preforked_server_reports_every_process_sharing_the_socket() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let py = python(
        repo.path(),
        &format!(
            "import os,socket,time,sys\ns=socket.socket()\ns.bind(('127.0.0.1',{base}))\ns.listen()\nkids=[]\nfor _ in range(3):\n  pid=os.fork()\n  if pid==0:\n    time.sleep(600); os._exit(0)\n  kids.append(pid)\nprint('ready',flush=True)\ntry:\n  time.sleep(600)\nfinally:\n  [os.kill(k,9) for k in kids]"
        ),
    );
    let out = who_json(&repo, base);
    let r = &json(&out)[0];
    let pids = holder_pids(r);
    assert_eq!(pids.len(), 4, "parent and three forked children: {pids:?}");
    assert!(pids.contains(&u64::from(py.pid())));
    if let Some(ss) = ss_pids(base, false) {
        assert_eq!(pids, ss);
    }
    // Free stops all of them: the children exit on SIGTERM's default action.
    let out = repo
        .cmd()
        .args(["free", &base.to_string(), "--yes", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(json(&out)["signalled"].as_array().unwrap().len(), 4);
    assert!(!portlaw_probe::held_ports().unwrap().contains(&base));
}

/// Every way of holding a port makes it busy for `validate`, and `who` sees the holder.
#[test]
fn any_address_family_or_protocol_holding_the_port_makes_it_busy() {
    let base = free_block(10);
    let repo = repo_for(base, &[("api", base)]);
    let v6 = have_v6();
    type Make = Box<dyn Fn(u16) -> Vec<Socket>>;
    let tcp = |addr: &str, v6only: Option<bool>| -> Make {
        let addr: IpAddr = addr.parse().unwrap();
        Box::new(move |port| {
            let s = Socket::new(
                Domain::for_address(SocketAddr::new(addr, port)),
                Type::STREAM,
                None,
            )
            .unwrap();
            if let Some(only) = v6only {
                s.set_only_v6(only).unwrap();
            }
            s.bind(&SocketAddr::new(addr, port).into()).unwrap();
            s.listen(8).unwrap();
            vec![s]
        })
    };
    let mut cases: Vec<(&str, Make)> = vec![
        ("127.0.0.1", tcp("127.0.0.1", None)),
        ("0.0.0.0", tcp("0.0.0.0", None)),
        ("127.0.0.2 (a specific address)", tcp("127.0.0.2", None)),
        (
            "udp 127.0.0.1",
            Box::new(|port| vec![Socket::from(UdpSocket::bind(("127.0.0.1", port)).unwrap())]),
        ),
        (
            "two SO_REUSEPORT holders",
            Box::new(|port| {
                (0..2)
                    .map(|_| {
                        let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
                        s.set_reuse_port(true).unwrap();
                        s.bind(&SocketAddr::from(([127, 0, 0, 1], port)).into())
                            .unwrap();
                        s.listen(8).unwrap();
                        s
                    })
                    .collect()
            }),
        ),
    ];
    if v6 {
        cases.push(("::1", tcp("::1", None)));
        cases.push((":: dual-stack", tcp("::", Some(false))));
        cases.push((":: v6-only", tcp("::", Some(true))));
    } else {
        eprintln!("no IPv6 here: the ::1 and :: cases are skipped");
    }
    for (name, make) in cases {
        let held = make(base);
        let out = repo.cmd().args(["validate", "api"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}: {}", stdout(&out));
        let text = stdout(&out);
        assert!(
            text.contains("FATAL") && text.contains(&format!("pid {}", std::process::id())),
            "{name}: {text}"
        );
        assert!(
            text.contains(&format!("portlaw free {base}")),
            "{name}: {text}"
        );
        let who = json(
            &repo
                .cmd()
                .args(["who", &base.to_string(), "--json"])
                .output()
                .unwrap(),
        );
        let sockets = who[0]["holders"][0]["sockets"].as_array().unwrap().len();
        assert!(sockets >= 1, "{name}");
        drop(held);
    }
    repo.cmd().args(["validate", "api"]).assert().code(0);
}

#[test]
fn time_wait_leftovers_are_reported_but_do_not_hold_the_port() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let lst = TcpListener::bind(("127.0.0.1", base)).unwrap();
    let client = TcpStream::connect(("127.0.0.1", base)).unwrap();
    let (server_end, _) = lst.accept().unwrap();
    // The side that closes first keeps TIME_WAIT: here, the server end on port `base`.
    drop(server_end);
    std::thread::sleep(Duration::from_millis(50));
    drop(client);
    drop(lst);
    let deadline = Instant::now() + Duration::from_secs(3);
    let r = loop {
        let v = json(
            &repo
                .cmd()
                .args(["who", &base.to_string(), "--json"])
                .output()
                .unwrap(),
        );
        if v[0]["time_wait"].as_u64().unwrap() > 0 || Instant::now() > deadline {
            break v;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(r[0]["state"], "free");
    assert!(r[0]["time_wait"].as_u64().unwrap() >= 1, "{r}");
    repo.cmd().args(["validate", "api"]).assert().code(0);
}

#[test]
fn status_reports_up_free_conflict_and_squatters_in_one_pass() {
    let base = free_block(10);
    let repo = repo_for(base, &[("api", base), ("web", base + 1), ("db", base + 2)]);
    std::fs::create_dir_all(repo.join("services/api")).unwrap();
    let _owner = py_listener(&repo.join("services/api"), base);
    let intruder = py_listener(repo.path(), base + 2);
    let squatter = TcpListener::bind(("127.0.0.1", base + 7)).unwrap();
    let out = repo.cmd().args(["status", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    let state = |id: &str| {
        v["services"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["service"] == id)
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state("api"), "up");
    assert_eq!(state("web"), "free");
    assert_eq!(state("db"), "conflict");
    let sq = v["squatters"].as_array().unwrap();
    assert_eq!(sq.len(), 1, "{v}");
    assert_eq!(sq[0]["port"].as_u64(), Some(u64::from(base + 7)));
    assert_eq!(v["conflicts"], 2);
    if let Some(ss) = ss_pids(base + 2, false) {
        assert_eq!(ss, BTreeSet::from([u64::from(intruder.pid())]));
    }
    let text = stdout(&repo.cmd().arg("status").output().unwrap());
    assert!(
        text.contains("(squatter)") && text.contains("conflict") && text.contains("up"),
        "{text}"
    );
    drop(squatter);
    drop(intruder);
    let out = repo.cmd().args(["status", "--json"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "only the owner left: {}",
        stdout(&out)
    );
}

#[test]
fn free_stops_a_foreign_holder_and_dry_run_signals_nothing() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let mut py = py_listener(repo.path(), base);
    let out = repo
        .cmd()
        .args(["free", &base.to_string(), "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        crate::common::stderr(&out).contains(&format!("would send SIGTERM to pid {}", py.pid()))
    );
    let out = repo
        .cmd()
        .args(["free", &base.to_string(), "--dry-run", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out);
    assert_eq!(v["signalled"].as_array().unwrap().len(), 0);
    assert_eq!(
        v["still_held_by"][0]["pid"].as_u64(),
        Some(u64::from(py.pid())),
        "the dry-run JSON names who would be signalled: {v}"
    );
    std::thread::sleep(Duration::from_millis(100));
    assert!(py.alive(), "dry run must not signal");
    // Not a terminal and no --yes: refuse rather than act unasked.
    repo.cmd()
        .args(["free", &base.to_string()])
        .assert()
        .code(2);
    assert!(py.alive());
    let out = repo
        .cmd()
        .args(["free", &base.to_string(), "--yes", "--timeout", "5"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains(&format!("sent SIGTERM to pid {}", py.pid())));
    let status = py.0.wait().unwrap();
    assert!(!status.success(), "terminated by a signal");
    assert!(!portlaw_probe::held_ports().unwrap().contains(&base));
}

#[test]
fn free_needs_kill_for_a_holder_that_ignores_sigterm() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let mut py = python(
        repo.path(),
        &format!(
            "import signal,socket,time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ns=socket.socket()\ns.bind(('127.0.0.1',{base}))\ns.listen()\nprint('ready',flush=True)\ntime.sleep(600)"
        ),
    );
    let out = repo
        .cmd()
        .args(["free", &base.to_string(), "--yes", "--timeout", "0.3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "still held: {}", stdout(&out));
    assert!(py.alive());
    let out = repo
        .cmd()
        .args([
            "free",
            &base.to_string(),
            "--yes",
            "--timeout",
            "0.3",
            "--kill",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("SIGKILL"));
    py.0.wait().unwrap();
}

#[test]
fn exec_sets_the_port_variable_and_refuses_a_busy_port() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let out = repo
        .cmd()
        .args([
            "exec",
            "api",
            "--",
            "python3",
            "-c",
            "import os; print(os.environ['API_PORT'])",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out).trim(), base.to_string());
    let _held = TcpListener::bind(("127.0.0.1", base)).unwrap();
    let out = repo
        .cmd()
        .args(["exec", "api", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        crate::common::stderr(&out).contains("FATAL"),
        "{}",
        crate::common::stderr(&out)
    );
    let out = repo
        .cmd()
        .args(["exec", "api", "--listen", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(crate::common::stderr(&out).contains(&format!("held by pid {}", std::process::id())));
}

#[test]
fn exec_listen_hands_over_bound_sockets_by_socket_activation() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let script = "import os,socket\nassert os.environ['LISTEN_PID']==str(os.getpid())\nn=int(os.environ['LISTEN_FDS'])\nfor i in range(n):\n  s=socket.socket(fileno=3+i)\n  print(s.getsockname()[0], s.getsockname()[1], s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN))\nprint(os.environ['LISTEN_FDNAMES'])";
    let mut args = vec!["exec", "api", "--listen", "--addr", "127.0.0.1"];
    if have_v6() {
        args.extend(["--addr", "::1"]);
    }
    args.extend(["--", "python3", "-c", script]);
    let out = repo.cmd().args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&out)
    );
    let text = stdout(&out);
    assert!(text.contains(&format!("127.0.0.1 {base} 1")), "{text}");
    if have_v6() {
        assert!(text.contains(&format!("::1 {base} 1")), "{text}");
        assert!(text.contains("api:api"), "{text}");
    }
}

#[test]
fn unknown_ports_and_services_are_usage_errors() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    repo.cmd().args(["who", "nosuch"]).assert().code(2);
    repo.cmd().args(["who", "0"]).assert().code(2);
    repo.cmd().args(["validate", "nosuch"]).assert().code(2);
    repo.cmd()
        .args(["exec", "nosuch", "--", "true"])
        .assert()
        .code(2);
}

#[test]
fn exec_listen_uses_the_registry_listen_addresses() {
    if !have_v6() {
        eprintln!("no IPv6 here: skipped");
        return;
    }
    let base = free_block(2);
    let text = registry(base, 10, &[("api", base)]).replace(
        "status = \"active\"\n",
        "status = \"active\"\nlisten = [\"127.0.0.1\", \"::1\"]\n",
    );
    let repo = Repo::with_registry(&text);
    let script = "import os,socket\nfor i in range(int(os.environ['LISTEN_FDS'])):\n  print(socket.socket(fileno=3+i).getsockname()[0])";
    let out = repo
        .cmd()
        .args(["exec", "api", "--listen", "--", "python3", "-c", script])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        crate::common::stderr(&out)
    );
    assert_eq!(
        stdout(&out).lines().collect::<Vec<_>>(),
        ["127.0.0.1", "::1"]
    );
}

#[test]
fn a_udp_holder_is_found_and_agrees_with_ss() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let py = python(
        repo.path(),
        &format!(
            "import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('0.0.0.0',{base}))\nprint('ready',flush=True)\ntime.sleep(600)"
        ),
    );
    let out = who_json(&repo, base);
    let r = &json(&out)[0];
    assert_eq!(r["state"], "conflict");
    assert_eq!(r["holders"][0]["sockets"][0], "udp 0.0.0.0");
    assert_eq!(holder_pids(r), BTreeSet::from([u64::from(py.pid())]));
    if let Some(ss) = ss_pids(base, true) {
        assert_eq!(holder_pids(r), ss);
    }
}

/// As another user, a root-held socket's process is invisible: portlaw must call the port
/// held by an unknown process, never free. Needs root and `setpriv` to drop to `nobody`.
#[test]
fn a_holder_this_user_cannot_see_is_unknown_not_free() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let root = std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    let setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    if !root || !setpriv {
        eprintln!("skipped: needs root and setpriv to look as another user");
        return;
    }
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    for dir in [repo.path().to_path_buf(), repo.join("config")] {
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let _py = py_listener(repo.path(), base);
    let as_nobody = |args: &[&str]| {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(assert_cmd::cargo::cargo_bin("portlaw"))
            .args(args)
            .current_dir(repo.path())
            .env("NO_COLOR", "1")
            .env_remove("PORTLAW_REGISTRY")
            .output()
            .unwrap()
    };
    let port = base.to_string();
    let out = as_nobody(&["who", &port, "--json"]);
    if out.status.code() == Some(2) && crate::common::stderr(&out).contains("Permission denied") {
        eprintln!("skipped: nobody cannot read the temporary repository here");
        return;
    }
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        crate::common::stderr(&out)
    );
    let r = &json(&out)[0];
    assert_eq!(r["state"], "conflict");
    assert_eq!(r["holders"][0]["pid"], Value::Null);
    assert_eq!(r["holders"][0]["verdict"], "unknown");
    assert_eq!(r["holders"][0]["uid"], 0);
    assert_eq!(as_nobody(&["validate", "api"]).status.code(), Some(1));
    let out = as_nobody(&["free", &port, "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "still held: a finding, not bad input"
    );
    assert!(
        crate::common::stderr(&out).contains("cannot see"),
        "{}",
        crate::common::stderr(&out)
    );
    assert!(portlaw_probe::held_ports().unwrap().contains(&base));
}

/// A finite but huge number of seconds is a usage error, not a panic in `Duration`.
#[test]
fn huge_timeout_and_interval_are_usage_errors_not_panics() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let mut py = py_listener(repo.path(), base);
    let out = repo
        .cmd()
        .args(["free", &base.to_string(), "--yes", "--timeout", "1e300"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        crate::common::stderr(&out)
    );
    assert!(crate::common::stderr(&out).contains("is not a number of seconds"));
    assert!(py.alive(), "nothing is signalled on a usage error");
    let out = repo
        .cmd()
        .args(["status", "--watch", "--interval", "1e300"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        crate::common::stderr(&out)
    );
    assert!(crate::common::stderr(&out).contains("is not a positive number of seconds"));
}

#[test]
fn status_watch_redraws_and_rereads_the_registry() {
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base)]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_portlaw"))
        .current_dir(repo.path())
        .env_remove("PORTLAW_REGISTRY")
        .env("NO_COLOR", "1")
        .args(["status", "--watch", "--interval", "0.2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1200));
    // A second look a moment later must see a listener that appeared meanwhile.
    let late = TcpListener::bind(("127.0.0.1", base)).unwrap();
    // ... and a service registered meanwhile.
    repo.write(
        "config/ports.toml",
        registry(base, 10, &[("api", base), ("web", base + 1)]),
    );
    std::thread::sleep(Duration::from_millis(800));
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let text = stdout(&out);
    let frames = text.matches("PORT").count();
    assert!(
        frames >= 3,
        "expected several redraws, got {frames}:\n{text}"
    );
    assert!(text.contains("free") && text.contains("conflict"), "{text}");
    assert!(text.contains(&format!("{}  web", base + 1)), "{text}");
    drop(late);
}

/// `free` asks on a terminal: "n" signals nothing (exit 1), "y" stops the holder (exit 0).
/// The terminal is a pty from util-linux `script`; the test says so and passes without it.
#[test]
fn free_asks_on_a_terminal_and_obeys_the_answer() {
    if Command::new("script").arg("--version").output().is_err() {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: `script` (util-linux) is absent"
        );
        return;
    }
    let base = free_block(2);
    let repo = repo_for(base, &[("api", base + 1)]);
    let mut holder = py_listener(repo.path(), base);
    let free_on_a_tty = |answer: &str| {
        let cmd = format!("{} free {base}", env!("CARGO_BIN_EXE_portlaw"));
        let mut child = Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .current_dir(repo.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Answer once the question is on the terminal.
        std::thread::sleep(Duration::from_millis(700));
        let mut stdin = child.stdin.take().unwrap();
        use std::io::Write as _;
        stdin.write_all(answer.as_bytes()).unwrap();
        drop(stdin);
        child.wait_with_output().unwrap()
    };
    let out = free_on_a_tty("n\n");
    let text = stdout(&out);
    assert!(text.contains("[y/N]"), "the question is asked: {text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(holder.alive(), "declining signals nothing");

    let out = free_on_a_tty("y\n");
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let deadline = Instant::now() + Duration::from_secs(5);
    while holder.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!holder.alive(), "yes stops the holder");
}
