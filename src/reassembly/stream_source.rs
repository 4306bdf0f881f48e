//! Feeding the followers from an indexed capture: the frames of one `tcp.stream` / `udp.stream`
//! are read back from the file one at a time, decoded again and turned into [`TcpSegment`]s or
//! [`UdpDatagram`]s, lazily (one frame in memory at a time).
//!
//! As tshark 4.0's follow taps:
//! - every TCP (UDP) layer of a frame in the stream is fed, except layers quoted inside ICMP
//!   errors; UDP layers with no payload are skipped entirely;
//! - a packet's addresses and ports are the frame's *final* ones (tshark's `pinfo->src`,
//!   `srcport`): the innermost Ethernet/IP address and the innermost TCP/UDP ports, even when the
//!   followed layer is an outer one (tunnels);
//! - node 0 is the source of the first packet fed; a packet belongs to node 0 when its final
//!   source address and port are node 0's.
//!
//! A frame that completes a fragmented IP datagram is decoded again after the frames just before
//! it ([`crate::index::FRAGMENT_LOOKBACK`] at most), since its other fragments are not in the stream's list.

use std::collections::VecDeque;
use std::io;

use super::follow_format::{FollowHeader, FollowNode, FollowProto, NodeAddress};
use super::tcp_follow::TcpSegment;
use super::udp_follow::UdpDatagram;
use crate::capture::random_access::ByteSource;
use crate::decode::{DecodedFrame, Layer};
use crate::index::reread_frame;
use crate::pipeline::{ConvKind, Indexer};

/// One transport layer of a frame, as a follow tap receives it.
#[derive(Clone, Debug)]
struct TapItem {
    frame: u32,
    ts_ns: i64,
    src: FollowNode,
    dst: FollowNode,
    seq: u32,
    ack: u32,
    flags: u8,
    seg_len: u32,
    payload: Vec<u8>,
}

/// Lazily reads the segments of one stream from an indexed capture.
pub struct StreamReader<'a> {
    indexer: &'a Indexer,
    source: &'a mut dyn ByteSource,
    proto: FollowProto,
    frames: Vec<u32>,
    pos: usize,
    decoded: DecodedFrame,
    pending: VecDeque<TapItem>,
    node0: Option<FollowNode>,
    node1: Option<FollowNode>,
    error: Option<io::Error>,
}

/// The frame's final source/destination addresses and ports (tshark's `pinfo` after dissection).
fn final_addresses(frame: &DecodedFrame) -> (NodeAddress, NodeAddress, u16, u16) {
    let (mut src, mut dst) = (NodeAddress::None, NodeAddress::None);
    let (mut sport, mut dport) = (0, 0);
    for layer in &frame.layers {
        match layer {
            Layer::Ethernet(e) => {
                src = NodeAddress::Ether(e.src);
                dst = NodeAddress::Ether(e.dst);
            }
            Layer::Ieee80211 { src: s, dst: d, .. } => {
                src = NodeAddress::Ether(*s);
                dst = NodeAddress::Ether(*d);
            }
            Layer::Ipv4(ip) if !ip.in_error => {
                src = NodeAddress::Ip(ip.src.into());
                dst = NodeAddress::Ip(ip.dst.into());
            }
            Layer::Ipv6(ip) if !ip.in_error => {
                src = NodeAddress::Ip(ip.src.into());
                dst = NodeAddress::Ip(ip.dst.into());
            }
            Layer::Tcp(t) if !t.in_error => (sport, dport) = (t.src_port, t.dst_port),
            Layer::Udp(u) if !u.in_error => (sport, dport) = (u.src_port, u.dst_port),
            _ => {}
        }
    }
    (src, dst, sport, dport)
}

impl<'a> StreamReader<'a> {
    /// A reader of `stream` (TCP or UDP) of the capture indexed by `indexer`, reading bytes from
    /// `source` (the same capture file).
    pub fn new(
        indexer: &'a Indexer,
        source: &'a mut dyn ByteSource,
        proto: FollowProto,
        stream: u32,
    ) -> Self {
        let kind = match proto {
            FollowProto::Tcp => ConvKind::Tcp,
            FollowProto::Udp => ConvKind::Udp,
        };
        Self {
            indexer,
            source,
            proto,
            frames: indexer.frames_of_stream(kind, stream),
            pos: 0,
            decoded: DecodedFrame::default(),
            pending: VecDeque::new(),
            node0: None,
            node1: None,
            error: None,
        }
    }

    /// A reader of `stream` whose frame numbers (ascending) the caller already has, e.g. from one
    /// pass over the index for all streams.
    pub fn with_frames(
        indexer: &'a Indexer,
        source: &'a mut dyn ByteSource,
        proto: FollowProto,
        frames: Vec<u32>,
    ) -> Self {
        Self {
            indexer,
            source,
            proto,
            frames,
            pos: 0,
            decoded: DecodedFrame::default(),
            pending: VecDeque::new(),
            node0: None,
            node1: None,
            error: None,
        }
    }

    /// Frames in the stream (as listed by the index).
    pub fn frame_count(&self) -> usize {
        self.frames.len()
    }

    /// The first read error met, if any (reading stops there).
    pub fn error(&self) -> Option<&io::Error> {
        self.error.as_ref()
    }

    /// The banner's nodes: node 0 is the source of the first packet fed (reads ahead to it).
    /// A stream without any packet fed gets tshark's empty nodes (`:0`).
    pub fn header(&mut self, stream: u32) -> FollowHeader {
        while self.node0.is_none() && self.fill() {}
        FollowHeader {
            proto: self.proto,
            stream,
            node0: self.node0.unwrap_or(FollowNode::NONE),
            node1: self.node1.unwrap_or(FollowNode::NONE),
        }
    }

    /// Decodes the next frame into `pending`; false at the end (or after an error).
    fn fill(&mut self) -> bool {
        if self.error.is_some() {
            return false;
        }
        let Some(&number) = self.frames.get(self.pos) else {
            return false;
        };
        self.pos += 1;
        let decoded = reread_frame(self.indexer, &mut *self.source, number, &mut self.decoded);
        let (data, reassembled, ts_ns) = match decoded {
            Ok(Some(f)) => (f.data, f.reassembled, f.meta.ts_ns),
            Ok(None) => return true,
            Err(e) => {
                self.error = Some(e);
                return false;
            }
        };
        let (src_addr, dst_addr, sport, dport) = final_addresses(&self.decoded);
        let src = FollowNode {
            address: src_addr,
            port: sport,
        };
        let dst = FollowNode {
            address: dst_addr,
            port: dport,
        };
        let mut in_reassembled = false;
        for layer in &self.decoded.layers {
            let bytes: &[u8] = if in_reassembled {
                reassembled.as_deref().unwrap_or(&[])
            } else {
                &data
            };
            let item = match layer {
                Layer::Ipv4(ip) if ip.reassembled => {
                    in_reassembled = true;
                    None
                }
                Layer::Ipv6(ip) if ip.reassembled => {
                    in_reassembled = true;
                    None
                }
                Layer::Tcp(t) if self.proto == FollowProto::Tcp && !t.in_error => Some(TapItem {
                    frame: number,
                    ts_ns,
                    src,
                    dst,
                    seq: t.seq,
                    ack: t.ack,
                    flags: (t.flags & 0xff) as u8,
                    seg_len: t.payload_len,
                    payload: slice(bytes, t.payload_offset, t.payload_captured),
                }),
                Layer::Udp(u)
                    if self.proto == FollowProto::Udp && !u.in_error && u.payload_captured > 0 =>
                {
                    Some(TapItem {
                        frame: number,
                        ts_ns,
                        src,
                        dst,
                        seq: 0,
                        ack: 0,
                        flags: 0,
                        seg_len: u.payload_len,
                        payload: slice(bytes, u.payload_offset, u.payload_captured),
                    })
                }
                _ => None,
            };
            if let Some(item) = item {
                if self.node0.is_none() {
                    self.node0 = Some(item.src);
                    self.node1 = Some(item.dst);
                }
                self.pending.push_back(item);
            }
        }
        true
    }

    fn next_item(&mut self) -> Option<TapItem> {
        loop {
            if let Some(x) = self.pending.pop_front() {
                return Some(x);
            }
            if !self.fill() {
                return None;
            }
        }
    }

    fn dir_of(&self, src: FollowNode) -> u8 {
        u8::from(Some(src) != self.node0)
    }

    /// The next TCP segment of the stream.
    pub fn next_tcp(&mut self) -> Option<TcpSegment> {
        let t = self.next_item()?;
        Some(TcpSegment {
            frame: t.frame,
            ts_ns: t.ts_ns,
            dir: self.dir_of(t.src),
            seq: t.seq,
            ack: t.ack,
            flags: t.flags,
            seg_len: t.seg_len,
            payload: t.payload,
        })
    }

    /// The next UDP datagram of the stream.
    pub fn next_udp(&mut self) -> Option<UdpDatagram> {
        let t = self.next_item()?;
        Some(UdpDatagram {
            frame: t.frame,
            ts_ns: t.ts_ns,
            dir: self.dir_of(t.src),
            payload: t.payload,
        })
    }

    /// Continues a stream from frame position `pos` (an index into its frame list, as returned
    /// by [`Self::position`] at a frame boundary) with the nodes of its banner, so directions stay
    /// those of the whole stream. Used by [`super::follow_pager::FollowPager`].
    pub fn resume(mut self, pos: usize, node0: FollowNode, node1: FollowNode) -> Self {
        self.pos = pos.min(self.frames.len());
        self.node0 = Some(node0);
        self.node1 = Some(node1);
        self
    }

    /// Frames read so far (an index into the stream's frame list).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// True when every item of the frames read so far was handed out (no read-ahead pending).
    pub fn at_frame_boundary(&self) -> bool {
        self.pending.is_empty()
    }

    /// Iterator over TCP segments.
    pub fn tcp_segments(self) -> TcpSegments<'a> {
        TcpSegments(self)
    }

    /// Iterator over UDP datagrams.
    pub fn udp_datagrams(self) -> UdpDatagrams<'a> {
        UdpDatagrams(self)
    }
}

fn slice(bytes: &[u8], offset: u32, len: u32) -> Vec<u8> {
    let start = offset as usize;
    bytes
        .get(start..start.saturating_add(len as usize))
        .unwrap_or(&[])
        .to_vec()
}

/// Iterator adapter of [`StreamReader::next_tcp`].
pub struct TcpSegments<'a>(pub StreamReader<'a>);

impl Iterator for TcpSegments<'_> {
    type Item = TcpSegment;
    fn next(&mut self) -> Option<TcpSegment> {
        self.0.next_tcp()
    }
}

/// Iterator adapter of [`StreamReader::next_udp`].
pub struct UdpDatagrams<'a>(pub StreamReader<'a>);

impl Iterator for UdpDatagrams<'_> {
    type Item = UdpDatagram;
    fn next(&mut self) -> Option<UdpDatagram> {
        self.0.next_udp()
    }
}
