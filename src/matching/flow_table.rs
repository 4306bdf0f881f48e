//! The multi-hop flow table for N captures: one row per logical packet of interest (handshake,
//! request start, response first and last packet, FIN, RST) of each stream of the first capture,
//! followed through every consecutive pair of captures, with frame, time, stream and client port
//! at each point and the clock-corrected delta between consecutive points.
//!
//! A packet is followed through a packet-level link by its pairing; through an application-level
//! link (a proxy) by the same event's ordinal in the peer stream (the k-th request start maps to the
//! k-th request start).

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::input::{tcp_flags, MatchInput, PacketRecord, DIR_C2S, DIR_S2C};
use super::pair::PairResult;

/// Most rows produced (the table is for reading; the bound keeps it finite on huge captures).
pub const MAX_FLOW_ROWS: usize = 100_000;

/// One capture point's view of a logical packet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowPoint {
    /// Frame number there.
    pub frame: u32,
    /// Epoch seconds there (that capture's own clock).
    pub time_s: f64,
    /// The same time in epoch ns.
    pub ts_ns: i64,
    /// Stream number there.
    pub stream: u32,
    /// Client port there.
    pub client_port: u16,
}

/// One logical packet across the points.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowRow {
    /// `syn`, `syn_ack`, `request`, `response_first`, `response_last`, `fin`, `rst`.
    pub event: &'static str,
    /// `tcp` or `udp`.
    pub proto: &'static str,
    /// Per capture, in order (None where the packet is not seen).
    pub points: Vec<Option<FlowPoint>>,
    /// Per consecutive pair: time at the later point − time at the earlier, minus the estimated
    /// clock offset of that pair (seconds).
    pub deltas_s: Vec<Option<f64>>,
}

/// One event of a stream: (event name, ordinal of that event in the stream, packet index).
type Event = (&'static str, u32, u32);

/// Events of one stream, in packet order.
fn stream_events(input: &MatchInput, pkts: &[u32]) -> Vec<Event> {
    let mut out = Vec::new();
    let mut counts: FxHashMap<&'static str, u32> = FxHashMap::default();
    let mut push = |out: &mut Vec<Event>, ev: &'static str, i: u32| {
        let n = counts.entry(ev).or_default();
        out.push((ev, *n, i));
        *n = n.saturating_add(1);
    };
    let mut last_dir: Option<u8> = None;
    let mut last_response: Option<u32> = None;
    let mut fin_seen = [false; 2];
    for &i in pkts {
        let Some(p) = input.packets.get(i as usize) else {
            continue;
        };
        let f = p.flags;
        if f & tcp_flags::SYN != 0 {
            let ev = if f & tcp_flags::ACK != 0 {
                "syn_ack"
            } else {
                "syn"
            };
            if !out.iter().any(|(e, _, _)| *e == ev) {
                push(&mut out, ev, i);
            }
        }
        if f & tcp_flags::RST != 0 {
            push(&mut out, "rst", i);
        }
        if f & tcp_flags::FIN != 0 && !fin_seen[usize::from(p.dir & 1)] {
            fin_seen[usize::from(p.dir & 1)] = true;
            push(&mut out, "fin", i);
        }
        if p.payload_len == 0 {
            continue;
        }
        if p.dir == DIR_C2S && last_dir != Some(DIR_C2S) {
            if let Some(r) = last_response.take() {
                push(&mut out, "response_last", r);
            }
            push(&mut out, "request", i);
        }
        if p.dir == DIR_S2C {
            if last_dir != Some(DIR_S2C) {
                push(&mut out, "response_first", i);
            }
            last_response = Some(i);
        }
        last_dir = Some(p.dir);
    }
    if let Some(r) = last_response {
        push(&mut out, "response_last", r);
    }
    out.sort_by_key(|e| e.2);
    out
}

fn point(input: &MatchInput, i: u32) -> Option<(FlowPoint, &PacketRecord)> {
    let p = input.packets.get(i as usize)?;
    let s = input.streams.get(p.stream as usize)?;
    Some((
        FlowPoint {
            frame: p.frame,
            time_s: p.ts_ns as f64 / 1e9,
            ts_ns: p.ts_ns,
            stream: s.stream,
            client_port: s.client.port(),
        },
        p,
    ))
}

/// Builds the table. `pairs[k]` is the result of inputs k and k+1.
pub fn flow_table(inputs: &[MatchInput], pairs: &[&PairResult]) -> Vec<FlowRow> {
    let Some(first) = inputs.first() else {
        return Vec::new();
    };
    // Per hop: packet map A→B, stream link A→B (indexes) and whether it is packet level.
    struct Hop {
        packet: FxHashMap<u32, u32>,
        stream: FxHashMap<u32, (u32, bool)>,
    }
    let hops: Vec<Hop> = pairs
        .iter()
        .map(|r| {
            let mut hop = Hop {
                packet: FxHashMap::default(),
                stream: FxHashMap::default(),
            };
            for m in r.matches.iter().filter(|m| !m.link.shared) {
                hop.stream.insert(m.link.a, (m.link.b, m.pairing.is_some()));
                if let Some(p) = &m.pairing {
                    hop.packet.extend(p.pairs.iter().copied());
                }
            }
            hop
        })
        .collect();
    // Events per capture per stream.
    let events: Vec<Vec<Vec<Event>>> = inputs
        .iter()
        .map(|x| {
            x.packets_by_stream()
                .iter()
                .map(|list| stream_events(x, list))
                .collect()
        })
        .collect();
    let mut rows = Vec::new();
    for (si, s) in first.streams.iter().enumerate() {
        let Some(evs) = events.first().and_then(|v| v.get(si)) else {
            continue;
        };
        for &(ev, ordinal, pkt) in evs {
            if rows.len() >= MAX_FLOW_ROWS {
                return rows;
            }
            let mut points: Vec<Option<FlowPoint>> = Vec::with_capacity(inputs.len());
            let mut cur: Option<(u32, u32)> = Some((si as u32, pkt)); // (stream idx, packet idx)
            for (k, input) in inputs.iter().enumerate() {
                points.push(cur.and_then(|(_, p)| point(input, p).map(|x| x.0)));
                let Some(hop) = hops.get(k) else { break };
                cur = cur.and_then(|(st, p)| {
                    let &(next_stream, packet_level) = hop.stream.get(&st)?;
                    if packet_level {
                        return hop.packet.get(&p).map(|&q| (next_stream, q));
                    }
                    events
                        .get(k + 1)?
                        .get(next_stream as usize)?
                        .iter()
                        .find(|(e, o, _)| *e == ev && *o == ordinal)
                        .map(|&(_, _, q)| (next_stream, q))
                });
            }
            let deltas_s = points
                .windows(2)
                .enumerate()
                .map(|(k, w)| {
                    let (Some(x), Some(y)) = (&w[0], &w[1]) else {
                        return None;
                    };
                    let t0 = inputs.get(k).and_then(|i| i.first_ts_ns).unwrap_or(x.ts_ns);
                    let shift = pairs
                        .get(k)
                        .and_then(|r| r.clock)
                        .map(|c| c.shift_at_ns(x.ts_ns, t0))
                        .unwrap_or(0.0);
                    Some((y.ts_ns.saturating_sub(x.ts_ns) as f64 - shift) / 1e9)
                })
                .collect();
            rows.push(FlowRow {
                event: ev,
                proto: s.proto.name(),
                points,
                deltas_s,
            });
        }
    }
    rows
}
