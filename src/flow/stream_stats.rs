//! Per-stream conversation statistics: endpoints (A = first packet's source), frames and bytes per
//! direction, payload bytes, first and last time.

use std::net::IpAddr;

use super::Direction;
use crate::capture::FrameMeta;

/// Counters of one TCP or UDP stream (or IP conversation).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamStats {
    /// Address A: source of the first packet.
    pub addr_a: IpAddr,
    /// Port A (0 for IP conversations).
    pub port_a: u16,
    /// Address B.
    pub addr_b: IpAddr,
    /// Port B.
    pub port_b: u16,
    /// First frame number.
    pub first_frame: u32,
    /// Last frame number.
    pub last_frame: u32,
    /// Timestamp of the first frame (epoch ns).
    pub first_ts_ns: i64,
    /// Timestamp of the last frame (epoch ns).
    pub last_ts_ns: i64,
    /// Frames per direction ([A→B, B→A]).
    pub frames: [u64; 2],
    /// Wire bytes per direction.
    pub bytes: [u64; 2],
    /// TCP payload bytes (`tcp.len`) per direction.
    pub payload: [u64; 2],
}

impl StreamStats {
    /// Empty statistics for a conversation first seen in `meta` from `src:sport` to `dst:dport`.
    pub fn new(meta: &FrameMeta, src: IpAddr, sport: u16, dst: IpAddr, dport: u16) -> Self {
        StreamStats {
            addr_a: src,
            port_a: sport,
            addr_b: dst,
            port_b: dport,
            first_frame: meta.number,
            last_frame: meta.number,
            first_ts_ns: meta.ts_ns,
            last_ts_ns: meta.ts_ns,
            frames: [0; 2],
            bytes: [0; 2],
            payload: [0; 2],
        }
    }

    /// Counts one frame in direction `dir` carrying `payload` bytes of transport payload.
    pub fn count(&mut self, dir: Direction, meta: &FrameMeta, payload: u32) {
        let d = match dir {
            Direction::AtoB => 0,
            Direction::BtoA => 1,
        };
        if self.frames[0] == 0 && self.frames[1] == 0 {
            self.first_frame = meta.number;
            self.first_ts_ns = meta.ts_ns;
        }
        self.frames[d] = self.frames[d].saturating_add(1);
        self.bytes[d] = self.bytes[d].saturating_add(u64::from(meta.wire_len));
        self.payload[d] = self.payload[d].saturating_add(u64::from(payload));
        self.last_frame = meta.number;
        self.last_ts_ns = meta.ts_ns;
    }

    /// Total frames.
    pub fn total_frames(&self) -> u64 {
        self.frames[0].saturating_add(self.frames[1])
    }
}
