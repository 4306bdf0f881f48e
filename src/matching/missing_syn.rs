//! Connection attempts whose SYNs did not all make it between the points: per client SYN ISN
//! (after the stream's sequence offset), how many SYNs each capture saw. Streams matched across
//! the points compare their counts; a SYN stream seen at one point only counts 0 at the other.

use serde::Serialize;

use super::input::{MatchInput, Proto};

/// One connection attempt whose SYN count differs between A and B.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingSyn {
    /// A's `tcp.stream`, None when the attempt is not in A.
    pub a_stream: Option<u32>,
    /// B's `tcp.stream`, None when the attempt is not in B.
    pub b_stream: Option<u32>,
    /// The SYN's raw sequence number as A saw it (B's when absent from A).
    pub syn_seq_raw: u32,
    /// SYNs with that ISN in A.
    pub syns_a: u32,
    /// SYNs with that ISN (after offset) in B.
    pub syns_b: u32,
}

/// Lists the differing attempts. `links` are (A stream index, B stream index) of streams that are
/// the same connection at both points; `elsewhere` are links through a proxy (another connection
/// on the far side: their SYNs are not comparable and did not go missing). Other streams with a
/// SYN count as absent at the other point. Sorted by A's stream, then B's.
pub fn missing_syns(
    a: &MatchInput,
    b: &MatchInput,
    links: &[(u32, u32)],
    elsewhere: &[(u32, u32)],
) -> Vec<MissingSyn> {
    let mut matched_a = vec![false; a.streams.len()];
    let mut matched_b = vec![false; b.streams.len()];
    for &(ia, ib) in elsewhere {
        if let Some(x) = matched_a.get_mut(ia as usize) {
            *x = true;
        }
        if let Some(x) = matched_b.get_mut(ib as usize) {
            *x = true;
        }
    }
    let mut out = Vec::new();
    for &(ia, ib) in links {
        let (Some(sa), Some(sb)) = (a.streams.get(ia as usize), b.streams.get(ib as usize)) else {
            continue;
        };
        if sa.proto != Proto::Tcp {
            continue;
        }
        // A proxy link (several rows for one stream) must not hide or double an attempt.
        if matched_a.get(ia as usize) == Some(&true) || matched_b.get(ib as usize) == Some(&true) {
            continue;
        }
        matched_a[ia as usize] = true;
        matched_b[ib as usize] = true;
        let syns_a = sa.syn.map(|s| s.count).unwrap_or(0);
        let syns_b = sb.syn.map(|s| s.count).unwrap_or(0);
        if syns_a != syns_b {
            let isn = sa.syn.or(sb.syn).map(|s| s.isn).unwrap_or(0);
            out.push(MissingSyn {
                a_stream: Some(sa.stream),
                b_stream: Some(sb.stream),
                syn_seq_raw: isn,
                syns_a,
                syns_b,
            });
        }
    }
    for (i, s) in a.streams.iter().enumerate() {
        if let (Proto::Tcp, Some(syn), Some(false)) = (s.proto, s.syn, matched_a.get(i)) {
            out.push(MissingSyn {
                a_stream: Some(s.stream),
                b_stream: None,
                syn_seq_raw: syn.isn,
                syns_a: syn.count,
                syns_b: 0,
            });
        }
    }
    for (i, s) in b.streams.iter().enumerate() {
        if let (Proto::Tcp, Some(syn), Some(false)) = (s.proto, s.syn, matched_b.get(i)) {
            out.push(MissingSyn {
                a_stream: None,
                b_stream: Some(s.stream),
                syn_seq_raw: syn.isn,
                syns_a: 0,
                syns_b: syn.count,
            });
        }
    }
    out.sort_by_key(|m| (m.a_stream.is_none(), m.a_stream, m.b_stream));
    out
}
