//! The socket table through `NETLINK_SOCK_DIAG`, the interface `ss` uses.
//!
//! Reading `/proc/net/tcp` makes the kernel format every connection on the machine as text;
//! a sock_diag dump asks for listening (and TIME_WAIT) sockets only and gets fixed-size binary
//! records, which on a busy machine is several times cheaper. Hand-written because the
//! netlink crates that cover this bring a dozen dependencies for three structs; the message
//! layout is `linux/inet_diag.h` and `linux/netlink.h`, and the decoding is unit-tested.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rustix::net::{
    AddressFamily, RecvFlags, SendFlags, SocketFlags, SocketType, netlink, recv, sendto,
    socket_with,
};

use crate::sockets::{Proto, SocketEntry, State};

const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLM_F_REQUEST: u16 = 0x1;
const NLM_F_DUMP: u16 = 0x300;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const NLMSG_HDRLEN: usize = 16;
/// `struct inet_diag_msg` without its attributes.
const DIAG_MSG_LEN: usize = 72;

const TCP_LISTEN: u32 = 10;
const TCP_TIME_WAIT: u32 = 6;
const TCP_CLOSE: u32 = 7;

/// Every TCP socket in LISTEN or TIME_WAIT and every unconnected UDP socket, IPv4 and IPv6.
/// An error means sock_diag is unavailable here; the caller falls back to `/proc/net`.
pub fn dump() -> io::Result<Vec<SocketEntry>> {
    let fd = socket_with(
        AddressFamily::NETLINK,
        SocketType::RAW,
        SocketFlags::CLOEXEC,
        Some(netlink::SOCK_DIAG),
    )?;
    let mut rows = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let asks = [
        (
            libc_af(false),
            Proto::Tcp,
            (1 << TCP_LISTEN) | (1 << TCP_TIME_WAIT),
        ),
        (
            libc_af(true),
            Proto::Tcp,
            (1 << TCP_LISTEN) | (1 << TCP_TIME_WAIT),
        ),
        (libc_af(false), Proto::Udp, 1 << TCP_CLOSE),
        (libc_af(true), Proto::Udp, 1 << TCP_CLOSE),
    ];
    for (seq, (family, proto, states)) in asks.into_iter().enumerate() {
        let req = request(family, proto, states, seq as u32 + 1);
        sendto(
            &fd,
            &req,
            SendFlags::empty(),
            &netlink::SocketAddrNetlink::new(0, 0),
        )?;
        'recv: loop {
            let (_, n) = recv(&fd, &mut buf[..], RecvFlags::empty())?;
            let mut at = 0;
            while at + NLMSG_HDRLEN <= n {
                let len = u32::from_ne_bytes(buf[at..at + 4].try_into().unwrap()) as usize;
                let kind = u16::from_ne_bytes(buf[at + 4..at + 6].try_into().unwrap());
                if len < NLMSG_HDRLEN || at + len > n {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "short netlink message",
                    ));
                }
                match kind {
                    NLMSG_DONE => break 'recv,
                    NLMSG_ERROR => {
                        let errno =
                            i32::from_ne_bytes(buf[at + 16..at + 20].try_into().unwrap_or([0; 4]));
                        // IPv6 may be compiled out or disabled: that family is just empty.
                        if family == libc_af(true) {
                            break 'recv;
                        }
                        return Err(io::Error::from_raw_os_error(-errno));
                    }
                    _ => {
                        if let Some(e) = parse_msg(&buf[at + NLMSG_HDRLEN..at + len], proto) {
                            rows.push(e);
                        }
                    }
                }
                at += (len + 3) & !3;
            }
        }
    }
    Ok(rows)
}

fn libc_af(v6: bool) -> u8 {
    if v6 { 10 } else { 2 }
}

/// `nlmsghdr` + `inet_diag_req_v2` asking for a dump of `proto` sockets of `family` in
/// `states` (a bit per TCP state number).
fn request(family: u8, proto: Proto, states: u32, seq: u32) -> Vec<u8> {
    let mut m = Vec::with_capacity(72);
    m.extend_from_slice(&72u32.to_ne_bytes());
    m.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    m.extend_from_slice(&(NLM_F_REQUEST | NLM_F_DUMP).to_ne_bytes());
    m.extend_from_slice(&seq.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes());
    let ipproto = match proto {
        Proto::Tcp => 6,
        Proto::Udp => 17,
    };
    m.extend_from_slice(&[family, ipproto, 0, 0]);
    m.extend_from_slice(&states.to_ne_bytes());
    m.resize(72, 0); // inet_diag_sockid: all zero, no filtering by address
    m
}

/// Decodes one `inet_diag_msg`.
pub fn parse_msg(b: &[u8], proto: Proto) -> Option<SocketEntry> {
    if b.len() < DIAG_MSG_LEN {
        return None;
    }
    let family = b[0];
    let state = b[1];
    // id starts at 4: sport (be16), dport (be16), src[16], dst[16], if, cookie[2].
    let port = u16::from_be_bytes([b[4], b[5]]);
    let addr = match family {
        2 => IpAddr::V4(Ipv4Addr::new(b[8], b[9], b[10], b[11])),
        10 => IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(&b[8..24]).ok()?)),
        _ => return None,
    };
    let word = |i: usize| u32::from_ne_bytes(b[i..i + 4].try_into().unwrap());
    // After the 48-byte id (4..52): expires, rqueue, wqueue, uid, inode.
    let uid = word(64);
    let inode = u64::from(word(68));
    let state = match (proto, state) {
        (Proto::Tcp, 10) => State::Listen,
        (Proto::Tcp, 6) => State::TimeWait,
        (Proto::Udp, 7) => State::UdpBound,
        (_, s) => State::Other(s),
    };
    Some(SocketEntry {
        proto,
        addr,
        port,
        state,
        uid,
        inode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(family: u8, state: u8, port: u16, addr: &[u8], uid: u32, inode: u32) -> Vec<u8> {
        let mut b = vec![0u8; DIAG_MSG_LEN + 8];
        b[0] = family;
        b[1] = state;
        b[4..6].copy_from_slice(&port.to_be_bytes());
        b[8..8 + addr.len()].copy_from_slice(addr);
        b[64..68].copy_from_slice(&uid.to_ne_bytes());
        b[68..72].copy_from_slice(&inode.to_ne_bytes());
        b
    }

    #[test]
    fn decodes_v4_and_v6_records() {
        let e = parse_msg(&msg(2, 10, 9000, &[127, 0, 0, 1], 1000, 4242), Proto::Tcp).unwrap();
        assert_eq!(
            (e.addr, e.port, e.state, e.uid, e.inode),
            (
                "127.0.0.1".parse().unwrap(),
                9000,
                State::Listen,
                1000,
                4242
            )
        );
        let mut one = [0u8; 16];
        one[15] = 1;
        let e = parse_msg(&msg(10, 7, 53, &one, 0, 7), Proto::Udp).unwrap();
        assert_eq!((e.addr, e.state), ("::1".parse().unwrap(), State::UdpBound));
        let e = parse_msg(&msg(2, 6, 9000, &[127, 0, 0, 1], 0, 0), Proto::Tcp).unwrap();
        assert_eq!(e.state, State::TimeWait);
    }

    #[test]
    fn short_or_foreign_records_are_skipped() {
        assert!(parse_msg(&[0u8; 10], Proto::Tcp).is_none());
        assert!(parse_msg(&msg(1, 10, 1, &[], 0, 0), Proto::Tcp).is_none());
    }

    #[test]
    fn request_layout() {
        let r = request(2, Proto::Tcp, 1 << 10, 7);
        assert_eq!(r.len(), 72);
        assert_eq!(u32::from_ne_bytes(r[0..4].try_into().unwrap()), 72);
        assert_eq!(
            u16::from_ne_bytes(r[4..6].try_into().unwrap()),
            SOCK_DIAG_BY_FAMILY
        );
        assert_eq!(&r[16..18], &[2, 6]);
        assert_eq!(u32::from_ne_bytes(r[20..24].try_into().unwrap()), 1 << 10);
    }

    #[test]
    fn live_dump_agrees_with_proc_net() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let Ok(rows) = dump() else {
            eprintln!("sock_diag unavailable here: skipped");
            return;
        };
        let mine: Vec<_> = rows.iter().filter(|r| r.port == port).collect();
        let proc_rows = super::super::proc_rows(&|p| p == port).unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(proc_rows.len(), 1);
        assert_eq!(mine[0], &proc_rows[0]);
    }
}
