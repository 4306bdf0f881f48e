//! Sequence-offset matching, for firewalls that add a constant to the sequence numbers of a
//! direction (and take it off the acks coming back), possibly together with NAT and rewritten IP
//! IDs: streams are linked by payload hashes alone (direction, length, hash), and for a matched
//! pair the offset of each direction is the most common difference of the raw sequence numbers of
//! packets carrying the same payload (acks of the other direction and the SYN / SYN-ACK ISNs vote
//! too).

use rustc_hash::FxHashMap;

use super::candidates::{packed_key, Candidates, StreamIndex};
use super::input::{tcp_flags, MatchInput, PacketRecord, Proto, StreamSummary, DIR_C2S, DIR_S2C};
use super::orientation::unoriented;

/// Most B sequence numbers remembered per payload key inside one stream pair.
const MAX_SEQS_PER_KEY: usize = 8;

/// Adds payload-hash evidence (direction, length, hash; length > 0) weighted by 1 / (number of B
/// streams holding the key). Keys in more than [`super::candidates::MAX_STREAMS_PER_KEY`] B
/// streams are ignored.
pub fn add_evidence(a: &MatchInput, b: &MatchInput, cands: &mut Candidates) {
    let key = |p: &PacketRecord| {
        packed_key(&[u64::from(p.dir), u64::from(p.payload_len), p.payload_hash])
    };
    let mut index: StreamIndex<u64> = StreamIndex::default();
    for p in b.packets.iter().filter(|p| p.payload_len > 0) {
        index.insert(key(p), p.stream);
    }
    for p in a.packets.iter().filter(|p| p.payload_len > 0) {
        let hits = index.lookup(&key(p));
        if !hits.is_empty() {
            credit(cands, p.stream, hits.into_iter());
            continue;
        }
        // A flow seen reply first at one point is oriented the other way there (see
        // [`super::orientation`]): its payloads are looked up with the direction turned too.
        let a_free = unoriented(a.streams.get(p.stream as usize));
        let turned = PacketRecord {
            dir: p.dir ^ 1,
            ..*p
        };
        let ok = |j: &u32| a_free || unoriented(b.streams.get(*j as usize));
        credit(
            cands,
            p.stream,
            index.lookup(&key(&turned)).into_iter().filter(ok),
        );
    }
}

/// Adds one A payload's evidence to the B streams `hits` (each weighted 1 / their number).
fn credit(cands: &mut Candidates, a_stream: u32, hits: impl Iterator<Item = u32> + Clone) {
    cands.share(a_stream, hits, |e, w| {
        e.payload += w;
        e.payload_keys = e.payload_keys.saturating_add(1);
    });
}

/// Per-direction sequence offsets (B's raw seq − A's raw seq, modulo 2^32) of a matched TCP stream
/// pair, indexed by [`DIR_C2S`] / [`DIR_S2C`]. None for a direction without any vote; always None
/// for UDP.
pub fn estimate_offsets(
    a: &MatchInput,
    a_pkts: &[u32],
    sa: &StreamSummary,
    b: &MatchInput,
    b_pkts: &[u32],
    sb: &StreamSummary,
) -> [Option<u32>; 2] {
    if sa.proto != Proto::Tcp || sb.proto != Proto::Tcp {
        return [None, None];
    }
    let mut by_payload: FxHashMap<(u8, u32, u64), Vec<&PacketRecord>> = FxHashMap::default();
    for p in b_pkts.iter().filter_map(|&i| b.packets.get(i as usize)) {
        if p.payload_len == 0 {
            continue;
        }
        let list = by_payload
            .entry((p.dir, p.payload_len, p.payload_hash))
            .or_default();
        if list.len() < MAX_SEQS_PER_KEY {
            list.push(p);
        }
    }
    let mut votes: [FxHashMap<u32, u32>; 2] = [FxHashMap::default(), FxHashMap::default()];
    for p in a_pkts.iter().filter_map(|&i| a.packets.get(i as usize)) {
        if p.payload_len == 0 {
            continue;
        }
        let Some(list) = by_payload.get(&(p.dir, p.payload_len, p.payload_hash)) else {
            continue;
        };
        let d = usize::from(p.dir & 1);
        for q in list {
            *votes[d].entry(q.seq.wrapping_sub(p.seq)).or_default() += 2;
            if p.flags & tcp_flags::ACK != 0 && q.flags & tcp_flags::ACK != 0 {
                *votes[1 - d].entry(q.ack.wrapping_sub(p.ack)).or_default() += 1;
            }
        }
    }
    if let (Some(x), Some(y)) = (sa.syn, sb.syn) {
        *votes[usize::from(DIR_C2S)]
            .entry(y.isn.wrapping_sub(x.isn))
            .or_default() += 3;
    }
    if let (Some(x), Some(y)) = (sa.synack, sb.synack) {
        *votes[usize::from(DIR_S2C)]
            .entry(y.isn.wrapping_sub(x.isn))
            .or_default() += 3;
    }
    let pick = |v: &FxHashMap<u32, u32>| -> Option<u32> {
        // Most votes; ties go to the smallest offset so the answer never depends on map order.
        v.iter()
            .max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0)))
            .map(|(off, _)| *off)
    };
    [pick(&votes[0]), pick(&votes[1])]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::test_support::*;

    #[test]
    fn offsets_per_direction_from_payload_and_acks() {
        let d = 0x1234_5678u32;
        let mut a = Builder::new();
        let mut b = Builder::new();
        let sa = a.tcp_stream(0, "10.1.0.2:40000", "10.2.0.2:8000");
        let sb = b.tcp_stream(5, "10.2.0.1:6000", "10.2.0.2:8000");
        // no SYNs: offsets must come from payload and acks alone
        for k in 0..5u32 {
            let seq = 1000 + k * 100;
            a.pkt(
                sa,
                0,
                seq,
                5000,
                b"req-".len() as u32 + k,
                100 + k,
                0x18,
                k as i64,
            );
            b.pkt(
                sb,
                0,
                seq.wrapping_add(d),
                5000,
                b"req-".len() as u32 + k,
                100 + k,
                0x18,
                k as i64,
            );
            a.pkt(sa, 1, 5000, seq + 10, 50, 200 + k, 0x18, k as i64);
            b.pkt(
                sb,
                1,
                5000,
                (seq + 10).wrapping_add(d),
                50,
                200 + k,
                0x18,
                k as i64,
            );
        }
        let (ia, ib) = (a.finish(), b.finish());
        let pa: Vec<u32> = (0..ia.packets.len() as u32).collect();
        let pb: Vec<u32> = (0..ib.packets.len() as u32).collect();
        let off = estimate_offsets(&ia, &pa, &ia.streams[0], &ib, &pb, &ib.streams[0]);
        assert_eq!(off, [Some(d), Some(0)]);
    }
}
