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

const ONE_RANGE: &str = "[[range]]\nname = \"r\"\nports = \"100-199\"\n";

fn svc_with(env: &str, port: &str) -> String {
    format!("[[service]]\nid = \"a\"\nname = \"A\"\nport = {port}\nenv = {env:?}\n")
}

fn load_err(text: &str) -> String {
    Registry::parse(text, Origin::File("p.toml".into()))
        .unwrap_err()
        .to_string()
}

#[test]
fn issue_8_an_env_name_that_is_not_an_identifier_is_an_input_error() {
    let e = load_err(&format!(
        "{ONE_RANGE}{}",
        svc_with("X=$(touch pwned)\nA_PORT", "110")
    ));
    assert!(
        e.starts_with("p.toml:8:") && e.contains("not a variable name"),
        "{e}"
    );
}

#[test]
fn issue_8_a_duplicate_env_name_is_an_input_error() {
    let t = format!(
        "{ONE_RANGE}{}{}",
        svc_with("A_PORT", "110"),
        svc_with("A_PORT", "111")
    )
    .replacen("id = \"a\"", "id = \"b\"", 1);
    let e = load_err(&t);
    assert!(e.starts_with("p.toml:13:") && e.contains("line 8"), "{e}");
}

#[test]
fn issue_8_a_misspelt_table_is_an_input_error_with_a_suggestion() {
    let e = load_err(&format!(
        "{ONE_RANGE}{}",
        svc_with("A_PORT", "110").replace("[[service]]", "[[servise]]")
    ));
    assert!(
        e.starts_with("p.toml:4:") && e.contains("did you mean `service`?"),
        "{e}"
    );
}

#[test]
fn issue_8_a_port_with_a_plus_sign_is_not_a_port() {
    let e = load_err(&format!("{ONE_RANGE}{}", svc_with("A_PORT", "+110")));
    assert!(e.starts_with("p.toml:7:") && e.contains("+110"), "{e}");
}
