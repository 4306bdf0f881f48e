//! Packet pairing inside a matched stream pair, and the loss between the two points.
//!
//! A packet of A and a packet of B are the same packet when direction, sequence and ack numbers
//! (after the stream's per-direction offsets), payload length and hash, and TCP flags agree — and
//! the IP ID too when the path keeps IP IDs (decided per stream pair: keying on the IP ID still
//! pairs at least 80 % as many packets as keying without it). Packets with equal keys pair in time order. What stays
//! unpaired is present at one point and absent at the other.

use rustc_hash::FxHashMap;

use super::input::{tcp_flags, MatchInput, PacketRecord};
use super::nat::COMPARED_FLAGS;

/// The pairing of one stream pair. Indexes are into each input's `packets`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamPairing {
    /// (A packet, B packet), in A's order.
    pub pairs: Vec<(u32, u32)>,
    /// A packets with no peer in B.
    pub unpaired_a: Vec<u32>,
    /// B packets with no peer in A.
    pub unpaired_b: Vec<u32>,
    /// True when IP IDs were kept by the path (and used in the key).
    pub ip_id_kept: bool,
}

type PairKey = (u8, u32, u32, u32, u64, u8, u16);

fn key(p: &PacketRecord, seq_off: u32, ack_off: u32, with_ip_id: bool) -> PairKey {
    let ack = if p.flags & tcp_flags::ACK != 0 {
        p.ack.wrapping_add(ack_off)
    } else {
        0
    };
    (
        p.dir,
        p.seq.wrapping_add(seq_off),
        ack,
        p.payload_len,
        p.payload_hash,
        p.flags & COMPARED_FLAGS,
        if with_ip_id { p.ip_id } else { 0 },
    )
}

fn pair_with(
    a: &MatchInput,
    a_pkts: &[u32],
    b: &MatchInput,
    b_pkts: &[u32],
    offsets: [u32; 2],
    with_ip_id: bool,
) -> StreamPairing {
    let mut b_by_key: FxHashMap<PairKey, std::collections::VecDeque<u32>> = FxHashMap::default();
    for &j in b_pkts {
        if let Some(q) = b.packets.get(j as usize) {
            b_by_key
                .entry(key(q, 0, 0, with_ip_id))
                .or_default()
                .push_back(j);
        }
    }
    let mut out = StreamPairing {
        ip_id_kept: with_ip_id,
        ..Default::default()
    };
    for &i in a_pkts {
        let Some(p) = a.packets.get(i as usize) else {
            continue;
        };
        let d = usize::from(p.dir & 1);
        let k = key(p, offsets[d], offsets[1 - d], with_ip_id);
        match b_by_key.get_mut(&k).and_then(|q| q.pop_front()) {
            Some(j) => out.pairs.push((i, j)),
            None => out.unpaired_a.push(i),
        }
    }
    let mut rest: Vec<u32> = b_by_key.into_values().flatten().collect();
    rest.sort_unstable();
    out.unpaired_b = rest;
    out
}

/// Pairs the packets of one matched stream pair. `offsets[d]` is B's seq − A's seq for direction
/// d (0 when unknown). Packet lists are in file order.
pub fn pair_packets(
    a: &MatchInput,
    a_pkts: &[u32],
    b: &MatchInput,
    b_pkts: &[u32],
    offsets: [u32; 2],
) -> StreamPairing {
    let without = pair_with(a, a_pkts, b, b_pkts, offsets, false);
    let with = pair_with(a, a_pkts, b, b_pkts, offsets, true);
    // IP IDs are kept when keying on them loses (almost) nothing: a path that rewrites them
    // leaves next to no pair with equal IDs.
    if !with.pairs.is_empty() && with.pairs.len() * 5 >= without.pairs.len() * 4 {
        with
    } else {
        without
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::test_support::*;

    #[test]
    fn retransmission_lost_once_is_found_by_ip_id() {
        let mut a = Builder::new();
        let mut b = Builder::new();
        let sa = a.tcp_stream(0, "10.1.0.2:40000", "10.2.0.2:8000");
        let sb = b.tcp_stream(0, "10.1.0.2:40000", "10.2.0.2:8000");
        for (k, ipid) in [(0u32, 10u16), (1, 11), (2, 12), (3, 13)] {
            a.pkt(sa, 0, 100, 500, 0, 0, 0x10, k as i64).ip_id = ipid;
            if k != 2 {
                b.pkt(sb, 0, 100, 500, 0, 0, 0x10, k as i64 + 1).ip_id = ipid;
            }
        }
        let (ia, ib) = (a.finish(), b.finish());
        let pa: Vec<u32> = (0..4).collect();
        let pb: Vec<u32> = (0..3).collect();
        let r = pair_packets(&ia, &pa, &ib, &pb, [0, 0]);
        assert!(r.ip_id_kept);
        assert_eq!(r.pairs, vec![(0, 0), (1, 1), (3, 2)]);
        assert_eq!(r.unpaired_a, vec![2]);
        assert!(r.unpaired_b.is_empty());
    }
}
