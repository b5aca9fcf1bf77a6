//! Parsing the kernel's socket tables, `/proc/net/{tcp,tcp6,udp,udp6}`.
//!
//! Pure text in, [`SocketEntry`] out, so it is unit-tested on literal `/proc` lines and can be
//! fed from any source. Only the columns portlaw needs are decoded (addresses, state, uid,
//! inode); the rest of the line is skipped without allocation. Hand-written rather than taken
//! from the `procfs` crate: these are six columns of a fixed format, and the crate would add
//! its dependency tree and parse every column of every row.
//!
//! ```
//! use portlaw_probe::sockets::{parse_line, Proto, State};
//! let line = "   0: 0100007F:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0 100 0 0 10 0";
//! let e = parse_line(line, Proto::Tcp, false).unwrap();
//! assert_eq!((e.port, e.state, e.inode), (9000, State::Listen, 4242));
//! assert_eq!(e.addr.to_string(), "127.0.0.1");
//! ```

use serde::Serialize;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Transport protocol of a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

/// The socket states portlaw distinguishes. The kernel's numbering (`include/net/tcp_states.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// TCP LISTEN (0x0A): the socket owns the port.
    Listen,
    /// An unconnected UDP socket (0x07, TCP_CLOSE): it is bound and receives on the port.
    UdpBound,
    /// TCP TIME_WAIT (0x06): a closed connection's leftover; it holds nothing a listener needs.
    TimeWait,
    /// Any other state (established connections, connected UDP, ...).
    Other(u8),
}

impl State {
    fn decode(proto: Proto, st: u8) -> State {
        match (proto, st) {
            (Proto::Tcp, 0x0A) => State::Listen,
            (Proto::Tcp, 0x06) => State::TimeWait,
            (Proto::Udp, 0x07) => State::UdpBound,
            (_, other) => State::Other(other),
        }
    }

    /// Does a socket in this state hold its port against a new listener?
    pub fn holds_port(self) -> bool {
        matches!(self, State::Listen | State::UdpBound)
    }
}

/// One row of a socket table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SocketEntry {
    pub proto: Proto,
    pub addr: IpAddr,
    pub port: u16,
    pub state: State,
    pub uid: u32,
    /// The socket inode: the key that ties this row to `/proc/<pid>/fd/* -> socket:[inode]`.
    pub inode: u64,
}

/// Parse one data line of `/proc/net/{tcp,udp}` (`v6 = false`) or `{tcp6,udp6}` (`v6 = true`).
/// Returns `None` for the header line or anything malformed.
pub fn parse_line(line: &str, proto: Proto, v6: bool) -> Option<SocketEntry> {
    let mut f = line.split_ascii_whitespace();
    let _sl = f.next().filter(|s| s.ends_with(':'))?;
    let local = f.next()?;
    let _remote = f.next()?;
    let st = u8::from_str_radix(f.next()?, 16).ok()?;
    let _queues = f.next()?;
    let _timer = f.next()?;
    let _retr = f.next()?;
    let uid = f.next()?.parse().ok()?;
    let _timeout = f.next()?;
    let inode = f.next()?.parse().ok()?;
    let (addr, port) = parse_endpoint(local, v6)?;
    Some(SocketEntry {
        proto,
        addr,
        port,
        state: State::decode(proto, st),
        uid,
        inode,
    })
}

/// Only the local port of a line, for cheap filtering before a full parse.
pub fn line_port(line: &str) -> Option<u16> {
    let mut f = line.split_ascii_whitespace();
    f.next().filter(|s| s.ends_with(':'))?;
    let local = f.next()?;
    let (_, port) = local.rsplit_once(':')?;
    u16::from_str_radix(port, 16).ok()
}

/// Parse every line of a whole table file; malformed lines are skipped.
pub fn parse_table(text: &str, proto: Proto, v6: bool) -> impl Iterator<Item = SocketEntry> + '_ {
    text.lines().filter_map(move |l| parse_line(l, proto, v6))
}

/// `ADDR:PORT` in the kernel's hex form. Addresses are printed as native-endian 32-bit words
/// of network-order bytes, so each word goes back through `to_ne_bytes`.
fn parse_endpoint(s: &str, v6: bool) -> Option<(IpAddr, u16)> {
    let (a, p) = s.split_once(':')?;
    let port = u16::from_str_radix(p, 16).ok()?;
    let addr = if v6 {
        if a.len() != 32 {
            return None;
        }
        let mut bytes = [0u8; 16];
        for (i, chunk) in bytes.chunks_mut(4).enumerate() {
            let word = u32::from_str_radix(a.get(i * 8..i * 8 + 8)?, 16).ok()?;
            chunk.copy_from_slice(&word.to_ne_bytes());
        }
        IpAddr::V6(Ipv6Addr::from(bytes))
    } else {
        if a.len() != 8 {
            return None;
        }
        let word = u32::from_str_radix(a, 16).ok()?;
        IpAddr::V4(Ipv4Addr::from(word.to_ne_bytes()))
    };
    Some((addr, port))
}

#[cfg(all(test, target_endian = "little"))]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 31337 1 0000000000000000 100 0 0 10 0
   1: 00000000:2329 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 31338 1 0000000000000000 100 0 0 10 0
   2: 0100007F:2328 0100007F:D4A2 06 00000000:00000000 03:00000F3E 00000000     0        0 0 3 0000000000000000
   3: 0100007F:9C40 0100007F:2328 01 00000000:00000000 00:00000000 00000000  1000        0 40000 1 0000000000000000 20 4 30 10 -1
";
    const TCP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 50001 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 50002 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 50003 1 0000000000000000 100 0 0 10 0
";
    const UDP: &str = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 12345 2 0000000000000000 0
  200: 0A00020F:A1B2 08080808:0035 01 00000000:00000000 00:00000000 00000000  1000        0 12346 2 0000000000000000 0
";

    #[test]
    fn ipv4_tcp_rows_decode_address_port_state_uid_inode() {
        let rows: Vec<_> = parse_table(TCP, Proto::Tcp, false).collect();
        assert_eq!(rows.len(), 4, "header skipped, four rows");
        assert_eq!(rows[0].addr, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(
            (rows[0].port, rows[0].uid, rows[0].inode),
            (9000, 1000, 31337)
        );
        assert_eq!(rows[0].state, State::Listen);
        assert_eq!(rows[1].addr, IpAddr::from([0, 0, 0, 0]));
        assert_eq!(rows[1].port, 9001);
        assert_eq!(rows[2].state, State::TimeWait);
        assert!(!rows[2].state.holds_port());
        assert_eq!(rows[3].state, State::Other(1));
        assert_eq!(rows[3].port, 40000);
    }

    #[test]
    fn ipv6_rows_decode_loopback_any_and_mapped() {
        let rows: Vec<_> = parse_table(TCP6, Proto::Tcp, true).collect();
        assert_eq!(rows[0].addr, "::1".parse::<IpAddr>().unwrap());
        assert_eq!(rows[0].port, 9000);
        assert_eq!(rows[1].addr, "::".parse::<IpAddr>().unwrap());
        assert_eq!(rows[1].port, 8080);
        assert_eq!(rows[2].addr, "::ffff:127.0.0.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn udp_unconnected_is_bound_connected_is_not() {
        let rows: Vec<_> = parse_table(UDP, Proto::Udp, false).collect();
        assert_eq!(rows[0].addr, IpAddr::from([127, 0, 0, 53]));
        assert_eq!(rows[0].port, 53);
        assert_eq!(rows[0].state, State::UdpBound);
        assert!(rows[0].state.holds_port());
        assert_eq!(rows[1].state, State::Other(1));
        assert!(!rows[1].state.holds_port());
    }

    #[test]
    fn malformed_lines_are_skipped_not_guessed() {
        assert!(parse_line("", Proto::Tcp, false).is_none());
        assert!(
            parse_line(
                "   0: 0100007F:ZZZZ 00000000:0000 0A 0:0 0:0 0 0 0 1",
                Proto::Tcp,
                false
            )
            .is_none()
        );
        assert!(
            parse_line(
                "   0: 00007F:2328 00000000:0000 0A 0:0 0:0 0 0 0 1",
                Proto::Tcp,
                false
            )
            .is_none()
        );
        assert!(
            parse_line(
                "   0: 0100007F:2328 00000000:0000 0A 0:0",
                Proto::Tcp,
                false
            )
            .is_none()
        );
    }

    #[test]
    fn line_port_reads_only_the_local_port() {
        let line = TCP.lines().nth(2).unwrap();
        assert_eq!(line_port(line), Some(9001));
        assert_eq!(line_port(TCP.lines().next().unwrap()), None);
    }
}
