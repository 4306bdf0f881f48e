//! Decoding: link layer → network → transport → a few application headers, on top of etherparse.
//!
//! Decoding is lax: every layer parsed before a problem is kept in [`DecodedFrame::layers`] and the
//! problem is recorded in [`DecodedFrame::anomalies`]. The [`Decoder`] is stateful only for IP
//! fragment reassembly (tshark 4.0 default: the transport layer is decoded on the fragment that
//! completes the datagram, and only that frame carries transport fields).

mod anomaly;
mod bytes;
mod decoder;
mod defrag;
mod describe;
mod layer;
mod link;
mod names;
mod network;
mod transport;
mod tunnel;

#[cfg(test)]
mod tests;

pub use anomaly::Anomaly;
pub use decoder::{Decoder, LayerSpan};
pub use describe::{describe, describe_with, Description};
pub use layer::*;

/// Everything decoded from one frame, outermost layer first.
///
/// Reused across frames by the indexer (call [`DecodedFrame::clear`]) so the hot path allocates
/// nothing per packet.
#[derive(Clone, Debug, Default)]
pub struct DecodedFrame {
    /// Layers, outermost first. Tunnels and ICMP-quoted packets simply continue the list: an
    /// [`Layer::Icmp`]/[`Layer::Icmpv6`] error is followed by the quoted IP and transport layers,
    /// which have `in_error: true`.
    pub layers: Vec<Layer>,
    /// Problems found while decoding, in order.
    pub anomalies: Vec<Anomaly>,
}

impl DecodedFrame {
    /// Empties the frame for reuse, keeping allocations.
    pub fn clear(&mut self) {
        self.layers.clear();
        self.anomalies.clear();
    }

    /// Iterates over the TCP layers (several for tunnels / ICMP-quoted packets), outermost first.
    pub fn tcp_layers(&self) -> impl Iterator<Item = &TcpLayer> {
        self.layers.iter().filter_map(|l| match l {
            Layer::Tcp(t) => Some(t),
            _ => None,
        })
    }

    /// Positions in `layers` of the innermost TCP layer and of the innermost UDP layer (the
    /// ones conversation statistics count a frame on).
    pub fn innermost_transport(&self) -> (Option<usize>, Option<usize>) {
        let last = |tcp: bool| {
            self.layers.iter().rposition(|l| match l {
                Layer::Tcp(_) => tcp,
                Layer::Udp(_) => !tcp,
                _ => false,
            })
        };
        (last(true), last(false))
    }

    /// Iterates over the UDP layers, outermost first.
    pub fn udp_layers(&self) -> impl Iterator<Item = &UdpLayer> {
        self.layers.iter().filter_map(|l| match l {
            Layer::Udp(u) => Some(u),
            _ => None,
        })
    }
}
