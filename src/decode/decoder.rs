//! The stateful frame decoder (link type dispatch, tunnels, ICMP-quoted packets, IP defragmentation).

use super::DecodedFrame;
use crate::capture::FrameMeta;

/// Decodes frames in file order. State: pending IPv4/IPv6 fragments (bounded).
#[derive(Default)]
pub struct Decoder {}

impl Decoder {
    /// A decoder with empty fragment tables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes one frame into `out` (cleared first). Never panics; problems become anomalies.
    pub fn decode(&mut self, _meta: &FrameMeta, _data: &[u8], out: &mut DecodedFrame) {
        out.clear();
        unimplemented!("decoder: being written")
    }

    /// When the last decoded frame completed an IP datagram, its reassembled payload (the bytes
    /// that the transport layers' offsets refer to).
    pub fn reassembled_payload(&self) -> Option<&[u8]> {
        None
    }
}
