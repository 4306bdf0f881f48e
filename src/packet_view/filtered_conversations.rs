//! Conversation tables restricted to the frames a display filter matched (Wireshark's
//! Conversations dialog with "Limit to display filter"): the same rows as
//! [`crate::pipeline::Pipeline::conversations`], counting only matching frames, and only the
//! conversations that have one. Streams keep the capture's `tcp.stream` / `udp.stream` numbers
//! and their A/B orientation. Memory bound: one [`StreamStats`] per conversation with a match.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::capture::FrameMeta;
use crate::decode::Layer;
use crate::flow::{Direction, StreamStats};
use crate::pipeline::{ConvKind, Conversation, FrameContext};

/// A row of a filtered table; IP rows also carry their row in the capture's IP table (what the
/// page asks `frames_of_stream` for).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FilteredConversation {
    /// The row.
    #[serde(flatten)]
    pub conversation: Conversation,
    /// Row index in the unfiltered IP table (IP rows only).
    pub ip_row: Option<u32>,
}

/// Counts matching frames per conversation.
#[derive(Default)]
pub struct FilteredConversations {
    tcp: BTreeMap<u32, StreamStats>,
    udp: BTreeMap<u32, StreamStats>,
    ip: BTreeMap<u32, StreamStats>,
}

impl FilteredConversations {
    /// Empty tables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts a matching frame (as the pipeline's flow tables count it: innermost TCP layer,
    /// innermost UDP layer, outermost IP layer).
    pub fn observe(&mut self, c: &FrameContext) {
        let layers = &c.frame.layers;
        let tcp = layers.iter().rev().find_map(|l| match l {
            Layer::Tcp(t) => Some(t),
            _ => None,
        });
        if let (Some(t), Some(&id), Some(dir)) = (tcp, c.streams.tcp.last(), c.streams.tcp_dir) {
            let endpoints = (t.src, t.src_port, t.dst, t.dst_port);
            oriented(&mut self.tcp, id, c.meta, endpoints, dir).count(dir, c.meta, t.payload_len);
        }
        let udp = layers.iter().rev().find_map(|l| match l {
            Layer::Udp(u) => Some(u),
            _ => None,
        });
        if let (Some(u), Some(&id), Some(dir)) = (udp, c.streams.udp.last(), c.streams.udp_dir) {
            let endpoints = (u.src, u.src_port, u.dst, u.dst_port);
            oriented(&mut self.udp, id, c.meta, endpoints, dir).count(dir, c.meta, 0);
        }
        let ip = layers.iter().find_map(|l| match l {
            Layer::Ipv4(ip) if !ip.in_error => Some((IpAddr::from(ip.src), IpAddr::from(ip.dst))),
            Layer::Ipv6(ip) if !ip.in_error => Some((IpAddr::from(ip.src), IpAddr::from(ip.dst))),
            _ => None,
        });
        if let (Some((src, dst)), Some(row)) = (ip, c.streams.ip_conv) {
            let stats = self
                .ip
                .entry(row)
                .or_insert_with(|| StreamStats::new(c.meta, src, 0, dst, 0));
            let dir = if stats.addr_a == src {
                Direction::AtoB
            } else {
                Direction::BtoA
            };
            stats.count(dir, c.meta, 0);
        }
    }

    /// The filtered table of `kind`. `full` is the unfiltered table of the same kind (for the IP
    /// rows' A/B orientation); `first_ts_ns` is the capture's first timestamp.
    pub fn conversations(
        &self,
        kind: ConvKind,
        full: &[Conversation],
        first_ts_ns: i64,
    ) -> Vec<FilteredConversation> {
        let row = |stream: Option<u32>, s: &StreamStats, ports: bool, ip_row: Option<u32>| {
            FilteredConversation {
                conversation: Conversation::from_stats(kind, stream, s, ports, first_ts_ns),
                ip_row,
            }
        };
        match kind {
            ConvKind::Tcp => self
                .tcp
                .iter()
                .map(|(&id, s)| row(Some(id), s, true, None))
                .collect(),
            ConvKind::Udp => self
                .udp
                .iter()
                .map(|(&id, s)| row(Some(id), s, true, None))
                .collect(),
            // Row ids are the capture's IP table order (first appearance), as BTreeMap keys.
            ConvKind::Ip => self
                .ip
                .iter()
                .map(|(&id, s)| {
                    // Orient as the capture's table does (A = its first packet's source).
                    let flip = full
                        .get(id as usize)
                        .is_some_and(|f| f.addr_a != s.addr_a.to_string());
                    let stats = if flip { swapped(s) } else { s.clone() };
                    row(None, &stats, false, Some(id))
                })
                .collect(),
        }
    }
}

/// The stats of `id`, created oriented as the stream is (A = the stream's first source).
fn oriented<'a>(
    table: &'a mut BTreeMap<u32, StreamStats>,
    id: u32,
    meta: &FrameMeta,
    (src, sport, dst, dport): (IpAddr, u16, IpAddr, u16),
    dir: Direction,
) -> &'a mut StreamStats {
    table.entry(id).or_insert_with(|| match dir {
        Direction::AtoB => StreamStats::new(meta, src, sport, dst, dport),
        Direction::BtoA => StreamStats::new(meta, dst, dport, src, sport),
    })
}

/// `s` with A and B exchanged.
fn swapped(s: &StreamStats) -> StreamStats {
    StreamStats {
        addr_a: s.addr_b,
        port_a: s.port_b,
        addr_b: s.addr_a,
        port_b: s.port_a,
        frames: [s.frames[1], s.frames[0]],
        bytes: [s.bytes[1], s.bytes[0]],
        payload: [s.payload[1], s.payload[0]],
        ..s.clone()
    }
}
