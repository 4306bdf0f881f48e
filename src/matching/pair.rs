//! Matching one pair of captures end to end: gather evidence, assign streams, pair packets, fit
//! the clock, match what is left by turn pattern and time, then list loss, missing SYNs and
//! changes.

use serde::Serialize;

use super::assign::{assign, Link};
use super::candidates::Candidates;
use super::changes::{changes, Change, PairingFacts};
use super::clock::{estimate_with, median, ClockEstimate, ClockSample};
use super::content::{turn_pattern, turn_starts};
use super::evidence::{confidence, Evidence, Methods};
use super::input::{MatchInput, Proto, StreamSummary, DIR_C2S, DIR_S2C};
use super::missing_syn::{missing_syns, MissingSyn};
use super::orientation::{orientation_fixes, turned};
use super::packet_pairing::{pair_packets, ArrivalModel, StreamPairing};
use super::{content, direct, nat, seq_offset, udp};

/// Largest start-time gap (after clock correction) the timing matcher accepts.
pub const TIMING_WINDOW_NS: i64 = 2_000_000_000;
/// Arrival-time tolerance (plus twice the one-way delay) within which copies of a retransmitted
/// packet are told apart by order only: retransmission timeouts are 200 ms or more, while
/// jitter between two points is a few milliseconds at most.
const ARRIVAL_TOLERANCE_NS: i64 = 5_000_000;
/// Most B streams the timing matcher weighs per A stream (the nearest in time).
const TIMING_CANDIDATES: usize = 16;
/// Share of the smaller side's packets that must pair for a link to count as the same
/// connection at both points (else it is an application-level link, e.g. through a proxy).
const PACKET_LEVEL_SHARE: f64 = 0.5;

/// One matched stream pair with everything learned about it.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamMatch {
    /// The assignment (indexes, evidence, score).
    pub link: Link,
    /// TCP or UDP.
    pub proto: Proto,
    /// A's stream number.
    pub a_stream: u32,
    /// B's stream number.
    pub b_stream: u32,
    /// Methods that link them.
    pub methods: Methods,
    /// 0..1.
    pub confidence: f64,
    /// Primary translation `a_ip:a_port->b_ip:b_port`.
    pub translation: Option<String>,
    /// All translated endpoints.
    pub translations: Vec<String>,
    /// B seq − A seq per direction (c2s, s2c), packet-level TCP links only.
    pub seq_offset: [Option<u32>; 2],
    /// True when client-to-server packets travel from A's point to B's point.
    pub c2s_a_to_b: bool,
    /// Packet pairing (packet-level links only).
    pub pairing: Option<StreamPairing>,
    /// Corrected one-way delay of packets travelling A→B (seconds).
    pub delay_a_to_b_s: Option<f64>,
    /// Corrected one-way delay of packets travelling B→A (seconds).
    pub delay_b_to_a_s: Option<f64>,
    /// What the path changed.
    pub changes: Vec<Change>,
}

impl StreamMatch {
    /// Sequence offset of packets travelling A→B (seq at B − seq at A).
    pub fn seq_offset_a_to_b(&self) -> Option<u32> {
        let d = if self.c2s_a_to_b { 0 } else { 1 };
        self.seq_offset[d]
    }

    /// Sequence offset of packets travelling B→A (seq at A − seq at B).
    pub fn seq_offset_b_to_a(&self) -> Option<u32> {
        let d = if self.c2s_a_to_b { 1 } else { 0 };
        self.seq_offset[d].map(|o| 0u32.wrapping_sub(o))
    }
}

/// A packet of a matched stream captured at one point and absent at the other.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LostPacket {
    /// `"a"` or `"b"`: the capture that has the packet.
    pub capture: &'static str,
    /// Its frame number there.
    pub frame: u32,
    /// Its stream number there.
    pub stream: u32,
    /// `"tcp"` or `"udp"`.
    pub proto: &'static str,
    /// `"c2s"` or `"s2c"`.
    pub dir: &'static str,
    /// Raw sequence number (TCP).
    pub seq_raw: u32,
    /// Payload length.
    pub len: u32,
}

/// Whether a packet seen at one point at `ts_ns` falls, in the other capture's clock, safely within
/// that capture's time span (narrowed at both ends by the one-way delay estimate plus 1 ms, so a
/// packet in flight while the other point started or stopped capturing is not called lost).
/// Without a clock model every packet counts as inside.
fn inside_other_capture(
    a: &MatchInput,
    b: &MatchInput,
    seen_in_a: bool,
    ts_ns: i64,
    clock: Option<&ClockEstimate>,
    t0: i64,
) -> bool {
    let Some(c) = clock else { return true };
    let margin = c.delay_s.unwrap_or(0.0) * 1e9 + 1e6;
    let (other, expected) = if seen_in_a {
        (b, ts_ns as f64 + c.shift_at_ns(ts_ns, t0))
    } else {
        // Invert t_B = t_A + shift(t_A) with shift evaluated at t_B − offset (drift is tiny).
        let guess = ts_ns as f64 - c.offset_s * 1e9;
        (a, ts_ns as f64 - c.shift_at_ns(guess as i64, t0))
    };
    match (other.first_ts_ns, other.last_ts_ns) {
        (Some(first), Some(last)) => {
            expected >= first as f64 + margin && expected <= last as f64 - margin
        }
        _ => false,
    }
}

/// A link with its per-direction sequence offsets and, when it is the same connection at both
/// points, its packet pairing.
type Analysed = (Link, [Option<u32>; 2], Option<StreamPairing>);

/// Everything matched between captures A and B.
#[derive(Clone, Debug, Default)]
pub struct PairResult {
    /// Matched stream pairs, sorted by (proto, A stream, B stream).
    pub matches: Vec<StreamMatch>,
    /// The clock model, when packets paired.
    pub clock: Option<ClockEstimate>,
    /// Connection attempts whose SYN counts differ.
    pub missing_syn: Vec<MissingSyn>,
    /// Packets lost between the points (in matched, packet-level streams), by capture then frame.
    pub lost: Vec<LostPacket>,
    /// A streams (indexes) without a match.
    pub unmatched_a: Vec<u32>,
    /// B streams (indexes) without a match.
    pub unmatched_b: Vec<u32>,
}

/// Matches capture `a` against capture `b`.
pub fn match_pair(a: &MatchInput, b: &MatchInput) -> PairResult {
    let mut cands = Candidates::new();
    direct::add_evidence(a, b, &mut cands);
    nat::add_evidence(a, b, &mut cands);
    seq_offset::add_evidence(a, b, &mut cands);
    content::add_evidence(a, b, &mut cands);
    udp::add_evidence(a, b, &mut cands);
    let mut links = assign(a, b, &cands, 0);
    let pkts_a = a.packets_by_stream();
    let pkts_b = b.packets_by_stream();
    // A flow seen without its first packet at one point is oriented the other way round there:
    // turn that side so both agree (a copy of the capture's records, made only when needed).
    let (turn_a, turn_b) = orientation_fixes(a, b, &links, &pkts_a, &pkts_b);
    let (turned_a, turned_b);
    let a = if turn_a.contains(&true) {
        turned_a = turned(a, &turn_a);
        &turned_a
    } else {
        a
    };
    let b = if turn_b.contains(&true) {
        turned_b = turned(b, &turn_b);
        &turned_b
    } else {
        b
    };
    let list = |v: &'_ Vec<Vec<u32>>, i: u32| -> Vec<u32> {
        v.get(i as usize).cloned().unwrap_or_default()
    };

    // Packet level: offsets and pairing per link.
    let mut analysed: Vec<Analysed> = Vec::new();
    for link in links.drain(..) {
        let (Some(sa), Some(sb)) = (
            a.streams.get(link.a as usize),
            b.streams.get(link.b as usize),
        ) else {
            continue;
        };
        if different_connections(sa, sb) {
            analysed.push((link, [None, None], None));
            continue;
        }
        let (la, lb) = (list(&pkts_a, link.a), list(&pkts_b, link.b));
        let offsets = seq_offset::estimate_offsets(a, &la, sa, b, &lb, sb);
        let pairing = pair_packets(
            a,
            &la,
            b,
            &lb,
            [offsets[0].unwrap_or(0), offsets[1].unwrap_or(0)],
            None,
        );
        let smaller = la.len().min(lb.len()).max(1);
        let packet_level =
            !link.shared && pairing.pairs.len() as f64 >= PACKET_LEVEL_SHARE * smaller as f64;
        if packet_level {
            analysed.push((link, offsets, Some(pairing)));
        } else {
            analysed.push((link, [None, None], None));
        }
    }

    // Travel direction per link and clock samples.
    let t0 = a.first_ts_ns.unwrap_or(0);
    let mut c2s_votes = 0i64;
    let mut per_link_dir: Vec<Option<bool>> = Vec::with_capacity(analysed.len());
    for (_, _, pairing) in &analysed {
        let dir = pairing.as_ref().and_then(|p| travel_direction(a, b, p));
        if let Some(d) = dir {
            c2s_votes += if d { 1 } else { -1 };
        }
        per_link_dir.push(dir);
    }
    let default_dir = c2s_votes >= 0;
    let mut samples = Vec::new();
    for ((_, _, pairing), dir) in analysed.iter().zip(&per_link_dir) {
        let Some(pairing) = pairing else { continue };
        let c2s_a_to_b = dir.unwrap_or(default_dir);
        samples.extend(clock_samples(a, b, pairing, c2s_a_to_b));
    }
    let mut basis = "packets";
    if samples.is_empty() {
        // No packet crossed both points as itself (a full proxy): pair HTTP requests and their
        // first response packets, else turn starts of one-to-one links.
        samples = request_samples(a, b, &pkts_a, &pkts_b, &analysed);
        basis = "requests";
        if samples.is_empty() {
            samples = turn_samples(a, b, &pkts_a, &pkts_b, &analysed);
            basis = "turns";
        }
    }
    let clock =
        estimate_with(&samples, t0, basis == "packets").map(|c| ClockEstimate { basis, ..c });

    // With the clock known, streams with packets at one point only are paired again: where a
    // packet was sent several times (a SYN and its retransmissions) and fewer copies crossed,
    // the copies nearest the expected arrival time are the ones that crossed.
    if let Some(c) = &clock {
        for ((link, offsets, pairing), dir) in analysed.iter_mut().zip(&per_link_dir) {
            let Some(p) = pairing else { continue };
            if p.unpaired_a.is_empty() && p.unpaired_b.is_empty() {
                continue;
            }
            let c2s_a_to_b = dir.unwrap_or(default_dir);
            let expected =
                |q: &super::input::PacketRecord| -> i64 { expected_at_b(q, c, t0, c2s_a_to_b) };
            let model = ArrivalModel {
                expected_at_b: &expected,
                tolerance_ns: ARRIVAL_TOLERANCE_NS
                    .saturating_add((c.delay_s.unwrap_or(0.0).abs() * 2e9) as i64),
            };
            *p = pair_packets(
                a,
                &list(&pkts_a, link.a),
                b,
                &list(&pkts_b, link.b),
                [offsets[0].unwrap_or(0), offsets[1].unwrap_or(0)],
                Some(model),
            );
        }
    }

    // Timing: turn pattern at the same corrected time, for TCP streams still unmatched.
    let mut used_a = vec![false; a.streams.len()];
    let mut used_b = vec![false; b.streams.len()];
    for (l, _, _) in &analysed {
        if let Some(x) = used_a.get_mut(l.a as usize) {
            *x = true;
        }
        if let Some(x) = used_b.get_mut(l.b as usize) {
            *x = true;
        }
    }
    let shift_ns = clock.map(|c| c.shift_at_ns(t0, t0) as i64).unwrap_or(0);
    for link in timing_links(a, b, &pkts_a, &pkts_b, &used_a, &used_b, shift_ns) {
        per_link_dir.push(None);
        analysed.push((link, [None, None], None));
    }

    // Rows.
    let mut matches = Vec::new();
    let mut lost = Vec::new();
    let mut syn_links = Vec::new();
    let mut app_links = Vec::new();
    for ((link, offsets, pairing), dir) in analysed.into_iter().zip(per_link_dir) {
        let (Some(sa), Some(sb)) = (
            a.streams.get(link.a as usize),
            b.streams.get(link.b as usize),
        ) else {
            continue;
        };
        let c2s_a_to_b = dir.unwrap_or(default_dir);
        let (translation, translations) = nat::translation(sa, sb);
        let methods = methods_of(
            &link.evidence,
            sa.proto,
            &translation,
            &offsets,
            pairing.as_ref(),
        );
        let (delay_ab, delay_ba) = match (&pairing, &clock) {
            (Some(p), Some(c)) => stream_delays(a, b, p, c, t0, c2s_a_to_b),
            _ => (None, None),
        };
        if let Some(p) = &pairing {
            for (cap, list, input, stream) in [
                ("a", &p.unpaired_a, a, sa.stream),
                ("b", &p.unpaired_b, b, sb.stream),
            ] {
                for q in list.iter().filter_map(|&i| input.packets.get(i as usize)) {
                    if !inside_other_capture(a, b, cap == "a", q.ts_ns, clock.as_ref(), t0) {
                        continue; // the other point was not capturing then: not a loss
                    }
                    lost.push(LostPacket {
                        capture: cap,
                        frame: q.frame,
                        stream,
                        proto: sa.proto.name(),
                        dir: if q.dir == DIR_C2S { "c2s" } else { "s2c" },
                        seq_raw: q.seq,
                        len: q.payload_len,
                    });
                }
            }
            syn_links.push((link.a, link.b));
        } else {
            app_links.push((link.a, link.b));
        }
        let facts = PairingFacts {
            packet_level: pairing.is_some(),
            ip_id_kept: pairing.as_ref().is_some_and(|p| p.ip_id_kept),
            seq_offset: offsets,
        };
        matches.push(StreamMatch {
            proto: sa.proto,
            a_stream: sa.stream,
            b_stream: sb.stream,
            methods,
            confidence: confidence(link.score),
            translation,
            translations,
            seq_offset: offsets,
            c2s_a_to_b,
            pairing,
            delay_a_to_b_s: delay_ab,
            delay_b_to_a_s: delay_ba,
            changes: changes(sa, sb, facts),
            link,
        });
    }
    matches.sort_by_key(|m| (m.proto, m.a_stream, m.b_stream));
    lost.sort_by_key(|l| (l.capture, l.frame));
    let mut used_a = vec![false; a.streams.len()];
    let mut used_b = vec![false; b.streams.len()];
    for m in &matches {
        if let Some(x) = used_a.get_mut(m.link.a as usize) {
            *x = true;
        }
        if let Some(x) = used_b.get_mut(m.link.b as usize) {
            *x = true;
        }
    }
    PairResult {
        missing_syn: missing_syns(a, b, &syn_links, &app_links),
        matches,
        clock,
        lost,
        unmatched_a: (0..a.streams.len() as u32)
            .filter(|&i| !used_a[i as usize])
            .collect(),
        unmatched_b: (0..b.streams.len() as u32)
            .filter(|&i| !used_b[i as usize])
            .collect(),
    }
}

/// When A's packet `p` is expected at B, in B's clock: A's time plus the clock shift, plus the
/// one-way delay when it travels A→B, minus it when it came from B.
fn expected_at_b(
    p: &super::input::PacketRecord,
    c: &ClockEstimate,
    t0: i64,
    c2s_a_to_b: bool,
) -> i64 {
    let delay = c.delay_s.unwrap_or(0.0) * 1e9;
    let a_to_b = (p.dir == DIR_C2S) == c2s_a_to_b;
    let t = p.ts_ns as f64 + c.shift_at_ns(p.ts_ns, t0) + if a_to_b { delay } else { -delay };
    // Saturating conversion: `as` clamps out-of-range floats (and maps NaN to 0).
    t as i64
}

/// Clock samples from application-level links: the k-th turn start at A with the k-th at B (while
/// directions agree). Client-to-server turns travel A→B when their t_B − t_A is the larger
/// (decided over all links, as for packets).
fn turn_samples(
    a: &MatchInput,
    b: &MatchInput,
    pkts_a: &[Vec<u32>],
    pkts_b: &[Vec<u32>],
    analysed: &[Analysed],
) -> Vec<ClockSample> {
    let mut links_of_a: rustc_hash::FxHashMap<u32, u32> = Default::default();
    let mut links_of_b: rustc_hash::FxHashMap<u32, u32> = Default::default();
    for (link, _, _) in analysed {
        *links_of_a.entry(link.a).or_default() += 1;
        *links_of_b.entry(link.b).or_default() += 1;
    }
    let mut pairs: Vec<(i64, i64, u8)> = Vec::new();
    for (link, _, pairing) in analysed {
        // Turns line up only when each side is one connection of the other.
        if pairing.is_some()
            || links_of_a.get(&link.a) != Some(&1)
            || links_of_b.get(&link.b) != Some(&1)
        {
            continue;
        }
        let (Some(sa), Some(sb)) = (
            a.streams.get(link.a as usize),
            b.streams.get(link.b as usize),
        ) else {
            continue;
        };
        let empty = Vec::new();
        let ta = turn_starts(a, pkts_a.get(link.a as usize).unwrap_or(&empty), sa);
        let tb = turn_starts(b, pkts_b.get(link.b as usize).unwrap_or(&empty), sb);
        for (x, y) in ta.iter().zip(&tb) {
            if x.0 != y.0 {
                break;
            }
            pairs.push((x.1, y.1, x.0));
        }
    }
    directed_samples(pairs)
}

/// Clock samples from application-level links through HTTP: each request shared by the two
/// streams (same line + Host) at both points (client to server), and the first server data
/// after it in each stream (server to client).
fn request_samples(
    a: &MatchInput,
    b: &MatchInput,
    pkts_a: &[Vec<u32>],
    pkts_b: &[Vec<u32>],
    analysed: &[Analysed],
) -> Vec<ClockSample> {
    let response_after = |input: &MatchInput, list: &[u32], at: u32| -> Option<i64> {
        let from = list.partition_point(|&i| i <= at);
        list.get(from..)?
            .iter()
            .filter_map(|&i| input.packets.get(i as usize))
            .find(|p| p.dir == DIR_S2C && p.payload_len > 0)
            .map(|p| p.ts_ns)
    };
    let empty = Vec::new();
    let mut pairs: Vec<(i64, i64, u8)> = Vec::new();
    for (link, _, pairing) in analysed {
        if pairing.is_some() {
            continue;
        }
        let (Some(sa), Some(sb)) = (
            a.streams.get(link.a as usize),
            b.streams.get(link.b as usize),
        ) else {
            continue;
        };
        let la = pkts_a.get(link.a as usize).unwrap_or(&empty);
        let lb = pkts_b.get(link.b as usize).unwrap_or(&empty);
        for r in &sa.content.requests {
            let Some(q) = sb.content.requests.iter().find(|q| q.key == r.key) else {
                continue;
            };
            let (pa, pb) = (r.packet, q.packet);
            let (Some(qa), Some(qb)) = (a.packets.get(pa as usize), b.packets.get(pb as usize))
            else {
                continue;
            };
            pairs.push((qa.ts_ns, qb.ts_ns, DIR_C2S));
            if let (Some(ra), Some(rb)) = (response_after(a, la, pa), response_after(b, lb, pb)) {
                pairs.push((ra, rb, DIR_S2C));
            }
        }
    }
    directed_samples(pairs)
}

/// Turns (t_A, t_B, direction) into clock samples: client-to-server travels A→B when its
/// t_B − t_A is the larger.
fn directed_samples(pairs: Vec<(i64, i64, u8)>) -> Vec<ClockSample> {
    let x_of = |d: u8| -> Vec<f64> {
        pairs
            .iter()
            .filter(|p| p.2 == d)
            .map(|p| p.1.saturating_sub(p.0) as f64)
            .collect()
    };
    let c2s_a_to_b = match (median(x_of(DIR_C2S)), median(x_of(DIR_S2C))) {
        (Some(c), Some(s)) => c >= s,
        _ => true,
    };
    pairs
        .into_iter()
        .map(|(t_a, t_b, d)| ClockSample {
            t_a_ns: t_a,
            t_b_ns: t_b,
            a_to_b: (d == DIR_C2S) == c2s_a_to_b,
        })
        .collect()
}

/// True when two linked TCP streams are certainly two connections (a full proxy between the
/// points): both ISNs differ and the SYN or SYN-ACK carries another TCP timestamp clock. A
/// forwarding path, even one that shifts sequence numbers, keeps the endpoints' timestamps.
fn different_connections(a: &StreamSummary, b: &StreamSummary) -> bool {
    let (Some(sa), Some(sb), Some(aa), Some(ab)) = (a.syn, b.syn, a.synack, b.synack) else {
        return false;
    };
    let ts_differ = |x: Option<u32>, y: Option<u32>| matches!((x, y), (Some(p), Some(q)) if p != q);
    sa.isn != sb.isn
        && aa.isn != ab.isn
        && (ts_differ(sa.tsval, sb.tsval) || ts_differ(aa.tsval, ab.tsval))
}

fn methods_of(
    e: &Evidence,
    proto: Proto,
    translation: &Option<String>,
    offsets: &[Option<u32>; 2],
    pairing: Option<&StreamPairing>,
) -> Methods {
    let mut m = Methods::default();
    if e.tuple {
        m.insert(Methods::TUPLE);
    }
    if proto == Proto::Tcp && (e.syn_isn || e.synack_isn) {
        m.insert(Methods::ISN);
    }
    let packet_level = pairing.is_some();
    if packet_level && pairing.is_some_and(|p| p.ip_id_kept) && e.ipid_packets > 0 {
        if proto == Proto::Tcp {
            m.insert(Methods::IPID_SEQ);
        } else {
            m.insert(Methods::UDP_ID);
        }
    }
    if translation.is_some() {
        m.insert(Methods::NAT);
    }
    if packet_level && offsets.iter().any(|o| o.is_some_and(|x| x != 0)) {
        m.insert(Methods::SEQ_OFFSET);
    }
    if proto == Proto::Udp && (e.dns || e.dhcp || e.quic_cids > 0) {
        m.insert(Methods::UDP_ID);
    }
    let strong = m.contains(Methods::TUPLE)
        || m.contains(Methods::ISN)
        || m.contains(Methods::IPID_SEQ)
        || m.contains(Methods::UDP_ID)
        || m.contains(Methods::SEQ_OFFSET);
    if !strong && (e.has_content() || e.payload_keys > 0) {
        m.insert(Methods::CONTENT);
    }
    if e.timing {
        m.insert(Methods::TIMING);
    }
    m
}

/// Whether client-to-server packets travel A→B: their t_B − t_A is larger than that of the
/// server-to-client packets (true whatever the clock offset). None with one direction only.
fn travel_direction(a: &MatchInput, b: &MatchInput, p: &StreamPairing) -> Option<bool> {
    let mut x = [Vec::new(), Vec::new()];
    for &(i, j) in &p.pairs {
        let (Some(pa), Some(pb)) = (a.packets.get(i as usize), b.packets.get(j as usize)) else {
            continue;
        };
        x[usize::from(pa.dir & 1)].push(pb.ts_ns.saturating_sub(pa.ts_ns) as f64);
    }
    let [c2s, s2c] = x;
    match (median(c2s), median(s2c)) {
        (Some(c), Some(s)) if c != s => Some(c > s),
        _ => None,
    }
}

fn clock_samples(
    a: &MatchInput,
    b: &MatchInput,
    p: &StreamPairing,
    c2s_a_to_b: bool,
) -> Vec<ClockSample> {
    p.pairs
        .iter()
        .filter_map(|&(i, j)| {
            let (pa, pb) = (a.packets.get(i as usize)?, b.packets.get(j as usize)?);
            Some(ClockSample {
                t_a_ns: pa.ts_ns,
                t_b_ns: pb.ts_ns,
                a_to_b: (pa.dir == DIR_C2S) == c2s_a_to_b,
            })
        })
        .collect()
}

fn stream_delays(
    a: &MatchInput,
    b: &MatchInput,
    p: &StreamPairing,
    c: &ClockEstimate,
    t0: i64,
    c2s_a_to_b: bool,
) -> (Option<f64>, Option<f64>) {
    let mut ab = Vec::new();
    let mut ba = Vec::new();
    for s in clock_samples(a, b, p, c2s_a_to_b) {
        let resid = s.t_b_ns.saturating_sub(s.t_a_ns) as f64 - c.shift_at_ns(s.t_a_ns, t0);
        if s.a_to_b {
            ab.push(resid / 1e9);
        } else {
            ba.push(-resid / 1e9);
        }
    }
    (median(ab), median(ba))
}

/// Links still-unmatched TCP streams whose first turns (direction, bytes) are equal and whose
/// corrected starts are within [`TIMING_WINDOW_NS`]; nearest start first.
fn timing_links(
    a: &MatchInput,
    b: &MatchInput,
    pkts_a: &[Vec<u32>],
    pkts_b: &[Vec<u32>],
    used_a: &[bool],
    used_b: &[bool],
    shift_ns: i64,
) -> Vec<Link> {
    let pa = patterns(a, pkts_a, used_a);
    let pb = patterns(b, pkts_b, used_b);
    // B streams by pattern, so the work is linear in the number of streams.
    let mut by_pattern: rustc_hash::FxHashMap<&[Turn], Vec<(i64, u32)>> = Default::default();
    for (j, y) in pb.iter().enumerate() {
        if let Some((tb, start_b)) = y {
            by_pattern
                .entry(tb.as_slice())
                .or_default()
                .push((*start_b, j as u32));
        }
    }
    for list in by_pattern.values_mut() {
        list.sort_unstable();
    }
    let mut cands: Vec<(i64, u32, u32)> = Vec::new();
    for (i, x) in pa.iter().enumerate() {
        let Some((ta, start_a)) = x else { continue };
        let Some(list) = by_pattern.get(ta.as_slice()) else {
            continue;
        };
        // B streams starting within the window, nearest first: at most TIMING_CANDIDATES.
        let want = start_a.saturating_add(shift_ns);
        let from = list.partition_point(|(s, _)| *s < want.saturating_sub(TIMING_WINDOW_NS));
        let mut near: Vec<(i64, u32)> = list
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .take_while(|(s, _)| *s <= want.saturating_add(TIMING_WINDOW_NS))
            .map(|&(s, j)| (s.saturating_sub(want).saturating_abs(), j))
            .collect();
        near.sort_unstable();
        near.truncate(TIMING_CANDIDATES);
        cands.extend(near.into_iter().map(|(gap, j)| (gap, i as u32, j)));
    }
    cands.sort_unstable();
    let mut ua = used_a.to_vec();
    let mut ub = used_b.to_vec();
    let mut out = Vec::new();
    for (_, i, j) in cands {
        if used(i as usize, &ua) || used(j as usize, &ub) {
            continue;
        }
        ua[i as usize] = true;
        ub[j as usize] = true;
        let evidence = Evidence {
            timing: true,
            ..Default::default()
        };
        out.push(Link {
            a: i,
            b: j,
            score: evidence.score(),
            evidence,
            shared: false,
        });
    }
    out
}

/// One turn: (direction, bytes).
type Turn = (u8, u64);
/// A stream's turns and start time.
type Pattern = Option<(Vec<Turn>, i64)>;

/// Turn patterns (with start time) of the unused TCP streams having at least two turns.
fn patterns(input: &MatchInput, pk: &[Vec<u32>], used_now: &[bool]) -> Vec<Pattern> {
    input
        .streams
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if s.proto != Proto::Tcp || used(i, used_now) {
                return None;
            }
            let t = turn_pattern(input, pk.get(i)?, s);
            (t.len() >= 2).then_some((t, s.first_ts_ns))
        })
        .collect()
}

fn used(i: usize, v: &[bool]) -> bool {
    v.get(i).copied().unwrap_or(true)
}
