//! The per-capture data matching needs, extracted in one pass over the frames.
//!
//! [`MatchInputBuilder::add_frame`] is called once per frame with what the pipeline already has
//! (frame meta, decoded layers, bytes, stream ids per TCP/UDP layer). It keeps:
//! * one [`PacketRecord`] per TCP/UDP packet: 48 bytes (timestamp, two payload hashes, frame,
//!   stream, seq, ack, length, IP id, TTL, TOS, flags, direction); payload bytes are never kept;
//! * one [`StreamSummary`] per stream: endpoints, SYN/SYN-ACK facts, per-direction TTL/TOS/VLAN and
//!   content fingerprints (first 64 bytes of each direction, HTTP request heads, TLS hello randoms,
//!   DNS question, DHCP xid, QUIC connection IDs).
//!
//! Memory: 48 B per TCP/UDP packet plus a few hundred bytes per stream; HTTP streams keep their
//! first request head in full (text cut at 256 bytes, at most 32 header
//! names and values, values cut at 64 bytes) and ~40 bytes per further request (at most
//! [`MAX_REQUESTS`]: a proxy's pooled back-end connection carries many), and at most
//! [`MAX_QUIC_CIDS`] QUIC connection ids (8 bytes each) per UDP stream. A ~350-byte head buffer
//! per open stream (first bytes, QUIC connection ids learned) is freed by
//! [`MatchInputBuilder::finish`].

use std::net::{IpAddr, SocketAddr};

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::fingerprint::{
    fnv1a64, parse_dhcp_xid, parse_dns_question, parse_http_request, parse_tls_hello, DnsQuestion,
    HttpRequestHead,
};
use crate::app::quic::{read_datagram, QuicFlowCids};
use crate::capture::FrameMeta;
use crate::decode::{DecodedFrame, Layer};

/// The Don't Fragment bit in [`crate::decode::Ipv4Layer::flags`] (reserved, DF, MF).
const IPV4_DF: u8 = 0b010;

/// Bytes of each direction's start hashed into [`StreamContent::head_hash`].
pub const HEAD_BYTES: usize = 64;
/// Most HTTP request heads remembered per stream.
pub const MAX_REQUESTS: usize = 4096;
/// Most QUIC connection ids remembered per UDP stream (first seen).
pub const MAX_QUIC_CIDS: usize = 8;
/// Shortest QUIC connection id remembered for matching (shorter ones are not distinctive).
pub const MIN_QUIC_CID_LEN: usize = 4;

/// Transport protocol of a stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    /// TCP (`tcp.stream`).
    Tcp,
    /// UDP (`udp.stream`).
    Udp,
}

impl Proto {
    /// "tcp" or "udp".
    pub fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

/// Direction of a packet inside its stream.
pub const DIR_C2S: u8 = 0;
/// Server to client.
pub const DIR_S2C: u8 = 1;

/// TCP flag bits as in the header's low byte.
pub mod tcp_flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
}

/// One TCP/UDP packet, compact (48 bytes). `stream` indexes [`MatchInput::streams`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PacketRecord {
    /// Timestamp, epoch ns.
    pub ts_ns: i64,
    /// FNV-1a hash of the captured payload bytes (0 for an empty payload).
    pub payload_hash: u64,
    /// 1-based frame number.
    pub frame: u32,
    /// Index into [`MatchInput::streams`].
    pub stream: u32,
    /// Raw TCP sequence number (0 for UDP).
    pub seq: u32,
    /// Raw TCP acknowledgement number (0 for UDP).
    pub ack: u32,
    /// Payload length (`tcp.len` / UDP payload length).
    pub payload_len: u32,
    /// Low 32 bits of the hash of the first ≤ 64 captured payload bytes.
    pub head_hash: u32,
    /// IPv4 identification (IPv6: low 16 bits of the fragment id, else 0).
    pub ip_id: u16,
    /// TTL / hop limit.
    pub ttl: u8,
    /// DSCP+ECN byte / traffic class.
    pub tos: u8,
    /// TCP flags (low byte: CWR ECE URG ACK PSH RST SYN FIN); 0 for UDP.
    pub flags: u8,
    /// [`DIR_C2S`] or [`DIR_S2C`].
    pub dir: u8,
}

/// SYN / SYN-ACK facts of a TCP stream (the first such segment; count of all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub struct SynInfo {
    /// Raw sequence number (the ISN).
    pub isn: u32,
    /// How many segments with this flag combination and ISN the stream has.
    pub count: u32,
    /// Segments with the flag combination and another ISN (a new attempt on the same tuple).
    pub other_isn_count: u32,
    /// Frame of the first one.
    pub frame: u32,
    /// MSS option.
    pub mss: Option<u16>,
    /// Window scale option.
    pub window_scale: Option<u8>,
    /// SACK permitted.
    pub sack_permitted: bool,
    /// Timestamps option present.
    pub timestamps: bool,
    /// Window field.
    pub window: u16,
    /// TSval of the timestamps option: a proxy's far side has its own TCP clock, a forwarding
    /// path keeps it.
    pub tsval: Option<u32>,
}

/// Content fingerprints of one stream.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct StreamContent {
    /// Per direction: hash and length of the first ≤ 64 bytes of data (TCP: in sequence order from
    /// the ISN or the first segment seen; UDP: the first datagram).
    pub head_hash: [Option<(u64, u16)>; 2],
    /// The first HTTP request head in full (its header names show what a proxy added).
    pub first_request: Option<HttpRequestHead>,
    /// Every HTTP request found at a segment start, client to server, compactly (at most
    /// [`MAX_REQUESTS`]).
    pub requests: Vec<RequestRef>,
    /// TLS ClientHello random and SNI.
    pub client_random: Option<[u8; 32]>,
    /// TLS SNI.
    pub sni: Option<String>,
    /// TLS ServerHello random.
    pub server_random: Option<[u8; 32]>,
    /// First DNS question (client to server).
    pub dns: Option<DnsQuestion>,
    /// DHCP / BOOTP transaction id.
    pub dhcp_xid: Option<u32>,
    /// Hashes of the QUIC connection ids (at least [`MIN_QUIC_CID_LEN`] bytes) the stream's
    /// datagrams carry, in first-seen order, at most [`MAX_QUIC_CIDS`].
    pub quic_cids: Vec<u64>,
}

/// One HTTP request of a stream, as matching compares it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRef {
    /// [`HttpRequestHead::key`]: request line + Host.
    pub key: u64,
    /// Hash of the body bytes in the head's segment.
    pub body_hash: Option<u64>,
    /// X-Forwarded-For value.
    pub forwarded_for: Option<String>,
    /// Index into [`MatchInput::packets`] of the segment carrying the head (`u32::MAX`: unknown).
    pub packet: u32,
}

impl RequestRef {
    /// The compact form of a parsed head found in packet `packet`.
    pub fn from_head(h: &HttpRequestHead, packet: u32) -> Self {
        RequestRef {
            key: h.key(),
            body_hash: h.body_hash,
            forwarded_for: h.forwarded_for.clone(),
            packet,
        }
    }

    /// The comparison key (request line + Host).
    pub fn key(&self) -> u64 {
        self.key
    }
}

/// One stream of one capture, as matching sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamSummary {
    /// TCP or UDP.
    pub proto: Proto,
    /// The capture's own `tcp.stream` / `udp.stream` number.
    pub stream: u32,
    /// Client endpoint (sender of the SYN; without one, see [`MatchInputBuilder::finish`]).
    pub client: SocketAddr,
    /// Server endpoint.
    pub server: SocketAddr,
    /// First packet time, epoch ns.
    pub first_ts_ns: i64,
    /// Last packet time, epoch ns.
    pub last_ts_ns: i64,
    /// First frame number.
    pub first_frame: u32,
    /// Packets per direction.
    pub packets: [u32; 2],
    /// Payload bytes per direction.
    pub payload_bytes: [u64; 2],
    /// Client SYN (no ACK).
    pub syn: Option<SynInfo>,
    /// Server SYN-ACK.
    pub synack: Option<SynInfo>,
    /// First TTL seen per direction.
    pub ttl: [Option<u8>; 2],
    /// First TOS byte seen per direction.
    pub tos: [Option<u8>; 2],
    /// First VLAN id seen per direction (outermost tag), None when untagged.
    pub vlan: [Option<u16>; 2],
    /// Largest IP total length / frame payload seen per direction (for MTU changes).
    pub max_payload: [u32; 2],
    /// Packets per direction whose IP datagram reached this point in fragments (reassembled here).
    pub fragmented: [u32; 2],
    /// The IPv4 Don't Fragment flag of the first packet per direction (None: IPv6 or no packet).
    pub dont_fragment: [Option<bool>; 2],
    /// Content fingerprints.
    pub content: StreamContent,
}

impl StreamSummary {
    /// A stream first seen in frame `first_frame` at `first_ts_ns`, from `client` to `server`,
    /// with no packets counted yet.
    pub fn new(
        proto: Proto,
        stream: u32,
        client: SocketAddr,
        server: SocketAddr,
        first_ts_ns: i64,
        first_frame: u32,
    ) -> Self {
        StreamSummary {
            proto,
            stream,
            client,
            server,
            first_ts_ns,
            last_ts_ns: first_ts_ns,
            first_frame,
            packets: [0; 2],
            payload_bytes: [0; 2],
            syn: None,
            synack: None,
            ttl: [None; 2],
            tos: [None; 2],
            vlan: [None; 2],
            max_payload: [0; 2],
            fragmented: [0; 2],
            dont_fragment: [None; 2],
            content: StreamContent::default(),
        }
    }

    /// Swaps client and server and every per-direction count and first-seen fact (the content
    /// fingerprints are the caller's: they may not be final yet).
    pub fn turn_round(&mut self) {
        std::mem::swap(&mut self.client, &mut self.server);
        self.packets.swap(0, 1);
        self.payload_bytes.swap(0, 1);
        self.ttl.swap(0, 1);
        self.tos.swap(0, 1);
        self.vlan.swap(0, 1);
        self.max_payload.swap(0, 1);
        self.fragmented.swap(0, 1);
        self.dont_fragment.swap(0, 1);
    }
}

/// Everything matching needs from one capture.
#[derive(Clone, Debug, Default)]
pub struct MatchInput {
    /// Streams in first-seen order.
    pub streams: Vec<StreamSummary>,
    /// TCP/UDP packets in file order.
    pub packets: Vec<PacketRecord>,
    /// First frame's timestamp (any frame), epoch ns.
    pub first_ts_ns: Option<i64>,
    /// Last frame's timestamp, epoch ns.
    pub last_ts_ns: Option<i64>,
    /// Frames seen (all kinds).
    pub frames: u64,
}

impl MatchInput {
    /// Index of stream `(proto, stream)` in [`MatchInput::streams`].
    pub fn find_stream(&self, proto: Proto, stream: u32) -> Option<usize> {
        self.streams
            .iter()
            .position(|s| s.proto == proto && s.stream == stream)
    }

    /// Packet indexes per stream, in file order (built on demand; 4 B per packet).
    pub fn packets_by_stream(&self) -> Vec<Vec<u32>> {
        let mut out: Vec<Vec<u32>> = vec![Vec::new(); self.streams.len()];
        for (i, p) in self.packets.iter().enumerate() {
            if let Some(list) = out.get_mut(p.stream as usize) {
                list.push(i as u32);
            }
        }
        out
    }
}

/// The data of a stream's direction start that is being collected (freed at finish).
#[derive(Clone, Debug)]
struct HeadBuffer {
    base: [Option<u32>; 2],
    bytes: [[u8; HEAD_BYTES]; 2],
    filled: [u64; 2],
    len: [u16; 2],
    /// QUIC connection ids learned so far (UDP streams).
    quic: QuicFlowCids,
}

impl Default for HeadBuffer {
    fn default() -> Self {
        HeadBuffer {
            base: [None; 2],
            bytes: [[0; HEAD_BYTES]; 2],
            filled: [0; 2],
            len: [0; 2],
            quic: QuicFlowCids::default(),
        }
    }
}

/// Builds a [`MatchInput`] frame by frame.
#[derive(Default)]
pub struct MatchInputBuilder {
    input: MatchInput,
    by_key: FxHashMap<(Proto, u32), u32>,
    /// Per stream: address of the first packet's source (direction reference until finish).
    first_src: Vec<SocketAddr>,
    heads: Vec<Option<Box<HeadBuffer>>>,
}

/// Transport facts of the layer chosen in a frame.
struct Transport<'a> {
    proto: Proto,
    src: SocketAddr,
    dst: SocketAddr,
    seq: u32,
    ack: u32,
    flags: u8,
    payload_len: u32,
    payload: &'a [u8],
    tcp: Option<&'a crate::decode::TcpLayer>,
    dns_offset: Option<u32>,
}

impl MatchInputBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one frame. `tcp_streams[i]` / `udp_streams[i]` are the stream ids of the i-th TCP / UDP
    /// layer of `frame`, as the flow module numbers them. The innermost TCP/UDP layer that is not
    /// inside an ICMP error is used; frames without one only update the capture's time range.
    pub fn add_frame(
        &mut self,
        meta: &FrameMeta,
        frame: &DecodedFrame,
        data: &[u8],
        tcp_streams: &[u32],
        udp_streams: &[u32],
    ) {
        self.input.frames = self.input.frames.saturating_add(1);
        if meta.has_timestamp {
            if self.input.first_ts_ns.is_none() {
                self.input.first_ts_ns = Some(meta.ts_ns);
            }
            self.input.last_ts_ns = Some(meta.ts_ns);
        }
        let Some((layer_index, stream_id, t)) =
            pick_transport(frame, data, tcp_streams, udp_streams)
        else {
            return;
        };
        // IP facts: the last IP layer before the transport layer.
        let mut ip_id = 0u16;
        let mut ttl = 0u8;
        let mut tos = 0u8;
        let mut vlan = None;
        let mut reassembled = false;
        let mut dont_fragment = None;
        for l in frame.layers.iter().take(layer_index) {
            match l {
                Layer::Ipv4(v4) => {
                    ip_id = v4.id;
                    ttl = v4.ttl;
                    tos = v4.tos;
                    reassembled = v4.reassembled;
                    dont_fragment = Some(v4.flags & IPV4_DF != 0);
                }
                Layer::Ipv6(v6) => {
                    ip_id = v6.fragment.map(|f| f.0 as u16).unwrap_or(0);
                    ttl = v6.hop_limit;
                    tos = v6.traffic_class;
                    reassembled = v6.reassembled;
                    dont_fragment = None;
                }
                Layer::Vlan(v) if vlan.is_none() => vlan = Some(v.id),
                _ => {}
            }
        }
        let key = (t.proto, stream_id);
        let idx = match self.by_key.get(&key) {
            Some(&i) => i,
            None => {
                let i = self.input.streams.len() as u32;
                self.input.streams.push(StreamSummary::new(
                    t.proto,
                    stream_id,
                    t.src,
                    t.dst,
                    meta.ts_ns,
                    meta.number,
                ));
                self.first_src.push(t.src);
                self.heads.push(Some(Box::default()));
                self.by_key.insert(key, i);
                i
            }
        };
        let iu = idx as usize;
        // Provisional direction: relative to the stream's first packet; fixed in finish().
        let dir = if self.first_src.get(iu) == Some(&t.src) {
            DIR_C2S
        } else {
            DIR_S2C
        };
        let head_len = t.payload.len().min(HEAD_BYTES);
        let rec = PacketRecord {
            ts_ns: meta.ts_ns,
            payload_hash: if t.payload.is_empty() {
                0
            } else {
                fnv1a64(t.payload)
            },
            frame: meta.number,
            stream: idx,
            seq: t.seq,
            ack: t.ack,
            payload_len: t.payload_len,
            head_hash: fnv1a64(&t.payload[..head_len]) as u32,
            ip_id,
            ttl,
            tos,
            flags: t.flags,
            dir,
        };
        self.input.packets.push(rec);
        let Some(s) = self.input.streams.get_mut(iu) else {
            return;
        };
        let d = usize::from(dir);
        s.last_ts_ns = meta.ts_ns;
        s.packets[d] = s.packets[d].saturating_add(1);
        s.payload_bytes[d] = s.payload_bytes[d].saturating_add(u64::from(t.payload_len));
        s.max_payload[d] = s.max_payload[d].max(t.payload_len);
        s.ttl[d].get_or_insert(ttl);
        s.tos[d].get_or_insert(tos);
        if reassembled {
            s.fragmented[d] = s.fragmented[d].saturating_add(1);
        }
        if s.packets[d] == 1 {
            s.dont_fragment[d] = dont_fragment;
        }
        if s.vlan[d].is_none() {
            s.vlan[d] = vlan;
        }
        if let Some(tcp) = t.tcp {
            let syn = t.flags & tcp_flags::SYN != 0;
            let ack = t.flags & tcp_flags::ACK != 0;
            if syn {
                let slot = if ack { &mut s.synack } else { &mut s.syn };
                match slot {
                    Some(info) if info.isn == t.seq => info.count = info.count.saturating_add(1),
                    Some(info) => info.other_isn_count = info.other_isn_count.saturating_add(1),
                    None => {
                        *slot = Some(SynInfo {
                            isn: t.seq,
                            count: 1,
                            other_isn_count: 0,
                            frame: meta.number,
                            mss: tcp.options.mss,
                            window_scale: tcp.options.window_scale,
                            sack_permitted: tcp.options.sack_permitted,
                            timestamps: tcp.options.timestamps.is_some(),
                            window: tcp.window,
                            tsval: tcp.options.timestamps.map(|t| t.0),
                        })
                    }
                }
            }
        }
        // Content fingerprints.
        if !t.payload.is_empty() {
            match t.proto {
                Proto::Tcp => {
                    let starts_at = s.content.requests.len() < MAX_REQUESTS;
                    if let Some(h) = starts_at.then(|| parse_http_request(t.payload)).flatten() {
                        // A retransmitted request head is the same request: keep it once.
                        // A retransmitted head is the same request: keep it once.
                        if s.content.requests.last().map(|r| r.key) != Some(h.key()) {
                            let at = self.input.packets.len().saturating_sub(1) as u32;
                            s.content.requests.push(RequestRef::from_head(&h, at));
                            if s.content.first_request.is_none() {
                                s.content.first_request = Some(h);
                            }
                        }
                    }
                    if let Some(hello) = parse_tls_hello(t.payload) {
                        if hello.handshake_type == 1 && s.content.client_random.is_none() {
                            s.content.client_random = Some(hello.random);
                            s.content.sni = hello.sni;
                        } else if hello.handshake_type == 2 && s.content.server_random.is_none() {
                            s.content.server_random = Some(hello.random);
                        }
                    }
                }
                Proto::Udp => {
                    if s.content.dns.is_none() {
                        if let Some(off) = t.dns_offset {
                            if let Some(msg) = data.get(off as usize..) {
                                s.content.dns = parse_dns_question(msg);
                            }
                        }
                    }
                    if s.content.dhcp_xid.is_none() {
                        s.content.dhcp_xid = parse_dhcp_xid(t.payload);
                    }
                    if let Some(Some(hb)) = self.heads.get_mut(iu) {
                        collect_quic_cids(&mut s.content.quic_cids, &mut hb.quic, d, t.payload);
                    }
                }
            }
        }
        if let Some(Some(hb)) = self.heads.get_mut(iu) {
            collect_head(hb, d, &t);
        }
    }

    /// Finishes: decides each stream's client side, orients packet directions, computes head
    /// hashes and frees the per-stream buffers.
    ///
    /// The client is the sender of the first SYN without ACK; else the receiver of the first
    /// SYN-ACK; else, for a stream seen only mid-way, the endpoint with the higher port (the
    /// ephemeral one); ties keep the first packet's source.
    pub fn finish(mut self) -> MatchInput {
        let n = self.input.streams.len();
        // None: not decided by a SYN yet.
        let mut flip: Vec<Option<bool>> = vec![None; n];
        for p in &self.input.packets {
            let i = p.stream as usize;
            let Some(slot) = flip.get_mut(i) else {
                continue;
            };
            if slot.is_none() && p.flags & tcp_flags::SYN != 0 {
                let is_ack = p.flags & tcp_flags::ACK != 0;
                // A SYN from the provisional client, or a SYN-ACK from the provisional server,
                // keeps the orientation.
                *slot = Some((p.dir == DIR_C2S) == is_ack);
            }
        }
        let flip: Vec<bool> = flip
            .iter()
            .zip(&self.input.streams)
            .map(|(f, s)| {
                f.unwrap_or_else(|| {
                    // No SYN: the first packet's source is the client, unless it uses a
                    // well-known port and the other side an ephemeral one.
                    s.client.port() < 1024 && s.server.port() >= 1024
                })
            })
            .collect();
        for p in self.input.packets.iter_mut() {
            if flip.get(p.stream as usize) == Some(&true) {
                p.dir ^= 1;
            }
        }
        for (i, s) in self.input.streams.iter_mut().enumerate() {
            let hb = self.heads.get_mut(i).and_then(|h| h.take());
            if flip.get(i) == Some(&true) {
                s.turn_round();
            }
            if let Some(hb) = hb {
                for d in 0..2 {
                    let src = if flip.get(i) == Some(&true) { 1 - d } else { d };
                    let len = usize::from(hb.len[src]);
                    if len > 0 {
                        let bytes = &hb.bytes[src][..len.min(HEAD_BYTES)];
                        s.content.head_hash[d] = Some((fnv1a64(bytes), len as u16));
                    }
                }
            }
        }
        self.input
    }
}

/// Reads the QUIC headers of a UDP datagram sent in (provisional) direction `d` and remembers the
/// connection ids it names (first seen, at most [`MAX_QUIC_CIDS`]).
fn collect_quic_cids(out: &mut Vec<u64>, flow: &mut QuicFlowCids, d: usize, payload: &[u8]) {
    for p in read_datagram(payload, d, flow) {
        for cid in std::iter::once(p.dcid).chain(p.scid) {
            if cid.len() < MIN_QUIC_CID_LEN || out.len() >= MAX_QUIC_CIDS {
                continue;
            }
            let h = fnv1a64(cid);
            if !out.contains(&h) {
                out.push(h);
            }
        }
    }
}

/// Copies the part of this packet's payload that falls in the first 64 bytes of its direction.
fn collect_head(hb: &mut HeadBuffer, d: usize, t: &Transport<'_>) {
    if t.proto == Proto::Udp {
        if hb.len[d] == 0 && !t.payload.is_empty() {
            let n = t.payload.len().min(HEAD_BYTES);
            hb.bytes[d][..n].copy_from_slice(&t.payload[..n]);
            hb.len[d] = n as u16;
        }
        return;
    }
    let is_syn = t.flags & tcp_flags::SYN != 0;
    if hb.base[d].is_none() {
        hb.base[d] = Some(if is_syn { t.seq.wrapping_add(1) } else { t.seq });
    }
    if t.payload.is_empty() {
        return;
    }
    let Some(base) = hb.base[d] else { return };
    let data_seq = if is_syn { t.seq.wrapping_add(1) } else { t.seq };
    let rel = data_seq.wrapping_sub(base) as usize;
    if rel >= HEAD_BYTES {
        return; // beyond the head, or before the base (wrapped to a huge value)
    }
    for (k, &b) in t.payload.iter().enumerate().take(HEAD_BYTES - rel) {
        let at = rel + k;
        hb.bytes[d][at] = b;
        hb.filled[d] |= 1u64 << at;
    }
    // Length of the contiguous filled prefix.
    hb.len[d] = (!hb.filled[d]).trailing_zeros().min(HEAD_BYTES as u32) as u16;
}

/// Picks the innermost TCP/UDP layer not inside an ICMP error; returns its index in
/// `frame.layers`, its stream id and its facts.
fn pick_transport<'a>(
    frame: &'a DecodedFrame,
    data: &'a [u8],
    tcp_streams: &[u32],
    udp_streams: &[u32],
) -> Option<(usize, u32, Transport<'a>)> {
    let mut tcp_i = 0usize;
    let mut udp_i = 0usize;
    let mut best: Option<(usize, u32, Transport<'a>)> = None;
    for (li, l) in frame.layers.iter().enumerate() {
        match l {
            Layer::Tcp(t) => {
                let id = tcp_streams.get(tcp_i).copied();
                tcp_i += 1;
                if t.in_error {
                    continue;
                }
                let Some(id) = id else { continue };
                best = Some((
                    li,
                    id,
                    Transport {
                        proto: Proto::Tcp,
                        src: SocketAddr::new(t.src, t.src_port),
                        dst: SocketAddr::new(t.dst, t.dst_port),
                        seq: t.seq,
                        ack: t.ack,
                        flags: (t.flags & 0xff) as u8,
                        payload_len: t.payload_len,
                        payload: payload_slice(data, t.payload_offset, t.payload_captured),
                        tcp: Some(t),
                        dns_offset: None,
                    },
                ));
            }
            Layer::Udp(u) => {
                let id = udp_streams.get(udp_i).copied();
                udp_i += 1;
                if u.in_error {
                    continue;
                }
                let Some(id) = id else { continue };
                best = Some((
                    li,
                    id,
                    Transport {
                        proto: Proto::Udp,
                        src: SocketAddr::new(u.src, u.src_port),
                        dst: SocketAddr::new(u.dst, u.dst_port),
                        seq: 0,
                        ack: 0,
                        flags: 0,
                        payload_len: u.payload_len,
                        payload: payload_slice(data, u.payload_offset, u.payload_captured),
                        tcp: None,
                        dns_offset: None,
                    },
                ));
            }
            Layer::Dns(d) => {
                if let Some((_, _, t)) = best.as_mut() {
                    if t.proto == Proto::Udp {
                        t.dns_offset = Some(d.offset);
                    }
                }
            }
            _ => {}
        }
    }
    best
}

/// The payload bytes of a transport layer, or empty when the offsets do not fit the frame (for
/// example when they refer to a reassembled datagram the caller did not pass).
fn payload_slice(data: &[u8], offset: u32, captured: u32) -> &[u8] {
    let start = offset as usize;
    let end = start.saturating_add(captured as usize);
    data.get(start..end).unwrap_or(&[])
}

/// Formats an endpoint as `ip:port` (IPv6 in brackets).
pub fn endpoint_text(a: &SocketAddr) -> String {
    match a.ip() {
        IpAddr::V4(ip) => format!("{}:{}", ip, a.port()),
        IpAddr::V6(ip) => format!("[{}]:{}", ip, a.port()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{Ipv4Layer, TcpLayer, TcpOptionsSummary};

    const CLIENT: [u8; 4] = [10, 1, 0, 2];
    const SERVER: [u8; 4] = [10, 2, 0, 2];

    /// One IPv4+TCP frame whose payload is all of `data` (offset 0).
    #[allow(clippy::too_many_arguments)]
    fn tcp_frame(
        from_client: bool,
        seq: u32,
        ack: u32,
        flags: u16,
        payload: &[u8],
        ip_id: u16,
        in_error: bool,
    ) -> DecodedFrame {
        let (s, d, sp, dp) = if from_client {
            (CLIENT, SERVER, 40000, 8000)
        } else {
            (SERVER, CLIENT, 8000, 40000)
        };
        DecodedFrame {
            layers: vec![
                Layer::Ipv4(Ipv4Layer {
                    src: s,
                    dst: d,
                    protocol: 6,
                    id: ip_id,
                    ttl: if from_client { 64 } else { 63 },
                    tos: 0,
                    total_len: 0,
                    header_len: 20,
                    flags: 2,
                    frag_offset: 0,
                    checksum: 0,
                    offset: 14,
                    in_error,
                    reassembled: false,
                }),
                Layer::Tcp(TcpLayer {
                    src: IpAddr::from(s),
                    dst: IpAddr::from(d),
                    src_port: sp,
                    dst_port: dp,
                    seq,
                    ack,
                    flags,
                    window: 64240,
                    header_len: 20,
                    payload_len: payload.len() as u32,
                    payload_offset: 0,
                    payload_captured: payload.len() as u32,
                    options: TcpOptionsSummary {
                        mss: (flags & 2 != 0).then_some(1460),
                        ..Default::default()
                    },
                    in_error,
                }),
            ],
            anomalies: Vec::new(),
        }
    }

    fn meta(n: u32) -> FrameMeta {
        FrameMeta {
            number: n,
            ts_ns: 1_000 + i64::from(n),
            has_timestamp: true,
            ..Default::default()
        }
    }

    const REQ: &[u8] = b"GET /index.html?qs=42 HTTP/1.1\r\nHost: 10.2.0.2:8000\r\nUser-Agent: test/1.0 with a long enough header\r\n\r\n";

    /// A connection: SYN, SYN-ACK, ACK, request split at `split`, response.
    fn build(split: usize, first_from_server: bool) -> MatchInput {
        let mut b = MatchInputBuilder::new();
        let mut n = 0;
        let mut add = |b: &mut MatchInputBuilder, f: DecodedFrame, payload: &[u8]| {
            n += 1;
            b.add_frame(&meta(n), &f, payload, &[3], &[]);
        };
        if !first_from_server {
            add(&mut b, tcp_frame(true, 999, 0, 0x002, &[], 1, false), &[]);
        }
        add(
            &mut b,
            tcp_frame(false, 5000, 1000, 0x012, &[], 7, false),
            &[],
        );
        add(
            &mut b,
            tcp_frame(true, 1000, 5001, 0x010, &[], 2, false),
            &[],
        );
        let (x, y) = REQ.split_at(split);
        add(&mut b, tcp_frame(true, 1000, 5001, 0x018, x, 3, false), x);
        add(
            &mut b,
            tcp_frame(true, 1000 + x.len() as u32, 5001, 0x018, y, 4, false),
            y,
        );
        // An ICMP-quoted copy of a client segment: not a packet of the stream.
        add(&mut b, tcp_frame(true, 1, 1, 0x010, &[], 9, true), &[]);
        add(
            &mut b,
            tcp_frame(
                false,
                5001,
                1000 + REQ.len() as u32,
                0x018,
                b"HTTP/1.1 200 OK\r\n\r\n",
                8,
                false,
            ),
            b"HTTP/1.1 200 OK\r\n\r\n",
        );
        b.finish()
    }

    #[test]
    fn packet_record_is_48_bytes() {
        assert_eq!(std::mem::size_of::<PacketRecord>(), 48);
    }

    #[test]
    fn one_pass_extracts_stream_facts() {
        let m = build(REQ.len(), false);
        assert_eq!(m.streams.len(), 1);
        assert_eq!(m.packets.len(), 6, "the ICMP-quoted copy is not counted");
        let s = &m.streams[0];
        assert_eq!((s.proto, s.stream), (Proto::Tcp, 3));
        assert_eq!(s.client.to_string(), "10.1.0.2:40000");
        assert_eq!(s.packets, [4, 2]);
        assert_eq!(s.payload_bytes, [REQ.len() as u64, 19]);
        assert_eq!(s.ttl, [Some(64), Some(63)]);
        let syn = s.syn.unwrap();
        assert_eq!((syn.isn, syn.count, syn.mss), (999, 1, Some(1460)));
        assert_eq!(s.synack.unwrap().isn, 5000);
        assert_eq!(s.content.requests.len(), 1);
        assert_eq!(
            s.content.requests[0].packet, 3,
            "SYN, SYN-ACK, ACK, then the request segment"
        );
        assert_eq!(
            s.content.first_request.as_ref().unwrap().request_line,
            "GET /index.html?qs=42 HTTP/1.1"
        );
        assert_eq!(s.content.head_hash[0], Some((fnv1a64(&REQ[..64]), 64)));
        assert_eq!(s.content.head_hash[1].map(|h| h.1), Some(19));
        let dirs: Vec<u8> = m.packets.iter().map(|p| p.dir).collect();
        assert_eq!(dirs, vec![0, 1, 0, 0, 0, 1]);
        assert_eq!(m.first_ts_ns, Some(1001));
        assert_eq!(m.frames, 7);
    }

    #[test]
    fn head_hash_survives_resegmentation() {
        let whole = build(REQ.len(), false);
        for split in [1, 10, 40, 63, 64, 70] {
            let m = build(split, false);
            assert_eq!(
                m.streams[0].content.head_hash, whole.streams[0].content.head_hash,
                "split {split}"
            );
        }
    }

    #[test]
    fn stream_first_seen_from_server_is_oriented_by_syn_ack() {
        let m = build(REQ.len(), true);
        let s = &m.streams[0];
        assert_eq!(s.client.to_string(), "10.1.0.2:40000");
        assert_eq!(s.server.to_string(), "10.2.0.2:8000");
        assert_eq!(m.packets[0].dir, DIR_S2C);
        assert_eq!(s.packets, [3, 2]);
        assert_eq!(s.ttl, [Some(64), Some(63)]);
        assert!(s.syn.is_none());
    }

    #[test]
    fn out_of_range_offsets_give_empty_payload_not_panic() {
        let mut f = tcp_frame(true, 1, 1, 0x018, b"abc", 1, false);
        if let Layer::Tcp(t) = &mut f.layers[1] {
            t.payload_offset = u32::MAX;
            t.payload_captured = u32::MAX;
        }
        let mut b = MatchInputBuilder::new();
        b.add_frame(&meta(1), &f, b"abc", &[0], &[]);
        // A TCP layer without a stream id is skipped.
        b.add_frame(&meta(2), &f, b"abc", &[], &[]);
        let m = b.finish();
        assert_eq!(m.packets.len(), 1);
        assert_eq!(m.packets[0].payload_hash, 0);
        assert_eq!(m.packets[0].payload_len, 3);
    }
}
