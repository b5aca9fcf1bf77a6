//! The socket table joined with its processes: for each port, every socket that holds it and
//! every process that holds each socket.
//!
//! Assembly is pure ([`Snapshot::assemble`]): rows from the socket table, an inode → pids
//! map and the processes, from whatever source. A socket whose inode maps to no visible
//! process (another user's, another namespace's, no permission) gets an *unknown* holder: the
//! port is busy, and it is never reported as free.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use crate::process::Process;
use crate::sockets::{Proto, SocketEntry, State};

/// A socket that holds a port, and the processes that hold the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Socket {
    pub proto: Proto,
    pub addr: IpAddr,
    /// The socket's owner uid, from the socket table (known even when the process is not).
    pub uid: u32,
    pub inode: u64,
    /// Every process with this socket open (several for a pre-forked server). Empty when
    /// none could be seen: the holder is unknown.
    pub pids: Vec<u32>,
}

/// What holds one port.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PortState {
    pub port: u16,
    /// Listening TCP and bound UDP sockets on this port, any address.
    pub sockets: Vec<Socket>,
    /// TCP connections in TIME_WAIT on this port: leftovers, not holders.
    pub time_wait: usize,
}

impl PortState {
    pub fn is_held(&self) -> bool {
        !self.sockets.is_empty()
    }

    /// One entry per holding process (sockets grouped), then one per socket with no
    /// visible process.
    pub fn holders(&self) -> Vec<Holder> {
        let mut by_pid: BTreeMap<u32, Vec<Bound>> = BTreeMap::new();
        let mut unknown = Vec::new();
        for s in &self.sockets {
            let b = Bound {
                proto: s.proto,
                addr: s.addr,
            };
            if s.pids.is_empty() {
                unknown.push(Holder {
                    pid: None,
                    uid: s.uid,
                    sockets: vec![b],
                });
            }
            for &pid in &s.pids {
                let v = by_pid.entry(pid).or_default();
                if !v.contains(&b) {
                    v.push(b);
                }
            }
        }
        let uid_of = |pid: u32| {
            self.sockets
                .iter()
                .find(|s| s.pids.contains(&pid))
                .map_or(0, |s| s.uid)
        };
        by_pid
            .into_iter()
            .map(|(pid, sockets)| Holder {
                pid: Some(pid),
                uid: uid_of(pid),
                sockets,
            })
            .chain(unknown)
            .collect()
    }
}

/// A protocol and address a holder is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bound {
    pub proto: Proto,
    pub addr: IpAddr,
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.addr {
            IpAddr::V4(a) => write!(f, "{} {a}", self.proto.as_str()),
            IpAddr::V6(a) => write!(f, "{} [{a}]", self.proto.as_str()),
        }
    }
}

/// One holder of a port: a process (by pid) or an unknown one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Holder {
    /// `None`: the socket is held by a process portlaw cannot see.
    pub pid: Option<u32>,
    /// The socket owner's uid.
    pub uid: u32,
    pub sockets: Vec<Bound>,
}

/// Port states for the ports asked about, and the processes that hold them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Snapshot {
    pub ports: BTreeMap<u16, PortState>,
    pub processes: BTreeMap<u32, Process>,
}

impl Snapshot {
    /// Joins socket rows (already filtered to the ports of interest) with `owners`
    /// (socket inode → pids) and `processes`. Rows in other states than LISTEN / bound UDP /
    /// TIME_WAIT are ignored.
    pub fn assemble(
        rows: &[SocketEntry],
        owners: &HashMap<u64, Vec<u32>>,
        processes: BTreeMap<u32, Process>,
    ) -> Snapshot {
        let mut ports: BTreeMap<u16, PortState> = BTreeMap::new();
        for r in rows {
            if r.port == 0 || !(r.state.holds_port() || r.state == State::TimeWait) {
                continue;
            }
            let p = ports.entry(r.port).or_insert_with(|| PortState {
                port: r.port,
                ..PortState::default()
            });
            if r.state == State::TimeWait {
                p.time_wait += 1;
                continue;
            }
            // Only pids whose details were read count; the rest make the holder unknown.
            let mut pids = owners.get(&r.inode).cloned().unwrap_or_default();
            pids.retain(|pid| processes.contains_key(pid));
            pids.sort_unstable();
            pids.dedup();
            p.sockets.push(Socket {
                proto: r.proto,
                addr: r.addr,
                uid: r.uid,
                inode: r.inode,
                pids,
            });
        }
        Snapshot { ports, processes }
    }

    /// The state of `port` (free when absent).
    pub fn port(&self, port: u16) -> PortState {
        self.ports.get(&port).cloned().unwrap_or(PortState {
            port,
            ..PortState::default()
        })
    }

    pub fn process(&self, pid: u32) -> Option<&Process> {
        self.processes.get(&pid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sockets::{Proto, parse_table};

    const TCP: &str = "   0: 0100007F:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 100 1 0 100 0 0 10 0
   1: 0100007F:2328 0100007F:D4A2 06 00000000:00000000 03:00000F3E 00000000     0        0 0 3 0
   2: 00000000:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1001        0 200 1 0 100 0 0 10 0
   3: 0100007F:232A 0100007F:D4A2 06 00000000:00000000 03:00000F3E 00000000     0        0 0 3 0
";

    fn proc_(pid: u32) -> Process {
        Process {
            pid,
            ppid: 1,
            uid: 1000,
            user: "alice".into(),
            comm: "srv".into(),
            exe: None,
            cmdline: vec!["srv".into()],
            cwd: None,
            started: None,
            start_ticks: 5,
        }
    }

    #[test]
    fn an_inode_without_a_visible_process_is_an_unknown_holder_not_free() {
        let rows: Vec<_> = parse_table(TCP, Proto::Tcp, false).collect();
        // Inode 100 is held by pids 10 and 11 (pre-forked); inode 200 by nobody we can see.
        let owners = HashMap::from([(100, vec![11, 10, 10])]);
        let procs = BTreeMap::from([(10, proc_(10)), (11, proc_(11))]);
        let snap = Snapshot::assemble(&rows, &owners, procs);

        let p9000 = snap.port(9000);
        assert!(p9000.is_held());
        assert_eq!(p9000.time_wait, 1);
        let h = p9000.holders();
        assert_eq!(
            h.iter().map(|h| h.pid).collect::<Vec<_>>(),
            [Some(10), Some(11)]
        );

        let p9001 = snap.port(9001);
        assert!(p9001.is_held(), "unseen holder must not read as free");
        let h = p9001.holders();
        assert_eq!((h.len(), h[0].pid, h[0].uid), (1, None, 1001));
    }

    #[test]
    fn time_wait_alone_is_not_a_holder() {
        let rows: Vec<_> = parse_table(TCP, Proto::Tcp, false).collect();
        let snap = Snapshot::assemble(&rows, &HashMap::new(), BTreeMap::new());
        let p = snap.port(9002);
        assert!(!p.is_held());
        assert_eq!(p.time_wait, 1);
        assert!(!snap.port(9999).is_held());
    }

    #[test]
    fn a_pid_whose_details_vanished_counts_as_unknown() {
        let rows: Vec<_> = parse_table(TCP, Proto::Tcp, false).collect();
        let owners = HashMap::from([(100, vec![10])]);
        let snap = Snapshot::assemble(&rows, &owners, BTreeMap::new());
        assert_eq!(snap.port(9000).holders()[0].pid, None);
    }
}
