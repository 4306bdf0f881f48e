//! Direct matching: the same 5-tuple (either orientation) and the same TCP ISN (raw sequence
//! number of the client's SYN or the server's SYN-ACK). ISN equality across different tuples is
//! recorded too: that is how a NAT that keeps sequence numbers is recognised (see [`super::nat`]).

use std::net::SocketAddr;

use super::candidates::{Candidates, StreamIndex};
use super::input::{MatchInput, Proto};

/// A tuple key independent of orientation.
fn tuple_key(proto: Proto, x: SocketAddr, y: SocketAddr) -> (Proto, SocketAddr, SocketAddr) {
    if x <= y {
        (proto, x, y)
    } else {
        (proto, y, x)
    }
}

/// Adds tuple and ISN evidence for every A stream.
pub fn add_evidence(a: &MatchInput, b: &MatchInput, cands: &mut Candidates) {
    let mut by_tuple = StreamIndex::default();
    let mut by_syn = StreamIndex::default();
    let mut by_synack = StreamIndex::default();
    for (i, s) in b.streams.iter().enumerate() {
        let i = i as u32;
        by_tuple.insert(tuple_key(s.proto, s.client, s.server), i);
        if let Some(syn) = s.syn {
            by_syn.insert(syn.isn, i);
        }
        if let Some(sa) = s.synack {
            by_synack.insert(sa.isn, i);
        }
    }
    for (i, s) in a.streams.iter().enumerate() {
        let i = i as u32;
        for j in by_tuple.lookup(&tuple_key(s.proto, s.client, s.server)) {
            cands.entry(i, j).tuple = true;
        }
        if s.proto != Proto::Tcp {
            continue;
        }
        if let Some(syn) = s.syn {
            for j in by_syn.lookup(&syn.isn) {
                cands.entry(i, j).syn_isn = true;
            }
        }
        if let Some(sa) = s.synack {
            for j in by_synack.lookup(&sa.isn) {
                cands.entry(i, j).synack_isn = true;
            }
        }
    }
}
