//! What the scanners find and the rules judge: a port literal in a port position, an env var
//! lookup (with its default), a WebSocket URL, or a bind whose port comes from an env var.
//!
//! Scanners know languages and nothing of the registry; rules know the registry and nothing of
//! languages. A site is always tied to a call, a key or a position in a string, never to a bare
//! number: that is what keeps a `timeout=9000` out of every rule.

/// Where a port literal sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PortCtx {
    /// An argument of a server bind/listen/serve call.
    Bind,
    /// An argument of a client connect call.
    Connect,
    /// The port of a URL (`http://localhost:9010/x`).
    Url,
    /// A `host:port` string or a `(host, port)` pair.
    HostPort,
    /// The value of a CLI flag (`--port 9010`).
    Flag,
    /// A value given to a port-named variable, field or key (`PORT = 9010`, `{port: 9010}`).
    Assign,
    /// A port-named keyword argument outside a bind call (`connect(port=9010)`).
    Keyword,
    /// A declared listening port in a config file (Dockerfile EXPOSE, containerPort, nginx
    /// listen): these cannot read env vars.
    Listen,
    /// A published host port (compose `ports:`, `docker run -p`).
    Publish,
    /// The value of a port variable in a .env-style definition.
    EnvValue,
}

impl PortCtx {
    /// A server binding the port (what the sacred-port rule is about).
    pub fn binds(self) -> bool {
        matches!(self, PortCtx::Bind | PortCtx::Listen | PortCtx::Publish)
    }
}

/// What was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteKind {
    Port {
        port: u16,
        ctx: PortCtx,
    },
    /// `os.getenv("X", "9000")`, `${X:-9000}`, `X=9000` in a .env file (`definition`).
    Lookup {
        var: String,
        default: Option<Fallback>,
        definition: bool,
    },
    WebSocket {
        url: String,
    },
    /// A bind call whose port is read from `var` (directly or through a variable).
    BindVar {
        var: String,
    },
}

/// The literal default of a lookup, with its span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// One finding-candidate, with byte offsets into the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub kind: SiteKind,
    pub start: usize,
    pub end: usize,
}

impl Site {
    pub fn port(port: u16, ctx: PortCtx, start: usize, end: usize) -> Site {
        Site {
            kind: SiteKind::Port { port, ctx },
            start,
            end,
        }
    }
}

/// A comment, kept for inline suppressions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
}

/// Everything a scanner reports for one file.
#[derive(Debug, Default, Clone)]
pub struct Scan {
    pub sites: Vec<Site>,
    pub comments: Vec<Comment>,
}
