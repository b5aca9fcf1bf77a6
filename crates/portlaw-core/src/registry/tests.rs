//! Tests of the registry model and its loader.

use super::*;

#[test]
fn builtin_matches_the_spec_facts() {
    let r = Registry::builtin();
    assert_eq!(r.ranges.len(), 5);
    assert_eq!(r.services.len(), 12);
    let cdp = r.service("cdp").unwrap();
    assert!(cdp.external);
    assert_eq!((cdp.port, cdp.env.as_str()), (9222, "CDP_PORT"));
    let san = r.service("rugs-sanitizer").unwrap();
    assert_eq!(san.protocols, ["HTTP", "WS"]);
    assert_eq!(
        r.service("optimization-service").unwrap().status,
        Status::Allocated
    );
    assert_eq!(r.policy.sacred, [9000, 9001]);
    assert!(r.range("foundation").unwrap().locked);
}

#[test]
fn lookup_by_id_env_and_port() {
    let r = Registry::builtin();
    assert_eq!(r.lookup("recording").unwrap().port, 9010);
    assert_eq!(r.lookup("RECORDING_PORT").unwrap().id, "recording");
    assert_eq!(r.lookup("9222").unwrap().id, "cdp");
    assert!(r.lookup("9999").is_none());
}

fn err(text: &str) -> String {
    Registry::parse(text, Origin::File("ports.toml".into()))
        .unwrap_err()
        .to_string()
}

#[test]
fn type_errors_name_file_line_and_value() {
    let e = err("[[service]]\nid = \"a\"\nname = \"A\"\nport = \"abc\"\nenv = \"A_PORT\"\n");
    assert!(e.starts_with("ports.toml:4:"), "{e}");
    let e = err("[[service]]\nid = \"a\"\nname = \"A\"\nport = 70000\nenv = \"A_PORT\"\n");
    assert!(e.contains("ports.toml:4:") && e.contains("70000"), "{e}");
    let e = err("[[service]]\nid = \"a\"\nname = \"A\"\nport = 0\nenv = \"A_PORT\"\n");
    assert!(e.contains("port 0"), "{e}");
    let e = err("[[range]]\nname = \"x\"\nports = \"90x0\"\n");
    assert!(e.contains("ports.toml:3:") && e.contains("90x0"), "{e}");
    let e = err("[[service]]\nid = \"a\"\nname = \"A\"\nport = 1\nenv = \"A_PORT\"\nprot = 1\n");
    assert!(e.contains("ports.toml:6:") && e.contains("prot"), "{e}");
    let e = err("# nothing\n");
    assert!(e.contains("registry is empty"), "{e}");
    let e = err("[[service]\n");
    assert!(e.starts_with("ports.toml:1:"), "{e}");
}

#[test]
fn listen_addresses_default_to_empty_and_are_checked() {
    let svc = "[[service]]\nid = \"a\"\nname = \"A\"\nport = 1\nenv = \"A_PORT\"\n";
    let r = Registry::parse(svc, Origin::Builtin).unwrap();
    assert!(r.services[0].listen.is_empty());
    let r = Registry::parse(
        &format!("{svc}listen = [\"127.0.0.1\", \"::1\"]\n"),
        Origin::Builtin,
    )
    .unwrap();
    assert_eq!(r.services[0].listen.len(), 2);
    assert!(r.services[0].listen[1].is_ipv6());
    let e = err(&format!("{svc}listen = [\"localhost\"]\n"));
    assert!(
        e.contains("ports.toml:6:") && e.contains("'localhost'"),
        "{e}"
    );
}

#[test]
fn table_header_lines_allow_comments_and_spaces() {
    let t = "# [policy]\n[[policy]]\n[ policy ] # rules\n";
    assert_eq!(table_header_line(t, "policy"), 3);
    assert_eq!(table_header_line("[docs]\n", "policy"), 0);
}

#[test]
fn unknown_status_is_kept_for_check() {
    let r = Registry::parse(
        "[[service]]\nid = \"a\"\nname = \"A\"\nport = 1\nenv = \"A_PORT\"\nstatus = \"actve\"\n",
        Origin::Builtin,
    )
    .unwrap();
    assert_eq!(r.services[0].status, Status::Unknown("actve".into()));
    assert_eq!(r.services[0].lines.status, 6);
}
