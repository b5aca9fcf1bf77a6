//! Every operating-system read portlaw-probe makes on Linux, and nothing else.
//!
//! The rest of the crate is portable parsing and logic; a macOS port supplies the same few
//! functions (socket rows, socket-inode → pid mapping, process details, signalling) from
//! `libproc`/`sysctl` instead of `/proc`.

use std::collections::{HashMap, HashSet};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;

use rustix::fs::{self, Dir, Mode, OFlags};
use rustix::process::{Pid, PidfdFlags, Signal, pidfd_open, pidfd_send_signal};

use crate::process::{self, Process};
use crate::sockets::{self, Proto, SocketEntry};

const TABLES: [(&str, Proto, bool); 4] = [
    ("/proc/net/tcp", Proto::Tcp, false),
    ("/proc/net/tcp6", Proto::Tcp, true),
    ("/proc/net/udp", Proto::Udp, false),
    ("/proc/net/udp6", Proto::Udp, true),
];

pub(crate) mod diag;

/// Listening TCP, TIME_WAIT and bound UDP sockets whose local port passes `want`: from
/// sock_diag when the kernel offers it, else from `/proc/net`.
pub fn socket_rows(want: &dyn Fn(u16) -> bool) -> io::Result<Vec<SocketEntry>> {
    match diag::dump() {
        Ok(mut rows) => {
            rows.retain(|r| want(r.port));
            Ok(rows)
        }
        Err(_) => proc_rows(want),
    }
}

/// Read all four `/proc/net` socket tables, keeping rows whose local port passes `want`.
/// A missing table (IPv6 disabled) is an empty table, not an error.
pub fn proc_rows(want: &dyn Fn(u16) -> bool) -> io::Result<Vec<SocketEntry>> {
    let mut rows = Vec::new();
    for (path, proto, v6) in TABLES {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(io::Error::new(e.kind(), format!("{path}: {e}"))),
        };
        rows.extend(
            text.lines()
                .filter(|l| sockets::line_port(l).is_some_and(want))
                .filter_map(|l| sockets::parse_line(l, proto, v6)),
        );
    }
    Ok(rows)
}

/// Walk `/proc/*/fd` for sockets whose inode is in `wanted`, returning inode → pids.
///
/// This is the expensive part on a loaded machine (one readlink per open file of every
/// process), so it does the least per fd: no path building, one reused buffer, the
/// `socket:[` prefix compared before any number is parsed, and the processes split across
/// the machine's cores. Processes we may not inspect are skipped; their sockets stay
/// unmapped and so read as held by an unknown process.
pub fn socket_owners(wanted: &HashSet<u64>) -> HashMap<u64, Vec<u32>> {
    let mut found: HashMap<u64, Vec<u32>> = HashMap::new();
    if wanted.is_empty() {
        return found;
    }
    let Ok(proc_dir) = fs::open("/proc", OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty()) else {
        return found;
    };
    let Ok(entries) = Dir::read_from(&proc_dir) else {
        return found;
    };
    let pids: Vec<u32> = entries
        .flatten()
        .filter_map(|e| parse_u32(e.file_name().to_bytes()))
        .collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4)
        .min(pids.len() / 64 + 1);
    let parts: Vec<Vec<(u64, u32)>> = if workers <= 1 {
        vec![scan(&proc_dir, &pids, wanted)]
    } else {
        let chunk = pids.len().div_ceil(workers);
        std::thread::scope(|sc| {
            let handles: Vec<_> = pids
                .chunks(chunk)
                .map(|c| sc.spawn(|| scan(&proc_dir, c, wanted)))
                .collect();
            handles.into_iter().filter_map(|h| h.join().ok()).collect()
        })
    };
    for (inode, pid) in parts.into_iter().flatten() {
        let v = found.entry(inode).or_default();
        if !v.contains(&pid) {
            v.push(pid);
        }
    }
    found
}

/// The (inode, pid) pairs among `pids`' open files.
fn scan(proc_dir: &OwnedFd, pids: &[u32], wanted: &HashSet<u64>) -> Vec<(u64, u32)> {
    let mut hits = Vec::new();
    let mut link = Vec::with_capacity(64);
    for &pid in pids {
        let Ok(fd_dir) = fs::openat(
            proc_dir,
            format!("{pid}/fd"),
            OFlags::RDONLY | OFlags::DIRECTORY,
            Mode::empty(),
        ) else {
            continue;
        };
        let Ok(fds) = fd_dir.try_clone().and_then(|d| Ok(Dir::new(d)?)) else {
            continue;
        };
        for fd in fds.flatten() {
            let fd_name = fd.file_name();
            if fd_name.to_bytes().first() == Some(&b'.') {
                continue;
            }
            let Ok(target) = fs::readlinkat(&fd_dir, fd_name, std::mem::take(&mut link)) else {
                continue;
            };
            if let Some(inode) = target
                .as_bytes()
                .strip_prefix(b"socket:[")
                .and_then(|r| r.strip_suffix(b"]"))
                .and_then(parse_u64)
                && wanted.contains(&inode)
            {
                hits.push((inode, pid));
            }
            link = target.into_bytes();
            link.clear();
        }
    }
    hits
}

fn parse_u32(b: &[u8]) -> Option<u32> {
    parse_u64(b).and_then(|v| u32::try_from(v).ok())
}

fn parse_u64(b: &[u8]) -> Option<u64> {
    if b.is_empty() || b.len() > 19 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0')))
}

/// Boot time and clock rate, to turn a start time in ticks into a wall-clock time.
pub struct Clock {
    btime: Option<u64>,
    hz: u64,
    passwd: String,
}

impl Clock {
    pub fn new() -> Clock {
        Clock {
            btime: std::fs::read_to_string("/proc/stat")
                .ok()
                .and_then(|t| process::parse_btime(&t)),
            hz: rustix::param::clock_ticks_per_second().max(1),
            passwd: std::fs::read_to_string("/etc/passwd").unwrap_or_default(),
        }
    }
}

/// Reads `/proc/<pid>/stat` alone: enough to recheck a process's identity.
pub fn stat(pid: u32) -> Option<process::Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    process::parse_stat(&text)
}

/// Everything portlaw shows about `pid`, or `None` when it is gone or hidden.
pub fn process(pid: u32, clock: &Clock) -> Option<Process> {
    let base = format!("/proc/{pid}");
    let st = stat(pid)?;
    let uid = std::fs::metadata(&base).ok()?.uid();
    let cmdline = std::fs::read(format!("{base}/cmdline"))
        .map(|b| process::parse_cmdline(&b))
        .unwrap_or_default();
    Some(Process {
        pid,
        ppid: st.ppid,
        uid,
        user: process::user_name(&clock.passwd, uid).unwrap_or_else(|| uid.to_string()),
        comm: st.comm,
        exe: std::fs::read_link(format!("{base}/exe")).ok(),
        cmdline,
        cwd: std::fs::read_link(format!("{base}/cwd")).ok(),
        started: clock.btime.map(|b| b + st.start_ticks / clock.hz),
        start_ticks: st.start_ticks,
    })
}

/// A live process, pinned by a pidfd so a signal can never reach a newcomer that reused the
/// pid: the pidfd is opened first, then the start time is rechecked against the one seen in
/// the snapshot; from then on the pidfd names exactly that process.
pub struct Pinned {
    fd: OwnedFd,
    pub pid: u32,
}

impl Pinned {
    /// `Ok(None)` when the process already exited or its pid now belongs to another process.
    pub fn open(pid: u32, start_ticks: u64) -> io::Result<Option<Pinned>> {
        let Some(p) = Pid::from_raw(pid as i32) else {
            return Ok(None);
        };
        let fd = match pidfd_open(p, PidfdFlags::empty()) {
            Ok(fd) => fd,
            Err(rustix::io::Errno::SRCH) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        match stat(pid) {
            Some(st) if st.start_ticks == start_ticks && st.state != 'Z' => {
                Ok(Some(Pinned { fd, pid }))
            }
            _ => Ok(None),
        }
    }

    pub fn signal(&self, kill: bool) -> io::Result<()> {
        let sig = if kill { Signal::KILL } else { Signal::TERM };
        match pidfd_send_signal(&self.fd, sig) {
            Ok(()) | Err(rustix::io::Errno::SRCH) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Has the process exited? (A zombie has: its sockets are closed.)
    pub fn exited(&self, start_ticks: u64) -> bool {
        match stat(self.pid) {
            Some(st) => st.state == 'Z' || st.start_ticks != start_ticks,
            None => true,
        }
    }
}
