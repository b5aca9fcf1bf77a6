//! portlaw-probe: live port state.
//!
//! Which sockets hold which ports, which processes hold those sockets, whether each holder is
//! the service the registry says should be there, and binding a service's port without the
//! check-then-bind race.
//!
//! Layout: [`sockets`] parses `/proc/net/*` text (pure). All reads of the running system sit
//! in one platform module (`linux`), so another OS only has to supply that module.
//!
//! ```no_run
//! let busy = portlaw_probe::held_ports()?;
//! println!("{} ports held", busy.len());
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod sockets;

#[cfg(target_os = "linux")]
mod linux;

use std::collections::BTreeSet;
use std::io;

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

#[cfg(target_os = "linux")]
use linux as platform;

#[cfg(not(target_os = "linux"))]
mod platform {
    use crate::sockets::SocketEntry;
    use std::io;
    pub fn socket_rows(_want: &dyn Fn(u16) -> bool) -> io::Result<Vec<SocketEntry>> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "portlaw-probe reads the socket table only on Linux so far",
        ))
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
}
