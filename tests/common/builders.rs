//! Byte-literal capture builders shared by the capture tests: classic pcap (any byte order,
//! µs/ns/modified magic) and pcapng blocks, written field by field so tests state exactly what is
//! in the file.

use tracematch::capture::{CaptureError, CaptureReader, FrameMeta};

/// One record for [`pcap_file`].
pub struct Rec<'a> {
    pub ts_sec: u32,
    pub ts_frac: u32,
    pub data: &'a [u8],
    pub wire_len: u32,
}

/// Classic pcap flavours.
#[derive(Clone, Copy)]
pub enum Magic {
    Usec,
    Nsec,
    /// Kuznetzov's modified format (24-byte record headers).
    Modified,
}

fn put32(out: &mut Vec<u8>, v: u32, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}

fn put16(out: &mut Vec<u8>, v: u16, be: bool) {
    out.extend_from_slice(&if be { v.to_be_bytes() } else { v.to_le_bytes() });
}

/// A classic pcap file header.
pub fn pcap_header(
    be: bool,
    magic: Magic,
    version: (u16, u16),
    snaplen: u32,
    network: u32,
) -> Vec<u8> {
    let mut f = Vec::new();
    let m = match magic {
        Magic::Usec => 0xa1b2_c3d4,
        Magic::Nsec => 0xa1b2_3c4d,
        Magic::Modified => 0xa1b2_cd34,
    };
    put32(&mut f, m, be);
    put16(&mut f, version.0, be);
    put16(&mut f, version.1, be);
    put32(&mut f, 0, be);
    put32(&mut f, 0, be);
    put32(&mut f, snaplen, be);
    put32(&mut f, network, be);
    f
}

/// One classic pcap record (with the modified format's 8 extra header bytes when asked).
pub fn pcap_record(be: bool, modified: bool, r: &Rec) -> Vec<u8> {
    let mut f = Vec::new();
    put32(&mut f, r.ts_sec, be);
    put32(&mut f, r.ts_frac, be);
    put32(&mut f, r.data.len() as u32, be);
    put32(&mut f, r.wire_len, be);
    if modified {
        put32(&mut f, 2, be); // ifindex
        put16(&mut f, 0x0800, be); // protocol
        f.push(0); // pkt_type
        f.push(0); // pad
    }
    f.extend_from_slice(r.data);
    f
}

/// A whole classic pcap file.
pub fn pcap_file(be: bool, magic: Magic, network: u32, recs: &[Rec]) -> Vec<u8> {
    let mut f = pcap_header(be, magic, (2, 4), 65535, network);
    for r in recs {
        f.extend(pcap_record(be, matches!(magic, Magic::Modified), r));
    }
    f
}

/// A pcapng option (padded).
pub fn opt(code: u16, value: &[u8], be: bool) -> Vec<u8> {
    let mut o = Vec::new();
    put16(&mut o, code, be);
    put16(&mut o, value.len() as u16, be);
    o.extend_from_slice(value);
    o.resize(o.len() + (4 - value.len() % 4) % 4, 0);
    o
}

/// A pcapng block of `block_type` with `body` (padded to 4).
pub fn block(block_type: u32, body: &[u8], be: bool) -> Vec<u8> {
    let mut body = body.to_vec();
    body.resize(body.len() + (4 - body.len() % 4) % 4, 0);
    let total = 12 + body.len() as u32;
    let mut b = Vec::new();
    put32(&mut b, block_type, be);
    put32(&mut b, total, be);
    b.extend_from_slice(&body);
    put32(&mut b, total, be);
    b
}

/// Section Header Block with options (already encoded, end marker added).
pub fn shb(be: bool, options: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::new();
    put32(&mut body, 0x1A2B_3C4D, be);
    put16(&mut body, 1, be);
    put16(&mut body, 0, be);
    body.extend_from_slice(&(-1i64).to_le_bytes());
    for o in options {
        body.extend_from_slice(o);
    }
    if !options.is_empty() {
        body.extend(opt(0, &[], be));
    }
    block(0x0A0D_0D0A, &body, be)
}

/// Interface Description Block.
pub fn idb(be: bool, linktype: u16, snaplen: u32, options: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::new();
    put16(&mut body, linktype, be);
    put16(&mut body, 0, be);
    put32(&mut body, snaplen, be);
    for o in options {
        body.extend_from_slice(o);
    }
    if !options.is_empty() {
        body.extend(opt(0, &[], be));
    }
    block(1, &body, be)
}

/// Enhanced Packet Block.
pub fn epb(
    be: bool,
    if_id: u32,
    ts: u64,
    data: &[u8],
    wire_len: u32,
    options: &[Vec<u8>],
) -> Vec<u8> {
    let mut body = Vec::new();
    put32(&mut body, if_id, be);
    put32(&mut body, (ts >> 32) as u32, be);
    put32(&mut body, ts as u32, be);
    put32(&mut body, data.len() as u32, be);
    put32(&mut body, wire_len, be);
    body.extend_from_slice(data);
    body.resize(body.len() + (4 - data.len() % 4) % 4, 0);
    for o in options {
        body.extend_from_slice(o);
    }
    if !options.is_empty() {
        body.extend(opt(0, &[], be));
    }
    block(6, &body, be)
}

/// Obsolete Packet Block (type 2).
pub fn pb(be: bool, if_id: u16, ts: u64, data: &[u8], wire_len: u32) -> Vec<u8> {
    let mut body = Vec::new();
    put16(&mut body, if_id, be);
    put16(&mut body, 0, be);
    put32(&mut body, (ts >> 32) as u32, be);
    put32(&mut body, ts as u32, be);
    put32(&mut body, data.len() as u32, be);
    put32(&mut body, wire_len, be);
    body.extend_from_slice(data);
    block(2, &body, be)
}

/// Simple Packet Block: `data` as stored (already cut to the snaplen by the writer).
pub fn spb(be: bool, wire_len: u32, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    put32(&mut body, wire_len, be);
    body.extend_from_slice(data);
    block(3, &body, be)
}

/// Name Resolution Block with one IPv4 record.
pub fn nrb_v4(be: bool, addr: [u8; 4], names: &[&str]) -> Vec<u8> {
    let mut value = addr.to_vec();
    for n in names {
        value.extend_from_slice(n.as_bytes());
        value.push(0);
    }
    let mut body = Vec::new();
    put16(&mut body, 1, be);
    put16(&mut body, value.len() as u16, be);
    body.extend_from_slice(&value);
    body.resize(body.len() + (4 - value.len() % 4) % 4, 0);
    put16(&mut body, 0, be);
    put16(&mut body, 0, be);
    block(4, &body, be)
}

/// Interface Statistics Block without options.
pub fn isb(be: bool, if_id: u32) -> Vec<u8> {
    let mut body = Vec::new();
    put32(&mut body, if_id, be);
    put32(&mut body, 0, be);
    put32(&mut body, 0, be);
    block(5, &body, be)
}

/// Custom Block (0x0BAD, or 0x40000BAD when not copyable).
pub fn custom(be: bool, pen: u32, data: &[u8], copyable: bool) -> Vec<u8> {
    let mut body = Vec::new();
    put32(&mut body, pen, be);
    body.extend_from_slice(data);
    block(if copyable { 0x0BAD } else { 0x4000_0BAD }, &body, be)
}

/// Everything a reading run produced.
pub struct Outcome {
    pub frames: Vec<(FrameMeta, Vec<u8>)>,
    pub error: Option<CaptureError>,
    pub reader: CaptureReader,
}

/// Reads `data` in chunks of `chunk` bytes.
pub fn read(data: &[u8], chunk: usize) -> Outcome {
    let mut reader = CaptureReader::new();
    let mut frames = Vec::new();
    let mut sink = |m: &FrameMeta, b: &[u8]| frames.push((*m, b.to_vec()));
    let mut error = None;
    for c in data.chunks(chunk.max(1)) {
        if let Err(e) = reader.push(c, &mut sink) {
            error = Some(e);
            break;
        }
    }
    if error.is_none() {
        error = reader.finish(&mut sink).err();
    }
    Outcome {
        frames,
        error,
        reader,
    }
}

/// Reads `data` whole, and checks that 1-, 3- and 64-byte chunks give the same result.
pub fn read_all_ways(data: &[u8]) -> Outcome {
    let whole = read(data, usize::MAX);
    for chunk in [1usize, 3, 64] {
        let other = read(data, chunk);
        assert_eq!(
            other.frames, whole.frames,
            "frames differ with {chunk}-byte chunks"
        );
        assert_eq!(
            other.error, whole.error,
            "error differs with {chunk}-byte chunks"
        );
    }
    whole
}

/// A deterministic pseudo-random generator (xorshift) for test data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A little-endian µs pcap of `records` packets of 60..=1514 bytes: a fixed header-like prefix
/// (compresses) then pseudo-random bytes (does not), timestamps increasing.
pub fn synthetic_pcap(records: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut f = pcap_header(false, Magic::Usec, (2, 4), 65535, 1);
    let mut data = Vec::with_capacity(1514);
    for i in 0..records {
        let len = 60 + rng.below(1455) as usize;
        data.clear();
        data.extend_from_slice(b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\x08\x00\x45\x00");
        while data.len() < len {
            let word = if rng.below(4) == 0 {
                rng.next()
            } else {
                0x2020_2020_2020_2020 + i as u64
            };
            data.extend_from_slice(&word.to_le_bytes());
        }
        data.truncate(len);
        let wire = if rng.below(10) == 0 {
            len as u32 + 100
        } else {
            len as u32
        };
        f.extend(pcap_record(
            false,
            false,
            &Rec {
                ts_sec: 1_700_000_000 + (i / 1000) as u32,
                ts_frac: (i % 1000) as u32 * 997,
                data: &data,
                wire_len: wire,
            },
        ));
    }
    f
}

/// gzip with flate2 (rust backend).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}
