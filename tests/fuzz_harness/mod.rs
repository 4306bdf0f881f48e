//! The fuzz harnesses: one function per fuzz target, shared by the cargo-fuzz crate (`fuzz/`, which
//! includes this file with `#[path]`) and by the regression tests (`tests/fuzz_regressions.rs`),
//! so a minimised crasher is replayed through exactly the code the fuzzer ran.
//!
//! Each harness takes the fuzzer's bytes, interprets them (a capture file, or a small structured
//! description), runs one part of the core and checks invariants that must hold for every input
//! (a panic or a failed `assert!` is what libFuzzer reports as a crash). Each returns a small
//! outcome the regression tests assert on.
//!
//! Structured inputs read their fields with [`Bytes`], which yields zeros once the input is used up,
//! so every byte string is a valid input.
#![allow(dead_code)]

use tracematch::app::http::{
    content_coding, continuation_messages_of_chunks, http_messages_of_chunks, HttpOptions,
};
use tracematch::capture::{CaptureError, CaptureReader, FrameMeta};
use tracematch::decode::{DecodedFrame, Decoder};
use tracematch::filter::{Filter, FrameFilter};
use tracematch::flow::{FlowTables, FrameStreams};
use tracematch::matching::{match_inputs, CaptureRef, MatchInputFeeder, MatchOptions};
use tracematch::pipeline::{FrameContext, Pipeline};
use tracematch::reassembly::{
    follow_tcp, FollowChunk, FollowFormat, FollowHeader, FollowNode, FollowProto, FollowWriter,
    NodeFilter, TcpFollowOptions, TcpSegment,
};
use tracematch::session::TcpAnalyzer;

/// A cursor over fuzz bytes that yields zeros past the end.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    /// A cursor at the start of `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, pos: 0 }
    }
    /// True when every byte was consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
    /// The next byte (0 past the end).
    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos = self.pos.saturating_add(1);
        b
    }
    /// The next little-endian u16.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    /// The next little-endian u32.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    /// Up to `n` next bytes (fewer at the end).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        let end = start.saturating_add(n).min(self.data.len());
        self.pos = self.pos.saturating_add(n);
        &self.data[start..end]
    }
    /// Everything not consumed yet.
    pub fn rest(&mut self) -> &'a [u8] {
        let start = self.pos.min(self.data.len());
        self.pos = self.data.len();
        &self.data[start..]
    }
}

/// A deterministic xorshift generator seeded from the input (chunk sizes, choices).
struct Rng(u64);

impl Rng {
    fn from_bytes(data: &[u8]) -> Self {
        let mut h: u64 = 0x9e37_79b9_7f4a_7c15 ^ data.len() as u64;
        for &b in data.iter().take(64) {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        Rng(h | 1)
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

// ------------------------------------------------------------------------------------------------
// capture_reader
// ------------------------------------------------------------------------------------------------

/// What reading a capture gave.
#[derive(Debug, PartialEq)]
pub struct ReadOutcome {
    /// Metadata of every delivered frame.
    pub frames: Vec<FrameMeta>,
    /// Total bytes delivered.
    pub bytes: usize,
    /// The error that stopped reading.
    pub error: Option<CaptureError>,
}

/// Reads `data` in chunks whose sizes `sizes` yields (0 = the rest).
fn read_in_chunks(data: &[u8], mut sizes: impl FnMut() -> usize) -> ReadOutcome {
    let mut reader = CaptureReader::new();
    let mut frames = Vec::new();
    let mut bytes = 0usize;
    let mut sink = |m: &FrameMeta, b: &[u8]| {
        assert_eq!(
            m.caplen as usize,
            b.len(),
            "delivered slice length = caplen"
        );
        frames.push(*m);
        bytes += b.len();
    };
    let mut rest = data;
    let mut error = None;
    while !rest.is_empty() {
        let n = match sizes() {
            0 => rest.len(),
            n => n.min(rest.len()),
        };
        let (chunk, tail) = rest.split_at(n);
        rest = tail;
        if let Err(e) = reader.push(chunk, &mut sink) {
            error = Some(e);
            break;
        }
    }
    if error.is_none() {
        error = reader.finish(&mut sink).err();
    }
    assert_eq!(reader.info().frames, frames.len() as u64);
    ReadOutcome {
        frames,
        bytes,
        error,
    }
}

/// Capture reader (pcap, pcapng, gzip; push mode): reads `data` whole and in chunks of random
/// sizes (1 byte to 4 KiB, seeded from the input) and checks that both give the same frames and
/// the same error, that every frame's slice is `caplen` long, and that a plain capture cannot
/// deliver more frames than 12 input bytes each allow.
pub fn capture_reader(data: &[u8]) -> ReadOutcome {
    let whole = read_in_chunks(data, || 0);
    let mut rng = Rng::from_bytes(data);
    let small = rng.below(2) == 0;
    let split = read_in_chunks(data, || {
        if small {
            1 + rng.below(16) as usize
        } else {
            1 + rng.below(4096) as usize
        }
    });
    assert_eq!(whole.frames, split.frames, "frames depend on chunking");
    assert_eq!(whole.error, split.error, "error depends on chunking");
    let gzip = data.starts_with(&[0x1f, 0x8b]);
    if !gzip {
        assert!(whole.frames.len().saturating_mul(12) <= data.len());
        assert!(whole.bytes <= data.len());
    }
    if let Some(e) = &whole.error {
        // The message names the offset (the CLI prints it as its one-line diagnostic).
        assert!(e.to_string().contains("offset"), "{e}");
    }
    whole
}

// ------------------------------------------------------------------------------------------------
// decode
// ------------------------------------------------------------------------------------------------

/// Link types the decode harness picks from (the first input byte indexes this list; values past
/// it use the next two bytes as a raw link type).
pub const LINKTYPES: [u32; 16] = [
    1, 101, 113, 276, 0, 108, 12, 14, 105, 127, 192, 197, 228, 229, 239, 9,
];

/// Frames described by decode-style input: a link-type selector, then frames as
/// `[len u16 LE][wire_extra u8][bytes]` (at most 64 frames).
pub fn decode_frames(data: &[u8]) -> (u32, Vec<(u32, Vec<u8>)>) {
    let mut b = Bytes::new(data);
    let sel = b.u8();
    let linktype = match LINKTYPES.get(usize::from(sel)) {
        Some(&l) => l,
        None => u32::from(b.u16()),
    };
    let mut frames = Vec::new();
    while !b.is_empty() && frames.len() < 64 {
        let len = usize::from(b.u16());
        let extra = u32::from(b.u8());
        let bytes = b.take(len).to_vec();
        let wire = (bytes.len() as u32).saturating_add(extra);
        frames.push((wire, bytes));
    }
    (linktype, frames)
}

/// What decoding gave.
#[derive(Debug, Default, PartialEq)]
pub struct DecodeOutcome {
    /// Frames decoded.
    pub frames: usize,
    /// Layers over all frames.
    pub layers: usize,
    /// Anomalies over all frames.
    pub anomalies: usize,
    /// TCP + UDP streams numbered.
    pub streams: u32,
}

/// Runs `frames` of `linktype` through the decoder, the flow tables and the TCP analyzer, as the
/// pipeline does, checking that no layer points past the frame and that fragment memory stays
/// within its bound.
pub fn decode_run(linktype: u32, frames: &[(u32, Vec<u8>)]) -> DecodeOutcome {
    let mut decoder = Decoder::new();
    let mut flows = FlowTables::new();
    let mut analyzer = TcpAnalyzer::new();
    let mut decoded = DecodedFrame::default();
    let mut streams = FrameStreams::default();
    let mut analysis = Vec::new();
    let mut outcome = DecodeOutcome::default();
    for (i, (wire, bytes)) in frames.iter().enumerate() {
        let meta = FrameMeta {
            number: i as u32 + 1,
            ts_ns: 1_000_000_000 * (i as i64 + 1),
            has_timestamp: true,
            caplen: bytes.len() as u32,
            wire_len: *wire,
            linktype,
            ..FrameMeta::default()
        };
        decoder.decode(&meta, bytes, &mut decoded);
        flows.observe(&meta, &decoded, &mut streams);
        let ctx = FrameContext {
            meta: &meta,
            frame: &decoded,
            data: bytes,
            streams: &streams,
            reassembled: decoder.reassembled_payload(),
            first_ts_ns: 1_000_000_000,
        };
        analyzer.analyze_frame(&ctx, &mut analysis);
        outcome.frames += 1;
        outcome.layers += decoded.layers.len();
        outcome.anomalies += decoded.anomalies.len();
        assert!(decoder.pending_fragment_bytes() <= 16 << 20);
    }
    outcome.streams = flows.tcp.len() as u32 + flows.udp.len() as u32;
    outcome
}

/// Link / IP / transport decoding of fuzz-described frames ([`decode_frames`]).
pub fn decode(data: &[u8]) -> DecodeOutcome {
    let (linktype, frames) = decode_frames(data);
    decode_run(linktype, &frames)
}

// ------------------------------------------------------------------------------------------------
// defrag
// ------------------------------------------------------------------------------------------------

/// Builds one raw-IP fragment (IPv4 or IPv6) from 8 input bytes: flags (bit 0 IPv6, bit 1 more
/// fragments, bits 2-3 which of four datagram ids, bits 4-5 which of two address pairs, bit 6 UDP
/// instead of TCP), the offset in 8-byte units (u16, 13 bits used), the payload length (u16, capped
/// at 1480), and the payload fill byte.
pub fn fragment_packet(b: &mut Bytes<'_>) -> Vec<u8> {
    let flags = b.u8();
    let offset_units = b.u16() & 0x1fff;
    let len = usize::from(b.u16()).min(1480);
    let fill = b.u8();
    let _spare = b.u16();
    let more = flags & 2 != 0;
    let id = u32::from((flags >> 2) & 3);
    let pair = (flags >> 4) & 3;
    let protocol = if flags & 0x40 != 0 { 17 } else { 6 };
    let mut payload = vec![fill; len];
    if offset_units == 0 && len >= 20 {
        // A transport header at the start of the datagram so reassembly reaches the TCP/UDP code.
        payload[..4].copy_from_slice(&[0x1f, 0x90, 0x00, 0x50]);
        if protocol == 6 {
            payload[12] = 0x50;
            payload[13] = 0x18;
        } else {
            payload[4] = 0;
            payload[5] = 8;
        }
    }
    if flags & 1 == 0 {
        let total = (20 + payload.len()) as u16;
        let frag = offset_units | if more { 0x2000 } else { 0 };
        let mut p = vec![0x45, 0];
        p.extend_from_slice(&total.to_be_bytes());
        p.extend_from_slice(&(id as u16 + 1).to_be_bytes());
        p.extend_from_slice(&frag.to_be_bytes());
        p.extend_from_slice(&[64, protocol, 0, 0, 10, 0, 0, 1 + pair, 10, 0, 0, 100]);
        p.extend_from_slice(&payload);
        p
    } else {
        let plen = (8 + payload.len()) as u16;
        let mut p = vec![0x60, 0, 0, 0];
        p.extend_from_slice(&plen.to_be_bytes());
        p.extend_from_slice(&[44, 64]);
        let mut src = [0u8; 16];
        src[0] = 0xfd;
        src[15] = 1 + pair;
        let mut dst = [0u8; 16];
        dst[0] = 0xfd;
        dst[15] = 100;
        p.extend_from_slice(&src);
        p.extend_from_slice(&dst);
        let frag = (offset_units << 3) | u16::from(more);
        p.extend_from_slice(&[protocol, 0]);
        p.extend_from_slice(&frag.to_be_bytes());
        p.extend_from_slice(&(id + 1).to_be_bytes());
        p.extend_from_slice(&payload);
        p
    }
}

/// IPv4 / IPv6 defragmentation: fragments of a few datagrams (colliding keys, overlaps, floods)
/// decoded as raw IP frames; checks the decoder's invariants ([`decode_run`]).
pub fn defrag(data: &[u8]) -> DecodeOutcome {
    let mut b = Bytes::new(data);
    let mut frames = Vec::new();
    while !b.is_empty() && frames.len() < 256 {
        let p = fragment_packet(&mut b);
        frames.push((p.len() as u32, p));
    }
    decode_run(101, &frames)
}

// ------------------------------------------------------------------------------------------------
// tcp_follow
// ------------------------------------------------------------------------------------------------

/// TCP segments from input: per segment 12 bytes (dir+flags, seq mode, seq u32, ack u32, length
/// u16 capped at 2048); seq mode 0 makes the seq relative to the previous one in that direction
/// (small jumps are what finds reassembly bugs), otherwise absolute (2^32 jumps).
pub fn tcp_segments(data: &[u8]) -> Vec<TcpSegment> {
    let mut b = Bytes::new(data);
    let mut segs = Vec::new();
    let mut next = [0u32; 2];
    while !b.is_empty() && segs.len() < 512 {
        let df = b.u8();
        let mode = b.u8();
        let seq_raw = b.u32();
        let ack = b.u32();
        let len = usize::from(b.u16()).min(2048);
        let dir = df & 1;
        let flags = (df >> 1) & 0x17;
        let seq = if mode & 1 == 0 {
            next[usize::from(dir)]
                .wrapping_add(seq_raw % 4096)
                .wrapping_sub(2048)
        } else {
            seq_raw
        };
        let payload: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_add(mode)).collect();
        let seg_len = if mode & 2 != 0 {
            len as u32 + u32::from(mode >> 2)
        } else {
            len as u32
        };
        next[usize::from(dir)] = seq.wrapping_add(seg_len);
        segs.push(TcpSegment {
            frame: segs.len() as u32 + 1,
            ts_ns: segs.len() as i64,
            dir,
            seq,
            ack,
            flags,
            seg_len,
            payload,
        });
    }
    segs
}

/// What following gave.
#[derive(Debug, Default, PartialEq)]
pub struct FollowOutcome {
    /// Chunks with the default options.
    pub chunks: usize,
    /// Bytes delivered with the default options.
    pub bytes: usize,
}

/// TCP reassembly (follow): the segments through the follower with tshark's options and with a
/// small buffer and end-of-stream flush, then every follow output format. Checks that no more
/// bytes come out than went in and that gap sizes fit sequence space.
pub fn tcp_follow(data: &[u8]) -> FollowOutcome {
    let segs = tcp_segments(data);
    let input: usize = segs.iter().map(|s| s.payload.len()).sum();
    let chunks = follow_tcp(&segs, TcpFollowOptions::default());
    let out: usize = chunks.iter().map(|c| c.bytes.len()).sum();
    assert!(out <= input, "{out} bytes out of {input} in");
    let small = TcpFollowOptions {
        max_buffered_bytes: 4096,
        flush_held_back_at_end: true,
    };
    let flushed = follow_tcp(&segs, small);
    let out2: usize = flushed.iter().map(|c| c.bytes.len()).sum();
    assert!(out2 <= input);
    for c in chunks.iter().chain(&flushed) {
        if let Some(g) = c.gap_before {
            assert!(g.missing <= u64::from(u32::MAX));
        }
    }
    let header = FollowHeader {
        proto: FollowProto::Tcp,
        stream: 0,
        node0: FollowNode::ip(
            std::net::IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1)),
            1,
        ),
        node1: FollowNode::ip(
            std::net::IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2)),
            2,
        ),
    };
    for format in [
        FollowFormat::Raw,
        FollowFormat::Ascii,
        FollowFormat::Hex,
        FollowFormat::Yaml,
    ] {
        let mut w = FollowWriter::new(std::io::sink(), format, NodeFilter::Both);
        let _ = w.begin(&header);
        for c in &flushed {
            let _ = w.chunk(c);
        }
        let _ = w.end();
    }
    FollowOutcome {
        chunks: chunks.len(),
        bytes: out,
    }
}

// ------------------------------------------------------------------------------------------------
// http
// ------------------------------------------------------------------------------------------------

/// Content codings the HTTP harness chooses from.
pub const CODINGS: [&str; 8] = [
    "gzip",
    "deflate",
    "br",
    "zstd",
    "gzip, gzip",
    "identity",
    "br, deflate",
    "x-gzip, zstd",
];

/// Follow chunks from input: per chunk `[dir u8][len u16 LE][bytes]`; a dir byte with bit 1 set
/// declares a gap before the chunk.
pub fn http_chunks(data: &[u8]) -> Vec<FollowChunk> {
    let mut b = Bytes::new(data);
    let mut chunks = Vec::new();
    while !b.is_empty() && chunks.len() < 256 {
        let d = b.u8();
        let len = usize::from(b.u16());
        let bytes = b.take(len).to_vec();
        chunks.push(FollowChunk {
            frame: chunks.len() as u32 + 1,
            ts_ns: chunks.len() as i64,
            dir: d & 1,
            bytes,
            gap_before: (d & 2 != 0).then_some(tracematch::reassembly::Gap {
                missing: u64::from(d >> 2),
                revealed_by_frame: 1,
            }),
        });
    }
    chunks
}

/// What HTTP parsing gave.
#[derive(Debug, Default, PartialEq)]
pub struct HttpOutcome {
    /// Messages parsed.
    pub messages: usize,
    /// Continuation messages.
    pub continuations: usize,
    /// Result of decoding the input tail with the chosen coding.
    pub decoded: Option<Result<usize, content_coding::DecodeError>>,
}

/// HTTP parsing and body decoding. Input: a selector byte (coding, cap), then either a body to
/// decode (selector bit 7 set) or follow chunks ([`http_chunks`]). Checks that decoded bodies
/// respect the cap.
pub fn http(data: &[u8]) -> HttpOutcome {
    let mut b = Bytes::new(data);
    let sel = b.u8();
    let cap = 1usize << (8 + ((sel >> 3) & 15));
    let options = HttpOptions {
        max_body_bytes: cap,
        max_head_bytes: 4096,
        ..HttpOptions::default()
    };
    if sel & 0x80 != 0 {
        let coding = CODINGS[usize::from(sel & 7)];
        let result = content_coding::decode_body(Some(coding), b.rest(), cap);
        if let Ok(d) = &result {
            assert!(d.bytes.len() <= cap, "{} > cap {cap}", d.bytes.len());
        }
        return HttpOutcome {
            decoded: Some(result.map(|d| d.bytes.len())),
            ..HttpOutcome::default()
        };
    }
    let chunks = http_chunks(b.rest());
    let messages = http_messages_of_chunks(0, chunks.clone(), options);
    for m in &messages {
        if let Some(body) = &m.body {
            assert!(
                body.len() <= cap,
                "body of {} bytes over the cap {cap}",
                body.len()
            );
        }
    }
    let continuations = continuation_messages_of_chunks(0, chunks, options);
    HttpOutcome {
        messages: messages.len(),
        continuations: continuations.len(),
        decoded: None,
    }
}

// ------------------------------------------------------------------------------------------------
// filter
// ------------------------------------------------------------------------------------------------

/// What filtering gave.
#[derive(Debug, PartialEq)]
pub struct FilterOutcome {
    /// The compile error, rendered, if any.
    pub error: Option<String>,
    /// Frames that matched.
    pub matched: usize,
    /// Frames evaluated.
    pub frames: usize,
}

/// The display-filter parser and evaluator. Input: the filter text (UTF-8, lossy) up to the first
/// NUL byte, then a capture whose frames the filter is evaluated on (at most 200 frames).
pub fn filter(data: &[u8]) -> FilterOutcome {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let text = String::from_utf8_lossy(&data[..split]);
    let capture = data.get(split + 1..).unwrap_or(&[]);
    let compiled = match Filter::compile(&text) {
        Ok(f) => f,
        Err(e) => {
            let rendered = e.render(&text);
            assert!(!rendered.is_empty());
            return FilterOutcome {
                error: Some(rendered),
                matched: 0,
                frames: 0,
            };
        }
    };
    let _ = compiled.requirement();
    let mut ff = FrameFilter::new(compiled);
    let mut pipeline = Pipeline::new();
    let (mut frames, mut matched) = (0usize, 0usize);
    let mut visit = |c: &FrameContext| {
        if frames < 200 {
            frames += 1;
            if ff.matches(c) {
                matched += 1;
            }
        }
    };
    pipeline.push(capture, &mut visit);
    pipeline.finish(&mut visit);
    FilterOutcome {
        error: None,
        matched,
        frames,
    }
}

// ------------------------------------------------------------------------------------------------
// matching
// ------------------------------------------------------------------------------------------------

/// A classic pcap file (µs, little-endian) of `frames` with link type `linktype`.
pub fn pcap_of(linktype: u32, frames: &[(i64, u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&262_144u32.to_le_bytes());
    out.extend_from_slice(&linktype.to_le_bytes());
    for (ts_us, wire, bytes) in frames {
        let ts = ts_us.rem_euclid(4_000_000_000_000_000);
        out.extend_from_slice(&((ts / 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((ts % 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        out.extend_from_slice(&wire.to_le_bytes());
        out.extend_from_slice(bytes);
    }
    out
}

/// What matching gave.
#[derive(Debug, PartialEq)]
pub struct MatchOutcome {
    /// Frames in capture A and B.
    pub frames: (usize, usize),
    /// Matched rows of the pair.
    pub rows: usize,
}

/// Cross-capture matching of two tiny captures derived from the input: the frames of
/// [`decode_frames`] form capture A; capture B keeps the frames whose bit in a mask is set, with
/// timestamps shifted by an offset and optionally the IPv4 addresses NATed, so the matcher sees a
/// mix of matching, missing and changed packets. Both are fed through the page's chunk feeder.
pub fn matching(data: &[u8]) -> MatchOutcome {
    let mut b = Bytes::new(data);
    let mask = b.u32();
    let shift_ms = i64::from(b.u16() as i16);
    let nat = b.u8();
    let (linktype, frames) = decode_frames(b.rest());
    let a: Vec<(i64, u32, Vec<u8>)> = frames
        .iter()
        .enumerate()
        .map(|(i, (w, f))| (1_700_000_000_000_000 + i as i64 * 1000, *w, f.clone()))
        .collect();
    let bframes: Vec<(i64, u32, Vec<u8>)> = a
        .iter()
        .enumerate()
        .filter(|(i, _)| mask.rotate_right(*i as u32) & 1 == 1 || mask == 0)
        .map(|(_, (t, w, f))| {
            let mut f = f.clone();
            if nat & 1 == 1 && linktype == 1 && f.len() >= 34 {
                f[26 + usize::from((nat >> 1) & 7)] ^= nat;
            }
            (t + shift_ms * 1000, *w, f)
        })
        .collect();
    let files = [pcap_of(linktype, &a), pcap_of(linktype, &bframes)];
    let inputs: Vec<_> = files
        .iter()
        .map(|f| {
            let mut feeder = MatchInputFeeder::new();
            for c in f.chunks(97) {
                feeder.push(c);
            }
            feeder.finish()
        })
        .collect();
    let captures = (0..2)
        .map(|i| CaptureRef {
            index: i,
            path: format!("{i}.pcap"),
            label: format!("{i}"),
        })
        .collect();
    let report = match_inputs(
        &inputs,
        captures,
        &MatchOptions {
            flow_for_two: true,
            packet_diff: true,
        },
    );
    let rows = report.pairs.iter().map(|p| p.matches.len()).sum();
    MatchOutcome {
        frames: (a.len(), bframes.len()),
        rows,
    }
}
