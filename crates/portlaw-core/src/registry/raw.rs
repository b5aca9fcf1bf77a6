//! The registry file as serde reads it, before validation turns it into the model: spans
//! kept for line numbers, ports still unchecked `i64`s, one-or-many strings.

use serde::Deserialize;
use toml::Spanned;

use super::MatchRule;

pub(super) fn port_number(n: i64) -> Result<u16, String> {
    match n {
        1..=65535 => Ok(n as u16),
        0 => Err("port 0 is not a fixed port (it asks the OS to choose one)".into()),
        _ => Err(format!("port {n} is out of range 1-65535")),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(super) enum StringOrList {
    One(String),
    Many(Vec<String>),
}

impl StringOrList {
    pub(super) fn into_vec(self) -> Vec<String> {
        match self {
            StringOrList::One(s) => vec![s],
            StringOrList::Many(v) => v,
        }
    }

    /// Protocols: `HTTP/WS` is how the spec writes two protocols in one cell.
    pub(super) fn into_protocols(self) -> Vec<String> {
        match self {
            StringOrList::One(s) => s.split('/').map(|p| p.trim().to_string()).collect(),
            StringOrList::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RawRegistry {
    #[serde(default)]
    pub(super) range: Vec<RawRange>,
    #[serde(default)]
    pub(super) service: Vec<RawService>,
    pub(super) policy: Option<RawPolicy>,
    #[serde(flatten)]
    pub(super) extra: toml::Table,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRange {
    pub(super) name: Spanned<String>,
    pub(super) ports: Spanned<toml::Value>,
    #[serde(default)]
    pub(super) purpose: String,
    #[serde(default)]
    pub(super) locked: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawService {
    pub(super) id: Spanned<String>,
    pub(super) name: String,
    pub(super) port: Spanned<i64>,
    pub(super) env: Spanned<String>,
    pub(super) protocol: Option<StringOrList>,
    pub(super) purpose: Option<String>,
    pub(super) owner: Option<StringOrList>,
    pub(super) status: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) external: bool,
    #[serde(rename = "match")]
    pub(super) match_rule: Option<MatchRule>,
    pub(super) listen: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPolicy {
    #[serde(default)]
    pub(super) sacred: Vec<Spanned<i64>>,
    #[serde(default)]
    pub(super) websocket_allow: Vec<String>,
    pub(super) managed: Option<Spanned<toml::Value>>,
}
