//! Scanners: one per language family, each turning a file's text into [`crate::site::Site`]s
//! and comments. [`Lang::detect`] picks the scanner from the file name (and a shebang).

pub mod calls;
pub mod code;
pub mod config;
pub mod shell;

use std::path::Path;

use crate::lex::Syntax;
use crate::site::Scan;

/// The languages portlaw lint reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Python,
    JavaScript,
    Html,
    Shell,
    Rust,
    Go,
    Dockerfile,
    Compose,
    Yaml,
    DotEnv,
    Nginx,
}

impl Lang {
    /// The language of `path` by its name; `first_line` settles extension-less scripts.
    pub fn detect(path: &Path, first_line: Option<&str>) -> Option<Lang> {
        let name = path.file_name()?.to_str()?;
        let lower = name.to_ascii_lowercase();
        let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        if lower == "dockerfile"
            || lower.starts_with("dockerfile.")
            || lower == "containerfile"
            || ext == "dockerfile"
        {
            return Some(Lang::Dockerfile);
        }
        if lower == ".env" || lower.starts_with(".env.") || ext == "env" {
            return Some(Lang::DotEnv);
        }
        if ext == "yml" || ext == "yaml" {
            let compose = lower.starts_with("docker-compose") || lower.starts_with("compose");
            return Some(if compose { Lang::Compose } else { Lang::Yaml });
        }
        let nginx_dir = path
            .components()
            .any(|c| c.as_os_str().to_str().is_some_and(|s| s.contains("nginx")));
        if lower == "nginx.conf" || ext == "nginx" || (ext == "conf" && nginx_dir) {
            return Some(Lang::Nginx);
        }
        Some(match ext {
            "py" | "pyw" | "pyi" => Lang::Python,
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" => Lang::JavaScript,
            "html" | "htm" | "vue" | "svelte" => Lang::Html,
            "sh" | "bash" | "zsh" | "ksh" => Lang::Shell,
            "rs" => Lang::Rust,
            "go" => Lang::Go,
            "" => {
                let l = first_line?.strip_prefix("#!")?;
                if l.contains("python") {
                    Lang::Python
                } else if l.contains("node") {
                    Lang::JavaScript
                } else if l.ends_with("sh") || l.contains("bash") || l.contains("/sh ") {
                    Lang::Shell
                } else {
                    return None;
                }
            }
            _ => return None,
        })
    }

    /// Whether code in this language can read an env var where it writes a port (so a
    /// registered port written as a literal is a hard-coded one). Dockerfile EXPOSE lines,
    /// Kubernetes manifests, nginx configs and .env files declare ports; they cannot look one up.
    pub fn reads_env(self) -> bool {
        !matches!(
            self,
            Lang::Dockerfile | Lang::Yaml | Lang::DotEnv | Lang::Nginx
        )
    }

    /// How this language reads `var` with `port` as the default: the hint of a finding.
    pub fn lookup_hint(self, var: &str, port: u16) -> String {
        match self {
            Lang::Python => format!("int(os.getenv(\"{var}\", \"{port}\"))"),
            Lang::JavaScript | Lang::Html => format!("Number(process.env.{var} ?? {port})"),
            Lang::Rust => format!(
                "std::env::var(\"{var}\").ok().and_then(|v| v.parse().ok()).unwrap_or({port})"
            ),
            Lang::Go => format!("cmp.Or(os.Getenv(\"{var}\"), \"{port}\")"),
            _ => format!("${{{var}:-{port}}}"),
        }
    }

    pub fn scan(self, src: &str) -> Scan {
        let mut out = Scan::default();
        match self {
            Lang::Python => code::scan(src, Syntax::Python, 0, &mut out),
            Lang::JavaScript => code::scan(src, Syntax::JavaScript, 0, &mut out),
            Lang::Rust => code::scan(src, Syntax::Rust, 0, &mut out),
            Lang::Go => code::scan(src, Syntax::Go, 0, &mut out),
            Lang::Html => config::html(src, &mut out),
            Lang::Shell => shell::scan(src, &mut out),
            Lang::Dockerfile => config::dockerfile(src, &mut out),
            Lang::Compose => config::yaml(src, true, &mut out),
            Lang::Yaml => config::yaml(src, false, &mut out),
            Lang::DotEnv => config::dotenv(src, &mut out),
            Lang::Nginx => config::nginx(src, &mut out),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(p: &str) -> Option<Lang> {
        Lang::detect(Path::new(p), None)
    }

    #[test]
    fn languages_by_name() {
        assert_eq!(lang("a/b.py"), Some(Lang::Python));
        assert_eq!(lang("web/x.tsx"), Some(Lang::JavaScript));
        assert_eq!(lang("web/index.html"), Some(Lang::Html));
        assert_eq!(lang("deploy/Dockerfile.prod"), Some(Lang::Dockerfile));
        assert_eq!(lang("docker-compose.override.yml"), Some(Lang::Compose));
        assert_eq!(lang("k8s/deploy.yaml"), Some(Lang::Yaml));
        assert_eq!(lang(".env.local"), Some(Lang::DotEnv));
        assert_eq!(lang("config/ports.env"), Some(Lang::DotEnv));
        assert_eq!(lang("etc/nginx/sites/app.conf"), Some(Lang::Nginx));
        assert_eq!(lang("etc/app.conf"), None);
        assert_eq!(lang("README.md"), None);
        let sh = Lang::detect(Path::new("bin/start"), Some("#!/usr/bin/env bash"));
        assert_eq!(sh, Some(Lang::Shell));
        let py = Lang::detect(Path::new("bin/tool"), Some("#!/usr/bin/env python3"));
        assert_eq!(py, Some(Lang::Python));
        assert_eq!(
            Lang::detect(Path::new("LICENSE"), Some("MIT License")),
            None
        );
    }
}
