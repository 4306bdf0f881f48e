//! Client/server orientation of linked streams across the two points.
//!
//! A stream's orientation comes from its SYN / SYN-ACK; without one (UDP, or TCP seen mid-way)
//! the first packet's sender is taken as the client ([`super::input::MatchInputBuilder::finish`]).
//! When the flow's first packet was lost between the points, the other point's first packet is
//! the reply and the two captures orient the same flow opposite ways: the same tuple reversed
//! would read as a translation and no packet would pair (directions disagree). This module
//! decides, per linked stream pair, whether one side must be turned around, and builds the
//! turned view of a capture.

use super::assign::Link;
use super::input::{MatchInput, StreamSummary};

/// True for a stream oriented by its first packet only (no SYN / SYN-ACK seen): its client and
/// server may be swapped relative to another point's view of the same flow.
pub fn unoriented(s: Option<&StreamSummary>) -> bool {
    s.is_some_and(|s| s.syn.is_none() && s.synack.is_none())
}

/// Which streams of A and of B (by index) must be turned around so that every linked pair is
/// oriented the same way at both points. A side oriented by a SYN or SYN-ACK is never turned; of
/// two unoriented sides, B's is. A stream linked several times is turned only when no link
/// objects.
pub fn orientation_fixes(
    a: &MatchInput,
    b: &MatchInput,
    links: &[Link],
    pkts_a: &[Vec<u32>],
    pkts_b: &[Vec<u32>],
) -> (Vec<bool>, Vec<bool>) {
    // Per stream: None = no opinion yet, Some(true) = turn, Some(false) = keep.
    let mut turn_a: Vec<Option<bool>> = vec![None; a.streams.len()];
    let mut turn_b: Vec<Option<bool>> = vec![None; b.streams.len()];
    let empty = Vec::new();
    for link in links {
        let (Some(sa), Some(sb)) = (
            a.streams.get(link.a as usize),
            b.streams.get(link.b as usize),
        ) else {
            continue;
        };
        let oriented = |s: &StreamSummary| s.syn.is_some() || s.synack.is_some();
        let reversed = match (oriented(sa), oriented(sb)) {
            (true, true) => false,
            _ => reversed(
                a,
                pkts_a.get(link.a as usize).unwrap_or(&empty),
                sa,
                b,
                pkts_b.get(link.b as usize).unwrap_or(&empty),
                sb,
            ),
        };
        // Turn the unoriented side (B's when both are).
        let (slot, other) = if oriented(sb) {
            (
                turn_a.get_mut(link.a as usize),
                turn_b.get_mut(link.b as usize),
            )
        } else {
            (
                turn_b.get_mut(link.b as usize),
                turn_a.get_mut(link.a as usize),
            )
        };
        if let Some(x) = slot {
            *x = Some(x.unwrap_or(true) && reversed);
        }
        if let Some(x) = other {
            *x = Some(false);
        }
    }
    let done = |v: Vec<Option<bool>>| v.into_iter().map(|x| x == Some(true)).collect();
    (done(turn_a), done(turn_b))
}

/// Whether `sb` is oriented opposite to `sa`: by endpoints (the same address:port as the other
/// side's client / server), and when the endpoints do not tell (both ends translated), by the
/// payload packets present at both points (same length and payload hash) travelling in the same
/// or in opposite stream directions.
fn reversed(
    a: &MatchInput,
    la: &[u32],
    sa: &StreamSummary,
    b: &MatchInput,
    lb: &[u32],
    sb: &StreamSummary,
) -> bool {
    let same = u8::from(sa.client == sb.client) + u8::from(sa.server == sb.server);
    let rev = u8::from(sa.client == sb.server) + u8::from(sa.server == sb.client);
    if same != rev {
        return rev > same;
    }
    // Payload packets of A by (length, hash) → directions seen (bit 0: c2s, bit 1: s2c).
    let mut dirs: rustc_hash::FxHashMap<(u32, u64), u8> = Default::default();
    for p in la.iter().filter_map(|&i| a.packets.get(i as usize)) {
        if p.payload_len > 0 {
            *dirs.entry((p.payload_len, p.payload_hash)).or_default() |= 1 << (p.dir & 1);
        }
    }
    let (mut agree, mut disagree) = (0u64, 0u64);
    for q in lb.iter().filter_map(|&j| b.packets.get(j as usize)) {
        if q.payload_len == 0 {
            continue;
        }
        let Some(&seen) = dirs.get(&(q.payload_len, q.payload_hash)) else {
            continue;
        };
        if seen & (1 << (q.dir & 1)) != 0 {
            agree += 1;
        }
        if seen & (1 << (1 - (q.dir & 1))) != 0 {
            disagree += 1;
        }
    }
    disagree > agree
}

/// `input` with the streams flagged in `turn` turned around: client and server swapped, every
/// per-direction fact swapped and their packets' directions flipped. The packet and stream
/// indexes are unchanged.
pub fn turned(input: &MatchInput, turn: &[bool]) -> MatchInput {
    let mut out = input.clone();
    for (s, _) in out.streams.iter_mut().zip(turn).filter(|(_, t)| **t) {
        s.turn_round();
        s.content.head_hash.swap(0, 1);
    }
    for p in out.packets.iter_mut() {
        if turn.get(p.stream as usize) == Some(&true) {
            p.dir ^= 1;
        }
    }
    out
}
