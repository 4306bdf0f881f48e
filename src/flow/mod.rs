//! Flows: `tcp.stream` / `udp.stream` numbering exactly as tshark 4.0, and conversations.
//!
//! tshark numbers a stream when its TCP/UDP dissector first creates a *conversation* for the
//! packet's address/port pair (either orientation). TCP adds one rule (`epan/dissectors/packet-tcp.c`,
//! `dissect_tcp`): a pure SYN whose sequence number differs from the base sequence number already
//! recorded for that direction starts a new conversation (ports reused). A SYN with the same ISN, or a
//! SYN/ACK with a new ISN, stays in the existing stream. Every TCP/UDP layer of a frame is numbered,
//! including tunnelled ones and those quoted inside ICMP errors.

mod endpoint_key;
mod ip_conversations;
mod stream_stats;
mod tcp_streams;
mod udp_streams;

pub use endpoint_key::{Direction, EndpointKey};
pub use ip_conversations::IpConversationTable;
pub use stream_stats::StreamStats;
pub use tcp_streams::{TcpStream, TcpStreamTable};
pub use udp_streams::{UdpStream, UdpStreamTable};

use crate::capture::FrameMeta;
use crate::decode::{DecodedFrame, Layer};

/// Placeholder in [`FrameStreams`] for a TCP/UDP layer that tshark gives no stream number (its
/// dissector stops before creating a conversation, e.g. a UDP length field below 8).
pub const NO_STREAM: u32 = u32::MAX;

/// Stream ids assigned to one frame: one per TCP layer and one per UDP layer, outermost first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FrameStreams {
    /// `tcp.stream` per TCP layer, in layer order.
    pub tcp: Vec<u32>,
    /// `udp.stream` per UDP layer, in layer order.
    pub udp: Vec<u32>,
    /// Direction of the innermost TCP layer within its stream (A→B or B→A).
    pub tcp_dir: Option<Direction>,
    /// Direction of the innermost UDP layer within its stream.
    pub udp_dir: Option<Direction>,
    /// Index of the IP conversation of the outermost IP layer, if any.
    pub ip_conv: Option<u32>,
}

impl FrameStreams {
    /// Empties for reuse.
    pub fn clear(&mut self) {
        self.tcp.clear();
        self.udp.clear();
        self.tcp_dir = None;
        self.udp_dir = None;
        self.ip_conv = None;
    }
}

/// All flow tables of one capture.
#[derive(Default)]
pub struct FlowTables {
    /// TCP streams.
    pub tcp: TcpStreamTable,
    /// UDP streams.
    pub udp: UdpStreamTable,
    /// IP address pairs.
    pub ip: IpConversationTable,
}

impl FlowTables {
    /// Empty tables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Assigns stream ids to every TCP/UDP layer of `frame` and updates conversation statistics
    /// (counted once per frame, on the innermost TCP and the innermost UDP layer, with the frame's
    /// wire length, as the conversation tables of tshark's oracle do).
    pub fn observe(&mut self, meta: &FrameMeta, frame: &DecodedFrame, out: &mut FrameStreams) {
        out.clear();
        let (last_tcp, last_udp) = frame.innermost_transport();
        let mut outer_ip_seen = false;
        for (i, layer) in frame.layers.iter().enumerate() {
            match layer {
                Layer::Tcp(t) => {
                    let (id, dir) = self.tcp.assign(meta.number, t);
                    out.tcp.push(id);
                    if Some(i) == last_tcp {
                        out.tcp_dir = Some(dir);
                        self.tcp.count(id, dir, meta, t.payload_len);
                    }
                }
                Layer::Udp(u) if udp_length_is_bogus(u) => out.udp.push(NO_STREAM),
                Layer::Udp(u) => {
                    let (id, dir) = self.udp.assign(meta.number, u);
                    out.udp.push(id);
                    if Some(i) == last_udp {
                        out.udp_dir = Some(dir);
                        self.udp.count(id, dir, meta);
                    }
                }
                Layer::Ipv4(ip) if !outer_ip_seen && !ip.in_error => {
                    outer_ip_seen = true;
                    out.ip_conv = Some(self.ip.count(
                        meta,
                        std::net::IpAddr::from(ip.src),
                        std::net::IpAddr::from(ip.dst),
                    ));
                }
                Layer::Ipv6(ip) if !outer_ip_seen && !ip.in_error => {
                    outer_ip_seen = true;
                    out.ip_conv = Some(self.ip.count(
                        meta,
                        std::net::IpAddr::from(ip.src),
                        std::net::IpAddr::from(ip.dst),
                    ));
                }
                _ => {}
            }
        }
    }
}

/// tshark's UDP dissector returns before creating a conversation when the length field is below
/// the header size (`packet-udp.c`: "Bad length value %u < 8"), except for an IPv6 jumbogram
/// (length 0 over IPv6).
pub(crate) fn udp_length_is_bogus(u: &crate::decode::UdpLayer) -> bool {
    u.length < 8 && !(u.length == 0 && u.src.is_ipv6())
}
