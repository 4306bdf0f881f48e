//! UDP "follow": one chunk per datagram, in frame order, as tshark 4.0's follow tap.

use super::tcp_follow::FollowChunk;

/// One UDP datagram of the followed stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UdpDatagram {
    /// Frame number (1-based).
    pub frame: u32,
    /// Capture timestamp, ns since the epoch.
    pub ts_ns: i64,
    /// 0 when sent by node 0 (the source of the stream's first datagram), 1 otherwise.
    pub dir: u8,
    /// Captured payload bytes.
    pub payload: Vec<u8>,
}

/// The chunks of a UDP stream, lazily: one per non-empty datagram (tshark skips empty ones).
pub fn follow_udp<I: IntoIterator<Item = UdpDatagram>>(
    datagrams: I,
) -> impl Iterator<Item = FollowChunk> {
    datagrams
        .into_iter()
        .filter(|d| !d.payload.is_empty())
        .map(|d| FollowChunk {
            frame: d.frame,
            ts_ns: d.ts_ns,
            dir: d.dir.min(1),
            bytes: d.payload,
            gap_before: None,
        })
}
