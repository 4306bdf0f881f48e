//! Ladder (timing) diagram rows of one TCP stream: one [`LadderArrow`] per packet with its
//! direction, flags, relative seq/ack, length, window, analysis findings and the first payload
//! bytes, for the page's ladder view.
//!
//! Memory: one arrow per packet of the stream (about 150 bytes each), at most [`MAX_ARROWS`].

use std::net::IpAddr;

use serde::Serialize;

use super::tcp_analysis::LayerAnalysis;
use super::tcp_layers::tcp_layers;
use super::tcp_session::Endpoint;
use crate::pipeline::FrameContext;

/// Most arrows kept for one stream; later packets are counted in [`Ladder::dropped`].
pub const MAX_ARROWS: usize = 2_000_000;

/// Payload bytes shown on an arrow.
pub const PREVIEW_BYTES: usize = 24;

/// One packet of the stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LadderArrow {
    /// Frame number.
    pub frame: u32,
    /// Seconds since the stream's first packet.
    pub rel_time: f64,
    /// Epoch time with 9 decimals (exact).
    pub abs_time: String,
    /// Sent by the session's client.
    pub from_client: bool,
    /// TCP flags as Wireshark lists them (`SYN, ACK`).
    pub flags: String,
    /// Relative sequence number.
    pub seq: u32,
    /// Relative acknowledgment number when the ACK flag is set.
    pub ack: Option<u32>,
    /// TCP payload length.
    pub len: u32,
    /// Window size (scaled when known).
    pub win: u32,
    /// `tcp.analysis.*` findings of the packet.
    pub analysis: Vec<&'static str>,
    /// The first [`PREVIEW_BYTES`] payload bytes, non-printable ones as `.`.
    pub preview: String,
}

/// The finished ladder.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Ladder {
    /// The arrows in frame order.
    pub arrows: Vec<LadderArrow>,
    /// Packets beyond [`MAX_ARROWS`].
    pub dropped: u64,
}

/// Collects the arrows of one stream, frame by frame.
#[derive(Clone, Debug)]
pub struct LadderBuilder {
    stream: u32,
    first_ts_ns: Option<i64>,
    arrows: Vec<(LadderArrow, IpAddr, u16)>,
    dropped: u64,
}

/// Wireshark's names of the TCP flag bits, lowest bit first.
const FLAG_NAMES: [&str; 9] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];

/// `SYN, ACK`-style text of a TCP flags value (lowest bit first, as Wireshark's Info column).
pub fn flags_text(flags: u16) -> String {
    let names: Vec<&str> = FLAG_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| flags & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect();
    names.join(", ")
}

impl LadderBuilder {
    /// A builder for `stream`.
    pub fn new(stream: u32) -> Self {
        LadderBuilder {
            stream,
            first_ts_ns: None,
            arrows: Vec::new(),
            dropped: 0,
        }
    }

    /// Adds the frame's layers of this stream; `tcp` is the frame's TCP analysis (one entry per
    /// TCP layer, as [`super::TcpAnalyzer::analyze_frame`] gives it).
    pub fn observe(&mut self, ctx: &FrameContext, tcp: &[LayerAnalysis]) {
        for layer in tcp_layers(ctx) {
            let (index, stream, t, bytes) = (layer.index, layer.stream, layer.tcp, layer.bytes);
            if stream != self.stream || t.in_error {
                continue;
            }
            if self.arrows.len() >= MAX_ARROWS {
                self.dropped = self.dropped.saturating_add(1);
                continue;
            }
            let first = *self.first_ts_ns.get_or_insert(ctx.meta.ts_ns);
            let a = tcp.get(index).and_then(|l| l.analysis);
            let start = t.payload_offset as usize;
            let shown = (t.payload_captured as usize).min(PREVIEW_BYTES);
            let preview: String = bytes
                .get(start..start.saturating_add(shown))
                .unwrap_or(&[])
                .iter()
                .map(|&b| {
                    if b.is_ascii_graphic() || b == b' ' {
                        char::from(b)
                    } else {
                        '.'
                    }
                })
                .collect();
            let ts = ctx.meta.ts_ns;
            let arrow = LadderArrow {
                frame: ctx.meta.number,
                rel_time: ts.saturating_sub(first) as f64 / 1e9,
                abs_time: format!(
                    "{}{}.{:09}",
                    if ts < 0 { "-" } else { "" },
                    ts.unsigned_abs() / 1_000_000_000,
                    ts.unsigned_abs() % 1_000_000_000
                ),
                from_client: true,
                flags: flags_text(t.flags),
                seq: a.map_or(t.seq, |a| a.rel_seq),
                ack: if t.flags & 0x010 != 0 {
                    Some(a.and_then(|a| a.rel_ack).unwrap_or(t.ack))
                } else {
                    None
                },
                len: t.payload_len,
                win: a.map_or(u32::from(t.window), |a| a.window_size),
                analysis: a.map(|a| a.flags.names().collect()).unwrap_or_default(),
                preview,
            };
            self.arrows.push((arrow, t.src, t.src_port));
        }
    }

    /// The ladder, with directions from the session's `client`.
    pub fn finish(self, client: &Endpoint) -> Ladder {
        Ladder {
            arrows: self
                .arrows
                .into_iter()
                .map(|(mut a, src, port)| {
                    a.from_client = src.to_string() == client.addr && port == client.port;
                    a
                })
                .collect(),
            dropped: self.dropped,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_as_wireshark_lists_them() {
        assert_eq!(flags_text(0x012), "SYN, ACK");
        assert_eq!(flags_text(0x011), "FIN, ACK");
        assert_eq!(flags_text(0x004), "RST");
        assert_eq!(flags_text(0), "");
    }
}
