//! portlaw-core: the port registry as data.
//!
//! Everything here is pure: reading and writing files, but no sockets and no processes (those
//! live in `portlaw-probe`). The pieces:
//!
//! - [`registry`]: the model of `config/ports.toml` (ranges, services, policy) and its loader;
//! - [`discover`]: finding the registry for a working directory, or the built-in VECTRA one;
//! - [`portsenv`]: reading and generating `config/ports.env`, and its drift;
//! - [`resolve`]: env var > ports.env > registry, with bad values rejected;
//! - [`check`]: every problem in a registry at once, each with file and line;
//! - [`spec`]: importing a Markdown document in the VECTRA spec's form;
//! - [`fsutil`]: strict text reads and atomic writes.

pub mod alloc;
pub mod check;
pub mod discover;
pub mod edit;
pub mod error;
pub mod fsutil;
#[doc(hidden)]
pub mod fuzzing;
pub mod history;
pub mod lock;
pub mod ports;
pub mod portsenv;
pub mod registry;
pub mod render;
pub mod resolve;
pub mod spec;
pub mod txn;
pub mod write;

pub use discover::Project;
pub use error::Error;
pub use ports::PortSpan;
pub use registry::{Origin, Policy, PortRange, Registry, Service, Status};
