//! The segments of one TCP stream as Wireshark's TCP Stream Graphs read them: per packet its
//! direction, time, relative sequence / acknowledgement numbers, length, calculated window, SACK
//! blocks and the TCP analysis values (ACK RTT, acknowledged frame, bytes in flight).
//!
//! [`StreamGraphBuilder`] collects them frame by frame from the pipeline and the
//! [`super::TcpAnalyzer`]'s results; [`StreamGraphBuilder::finish`] applies tshark's two-pass
//! display values (relative numbers from the final base sequence numbers, windows with the final
//! window scale, as `tshark -2` prints `tcp.seq` and `tcp.window_size`) and gives the
//! [`StreamSegments`] that the graph kinds of [`super::stream_graph_series`] are computed from.
//! No payload byte is kept.
//!
//! Memory: one [`GraphSegment`] (about 90 bytes) per packet of the stream plus at most
//! [`MAX_SACK_BLOCKS_PER_SEGMENT`] SACK blocks per packet, for at most [`MAX_GRAPH_SEGMENTS`]
//! packets; later packets are counted in [`StreamSegments::dropped`].

use std::net::IpAddr;

use super::tcp_analysis::{LayerAnalysis, TcpAnalysis, TcpDisplayPass};
use super::tcp_layers::tcp_layers;
use crate::pipeline::FrameContext;

/// Most packets of one stream kept for its graphs (about 90 MB of segments at most).
pub const MAX_GRAPH_SEGMENTS: usize = 1_000_000;

/// SACK blocks kept per segment (a SACK option holds at most 4).
pub const MAX_SACK_BLOCKS_PER_SEGMENT: usize = 4;

/// One packet of the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GraphSegment {
    /// Frame number.
    pub frame: u32,
    /// Frame time, epoch ns.
    pub ts_ns: i64,
    /// 0: sent in the direction of the stream's first packet (as `follow --node 0`), 1: the other.
    pub node: u8,
    /// Direction in tshark's orientation of the conversation (for the display pass).
    flow: u8,
    /// TCP flags.
    pub tcp_flags: u16,
    /// Raw sequence number.
    pub raw_seq: u32,
    /// Raw acknowledgement number.
    pub raw_ack: u32,
    /// Raw window field.
    pub raw_window: u16,
    /// `tcp.len`.
    pub payload_len: u32,
    /// Relative sequence number (`tcp.seq` as `tshark -2` prints it).
    pub rel_seq: u32,
    /// Relative acknowledgement number (`tcp.ack`), when the ACK flag is set.
    pub rel_ack: Option<u32>,
    /// Calculated window size (`tcp.window_size`).
    pub window_size: u32,
    /// `tcp.analysis.ack_rtt`, ns.
    pub ack_rtt_ns: Option<i64>,
    /// `tcp.analysis.acks_frame`.
    pub acks_frame: Option<u32>,
    /// `tcp.analysis.bytes_in_flight`.
    pub bytes_in_flight: Option<u32>,
    /// First of this segment's SACK blocks in [`StreamSegments::sack_blocks`].
    sack_start: u32,
    /// Number of SACK blocks.
    sack_count: u8,
}

/// The collected segments of one stream, in frame order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamSegments {
    /// `tcp.stream`.
    pub stream: u32,
    /// Source of the stream's first packet (node 0) and its port.
    pub node0: Option<(IpAddr, u16)>,
    /// Destination of the stream's first packet (node 1) and its port.
    pub node1: Option<(IpAddr, u16)>,
    /// The packets, in frame order.
    pub segments: Vec<GraphSegment>,
    /// Raw SACK blocks (left edge, right edge) of all segments.
    sack_blocks: Vec<(u32, u32)>,
    /// Packets beyond [`MAX_GRAPH_SEGMENTS`].
    pub dropped: u64,
    /// Time of the capture's first frame, epoch ns (graph times are relative to it, as
    /// Wireshark's).
    pub capture_first_ts_ns: i64,
}

impl StreamSegments {
    /// The raw SACK blocks (left, right edge, option order) of `seg`.
    pub fn sack_of(&self, seg: &GraphSegment) -> &[(u32, u32)] {
        let start = seg.sack_start as usize;
        self.sack_blocks
            .get(start..start.saturating_add(usize::from(seg.sack_count)))
            .unwrap_or(&[])
    }

    /// The segment of frame `frame`, if it belongs to the stream.
    pub fn by_frame(&self, frame: u32) -> Option<&GraphSegment> {
        self.segments
            .binary_search_by_key(&frame, |s| s.frame)
            .ok()
            .and_then(|i| self.segments.get(i))
    }

    /// Time of the stream's first packet, epoch ns.
    pub fn first_ts_ns(&self) -> Option<i64> {
        self.segments.first().map(|s| s.ts_ns)
    }
}

/// Collects the segments of one stream, frame by frame.
#[derive(Clone, Debug)]
pub struct StreamGraphBuilder {
    out: StreamSegments,
    sack_scratch: Vec<(u32, u32)>,
}

impl StreamGraphBuilder {
    /// A builder for `tcp.stream == stream`.
    pub fn new(stream: u32) -> Self {
        StreamGraphBuilder {
            out: StreamSegments {
                stream,
                ..StreamSegments::default()
            },
            sack_scratch: Vec::new(),
        }
    }

    /// Adds the frame's TCP layers of the stream; `tcp` is the frame's analysis (one entry per
    /// TCP layer, as [`super::TcpAnalyzer::analyze_frame`] gives it). TCP headers quoted in ICMP
    /// errors are not segments of the stream.
    pub fn observe(&mut self, ctx: &FrameContext, tcp: &[LayerAnalysis]) {
        for layer in tcp_layers(ctx) {
            let (index, stream, t) = (layer.index, layer.stream, layer.tcp);
            if stream != self.out.stream || t.in_error {
                continue;
            }
            let Some(a) = tcp.get(index).and_then(|l| l.analysis) else {
                continue;
            };
            if self.out.segments.len() >= MAX_GRAPH_SEGMENTS {
                self.out.dropped = self.out.dropped.saturating_add(1);
                continue;
            }
            if self.out.node0.is_none() {
                self.out.capture_first_ts_ns = ctx.first_ts_ns;
                self.out.node0 = Some((t.src, t.src_port));
                self.out.node1 = Some((t.dst, t.dst_port));
            }
            let node = u8::from(self.out.node0 != Some((t.src, t.src_port)));
            layer.sack_blocks(&mut self.sack_scratch);
            let sack_start = u32::try_from(self.out.sack_blocks.len()).unwrap_or(u32::MAX);
            let kept = self.sack_scratch.len().min(MAX_SACK_BLOCKS_PER_SEGMENT);
            self.out
                .sack_blocks
                .extend_from_slice(self.sack_scratch.get(..kept).unwrap_or(&[]));
            self.out.segments.push(GraphSegment {
                frame: ctx.meta.number,
                ts_ns: ctx.meta.ts_ns,
                node,
                flow: a.flow,
                tcp_flags: t.flags,
                raw_seq: t.seq,
                raw_ack: t.ack,
                raw_window: t.window,
                payload_len: t.payload_len,
                rel_seq: a.rel_seq,
                rel_ack: a.rel_ack,
                window_size: a.window_size,
                ack_rtt_ns: a.ack_rtt_ns,
                acks_frame: a.acks_frame,
                bytes_in_flight: a.bytes_in_flight,
                sack_start,
                sack_count: kept as u8,
            });
        }
    }

    /// The segments with tshark's two-pass display values: `display` comes from the finished
    /// analyzer ([`super::TcpAnalyzer::display_pass`]).
    pub fn finish(mut self, mut display: TcpDisplayPass) -> StreamSegments {
        let stream = self.out.stream;
        for seg in &mut self.out.segments {
            let mut layer = [LayerAnalysis {
                raw_seq: seg.raw_seq,
                raw_ack: seg.raw_ack,
                tcp_flags: seg.tcp_flags,
                raw_window: seg.raw_window,
                payload_len: seg.payload_len,
                analysis: Some(TcpAnalysis {
                    stream,
                    flow: seg.flow,
                    rel_seq: seg.rel_seq,
                    rel_ack: seg.rel_ack,
                    window_size: seg.window_size,
                    ..TcpAnalysis::default()
                }),
            }];
            display.apply(&mut layer);
            if let Some(a) = layer[0].analysis {
                seg.rel_seq = a.rel_seq;
                seg.rel_ack = a.rel_ack;
                seg.window_size = a.window_size;
            }
        }
        self.out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pipeline::Pipeline;
    use crate::session::TcpAnalyzer;
    use crate::synth::{CapturePoint, Dir, Endpoint, IpIdCounters, TcpConversation};

    /// Segments of stream 0 of a generated conversation (also used by the series' tests).
    pub(crate) fn segments_of(conv: &TcpConversation) -> StreamSegments {
        let mut pcap = Vec::new();
        CapturePoint::new("t")
            .write_pcap(
                &conv.packets(&mut IpIdCounters::new(1)),
                &mut pcap,
                crate::export::TsResolution::Nano,
            )
            .expect("pcap");
        let mut pipeline = Pipeline::new();
        let mut analyzer = TcpAnalyzer::new();
        let mut builder = StreamGraphBuilder::new(0);
        let mut tcp = Vec::new();
        let mut visit = |c: &FrameContext| {
            analyzer.analyze_frame(c, &mut tcp);
            builder.observe(c, &tcp);
        };
        pipeline.push(&pcap, &mut visit);
        pipeline.finish(&mut visit);
        builder.finish(analyzer.display_pass())
    }

    fn conversation() -> TcpConversation {
        TcpConversation::new(
            0,
            Endpoint::new("10.0.0.1".parse().unwrap(), 40000),
            Endpoint::new("10.0.0.2".parse().unwrap(), 80),
            1_700_000_000_000_000_000,
        )
        .message(Dir::ToServer, b"GET / HTTP/1.1\r\n\r\n".to_vec())
        .message(Dir::ToClient, vec![b'x'; 5000])
    }

    #[test]
    fn nodes_follow_the_first_packet_and_numbers_are_relative() {
        let s = segments_of(&conversation());
        assert_eq!(s.node0, Some(("10.0.0.1".parse().unwrap(), 40000)));
        let first = s.segments.first().expect("segments");
        assert_eq!(
            (first.node, first.rel_seq, first.tcp_flags & 0x12),
            (0, 0, 0x02)
        );
        let synack = s.segments.get(1).expect("SYN/ACK");
        assert_eq!(
            (synack.node, synack.rel_seq, synack.rel_ack),
            (1, 0, Some(1))
        );
        // Every byte the server sent is acknowledged by the client in the end.
        let server_bytes: u32 = s
            .segments
            .iter()
            .filter(|g| g.node == 1)
            .map(|g| g.payload_len)
            .sum();
        assert_eq!(server_bytes, 5000);
        let last_client_ack = s
            .segments
            .iter()
            .filter(|g| g.node == 0)
            .filter_map(|g| g.rel_ack)
            .max();
        assert!(last_client_ack >= Some(5001));
        assert_eq!(s.by_frame(first.frame), Some(first));
        assert_eq!(s.dropped, 0);
    }
}
