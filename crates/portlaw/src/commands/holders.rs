//! Shared by `who`, `status`, `validate`, `free` and `exec`: a port's holders judged against
//! the registry, and how they are shown (text and JSON).

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use portlaw_core::portsenv::PortsEnv;
use portlaw_core::{Project, Registry, Service, resolve};
use portlaw_probe::{Process, Snapshot, Verdict, legit};

use crate::{CliError, Ctx, ui};

/// One holder of a port with the verdict on it.
#[derive(Debug, Clone, Serialize)]
pub struct Judged {
    /// `None`: held by a process this user cannot see.
    pub pid: Option<u32>,
    /// The socket owner's uid (known even for an unknown process).
    pub uid: u32,
    /// `tcp 127.0.0.1`, `udp [::]`, ...
    pub sockets: Vec<String>,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The verdict matters here: the port is registered or in the managed span.
    pub conflict: bool,
    pub process: Option<Process>,
}

/// A port, the service registered on it, and everything that holds it.
#[derive(Debug, Clone, Serialize)]
pub struct PortReport {
    pub port: u16,
    pub service: Option<String>,
    pub env: Option<String>,
    /// `free`, `up` (only its owner holds it), `conflict`, or `held` (an unregistered port
    /// outside the managed span, where nobody's holding is wrong).
    pub state: &'static str,
    /// TCP connections in TIME_WAIT: leftovers, reported, never holders.
    pub time_wait: usize,
    pub holders: Vec<Judged>,
}

impl PortReport {
    pub fn is_conflict(&self) -> bool {
        self.state == "conflict"
    }
}

/// Is `port` something the registry has a say about?
pub fn governed(reg: &Registry, port: u16) -> bool {
    reg.live_services().any(|s| s.port == port) || managed(reg, port)
}

/// Inside the managed span (`policy.managed`, else any range).
pub fn managed(reg: &Registry, port: u16) -> bool {
    match &reg.policy.managed {
        Some(span) => span.contains(port),
        None => reg.ranges.iter().any(|r| r.span.contains(port)),
    }
}

/// Judge every holder of `port` in `snap`; `service` is the one expected there (if any).
pub fn report(
    project: &Project,
    snap: &Snapshot,
    port: u16,
    service: Option<&Service>,
) -> PortReport {
    let reg = &project.registry;
    let state = snap.port(port);
    let service = service.or_else(|| reg.live_services().find(|s| s.port == port));
    let gov = service.is_some() || governed(reg, port);
    let holders: Vec<Judged> = state
        .holders()
        .into_iter()
        .map(|h| {
            let process = h.pid.and_then(|pid| snap.process(pid).cloned());
            let mut verdict = legit::judge(reg, &project.root, port, process.as_ref());
            // A service resolved to this port (env or ports.env) owns it even if the
            // registry's default is elsewhere.
            if let (Some(s), Some(p)) = (service, &process)
                && verdict.is_conflict()
                && legit::owns(s, &project.root, p)
            {
                verdict = Verdict::Owner {
                    service: s.id.clone(),
                };
            }
            Judged {
                pid: h.pid,
                uid: h.uid,
                sockets: h.sockets.iter().map(|b| b.to_string()).collect(),
                conflict: gov && verdict.is_conflict(),
                verdict,
                process,
            }
        })
        .collect();
    let label = if holders.is_empty() {
        "free"
    } else if holders.iter().any(|h| h.conflict) {
        "conflict"
    } else if holders.iter().all(|h| !h.verdict.is_conflict()) {
        "up"
    } else {
        "held"
    };
    PortReport {
        port,
        service: service.map(|s| s.id.clone()),
        env: service.map(|s| s.env.clone()),
        state: label,
        time_wait: state.time_wait,
        holders,
    }
}

/// A port given as a number, or a service id / env var (its resolved port).
pub fn port_arg<'r>(
    project: &'r Project,
    arg: &str,
) -> Result<(u16, Option<&'r Service>), CliError> {
    let reg = &project.registry;
    if let Ok(p) = arg.parse::<u16>() {
        if p == 0 {
            return Err(CliError::usage("port 0 is not a port anything can hold"));
        }
        return Ok((p, reg.live_services().find(|s| s.port == p)));
    }
    let s = reg.lookup(arg).filter(|s| !s.is_retired()).ok_or_else(|| {
        CliError::with_hint(
            format!(
                "'{arg}' is neither a port (1-65535) nor a live service id or env var in {}",
                reg.origin.display_path()
            ),
            "`portlaw list` shows what is registered",
        )
    })?;
    Ok((resolved_port(project, s)?, Some(s)))
}

/// The port `s` will use: environment > ports.env > registry.
pub fn resolved_port(project: &Project, s: &Service) -> Result<u16, CliError> {
    Ok(Resolver::new(project)?.port(s)?)
}

/// Resolves many services with one read of `ports.env`.
pub struct Resolver<'p> {
    project: &'p Project,
    env: Option<PortsEnv>,
}

impl<'p> Resolver<'p> {
    pub fn new(project: &'p Project) -> Result<Resolver<'p>, CliError> {
        Ok(Resolver {
            project,
            env: project.ports_env()?,
        })
    }

    pub fn port(&self, s: &Service) -> Result<u16, resolve::ResolveError> {
        resolve::resolve(&self.project.registry, s, &Ctx::getenv, self.env.as_ref()).map(|r| r.port)
    }
}

/// `2026-11-27 04:10:29 UTC (5m ago)`.
pub fn since(epoch: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!("{} ({} ago)", utc(epoch), ago(now.saturating_sub(epoch)))
}

fn ago(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{}h", s / 86400, s % 86400 / 3600),
    }
}

/// Seconds since the epoch as a UTC date and time. Hand-written (days-to-civil, after Howard
/// Hinnant's algorithm) because one timestamp format does not justify a date-time crate.
pub fn utc(epoch: u64) -> String {
    let days = (epoch / 86400) as i64;
    let secs = epoch % 86400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// A field read from `/proc` (another user's command line, cwd, ...) made safe for a terminal:
/// control characters are shown escaped (`\n`, `\x1b`), never written raw, so a process
/// cannot forge lines or terminal sequences in human output.
pub fn esc(s: impl AsRef<str>) -> String {
    let mut out = String::new();
    for c in s.as_ref().chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `pid 1234 python3 (alice)`, or `an unknown process (uid 1001)`.
pub fn short(h: &Judged) -> String {
    match (&h.process, h.pid) {
        (Some(p), _) => format!("pid {} {} ({})", p.pid, esc(&p.comm), esc(&p.user)),
        _ => format!("an unknown process (uid {})", h.uid),
    }
}

/// The verdict, coloured by how bad it is.
pub fn verdict_text(h: &Judged) -> String {
    let text = h.verdict.describe();
    if !h.verdict.is_conflict() {
        ui::paint(ui::GREEN, text)
    } else if h.conflict {
        ui::paint(ui::RED, text)
    } else {
        // An unregistered port outside the managed span: not our business.
        text.replace("intruder: ", "")
    }
}

/// Every detail of one holder, indented.
pub fn write_holder(out: &mut impl Write, h: &Judged, indent: &str) -> std::io::Result<()> {
    match &h.process {
        Some(p) => {
            write!(
                out,
                "{indent}{} {}  user {}",
                ui::paint(ui::BOLD, format!("pid {}", p.pid)),
                esc(&p.comm),
                esc(&p.user)
            )?;
            write!(out, "  parent {}", p.ppid)?;
            if let Some(t) = p.started {
                write!(out, "  since {}", since(t))?;
            }
            writeln!(out)?;
            writeln!(out, "{indent}  command: {}", esc(p.command()))?;
            if let Some(cwd) = &p.cwd {
                writeln!(out, "{indent}  cwd:     {}", esc(cwd.to_string_lossy()))?;
            }
        }
        None => writeln!(
            out,
            "{indent}{} (socket uid {}): {}",
            ui::paint(ui::BOLD, "unknown process"),
            h.uid,
            if is_root() {
                "no process here has it open (a kernel socket, or another PID namespace)"
            } else {
                "not visible to this user; run as root to see it"
            }
        )?,
    }
    writeln!(out, "{indent}  on:      {}", h.sockets.join(", "))?;
    writeln!(out, "{indent}  verdict: {}", verdict_text(h))
}

fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The command that would stop the holders of `r`.
pub fn stop_command(r: &PortReport) -> String {
    let owner = r.holders.iter().any(|h| !h.verdict.is_conflict());
    if owner {
        format!("portlaw free {} --force", r.port)
    } else {
        format!("portlaw free {}", r.port)
    }
}
