//! Turning candidate evidence into matches: one-to-one, greedy by score (ties: closer start time,
//! then lower stream indexes), then the many-to-many links a proxy makes (client connections
//! spread over pooled back-end connections), which only shared HTTP requests can show.

use super::candidates::Candidates;
use super::evidence::Evidence;
use super::input::MatchInput;

/// Lowest score accepted as a match: a shared tuple alone (15) is enough when nothing
/// contradicts it; a single weak payload coincidence is not.
pub const MIN_SCORE: f64 = 14.0;

/// One accepted link between stream `a` of A and stream `b` of B (indexes into `streams`).
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Index into A's streams.
    pub a: u32,
    /// Index into B's streams.
    pub b: u32,
    /// The evidence.
    pub evidence: Evidence,
    /// Its score.
    pub score: f64,
    /// True for an extra link of a many-to-one proxy relation.
    pub shared: bool,
}

/// Whether two streams contradict each other: both have a SYN and a SYN-ACK and both ISNs differ
/// while nothing else (payload, content) links them — a reused tuple, another connection.
fn contradicted(a: &MatchInput, b: &MatchInput, ia: u32, ib: u32, e: &Evidence) -> bool {
    let (Some(sa), Some(sb)) = (a.streams.get(ia as usize), b.streams.get(ib as usize)) else {
        return true;
    };
    if sa.proto != sb.proto {
        return true;
    }
    let syn_differs = matches!((sa.syn, sb.syn), (Some(x), Some(y)) if x.isn != y.isn);
    let synack_differs = matches!((sa.synack, sb.synack), (Some(x), Some(y)) if x.isn != y.isn);
    syn_differs && synack_differs && e.payload == 0.0 && !e.has_content()
}

/// Greedy one-to-one assignment over the candidates, then many-to-one request links.
/// `time_shift_ns` is B's clock minus A's when known (0 otherwise), used only to order ties.
pub fn assign(a: &MatchInput, b: &MatchInput, cands: &Candidates, time_shift_ns: i64) -> Vec<Link> {
    let mut scored: Vec<(f64, i64, u32, u32, &Evidence)> = Vec::with_capacity(cands.len());
    for ((ia, ib), e) in cands.sorted() {
        if contradicted(a, b, ia, ib, e) {
            continue;
        }
        let score = e.score();
        if score < MIN_SCORE {
            continue;
        }
        let gap = match (a.streams.get(ia as usize), b.streams.get(ib as usize)) {
            (Some(x), Some(y)) => y
                .first_ts_ns
                .saturating_sub(time_shift_ns)
                .saturating_sub(x.first_ts_ns)
                .saturating_abs(),
            _ => i64::MAX,
        };
        scored.push((score, gap, ia, ib, e));
    }
    scored.sort_by(|x, y| {
        y.0.total_cmp(&x.0)
            .then(x.1.cmp(&y.1))
            .then(x.2.cmp(&y.2))
            .then(x.3.cmp(&y.3))
    });
    let mut used_a = vec![false; a.streams.len()];
    let mut used_b = vec![false; b.streams.len()];
    let mut links = Vec::new();
    for &(score, _, ia, ib, e) in &scored {
        let (ua, ub) = (ia as usize, ib as usize);
        if used_a.get(ua) != Some(&false) || used_b.get(ub) != Some(&false) {
            continue;
        }
        used_a[ua] = true;
        used_b[ub] = true;
        links.push(Link {
            a: ia,
            b: ib,
            evidence: e.clone(),
            score,
            shared: false,
        });
    }
    // Many-to-many through a proxy: pairs that share a request found in no other B stream, when
    // neither stream is tied to another by packet-level evidence (ISN, IP IDs).
    // Tied: the same connection at both points by ISN, or by IP IDs on a good share of packets.
    let packet_tied = |ia: u32, ib: u32, e: &Evidence| {
        let smaller = match (a.streams.get(ia as usize), b.streams.get(ib as usize)) {
            (Some(x), Some(y)) => x.packets[0]
                .saturating_add(x.packets[1])
                .min(y.packets[0].saturating_add(y.packets[1])),
            _ => 0,
        };
        e.syn_isn || e.synack_isn || (e.ipid >= 2.0 && e.ipid_packets.saturating_mul(4) >= smaller)
    };
    let mut tied_a = vec![false; a.streams.len()];
    let mut tied_b = vec![false; b.streams.len()];
    let mut linked: rustc_hash::FxHashSet<(u32, u32)> = Default::default();
    for l in &links {
        linked.insert((l.a, l.b));
        if packet_tied(l.a, l.b, &l.evidence) {
            if let Some(x) = tied_a.get_mut(l.a as usize) {
                *x = true;
            }
            if let Some(x) = tied_b.get_mut(l.b as usize) {
                *x = true;
            }
        }
    }
    for &(score, _, ia, ib, e) in &scored {
        if e.unique_requests == 0 || linked.contains(&(ia, ib)) {
            continue;
        }
        if tied_a.get(ia as usize) != Some(&false) || tied_b.get(ib as usize) != Some(&false) {
            continue;
        }
        linked.insert((ia, ib));
        links.push(Link {
            a: ia,
            b: ib,
            evidence: e.clone(),
            score,
            shared: true,
        });
    }
    links.sort_by_key(|l| (l.a, l.b));
    links
}
