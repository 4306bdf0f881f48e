//! UDP matching: besides the tuple ([`super::direct`]), IP IDs and payload hashes
//! ([`super::nat`], [`super::content`]), application identifiers carried end to end: the DNS
//! transaction id with its question, and the DHCP transaction id.

use super::candidates::{Candidates, StreamIndex};
use super::input::{MatchInput, Proto};

/// Adds DNS and DHCP identifier evidence.
pub fn add_evidence(a: &MatchInput, b: &MatchInput, cands: &mut Candidates) {
    let mut dns: StreamIndex<(u16, u64)> = StreamIndex::default();
    let mut dhcp: StreamIndex<u32> = StreamIndex::default();
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
    }
}
