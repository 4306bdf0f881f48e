//! The TCP layers of one frame, outermost first, each with what every per-segment consumer
//! (TCP analysis, ladder, stream graphs) needs beside the header: its position among the frame's
//! TCP layers (the index into the frame's stream ids and analysis entries), its `tcp.stream`, and
//! the bytes its offsets point into — the frame's own, or after an IP layer that completed a
//! reassembled datagram, that datagram's payload.

use super::tcp_analysis::parse_sack_blocks;
use crate::decode::{Layer, TcpLayer};
use crate::flow::NO_STREAM;
use crate::pipeline::FrameContext;

/// One TCP layer of a frame.
#[derive(Clone, Copy, Debug)]
pub struct TcpLayerAt<'a> {
    /// Position among the frame's TCP layers (0 = outermost).
    pub index: usize,
    /// The layer's `tcp.stream`, or [`NO_STREAM`] when it has none (e.g. quoted in an ICMP error).
    pub stream: u32,
    /// The decoded header.
    pub tcp: &'a TcpLayer,
    /// The bytes the layer's offsets (`payload_offset`, header start) refer to.
    pub bytes: &'a [u8],
}

impl TcpLayerAt<'_> {
    /// Replaces `out` with the layer's SACK blocks (left, right edges as on the wire); empty when
    /// the header has none or is not in the bytes.
    pub fn sack_blocks(&self, out: &mut Vec<(u32, u32)>) {
        out.clear();
        if self.tcp.options.sack_blocks > 0 {
            let start = self
                .tcp
                .payload_offset
                .saturating_sub(u32::from(self.tcp.header_len));
            if let Some(header) = self.bytes.get(start as usize..) {
                parse_sack_blocks(header, out);
            }
        }
    }
}

/// The TCP layers of `ctx`'s frame, outermost first.
pub fn tcp_layers<'a>(ctx: &'a FrameContext<'a>) -> impl Iterator<Item = TcpLayerAt<'a>> + 'a {
    let mut bytes: &'a [u8] = ctx.data;
    let mut index = 0usize;
    ctx.frame
        .layers
        .iter()
        .filter_map(move |layer| match layer {
            Layer::Ipv4(ip) if ip.reassembled => {
                bytes = ctx.reassembled.unwrap_or(&[]);
                None
            }
            Layer::Ipv6(ip) if ip.reassembled => {
                bytes = ctx.reassembled.unwrap_or(&[]);
                None
            }
            Layer::Tcp(tcp) => {
                let at = TcpLayerAt {
                    index,
                    stream: ctx.streams.tcp.get(index).copied().unwrap_or(NO_STREAM),
                    tcp,
                    bytes,
                };
                index += 1;
                Some(at)
            }
            _ => None,
        })
}
