//! Every operating-system read portlaw-probe makes on Linux, and nothing else.
//!
//! The rest of the crate is portable parsing and logic; a macOS port supplies the same few
//! functions (socket rows, socket-inode → pid mapping, process details, signalling) from
//! `libproc`/`sysctl` instead of `/proc`.

use crate::sockets::{self, Proto, SocketEntry};
use std::io;

const TABLES: [(&str, Proto, bool); 4] = [
    ("/proc/net/tcp", Proto::Tcp, false),
    ("/proc/net/tcp6", Proto::Tcp, true),
    ("/proc/net/udp", Proto::Udp, false),
    ("/proc/net/udp6", Proto::Udp, true),
];

/// Read all four socket tables, keeping rows whose local port passes `want`.
/// A missing table (IPv6 disabled) is an empty table, not an error.
pub fn socket_rows(want: &dyn Fn(u16) -> bool) -> io::Result<Vec<SocketEntry>> {
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
