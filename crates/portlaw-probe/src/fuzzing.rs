//! Property checks shared by the cargo-fuzz targets (`fuzz/`) and the corpus replay test
//! (`crates/portlaw/tests/fuzz_corpus.rs`). Panics when a property fails.

use crate::sockets::{Proto, parse_table};

fn proto(bit: u8) -> Proto {
    if bit & 1 == 0 { Proto::Tcp } else { Proto::Udp }
}

/// A `/proc/net/{tcp,udp}{,6}` table (first byte: bit 0 UDP, bit 1 IPv6): parsing never panics
/// and yields at most one entry per line.
pub fn proc_net(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let rows = parse_table(text, proto(pick), pick & 2 != 0).count();
    assert!(rows <= text.lines().count());
}

/// One `inet_diag_msg` body (first byte: bit 0 UDP): decoding never panics, and a decoded
/// record carries the big-endian source port of its id.
#[cfg(target_os = "linux")]
pub fn netlink(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    if let Some(e) = crate::linux::diag::parse_msg(rest, proto(pick)) {
        assert_eq!(e.port, u16::from_be_bytes([rest[4], rest[5]]));
    }
}
