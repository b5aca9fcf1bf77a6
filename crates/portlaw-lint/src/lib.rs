//! portlaw-lint: the port rules of the registry, enforced in source code.
//!
//! The pipeline, per file: [`scan`] turns text into [`site::Site`]s (a port literal in a port
//! position, an env lookup, a WebSocket URL) without knowing the registry; [`rules`] judge each
//! site against the registry; [`suppress`] applies inline `portlaw: ignore[CODE] reason`
//! comments. [`engine`] walks a tree in parallel with a literal prefilter so that only files
//! that could hold a finding are scanned.
//!
//! ```
//! use portlaw_lint::{Linter, config::LintConfig};
//! let reg = portlaw_core::Registry::builtin();
//! let linter = Linter::new(&reg, LintConfig::default());
//! let found = linter.lint_text("svc/app.py", "app.run(port=9010)\n").unwrap();
//! assert_eq!(found[0].code.as_str(), "PL001");
//! ```

pub mod config;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod engine;
#[doc(hidden)]
pub mod fuzzing;
pub mod lex;
pub mod rules;
pub mod scan;
pub mod site;
pub mod suppress;
pub mod text;

pub use diag::{Code, Diagnostic};
pub use engine::{Linter, Report, Skipped};
