//! NAT / PAT / VIP matching: addresses and ports differ, packets do not. Evidence is per packet:
//! the same direction, IP ID, length, payload hash and TCP flags in both captures ("IP ID runs");
//! together with ISN equality ([`super::direct`]) and payload hashes ([`super::seq_offset`]) it
//! links translated streams. [`translation`] names what was rewritten.

use super::candidates::{packed_key, Candidates, StreamIndex};
use super::input::{endpoint_text, tcp_flags, MatchInput, PacketRecord, StreamSummary};
use super::orientation::unoriented;

/// Flags compared between points: FIN SYN RST PSH ACK (ECN bits may be remarked).
pub const COMPARED_FLAGS: u8 = 0x1f;

/// Adds IP-ID packet evidence: for each A packet, the B streams holding a packet with the same
/// (direction, IP ID, length, payload hash, flags), weighted by 1 / (number of such streams).
pub fn add_evidence(a: &MatchInput, b: &MatchInput, cands: &mut Candidates) {
    let mut index: StreamIndex<u64> = StreamIndex::default();
    // IP ID 0 identifies nothing (Linux sends SYN-ACKs and RSTs with it; IPv6 has no ID), and a
    // bare ACK is only 16 bits of ID: among thousands of ACKs at each point, equal IDs happen by
    // chance. Packets with payload or SYN/FIN/RST carry the evidence.
    let useful = |p: &&PacketRecord| {
        p.ip_id != 0
            && (p.payload_len > 0
                || p.flags & (tcp_flags::SYN | tcp_flags::FIN | tcp_flags::RST) != 0)
    };
    for p in b.packets.iter().filter(useful) {
        index.insert(key(p), p.stream);
    }
    // A stream without SYN / SYN-ACK is oriented by its first packet: when that packet was lost
    // between the points, one side sees the flow reply first and the directions are swapped
    // (see [`super::orientation`]). Such packets are looked up with the direction turned too,
    // when nothing matches as is.
    for p in a.packets.iter().filter(useful) {
        let hits = index.lookup(&key(p));
        if !hits.is_empty() {
            credit(cands, p.stream, hits.into_iter());
            continue;
        }
        let a_free = unoriented(a.streams.get(p.stream as usize));
        let turned = PacketRecord {
            dir: p.dir ^ 1,
            ..*p
        };
        let hits = index.lookup(&key(&turned));
        let ok = |j: &u32| a_free || unoriented(b.streams.get(*j as usize));
        credit(cands, p.stream, hits.into_iter().filter(ok));
    }
}

/// Adds one A packet's evidence to the B streams `hits` (each weighted 1 / their number).
fn credit(cands: &mut Candidates, a_stream: u32, hits: impl Iterator<Item = u32> + Clone) {
    cands.share(a_stream, hits, |e, w| {
        e.ipid += w;
        e.ipid_packets = e.ipid_packets.saturating_add(1);
    });
}

/// Packet identity when IP IDs survive the path: direction, IP ID, length, payload, flags.
fn key(p: &PacketRecord) -> u64 {
    packed_key(&[
        u64::from(p.dir) | u64::from(p.flags & COMPARED_FLAGS) << 8 | u64::from(p.ip_id) << 16,
        u64::from(p.payload_len),
        p.payload_hash,
    ])
}

/// The inferred translation between a stream seen in A and in B: the client endpoint when it
/// changed (SNAT/PAT), else the server endpoint (DNAT/VIP). Returns the primary one as
/// `a_ip:a_port->b_ip:b_port` and the full list (both ends when both changed).
pub fn translation(a: &StreamSummary, b: &StreamSummary) -> (Option<String>, Vec<String>) {
    let mut all = Vec::new();
    if a.client != b.client {
        all.push(format!(
            "{}->{}",
            endpoint_text(&a.client),
            endpoint_text(&b.client)
        ));
    }
    if a.server != b.server {
        all.push(format!(
            "{}->{}",
            endpoint_text(&a.server),
            endpoint_text(&b.server)
        ));
    }
    (all.first().cloned(), all)
}
