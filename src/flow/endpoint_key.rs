//! A compact, orientation-free key for an address/port pair, and the direction of a packet in it.

use std::net::IpAddr;

/// Direction of a packet within a conversation: A is the source of the conversation's first packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From A to B.
    AtoB,
    /// From B to A.
    BtoA,
}

/// Both endpoints of a conversation, stored in a canonical order so that either orientation of a
/// packet finds the same key. Addresses are widened to 128 bits (IPv4 keeps a family tag so that
/// `10.0.0.1` and `::a00:1` never collide).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EndpointKey {
    lo_addr: u128,
    hi_addr: u128,
    lo_port: u16,
    hi_port: u16,
    v6: bool,
}

fn widen(a: IpAddr) -> (u128, bool) {
    match a {
        IpAddr::V4(v4) => (u32::from(v4) as u128, false),
        IpAddr::V6(v6) => (u128::from(v6), true),
    }
}

impl EndpointKey {
    /// The key for a packet from `src:sport` to `dst:dport`, and whether the packet goes from the
    /// key's low endpoint to its high endpoint.
    pub fn new(src: IpAddr, sport: u16, dst: IpAddr, dport: u16) -> (Self, bool) {
        let (s, s6) = widen(src);
        let (d, d6) = widen(dst);
        let v6 = s6 || d6;
        if (s, sport) <= (d, dport) {
            (
                EndpointKey {
                    lo_addr: s,
                    hi_addr: d,
                    lo_port: sport,
                    hi_port: dport,
                    v6,
                },
                true,
            )
        } else {
            (
                EndpointKey {
                    lo_addr: d,
                    hi_addr: s,
                    lo_port: dport,
                    hi_port: sport,
                    v6,
                },
                false,
            )
        }
    }
}
