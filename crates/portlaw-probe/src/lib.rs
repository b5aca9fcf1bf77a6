//! portlaw-probe: live port state.
//!
//! Which sockets hold which ports, which processes hold those sockets, whether each holder is
//! the service the registry says should be there, and binding a service's port without the
//! check-then-bind race.
//!
//! - [`sockets`]: parsing `/proc/net/{tcp,tcp6,udp,udp6}` (pure);
//! - [`process`]: what is known about a process, and the `/proc/<pid>/*` parsers (pure);
//! - [`table`]: sockets joined with their processes, per port (pure assembly);
//! - [`legit`]: owner, wrong service, foreign or unknown;
//! - [`bind`]: resolve a service's port and bind it in one call.
//!
//! All reads of the running system sit in one platform module (`linux`); another OS only has
//! to supply that module.
//!
//! ```no_run
//! let busy = portlaw_probe::held_ports()?;
//! let snap = portlaw_probe::snapshot(&|p| p == 9010)?;
//! for h in snap.port(9010).holders() {
//!     println!("{:?} holds 9010 on {:?}", h.pid, h.sockets);
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod bind;
#[doc(hidden)]
pub mod fuzzing;
pub mod legit;
pub mod process;
pub mod sockets;
pub mod table;

#[cfg(target_os = "linux")]
mod linux;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io;

pub use legit::Verdict;
pub use process::Process;
pub use table::{Holder, PortState, Snapshot};

/// Every port held on this machine (in this network namespace): a TCP socket in LISTEN or a
/// bound, unconnected UDP socket, on any address, IPv4 or IPv6. No process mapping is done,
/// so this is a few reads of `/proc/net/*` and nothing more.
pub fn held_ports() -> io::Result<BTreeSet<u16>> {
    Ok(platform::socket_rows(&|_| true)?
        .into_iter()
        .filter(|e| e.state.holds_port() && e.port != 0)
        .map(|e| e.port)
        .collect())
}

/// The holders of every port for which `want` is true, with their processes.
///
/// The socket table is read first and only the inodes of holding sockets on wanted ports
/// are then looked for among the processes' open files, so asking about a few ports on a
/// busy machine costs one pass over file descriptors and no more.
pub fn snapshot(want: &dyn Fn(u16) -> bool) -> io::Result<Snapshot> {
    let rows = platform::socket_rows(want)?;
    let wanted: HashSet<u64> = rows
        .iter()
        .filter(|r| r.state.holds_port() && r.inode != 0)
        .map(|r| r.inode)
        .collect();
    let owners = platform::socket_owners(&wanted);
    let mut pids: Vec<u32> = owners.values().flatten().copied().collect();
    pids.sort_unstable();
    pids.dedup();
    let clock = platform::Clock::new();
    let processes: BTreeMap<u32, Process> = pids
        .into_iter()
        .filter_map(|pid| platform::process(pid, &clock).map(|p| (pid, p)))
        .collect();
    Ok(Snapshot::assemble(&rows, &owners, processes))
}

/// A process pinned for signalling (see [`Pinned::open`]); safe against pid reuse.
pub use platform::Pinned;

#[cfg(target_os = "linux")]
use linux as platform;

#[cfg(not(target_os = "linux"))]
mod platform {
    //! Placeholder until another OS supplies its socket table and process reads.
    use crate::process::Process;
    use crate::sockets::SocketEntry;
    use std::collections::{HashMap, HashSet};
    use std::io;

    fn unsupported() -> io::Error {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "portlaw-probe reads live port state only on Linux so far",
        )
    }
    pub fn socket_rows(_want: &dyn Fn(u16) -> bool) -> io::Result<Vec<SocketEntry>> {
        Err(unsupported())
    }
    pub fn socket_owners(_wanted: &HashSet<u64>) -> HashMap<u64, Vec<u32>> {
        HashMap::new()
    }
    pub struct Clock;
    impl Clock {
        pub fn new() -> Clock {
            Clock
        }
    }
    pub fn process(_pid: u32, _clock: &Clock) -> Option<Process> {
        None
    }
    pub struct Pinned {
        pub pid: u32,
    }
    impl Pinned {
        pub fn open(_pid: u32, _start_ticks: u64) -> io::Result<Option<Pinned>> {
            Err(unsupported())
        }
        pub fn signal(&self, _kill: bool) -> io::Result<()> {
            Err(unsupported())
        }
        pub fn exited(&self, _start_ticks: u64) -> bool {
            true
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::net::{TcpListener, UdpSocket};

    #[test]
    fn held_ports_sees_tcp_listeners_and_udp_binds_on_v4_and_v6() {
        let t4 = TcpListener::bind("127.0.0.1:0").unwrap();
        let u4 = UdpSocket::bind("0.0.0.0:0").unwrap();
        let held = super::held_ports().unwrap();
        assert!(held.contains(&t4.local_addr().unwrap().port()));
        assert!(held.contains(&u4.local_addr().unwrap().port()));
        if let Ok(t6) = TcpListener::bind("[::1]:0") {
            let p = t6.local_addr().unwrap().port();
            assert!(super::held_ports().unwrap().contains(&p));
        }
    }

    #[test]
    fn a_closed_listener_is_no_longer_held() {
        let t = TcpListener::bind("127.0.0.1:0").unwrap();
        let p = t.local_addr().unwrap().port();
        drop(t);
        assert!(!super::held_ports().unwrap().contains(&p));
    }

    #[test]
    fn pinning_refuses_a_pid_whose_start_time_differs() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        let ticks = super::platform::stat(pid).unwrap().start_ticks;
        // Same pid, another start time: a reused pid, never to be signalled.
        assert!(super::Pinned::open(pid, ticks + 1).unwrap().is_none());
        let pin = super::Pinned::open(pid, ticks)
            .unwrap()
            .expect("live and matching");
        assert!(!pin.exited(ticks));
        pin.signal(false).unwrap();
        child.wait().unwrap();
        assert!(pin.exited(ticks));
        assert!(super::Pinned::open(pid, ticks).unwrap().is_none(), "gone");
    }

    #[test]
    fn snapshot_maps_our_own_listener_to_this_process() {
        let t = TcpListener::bind("127.0.0.1:0").unwrap();
        let p = t.local_addr().unwrap().port();
        let snap = super::snapshot(&|x| x == p).unwrap();
        let h = snap.port(p).holders();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].pid, Some(std::process::id()));
        let me = snap.process(std::process::id()).unwrap();
        assert!(me.started.is_some() && me.cwd.is_some() && !me.cmdline.is_empty());
        assert_eq!(h[0].sockets[0].to_string(), "tcp 127.0.0.1");
    }
}
