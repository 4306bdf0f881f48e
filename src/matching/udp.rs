//! UDP matching: besides the tuple ([`super::direct`]), IP IDs and payload hashes
//! ([`super::nat`], [`super::content`]), application identifiers carried end to end: the DNS
//! transaction id with its question, the DHCP transaction id, and QUIC connection ids (which a
//! NAT leaves alone while it changes addresses and ports).

use super::candidates::{Candidates, StreamIndex};
use super::input::{MatchInput, Proto};

/// Adds DNS, DHCP and QUIC identifier evidence.
pub fn add_evidence(a: &MatchInput, b: &MatchInput, cands: &mut Candidates) {
    let mut dns: StreamIndex<(u16, u64)> = StreamIndex::default();
    let mut dhcp: StreamIndex<u32> = StreamIndex::default();
    let mut quic: StreamIndex<u64> = StreamIndex::default();
    for (j, s) in b.streams.iter().enumerate() {
        if s.proto != Proto::Udp {
            continue;
        }
        if let Some(q) = &s.content.dns {
            dns.insert((q.id, q.question_hash), j as u32);
        }
        if let Some(x) = s.content.dhcp_xid {
            dhcp.insert(x, j as u32);
        }
        for &cid in &s.content.quic_cids {
            quic.insert(cid, j as u32);
        }
    }
    for (i, s) in a.streams.iter().enumerate() {
        if s.proto != Proto::Udp {
            continue;
        }
        if let Some(q) = &s.content.dns {
            for j in dns.lookup(&(q.id, q.question_hash)) {
                cands.entry(i as u32, j).dns = true;
            }
        }
        if let Some(x) = s.content.dhcp_xid {
            for j in dhcp.lookup(&x) {
                cands.entry(i as u32, j).dhcp = true;
            }
        }
        for cid in &s.content.quic_cids {
            for j in quic.lookup(cid) {
                let e = cands.entry(i as u32, j);
                e.quic_cids = e.quic_cids.saturating_add(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::matching::match_pair;
    use crate::matching::test_support::*;

    /// Two UDP streams through a NAT whose payload bytes do not match (the content ids differ, as
    /// if re-encrypted): only shared QUIC connection ids can link them.
    fn pair(with_cids: bool) -> crate::matching::PairResult {
        let mut a = Builder::new();
        let mut b = Builder::new();
        let sa = a.udp_stream(0, "10.1.0.2:50000", "198.51.100.1:443");
        let sb = b.udp_stream(0, "203.0.113.1:40000", "198.51.100.1:443");
        for k in 0..4u32 {
            a.pkt(sa, (k % 2) as u8, 0, 0, 100, k, 0, i64::from(k) * 1_000_000)
                .ip_id = k as u16;
            b.pkt(
                sb,
                (k % 2) as u8,
                0,
                0,
                100,
                100 + k,
                0,
                i64::from(k) * 1_000_000 + 500,
            )
            .ip_id = 900 + k as u16;
        }
        let (mut ia, mut ib) = (a.finish(), b.finish());
        if with_cids {
            ia.streams[0].content.quic_cids = vec![11, 22];
            ib.streams[0].content.quic_cids = vec![22, 33];
        }
        match_pair(&ia, &ib)
    }

    #[test]
    fn quic_connection_ids_alone_link_translated_streams() {
        assert!(pair(false).matches.is_empty(), "nothing else links them");
        let r = pair(true);
        assert_eq!(r.matches.len(), 1);
        let m = &r.matches[0];
        assert_eq!(m.link.evidence.quic_cids, 1);
        assert_eq!(m.methods.joined(), "nat+udp_id");
        assert_eq!(
            m.translation.as_deref(),
            Some("10.1.0.2:50000->203.0.113.1:40000")
        );
        assert!(m.confidence > 0.9);
        assert!(m
            .link
            .evidence
            .describe()
            .contains(&"1 shared QUIC connection ids".to_string()));
    }
}
