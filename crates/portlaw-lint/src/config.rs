//! The registry's `[lint]` table: what to skip and what to allow where.
//!
//! ```toml
//! [lint]
//! # Globs (relative to the repository root) never linted. A glob naming a directory
//! # excludes everything under it.
//! exclude = ["vendor", "tests/fixtures/**", "*.min.js"]
//! # `*_PORT` variables that are not the registry's (PL004 accepts them).
//! known_vars = ["POSTGRES_PORT", "REDIS_PORT"]
//! # Rules to run (default: all) and rules to skip; --select/--ignore override.
//! select = ["PL001", "PL002"]
//! ignore = ["PL002"]
//!
//! # Per-path allowances: these codes are not reported under these paths.
//! [[lint.allow]]
//! path = "scripts/dev/**"
//! codes = ["PL002"]
//! reason = "dev scripts bind throwaway ports"
//! ```
//!
//! Every mistake (an unknown key, a bad glob, an unknown code) is an input error naming the
//! registry file and line.

use globset::{Glob, GlobSet, GlobSetBuilder};
use portlaw_core::{Error, Registry};
use serde::Deserialize;
use toml::Spanned;

use crate::diag::Code;

/// The parsed `[lint]` table.
#[derive(Debug, Clone, Default)]
pub struct LintConfig {
    pub exclude: Option<GlobSet>,
    pub known_vars: Vec<String>,
    pub select: Option<Vec<Code>>,
    pub ignore: Vec<Code>,
    pub allow: Vec<Allow>,
}

/// `[[lint.allow]]`.
#[derive(Debug, Clone)]
pub struct Allow {
    pub path: GlobSet,
    pub codes: Vec<Code>,
}

#[derive(Deserialize)]
struct Root {
    lint: Option<RawLint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLint {
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    known_vars: Vec<String>,
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    allow: Vec<RawAllow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    path: Spanned<String>,
    codes: Vec<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code)]
    reason: Option<String>,
}

impl LintConfig {
    /// Reads `[lint]` from the registry (nothing for the built-in one).
    pub fn from_registry(reg: &Registry) -> Result<LintConfig, Error> {
        if !reg.extra.contains_key("lint") {
            return Ok(LintConfig::default());
        }
        let file = reg.origin.display_path();
        let text = &reg.text;
        let at = |offset: usize, message: String| {
            let (line, col) = portlaw_core::error::line_col(text, offset);
            Error::Input {
                file: file.clone(),
                line,
                col,
                message,
            }
        };
        let root: Root = toml::from_str(text).map_err(|e| {
            let off = e.span().map(|s| s.start).unwrap_or(0);
            at(off, format!("[lint]: {}", e.message().trim()))
        })?;
        let Some(raw) = root.lint else {
            return Ok(LintConfig::default());
        };
        let codes = |list: &[Spanned<String>]| -> Result<Vec<Code>, Error> {
            list.iter()
                .map(|c| {
                    Code::parse(c.get_ref()).ok_or_else(|| {
                        at(
                            c.span().start,
                            format!("[lint]: unknown rule code '{}' (codes are PL001-PL007, PL100, PL101)", c.get_ref()),
                        )
                    })
                })
                .collect()
        };
        let globs = |list: &[Spanned<String>]| -> Result<GlobSet, Error> {
            let mut b = GlobSetBuilder::new();
            for g in list {
                let pat = g.get_ref().trim_start_matches("./").trim_end_matches('/');
                let glob = Glob::new(pat).map_err(|e| {
                    at(
                        g.span().start,
                        format!("[lint]: bad glob '{}': {}", g.get_ref(), e.kind()),
                    )
                })?;
                b.add(glob);
            }
            b.build()
                .map_err(|e| at(0, format!("[lint]: bad globs: {e}")))
        };
        let mut allow = Vec::new();
        for a in &raw.allow {
            allow.push(Allow {
                path: globs(std::slice::from_ref(&a.path))?,
                codes: codes(&a.codes)?,
            });
        }
        Ok(LintConfig {
            exclude: if raw.exclude.is_empty() {
                None
            } else {
                Some(globs(&raw.exclude)?)
            },
            known_vars: raw.known_vars,
            select: raw.select.as_deref().map(codes).transpose()?,
            ignore: codes(&raw.ignore)?,
            allow,
        })
    }

    /// Whether `rel` (or a directory above it) is excluded.
    pub fn excluded(&self, rel: &str) -> bool {
        let Some(set) = &self.exclude else {
            return false;
        };
        let mut p = rel;
        loop {
            if set.is_match(p) {
                return true;
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return false,
            }
        }
    }

    /// Whether `code` is allowed (not reported) at `rel`.
    pub fn allowed(&self, rel: &str, code: Code) -> bool {
        self.allow.iter().any(|a| {
            a.codes.contains(&code) && {
                let mut p = rel;
                loop {
                    if a.path.is_match(p) {
                        break true;
                    }
                    match p.rfind('/') {
                        Some(i) => p = &p[..i],
                        None => break false,
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portlaw_core::Origin;

    fn load(lint: &str) -> Result<LintConfig, String> {
        let text = format!("[[range]]\nname = \"a\"\nports = \"9000-9009\"\n\n{lint}");
        let reg = Registry::parse(&text, Origin::File("ports.toml".into())).unwrap();
        LintConfig::from_registry(&reg).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_exclude_allow_and_codes() {
        let c = load("[lint]\nexclude = [\"vendor\", \"*.min.js\"]\nignore = [\"pl002\"]\n[[lint.allow]]\npath = \"scripts/**\"\ncodes = [\"PL001\"]\n").unwrap();
        assert!(c.excluded("vendor/x/y.py"));
        assert!(c.excluded("web/app.min.js"));
        assert!(!c.excluded("src/app.py"));
        assert_eq!(c.ignore, [Code::PL002]);
        assert!(c.allowed("scripts/dev/run.sh", Code::PL001));
        assert!(!c.allowed("scripts/dev/run.sh", Code::PL002));
    }

    #[test]
    fn errors_name_the_line() {
        let e = load("[lint]\nselect = [\"PL001\", \"PL999\"]\n").unwrap_err();
        assert!(e.starts_with("ports.toml:6:") && e.contains("PL999"), "{e}");
        let e = load("[lint]\nexlude = []\n").unwrap_err();
        assert!(
            e.starts_with("ports.toml:6:") && e.contains("exlude"),
            "{e}"
        );
        let e = load("[lint]\nexclude = [\"a[\"]\n").unwrap_err();
        assert!(e.starts_with("ports.toml:6:") && e.contains("a["), "{e}");
    }
}
