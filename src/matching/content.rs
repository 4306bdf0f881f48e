//! Content matching, for full proxies and load balancers that open a new TCP connection on the
//! far side (new ports, new ISNs, re-segmented data, headers added): the first ≤ 64 bytes of each
//! direction, HTTP request line + Host, the TLS ClientHello / ServerHello randoms, and, for what is
//! still unmatched after that, the request/response turn pattern at the same (clock-corrected)
//! time.

use super::candidates::{Candidates, StreamIndex};
use super::input::{MatchInput, Proto, StreamSummary, DIR_C2S, HEAD_BYTES};

/// Turns compared by the timing matcher.
pub const TURNS_COMPARED: usize = 6;

/// Adds first-bytes, HTTP request and TLS random evidence.
pub fn add_evidence(a: &MatchInput, b: &MatchInput, cands: &mut Candidates) {
    let mut heads: [StreamIndex<(Proto, u64, u16)>; 2] = Default::default();
    let mut requests: StreamIndex<u64> = StreamIndex::default();
    let mut client_random: StreamIndex<[u8; 32]> = StreamIndex::default();
    let mut server_random: StreamIndex<[u8; 32]> = StreamIndex::default();
    for (j, s) in b.streams.iter().enumerate() {
        let j = j as u32;
        for (d, index) in heads.iter_mut().enumerate() {
            if let Some((h, len)) = s.content.head_hash[d] {
                index.insert((s.proto, h, len), j);
            }
        }
        for r in &s.content.requests {
            requests.insert(r.key(), j);
        }
        if let Some(r) = s.content.client_random {
            client_random.insert(r, j);
        }
        if let Some(r) = s.content.server_random {
            server_random.insert(r, j);
        }
    }
    for (i, s) in a.streams.iter().enumerate() {
        let i = i as u32;
        for (d, index) in heads.iter().enumerate() {
            let Some((h, len)) = s.content.head_hash[d] else {
                continue;
            };
            let hits = index.lookup(&(s.proto, h, len));
            if hits.is_empty() {
                continue;
            }
            // Short heads say less: weight by the share of the 64 bytes they cover.
            let w = f64::from(len) / HEAD_BYTES as f64 / hits.len() as f64;
            for j in hits {
                let e = cands.entry(i, j);
                if d == usize::from(DIR_C2S) {
                    e.head_c2s += w;
                } else {
                    e.head_s2c += w;
                }
            }
        }
        let client_ip = s.client.ip().to_string();
        for r in &s.content.requests {
            let hits = requests.lookup(&r.key());
            for j in hits {
                let peer = b
                    .streams
                    .get(j as usize)
                    .and_then(|t| t.content.requests.iter().find(|q| q.key() == r.key()));
                let e = cands.entry(i, j);
                e.requests += 1.0 / hits.len() as f64;
                e.request_count = e.request_count.saturating_add(1);
                if hits.len() == 1 {
                    e.unique_requests = e.unique_requests.saturating_add(1);
                }
                if let Some(q) = peer {
                    if r.body_hash.is_some() && r.body_hash == q.body_hash {
                        e.bodies = e.bodies.saturating_add(1);
                    }
                    // X-Forwarded-For added by the proxy names A's client.
                    let names_client = |x: &Option<String>| {
                        x.as_deref()
                            .is_some_and(|v| v.split(',').any(|a| a.trim() == client_ip))
                    };
                    if names_client(&q.forwarded_for) && !names_client(&r.forwarded_for) {
                        e.forwarded_for = true;
                    }
                }
            }
        }
        if let Some(r) = s.content.client_random {
            for j in client_random.lookup(&r) {
                cands.entry(i, j).client_random = true;
            }
        }
        if let Some(r) = s.content.server_random {
            for j in server_random.lookup(&r) {
                cands.entry(i, j).server_random = true;
            }
        }
    }
}

/// Most turn starts kept per stream for the clock of proxied links.
pub const MAX_TURN_STARTS: usize = 256;

/// Where each turn of a stream starts: (direction, time of its first packet with new data),
/// at most [`MAX_TURN_STARTS`]. Through a proxy the k-th turn at one point is the k-th turn at the
/// other, which gives the clock something to pair when packets cannot be paired.
pub fn turn_starts(input: &MatchInput, pkts: &[u32], s: &StreamSummary) -> Vec<(u8, i64)> {
    let mut out: Vec<(u8, i64)> = Vec::new();
    let mut high: [Option<u32>; 2] = [None, None];
    for p in pkts.iter().filter_map(|&i| input.packets.get(i as usize)) {
        if p.payload_len == 0 {
            continue;
        }
        let d = usize::from(p.dir & 1);
        if s.proto == Proto::Tcp {
            let end = p.seq.wrapping_add(p.payload_len);
            let advances = high[d].is_none_or(|h| (end.wrapping_sub(h) as i32) > 0);
            if !advances {
                continue;
            }
            high[d] = Some(end);
        }
        if out.last().map(|t| t.0) != Some(p.dir) {
            if out.len() == MAX_TURN_STARTS {
                break;
            }
            out.push((p.dir, p.ts_ns));
        }
    }
    out
}

/// The first [`TURNS_COMPARED`] turns of a stream: (direction, new payload bytes). Retransmitted
/// bytes are not counted (only data advancing the highest sequence seen in that direction), so the
/// pattern survives re-segmentation and retransmission.
pub fn turn_pattern(input: &MatchInput, pkts: &[u32], s: &StreamSummary) -> Vec<(u8, u64)> {
    let mut turns: Vec<(u8, u64)> = Vec::new();
    let mut high: [Option<u32>; 2] = [None, None];
    for p in pkts.iter().filter_map(|&i| input.packets.get(i as usize)) {
        if p.payload_len == 0 {
            continue;
        }
        let d = usize::from(p.dir & 1);
        let new_bytes = if s.proto == Proto::Tcp {
            let end = p.seq.wrapping_add(p.payload_len);
            match high[d] {
                None => {
                    high[d] = Some(end);
                    u64::from(p.payload_len)
                }
                Some(h) => {
                    let adv = end.wrapping_sub(h) as i32;
                    if adv > 0 {
                        high[d] = Some(end);
                        u64::from(adv.unsigned_abs().min(p.payload_len))
                    } else {
                        0
                    }
                }
            }
        } else {
            u64::from(p.payload_len)
        };
        if new_bytes == 0 {
            continue;
        }
        match turns.last_mut() {
            Some((ld, n)) if *ld == p.dir => *n = n.saturating_add(new_bytes),
            _ => {
                if turns.len() == TURNS_COMPARED {
                    break;
                }
                turns.push((p.dir, new_bytes));
            }
        }
    }
    turns
}
