//! Hand-built [`MatchInput`]s for unit tests: streams and packets are added directly (no
//! decoding), the summary facts derived from the packets by [`Builder::finish`].

use std::net::SocketAddr;

use super::fingerprint::{fnv1a64, HttpRequestHead};
use super::input::{
    tcp_flags, MatchInput, PacketRecord, Proto, RequestRef, StreamContent, StreamSummary, SynInfo,
};

/// Records an HTTP request head on a stream (the first also in full), with no packet reference.
pub fn add_request(content: &mut StreamContent, head: HttpRequestHead) {
    content
        .requests
        .push(RequestRef::from_head(&head, u32::MAX));
    if content.first_request.is_none() {
        content.first_request = Some(head);
    }
}

/// Builds a [`MatchInput`] packet by packet.
pub struct Builder {
    /// The input being built (tests may edit stream content directly).
    pub input: MatchInput,
    next_frame: u32,
}

/// Payload hash of synthetic content `id` of `len` bytes.
pub fn content_hash(id: u32, len: u32) -> u64 {
    if len == 0 {
        return 0;
    }
    let mut b = id.to_le_bytes().to_vec();
    b.extend(len.to_le_bytes());
    fnv1a64(&b)
}

impl Builder {
    /// An empty capture.
    pub fn new() -> Self {
        Builder {
            input: MatchInput::default(),
            next_frame: 1,
        }
    }

    fn stream(&mut self, proto: Proto, stream: u32, client: &str, server: &str) -> u32 {
        let i = self.input.streams.len() as u32;
        self.input.streams.push(StreamSummary::new(
            proto,
            stream,
            client.parse::<SocketAddr>().expect("test address"),
            server.parse::<SocketAddr>().expect("test address"),
            0,
            0,
        ));
        i
    }

    /// Adds a TCP stream numbered `stream`; returns its index.
    pub fn tcp_stream(&mut self, stream: u32, client: &str, server: &str) -> u32 {
        self.stream(Proto::Tcp, stream, client, server)
    }

    /// Adds a UDP stream numbered `stream`; returns its index.
    pub fn udp_stream(&mut self, stream: u32, client: &str, server: &str) -> u32 {
        self.stream(Proto::Udp, stream, client, server)
    }

    /// Adds a packet (next frame number) with synthetic payload `content` of `len` bytes.
    #[allow(clippy::too_many_arguments)]
    pub fn pkt(
        &mut self,
        s: u32,
        dir: u8,
        seq: u32,
        ack: u32,
        len: u32,
        content: u32,
        flags: u8,
        ts_ns: i64,
    ) -> &mut PacketRecord {
        let frame = self.next_frame;
        self.next_frame += 1;
        let h = content_hash(content, len);
        self.input.packets.push(PacketRecord {
            ts_ns,
            payload_hash: h,
            frame,
            stream: s,
            seq,
            ack,
            payload_len: len,
            head_hash: h as u32,
            ip_id: 0,
            ttl: 64,
            tos: 0,
            flags,
            dir,
        });
        self.input.packets.last_mut().expect("just pushed")
    }

    /// Derives stream facts (times, counts, SYN info, head hashes) from the packets. Packets are
    /// sorted by time first (ties keep insertion order) and frames renumbered in that order.
    pub fn finish(mut self) -> MatchInput {
        let input = &mut self.input;
        input.packets.sort_by_key(|p| p.ts_ns);
        for (k, p) in input.packets.iter_mut().enumerate() {
            p.frame = k as u32 + 1;
        }
        input.first_ts_ns = input.packets.first().map(|p| p.ts_ns);
        input.last_ts_ns = input.packets.last().map(|p| p.ts_ns);
        input.frames = input.packets.len() as u64;
        for p in &input.packets {
            let Some(s) = input.streams.get_mut(p.stream as usize) else {
                continue;
            };
            let d = usize::from(p.dir);
            if s.first_frame == 0 {
                s.first_frame = p.frame;
                s.first_ts_ns = p.ts_ns;
            }
            s.last_ts_ns = p.ts_ns;
            s.packets[d] += 1;
            s.payload_bytes[d] += u64::from(p.payload_len);
            s.max_payload[d] = s.max_payload[d].max(p.payload_len);
            s.ttl[d].get_or_insert(p.ttl);
            s.tos[d].get_or_insert(p.tos);
            if p.payload_len > 0 && s.content.head_hash[d].is_none() {
                s.content.head_hash[d] = Some((p.payload_hash, p.payload_len.min(64) as u16));
            }
            if p.flags & tcp_flags::SYN != 0 {
                let slot = if p.flags & tcp_flags::ACK != 0 {
                    &mut s.synack
                } else {
                    &mut s.syn
                };
                match slot {
                    Some(x) if x.isn == p.seq => x.count += 1,
                    Some(x) => x.other_isn_count += 1,
                    None => {
                        *slot = Some(SynInfo {
                            isn: p.seq,
                            count: 1,
                            frame: p.frame,
                            mss: Some(1460),
                            ..Default::default()
                        })
                    }
                }
            }
        }
        self.input
    }
}
