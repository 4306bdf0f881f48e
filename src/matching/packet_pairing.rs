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

/// When an A packet is expected at B, from the clock model: equal-key copies (a SYN and its
/// retransmissions) of which fewer crossed pair with the B copies nearest that time.
#[derive(Clone, Copy)]
pub struct ArrivalModel<'a> {
    /// The expected time at B (B's clock, ns) of an A packet.
    pub expected_at_b: &'a dyn Fn(&PacketRecord) -> i64,
    /// Gaps up to this (ns) count as "on time": copies that close together are told apart by
    /// order only (first with first), as without a model.
    pub tolerance_ns: i64,
}

/// Largest equal-key group (A copies × B copies) resolved by time; bigger groups pair in order.
const MAX_TIMED_GROUP: usize = 4096;

/// Pairs one key's A copies with its B copies (both in file order). Without a model, or when both
/// sides hold the same number of copies, they pair in order. Else the pairs whose gap to the
/// expected time exceeds the tolerance least are taken first, ties in order: of a SYN sent twice
/// a second apart and seen once at B, the copy that arrived on time pairs.
fn pair_group(
    a: &MatchInput,
    xs: &[u32],
    b: &MatchInput,
    ys: &[u32],
    model: Option<ArrivalModel<'_>>,
    out: &mut StreamPairing,
) {
    let timed = match model {
        Some(m) if xs.len() != ys.len() && xs.len().saturating_mul(ys.len()) <= MAX_TIMED_GROUP => {
            Some(m)
        }
        _ => None,
    };
    let Some(m) = timed else {
        out.pairs.extend(xs.iter().copied().zip(ys.iter().copied()));
        out.unpaired_a.extend(xs.iter().skip(ys.len()));
        out.unpaired_b.extend(ys.iter().skip(xs.len()));
        return;
    };
    // (excess over the tolerance, position in xs, position in ys)
    let mut cands: Vec<(i64, usize, usize)> = Vec::with_capacity(xs.len() * ys.len());
    for (x, &i) in xs.iter().enumerate() {
        let Some(p) = a.packets.get(i as usize) else {
            continue;
        };
        let want = (m.expected_at_b)(p);
        for (y, &j) in ys.iter().enumerate() {
            if let Some(q) = b.packets.get(j as usize) {
                let gap = q.ts_ns.saturating_sub(want).saturating_abs();
                cands.push((gap.saturating_sub(m.tolerance_ns).max(0), x, y));
            }
        }
    }
    cands.sort_unstable();
    let mut used_x = vec![false; xs.len()];
    let mut used_y = vec![false; ys.len()];
    for (_, x, y) in cands {
        if used_x[x] || used_y[y] {
            continue;
        }
        used_x[x] = true;
        used_y[y] = true;
        out.pairs.push((xs[x], ys[y]));
    }
    out.unpaired_a.extend(
        xs.iter()
            .zip(&used_x)
            .filter(|(_, u)| !**u)
            .map(|(i, _)| *i),
    );
    out.unpaired_b.extend(
        ys.iter()
            .zip(&used_y)
            .filter(|(_, u)| !**u)
            .map(|(j, _)| *j),
    );
}

/// One key's copies: (a connection attempt, A packets, B packets).
type Group = (bool, Vec<u32>, Vec<u32>);

/// Whether a key is a client SYN (SYN without ACK). Only these copies are told apart by arrival
/// time: a lost SYN is retransmitted after a timeout of a second or more, and the client's SYN
/// count is what [`super::missing_syn`] reports. Other retransmitted copies (a server's SYN-ACK,
/// data) pair first with first, which is also how the two-point lab's loss truth
/// (`loss_detail.tsv`) pairs them.
fn is_connection_attempt(k: &PairKey) -> bool {
    k.5 & (tcp_flags::SYN | tcp_flags::ACK) == tcp_flags::SYN
}

fn pair_with(
    a: &MatchInput,
    a_pkts: &[u32],
    b: &MatchInput,
    b_pkts: &[u32],
    offsets: [u32; 2],
    with_ip_id: bool,
    model: Option<ArrivalModel<'_>>,
) -> StreamPairing {
    // Per key: (A copies, B copies), each in file order; keys in first-seen order.
    let mut slot_of: FxHashMap<PairKey, usize> = FxHashMap::default();
    let mut groups: Vec<Group> = Vec::new();
    let mut slot = |k: PairKey, groups: &mut Vec<Group>| -> usize {
        *slot_of.entry(k).or_insert_with(|| {
            groups.push((is_connection_attempt(&k), Vec::new(), Vec::new()));
            groups.len() - 1
        })
    };
    for &j in b_pkts {
        if let Some(q) = b.packets.get(j as usize) {
            let g = slot(key(q, 0, 0, with_ip_id), &mut groups);
            if let Some(x) = groups.get_mut(g) {
                x.2.push(j);
            }
        }
    }
    for &i in a_pkts {
        if let Some(p) = a.packets.get(i as usize) {
            let d = usize::from(p.dir & 1);
            let g = slot(key(p, offsets[d], offsets[1 - d], with_ip_id), &mut groups);
            if let Some(x) = groups.get_mut(g) {
                x.1.push(i);
            }
        }
    }
    let mut out = StreamPairing {
        ip_id_kept: with_ip_id,
        ..Default::default()
    };
    for (attempt, xs, ys) in &groups {
        pair_group(a, xs, b, ys, model.filter(|_| *attempt), &mut out);
    }
    out.pairs.sort_unstable();
    out.unpaired_a.sort_unstable();
    out.unpaired_b.sort_unstable();
    out
}

/// Pairs the packets of one matched stream pair. `offsets[d]` is B's seq − A's seq for direction
/// d (0 when unknown). Packet lists are in file order. `model` (once the clock is known) decides
/// which copies of a retransmitted packet crossed when the counts differ.
pub fn pair_packets(
    a: &MatchInput,
    a_pkts: &[u32],
    b: &MatchInput,
    b_pkts: &[u32],
    offsets: [u32; 2],
    model: Option<ArrivalModel<'_>>,
) -> StreamPairing {
    let without = pair_with(a, a_pkts, b, b_pkts, offsets, false, model);
    let with = pair_with(a, a_pkts, b, b_pkts, offsets, true, model);
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
        let r = pair_packets(&ia, &pa, &ib, &pb, [0, 0], None);
        assert!(r.ip_id_kept);
        assert_eq!(r.pairs, vec![(0, 0), (1, 1), (3, 2)]);
        assert_eq!(r.unpaired_a, vec![2]);
        assert!(r.unpaired_b.is_empty());
    }

    /// B holds three copies of a client SYN (sent, retransmitted a second later, and once more
    /// 100 µs after that); A saw one. The copy a second early is lost; the two close copies are
    /// within the tolerance, so the first of them pairs (order decides, as without a model), not
    /// merely the nearest. A SYN-ACK's copies pair in order whatever the model.
    #[test]
    fn syn_copies_pair_by_arrival_time_beyond_the_tolerance_only() {
        let run = |flags: u8, model: Option<ArrivalModel<'_>>| {
            let mut a = Builder::new();
            let mut b = Builder::new();
            let sa = a.tcp_stream(0, "10.1.0.2:40000", "10.2.0.2:8000");
            let sb = b.tcp_stream(0, "10.1.0.2:40000", "10.2.0.2:8000");
            b.pkt(sb, 0, 700, 0, 0, 0, flags, 0);
            b.pkt(sb, 0, 700, 0, 0, 0, flags, 1_000_000_000);
            b.pkt(sb, 0, 700, 0, 0, 0, flags, 1_000_100_000);
            a.pkt(sa, 0, 700, 0, 0, 0, flags, 1_000_130_000);
            let (ia, ib) = (a.finish(), b.finish());
            pair_packets(&ia, &[0], &ib, &[0, 1, 2], [0, 0], model)
        };
        // No clock offset; B's packets reach A 10 µs later.
        let expected = |p: &PacketRecord| p.ts_ns - 10_000;
        let model = ArrivalModel {
            expected_at_b: &expected,
            tolerance_ns: 5_000_000,
        };
        let syn = tcp_flags::SYN;
        let r = run(syn, Some(model));
        assert_eq!(r.pairs, vec![(0, 1)]);
        assert_eq!(r.unpaired_b, vec![0, 2]);
        // Without a model the first copy pairs.
        assert_eq!(run(syn, None).pairs, vec![(0, 0)]);
        // With no tolerance the nearest copy pairs.
        let strict = ArrivalModel {
            tolerance_ns: 0,
            ..model
        };
        assert_eq!(run(syn, Some(strict)).pairs, vec![(0, 2)]);
        // SYN-ACK copies: in order.
        let synack = tcp_flags::SYN | tcp_flags::ACK;
        assert_eq!(run(synack, Some(model)).pairs, vec![(0, 0)]);
    }
}
