//! `tcp.stream` numbering as tshark 4.0 does it.
//!
//! A conversation is looked up by address/port pair in either orientation; the newest conversation
//! for the pair wins. Each direction records a base sequence number the first time it is seen
//! (`packet-tcp.c`: a SYN's sequence number, otherwise `seq - 1`; and for the reverse direction,
//! from the first ACK: `ack - 1`). A pure SYN (SYN without ACK) whose sequence number differs from
//! its direction's recorded base starts a new conversation, and so a new stream number. Nothing else
//! does: a repeated SYN with the same ISN after FIN or RST stays in the stream, and a SYN/ACK with a
//! new ISN only counts as "ports reused" analysis.

use rustc_hash::FxHashMap;

use super::{Direction, EndpointKey, StreamStats};
use crate::capture::FrameMeta;
use crate::decode::TcpLayer;

const TH_FIN: u16 = 0x001;
const TH_SYN: u16 = 0x002;
const TH_ACK: u16 = 0x010;

/// One TCP stream: statistics plus what the numbering rules need.
#[derive(Clone, Debug)]
pub struct TcpStream {
    /// Conversation counters.
    pub stats: StreamStats,
    /// True when A is the key's low endpoint (fixes the orientation of `base_seq`).
    pub(crate) a_is_lo: bool,
    /// Base sequence number per key orientation: [low→high, high→low].
    pub(crate) base_seq: [Option<u32>; 2],
    /// A pure SYN was seen (used for "missed SYN" by sessions).
    pub saw_syn: bool,
    /// A FIN was seen in either direction.
    pub saw_fin: bool,
}

/// The table of TCP streams of one capture, in stream-number order.
#[derive(Default)]
pub struct TcpStreamTable {
    latest: FxHashMap<EndpointKey, u32>,
    streams: Vec<TcpStream>,
}

impl TcpStreamTable {
    /// Number of streams so far.
    pub fn len(&self) -> usize {
        self.streams.len()
    }

    /// True when no stream was seen.
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    /// All streams; index = `tcp.stream`.
    pub fn streams(&self) -> &[TcpStream] {
        &self.streams
    }

    /// A table holding `streams` (index = `tcp.stream`), as a saved index restores it; each
    /// address/port pair maps to its newest stream, as numbering left it.
    pub(crate) fn from_streams(streams: Vec<TcpStream>) -> Self {
        let mut latest = FxHashMap::default();
        for (id, s) in streams.iter().enumerate() {
            let st = &s.stats;
            let (key, _) = EndpointKey::new(st.addr_a, st.port_a, st.addr_b, st.port_b);
            latest.insert(key, id as u32);
        }
        TcpStreamTable { latest, streams }
    }

    fn create(&mut self, key: EndpointKey, lo_to_hi: bool, frame: u32, t: &TcpLayer) -> u32 {
        let id = self.streams.len() as u32;
        let meta = FrameMeta {
            number: frame,
            ..FrameMeta::default()
        };
        self.streams.push(TcpStream {
            stats: StreamStats::new(&meta, t.src, t.src_port, t.dst, t.dst_port),
            a_is_lo: lo_to_hi,
            base_seq: [None; 2],
            saw_syn: false,
            saw_fin: false,
        });
        self.latest.insert(key, id);
        id
    }

    /// Finds or creates the stream of TCP layer `t` seen in frame `frame`; returns its id and the
    /// packet's direction within it.
    pub fn assign(&mut self, frame: u32, t: &TcpLayer) -> (u32, Direction) {
        let (key, lo_to_hi) = EndpointKey::new(t.src, t.src_port, t.dst, t.dst_port);
        let fwd = usize::from(!lo_to_hi);
        let rev = 1 - fwd;
        let pure_syn = t.flags & (TH_SYN | TH_ACK) == TH_SYN;
        let mut id = match self.latest.get(&key) {
            Some(&id) => id,
            None => self.create(key, lo_to_hi, frame, t),
        };
        if pure_syn {
            if let Some(base) = self.streams[id as usize].base_seq[fwd] {
                if base != t.seq {
                    id = self.create(key, lo_to_hi, frame, t);
                }
            }
        }
        let s = &mut self.streams[id as usize];
        if s.base_seq[fwd].is_none() {
            s.base_seq[fwd] = Some(if t.flags & TH_SYN != 0 {
                t.seq
            } else {
                t.seq.wrapping_sub(1)
            });
        }
        if s.base_seq[rev].is_none() && t.flags & TH_ACK != 0 {
            s.base_seq[rev] = Some(t.ack.wrapping_sub(1));
        }
        if pure_syn {
            s.saw_syn = true;
        }
        if t.flags & TH_FIN != 0 {
            s.saw_fin = true;
        }
        let dir = if lo_to_hi == s.a_is_lo {
            Direction::AtoB
        } else {
            Direction::BtoA
        };
        (id, dir)
    }

    /// Counts a frame in stream `id`'s statistics.
    pub fn count(&mut self, id: u32, dir: Direction, meta: &FrameMeta, payload: u32) {
        if let Some(s) = self.streams.get_mut(id as usize) {
            s.stats.count(dir, meta, payload);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::TcpOptionsSummary;
    use std::net::{IpAddr, Ipv4Addr};

    fn seg(from_client: bool, flags: u16, seq: u32, ack: u32) -> TcpLayer {
        let c = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let s = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let (src, dst, sp, dp) = if from_client {
            (c, s, 40000, 80)
        } else {
            (s, c, 80, 40000)
        };
        TcpLayer {
            src,
            dst,
            src_port: sp,
            dst_port: dp,
            seq,
            ack,
            flags,
            window: 1000,
            header_len: 20,
            payload_len: 0,
            payload_offset: 0,
            payload_captured: 0,
            options: TcpOptionsSummary::default(),
            in_error: false,
        }
    }

    const SYN: u16 = TH_SYN;
    const SYNACK: u16 = TH_SYN | TH_ACK;
    const ACK: u16 = TH_ACK;
    const FINACK: u16 = TH_FIN | TH_ACK;
    const RST: u16 = 0x004;

    fn ids(t: &mut TcpStreamTable, segs: &[TcpLayer]) -> Vec<u32> {
        segs.iter()
            .enumerate()
            .map(|(i, s)| t.assign(i as u32 + 1, s).0)
            .collect()
    }

    #[test]
    fn handshake_and_data_share_one_stream_with_directions() {
        let mut t = TcpStreamTable::default();
        let segs = [
            seg(true, SYN, 100, 0),
            seg(false, SYNACK, 900, 101),
            seg(true, ACK, 101, 901),
        ];
        assert_eq!(ids(&mut t, &segs), vec![0, 0, 0]);
        assert_eq!(t.assign(4, &segs[1]).1, Direction::BtoA);
        assert_eq!(t.assign(5, &segs[0]).1, Direction::AtoB);
    }

    #[test]
    fn new_isn_pure_syn_starts_new_stream_after_close() {
        let mut t = TcpStreamTable::default();
        let segs = [
            seg(true, SYN, 100, 0),
            seg(false, SYNACK, 900, 101),
            seg(true, FINACK, 101, 901),
            seg(true, SYN, 5000, 0),
        ];
        assert_eq!(ids(&mut t, &segs), vec![0, 0, 0, 1]);
    }

    #[test]
    fn same_isn_syn_after_rst_stays_in_stream() {
        let mut t = TcpStreamTable::default();
        let segs = [
            seg(true, SYN, 100, 0),
            seg(false, RST | ACK, 0, 101),
            seg(true, SYN, 100, 0),
        ];
        assert_eq!(ids(&mut t, &segs), vec![0, 0, 0]);
    }

    #[test]
    fn synack_with_new_isn_does_not_start_stream() {
        let mut t = TcpStreamTable::default();
        let segs = [
            seg(true, SYN, 100, 0),
            seg(false, SYNACK, 900, 101),
            seg(false, SYNACK, 7777, 101),
        ];
        assert_eq!(ids(&mut t, &segs), vec![0, 0, 0]);
    }

    #[test]
    fn mid_stream_start_then_syn_with_other_isn_is_new_stream() {
        let mut t = TcpStreamTable::default();
        let segs = [seg(true, ACK, 5000, 1), seg(true, SYN, 5000, 0)];
        // base for the client direction was set to seq - 1 = 4999, so the SYN's 5000 differs.
        assert_eq!(ids(&mut t, &segs), vec![0, 1]);
    }

    #[test]
    fn reverse_base_comes_from_ack() {
        let mut t = TcpStreamTable::default();
        // Client's ACK says the server's next byte is 901: server base = 900. A pure SYN from the
        // server side with seq 900 is therefore not a new connection.
        let segs = [seg(true, ACK, 101, 901), seg(false, SYN, 900, 0)];
        assert_eq!(ids(&mut t, &segs), vec![0, 0]);
    }
}
