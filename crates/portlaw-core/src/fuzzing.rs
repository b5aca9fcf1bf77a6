//! Property checks shared by the cargo-fuzz targets (`fuzz/`) and the corpus replay test
//! (`crates/portlaw/tests/fuzz_corpus.rs`), so both judge an input by the same rules.
//! Each function panics when a property fails; an `Err` for bad input is fine.

use crate::portsenv::{self, PortsEnv};
use crate::registry::{Origin, Registry};

/// Registry text: parsing never panics, and a registry that loads renders a `ports.env` that
/// loads back with no drift against it.
pub fn registry(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(reg) = Registry::parse(text, Origin::File("ports.toml".into())) {
        // A variable shared by two services or not a variable name is an error `check`
        // reports (duplicate-env, env-name); no ports.env can hold it. Every other loadable
        // registry round-trips. (`env --write` still writes such a file: fuzz/README.md.)
        let bad_env = crate::check::check_registry(&reg)
            .iter()
            .any(|f| matches!(f.code, "duplicate-env" | "env-name"));
        if !bad_env {
            env_round_trips(&reg);
        }
    }
}

/// `ports.env` text: parsing never panics, and its error renders.
pub fn ports_env(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = PortsEnv::parse(text, "ports.env") {
        let _ = e.to_string();
    }
}

/// A spec-form Markdown document: importing never panics, and an imported registry renders a
/// `ports.env` that loads back with no drift.
pub fn spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(imported) = crate::spec::import(text, "spec.md") {
        env_round_trips(&imported.registry);
    }
}

fn env_round_trips(reg: &Registry) {
    let env = portsenv::generate(reg);
    let back = PortsEnv::parse(&env, "ports.env")
        .unwrap_or_else(|e| panic!("generated ports.env does not load: {e}\n{env}"));
    let drift = portsenv::drift(reg, &back);
    assert!(
        drift.is_empty(),
        "generated ports.env drifts from its registry: {:?}\n{env}",
        drift.iter().map(|d| d.message()).collect::<Vec<_>>()
    );
}
