//! Race-free startup: resolve a service's port and bind it in one call.
//!
//! Checking that a port is free and then binding it leaves a window for someone else, and a
//! single probe bind lies anyway (binding `127.0.0.1` succeeds while `::1` is held). So this
//! binds every address the service asks for, and *then* reads the socket table: any holder of
//! the port other than the sockets just made is a conflict, reported by name, and nothing is
//! kept. On success the caller owns the sockets; no one can take the port from under it.
//!
//! ```no_run
//! use portlaw_probe::bind::{bind_service, DEFAULT_LISTEN};
//! let project = portlaw_core::Project::builtin(std::path::Path::new("."));
//! let bound = bind_service(&project, "recording", &|k| std::env::var(k).ok(), &DEFAULT_LISTEN)?;
//! let listener = std::net::TcpListener::from(bound.sockets.into_iter().next().unwrap());
//! # Ok::<(), portlaw_probe::bind::BindError>(())
//! ```

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::fd::AsFd;

use socket2::{Domain, Protocol, Socket, Type};

use portlaw_core::Project;
use portlaw_core::resolve::{self, ResolveError};

use crate::legit::{self, Verdict};
use crate::process::Process;
use crate::table::Bound as BoundAddr;

/// Where a service listens when the caller does not say: loopback IPv4, as the spec's
/// services bind `localhost`.
pub const DEFAULT_LISTEN: [IpAddr; 1] = [IpAddr::V4(Ipv4Addr::LOCALHOST)];

/// A service's port, bound.
#[derive(Debug)]
pub struct Bound {
    pub service: String,
    pub env: String,
    pub port: u16,
    /// One socket per address, in the order asked: listening (TCP) or bound (UDP).
    pub sockets: Vec<Socket>,
}

/// Someone else holds the port.
#[derive(Debug, Clone)]
pub struct Conflict {
    pub bound: Vec<BoundAddr>,
    /// `None` when the process cannot be seen.
    pub process: Option<Process>,
    pub verdict: Verdict,
}

/// Why a port could not be bound.
#[derive(Debug)]
pub enum BindError {
    UnknownService(String),
    Resolve(ResolveError),
    Registry(portlaw_core::Error),
    /// The port is held; `holders` says by whom (may be empty if the holder left meanwhile).
    InUse {
        port: u16,
        cause: Option<io::Error>,
        holders: Vec<Conflict>,
    },
    Io(io::Error),
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindError::UnknownService(s) => write!(f, "no service '{s}' in the registry"),
            BindError::Resolve(e) => write!(f, "{e}"),
            BindError::Registry(e) => write!(f, "{e}"),
            BindError::Io(e) => write!(f, "{e}"),
            BindError::InUse {
                port,
                cause,
                holders,
            } => {
                write!(f, "port {port} is already in use")?;
                if let Some(c) = cause {
                    write!(f, " ({c})")?;
                }
                for h in holders {
                    let on: Vec<String> = h.bound.iter().map(|b| b.to_string()).collect();
                    match &h.process {
                        Some(p) => write!(
                            f,
                            "; held by pid {} `{}` (user {}) on {}: {}",
                            p.pid,
                            p.command(),
                            p.user,
                            on.join(", "),
                            h.verdict.describe()
                        )?,
                        None => write!(
                            f,
                            "; held on {} by a process this user cannot see",
                            on.join(", ")
                        )?,
                    }
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for BindError {}

impl From<io::Error> for BindError {
    fn from(e: io::Error) -> Self {
        BindError::Io(e)
    }
}

/// Resolve `id`'s port (environment > ports.env > registry) and bind it on `addrs`; an empty
/// `addrs` means the service's own `listen` addresses, else [`DEFAULT_LISTEN`].
pub fn bind_service(
    project: &Project,
    id: &str,
    getenv: &dyn Fn(&str) -> Option<String>,
    addrs: &[IpAddr],
) -> Result<Bound, BindError> {
    let reg = &project.registry;
    let service = reg
        .lookup(id)
        .filter(|s| !s.is_retired())
        .ok_or_else(|| BindError::UnknownService(id.to_string()))?;
    let ports_env = project.ports_env().map_err(BindError::Registry)?;
    let r =
        resolve::resolve(reg, service, getenv, ports_env.as_ref()).map_err(BindError::Resolve)?;
    let addrs = match (addrs, service.listen.as_slice()) {
        ([], []) => &DEFAULT_LISTEN[..],
        ([], own) => own,
        (given, _) => given,
    };
    let sockets = bind_port(r.port, addrs, service.udp).map_err(|e| judged(e, project))?;
    Ok(Bound {
        service: service.id.clone(),
        env: service.env.clone(),
        port: r.port,
        sockets,
    })
}

/// Fill in verdicts once the registry is known.
fn judged(mut e: BindError, project: &Project) -> BindError {
    if let BindError::InUse { port, holders, .. } = &mut e {
        for h in holders.iter_mut() {
            h.verdict = legit::judge(&project.registry, &project.root, *port, h.process.as_ref());
        }
    }
    e
}

/// Bind `port` on every address in `addrs` (TCP listening sockets, or UDP when `udp`), and
/// fail, naming the holders, if anything else holds the port on any address.
pub fn bind_port(port: u16, addrs: &[IpAddr], udp: bool) -> Result<Vec<Socket>, BindError> {
    let has_v4 = addrs.iter().any(IpAddr::is_ipv4);
    let mut sockets = Vec::with_capacity(addrs.len());
    for (i, &addr) in addrs.iter().enumerate() {
        // An address given twice (`--addr X --addr X`) is bound once: a second bind would
        // collide with our own first socket and read as "in use" with nobody holding it.
        if addrs[..i].contains(&addr) {
            continue;
        }
        match open_one(SocketAddr::new(addr, port), udp, has_v4) {
            Ok(s) => sockets.push(s),
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                drop(sockets);
                return Err(in_use(port, Some(e), &[])?);
            }
            Err(e) => {
                return Err(BindError::Io(io::Error::new(
                    e.kind(),
                    format!("{addr} port {port}: {e}"),
                )));
            }
        }
    }
    // Ours are known by inode; everything else on the port is someone else's.
    let mine: Vec<u64> = sockets
        .iter()
        .map(|s| rustix::fs::fstat(s.as_fd()).map(|st| st.st_ino))
        .collect::<Result<_, _>>()
        .map_err(io::Error::from)?;
    let e = in_use(port, None, &mine)?;
    match &e {
        BindError::InUse { holders, .. } if holders.is_empty() => Ok(sockets),
        _ => Err(e),
    }
}

fn open_one(at: SocketAddr, udp: bool, v6_only: bool) -> io::Result<Socket> {
    let (ty, proto) = if udp {
        (Type::DGRAM, Protocol::UDP)
    } else {
        (Type::STREAM, Protocol::TCP)
    };
    let s = Socket::new(Domain::for_address(at), ty.cloexec(), Some(proto))?;
    if at.is_ipv6() && v6_only {
        // Both families asked for: each socket takes only its own.
        s.set_only_v6(true)?;
    }
    if !udp {
        // Lets a restarted server bind over its predecessor's TIME_WAIT connections.
        s.set_reuse_address(true)?;
    }
    s.bind(&at.into())?;
    if !udp {
        s.listen(1024)?;
    }
    Ok(s)
}

/// The holders of `port` other than the sockets `mine`, as an `InUse` error.
fn in_use(port: u16, cause: Option<io::Error>, mine: &[u64]) -> Result<BindError, BindError> {
    let snap = crate::snapshot(&|p| p == port)?;
    let mut state = snap.port(port);
    state.sockets.retain(|s| !mine.contains(&s.inode));
    let holders = state
        .holders()
        .into_iter()
        .map(|h| Conflict {
            bound: h.sockets,
            process: h.pid.and_then(|pid| snap.process(pid).cloned()),
            verdict: if h.pid.is_some() {
                Verdict::Foreign
            } else {
                Verdict::Unknown
            },
        })
        .collect();
    Ok(BindError::InUse {
        port,
        cause,
        holders,
    })
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::net::{Ipv6Addr, TcpListener, UdpSocket};

    fn v6() -> bool {
        TcpListener::bind("[::1]:0").is_ok()
    }

    #[test]
    fn binds_both_families_and_the_port_is_then_held() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addrs: Vec<IpAddr> = if v6() {
            vec![Ipv4Addr::LOCALHOST.into(), Ipv6Addr::LOCALHOST.into()]
        } else {
            vec![Ipv4Addr::LOCALHOST.into()]
        };
        let socks = bind_port(port, &addrs, false).unwrap();
        assert_eq!(socks.len(), addrs.len());
        assert!(crate::held_ports().unwrap().contains(&port));
    }

    #[test]
    fn a_holder_on_another_address_is_a_conflict_even_though_our_bind_succeeds() {
        if !v6() {
            eprintln!("skipped: no IPv6 loopback here");
            return;
        }
        let other = TcpListener::bind("[::1]:0").unwrap();
        let port = other.local_addr().unwrap().port();
        // A bind on 127.0.0.1 alone would succeed: the socket table says otherwise.
        let e = bind_port(port, &DEFAULT_LISTEN, false).unwrap_err();
        let BindError::InUse { holders, .. } = &e else {
            panic!("{e}")
        };
        assert_eq!(holders.len(), 1);
        assert_eq!(holders[0].process.as_ref().unwrap().pid, std::process::id());
        assert!(
            e.to_string()
                .contains(&format!("port {port} is already in use")),
            "{e}"
        );
        // Nothing was kept: our own 127.0.0.1 socket was dropped.
        drop(other);
        assert!(!crate::held_ports().unwrap().contains(&port));
    }

    #[test]
    fn an_address_given_twice_is_bound_once() {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let socks = bind_port(port, &[lo, lo], false).unwrap();
        assert_eq!(socks.len(), 1);
    }

    #[test]
    fn udp_binds_and_same_address_conflict_names_the_holder() {
        let other = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = other.local_addr().unwrap().port();
        let e = bind_port(port, &DEFAULT_LISTEN, true).unwrap_err();
        assert!(matches!(e, BindError::InUse { cause: Some(_), .. }), "{e}");
        assert!(e.to_string().contains("held by pid"), "{e}");
        drop(other);
        assert_eq!(bind_port(port, &DEFAULT_LISTEN, true).unwrap().len(), 1);
    }
}

/// Places `sockets` at file descriptors 3, 4, ... (without close-on-exec) and returns the
/// systemd socket-activation variables that describe them (`LISTEN_FDS`, `LISTEN_PID`,
/// `LISTEN_FDNAMES`, each fd named `name`). For a caller that is about to `exec`: the pid
/// stays the same across exec, and whatever was at fds 3.. is replaced.
#[cfg(unix)]
pub fn into_listen_fds(sockets: Vec<Socket>, name: &str) -> io::Result<Vec<(String, String)>> {
    use std::os::fd::{FromRawFd, OwnedFd};
    let n = sockets.len();
    const FIRST: i32 = 3;
    // Move them clear of the target range first, so placing one never closes another.
    let high: Vec<OwnedFd> = sockets
        .iter()
        .map(|s| rustix::io::fcntl_dupfd_cloexec(s, FIRST + n as i32))
        .collect::<Result<_, _>>()?;
    drop(sockets);
    for (i, fd) in high.iter().enumerate() {
        // SAFETY: the target number is about to be overwritten by dup2 and is forgotten right
        // after, so this OwnedFd never closes it; nothing else in this process relies on it
        // because the caller execs next.
        let mut target = unsafe { OwnedFd::from_raw_fd(FIRST + i as i32) };
        let r = rustix::io::dup2(fd, &mut target);
        std::mem::forget(target);
        r?;
    }
    Ok(vec![
        ("LISTEN_FDS".into(), n.to_string()),
        ("LISTEN_PID".into(), std::process::id().to_string()),
        ("LISTEN_FDNAMES".into(), vec![name; n].join(":")),
    ])
}
