//! `udp.stream` numbering as tshark 4.0 does it: one stream per address/port pair (either
//! orientation), numbered in order of first appearance; no port-reuse rule.

use rustc_hash::FxHashMap;

use super::{Direction, EndpointKey, StreamStats};
use crate::capture::FrameMeta;
use crate::decode::UdpLayer;

/// One UDP stream.
#[derive(Clone, Debug)]
pub struct UdpStream {
    /// Conversation counters.
    pub stats: StreamStats,
    /// True when A is the key's low endpoint.
    pub(crate) a_is_lo: bool,
}

/// The table of UDP streams of one capture, in stream-number order.
#[derive(Default)]
pub struct UdpStreamTable {
    latest: FxHashMap<EndpointKey, u32>,
    streams: Vec<UdpStream>,
}

impl UdpStreamTable {
    /// Number of streams so far.
    pub fn len(&self) -> usize {
        self.streams.len()
    }

    /// True when no stream was seen.
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    /// All streams; index = `udp.stream`.
    pub fn streams(&self) -> &[UdpStream] {
        &self.streams
    }

    /// A table holding `streams` (index = `udp.stream`), as a saved index restores it.
    pub(crate) fn from_streams(streams: Vec<UdpStream>) -> Self {
        let mut latest = FxHashMap::default();
        for (id, s) in streams.iter().enumerate() {
            let st = &s.stats;
            let (key, _) = EndpointKey::new(st.addr_a, st.port_a, st.addr_b, st.port_b);
            latest.insert(key, id as u32);
        }
        UdpStreamTable { latest, streams }
    }

    /// Finds or creates the stream of UDP layer `u` seen in frame `frame`.
    pub fn assign(&mut self, frame: u32, u: &UdpLayer) -> (u32, Direction) {
        let (key, lo_to_hi) = EndpointKey::new(u.src, u.src_port, u.dst, u.dst_port);
        let id = match self.latest.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.streams.len() as u32;
                let meta = FrameMeta {
                    number: frame,
                    ..FrameMeta::default()
                };
                self.streams.push(UdpStream {
                    stats: StreamStats::new(&meta, u.src, u.src_port, u.dst, u.dst_port),
                    a_is_lo: lo_to_hi,
                });
                self.latest.insert(key, id);
                id
            }
        };
        let s = &self.streams[id as usize];
        let dir = if lo_to_hi == s.a_is_lo {
            Direction::AtoB
        } else {
            Direction::BtoA
        };
        (id, dir)
    }

    /// Counts a frame in stream `id`'s statistics.
    pub fn count(&mut self, id: u32, dir: Direction, meta: &FrameMeta) {
        if let Some(s) = self.streams.get_mut(id as usize) {
            s.stats.count(dir, meta, 0);
        }
    }
}
