//! Damaged and hostile inputs, one test per row of the README's "Damaged and hostile input" table
//! that no other test already shows: each asserts the behaviour the table claims (the error and
//! its offset, the frames kept, the bound on memory or time), not only that nothing panicked.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tracematch::app::http::{decode_body, http_messages_of_chunks, HttpOptions};
use tracematch::capture::{CaptureErrorKind, CaptureReader, FrameMeta};
use tracematch::decode::{DecodedFrame, Decoder};
use tracematch::pipeline::{FrameContext, Indexer, Pipeline};
use tracematch::reassembly::{follow_tcp, FollowChunk, TcpFollowOptions, TcpSegment};
use tracematch::stats::io::IoStats;

const ACK: u8 = 0x10;

fn ten_bytes(i: u8) -> Vec<u8> {
    vec![i; 10]
}

/// A little-endian pcapng section with one Ethernet interface and `n` 10-byte packets; returns the
/// file and the offset of each packet block.
fn ng_packets(n: u8) -> (Vec<u8>, Vec<u64>) {
    let mut f = shb(false, &[]);
    f.extend(idb(false, 1, 0, &[]));
    let mut at = Vec::new();
    for i in 0..n {
        at.push(f.len() as u64);
        f.extend(epb(false, 0, u64::from(i), &ten_bytes(i), 10, &[]));
    }
    (f, at)
}

fn gzip_stream(data: &[u8], level: u32) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(level));
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

// ---- zero-length and oversize blocks --------------------------------------------------------

#[test]
fn pcapng_zero_length_and_oversize_blocks_stop_at_their_offset() {
    for total in [0u32, 4, 0xffff_fffc] {
        let (mut f, at) = ng_packets(3);
        let b = at[1] as usize;
        f[b + 4..b + 8].copy_from_slice(&total.to_le_bytes());
        let o = read_all_ways(&f);
        assert_eq!(
            o.frames.len(),
            1,
            "block length {total}: the frame before is kept"
        );
        let e = o.error.expect("an error");
        assert_eq!(e.offset, at[1], "block length {total}");
        assert!(
            matches!(e.kind, CaptureErrorKind::BadBlock { block_type: 6, .. }),
            "{e}"
        );
    }
    // An oversize block is refused from its first 12 bytes: no buffering of the claimed length.
    let (mut f, at) = ng_packets(2);
    let b = at[1] as usize;
    f[b + 4..b + 8].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    let mut reader = CaptureReader::new();
    let mut frames = 0;
    let err = reader
        .push(&f[..b + 12], &mut |_: &FrameMeta, _: &[u8]| frames += 1)
        .expect_err("refused from the header alone");
    assert_eq!((frames, err.offset), (1, at[1]));
}

// ---- wrong byte order mid-file ----------------------------------------------------------------

#[test]
fn a_block_in_the_other_byte_order_mid_section_is_damage_at_its_offset() {
    let (mut f, _) = ng_packets(2);
    let swapped_at = f.len() as u64;
    f.extend(epb(true, 0, 9, b"big-endian", 10, &[]));
    f.extend(epb(false, 0, 10, b"after", 5, &[]));
    let o = read_all_ways(&f);
    assert_eq!(
        o.frames.len(),
        2,
        "both packets before the swapped block are kept"
    );
    let e = o.error.expect("an error");
    assert_eq!(e.offset, swapped_at);
    assert!(
        e.to_string().contains(&format!("offset {swapped_at}")),
        "{e}"
    );
}

#[test]
fn a_new_section_may_switch_byte_order() {
    let (mut f, _) = ng_packets(1);
    f.extend(shb(true, &[]));
    f.extend(idb(true, 1, 0, &[]));
    f.extend(epb(true, 0, 5, b"big-endian", 10, &[]));
    let o = read_all_ways(&f);
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.frames.len(), 2);
    assert_eq!(o.frames[1].1, b"big-endian");
}

// ---- section with no interface ----------------------------------------------------------------

#[test]
fn a_packet_in_a_section_with_no_interface_is_damage() {
    let mut f = shb(false, &[]);
    let at = f.len() as u64;
    f.extend(epb(false, 0, 1, b"orphan", 6, &[]));
    let o = read_all_ways(&f);
    assert!(o.frames.is_empty());
    let e = o.error.expect("an error");
    assert_eq!(
        (e.offset, e.kind),
        (at, CaptureErrorKind::UnknownInterface { interface: 0 })
    );
    // Interfaces do not carry over into a new section.
    let (mut f, _) = ng_packets(2);
    f.extend(shb(false, &[]));
    let at = f.len() as u64;
    f.extend(epb(false, 0, 1, b"orphan", 6, &[]));
    let o = read_all_ways(&f);
    assert_eq!(o.frames.len(), 2, "the first section's packets are kept");
    let e = o.error.expect("an error");
    assert_eq!(
        (e.offset, e.kind),
        (at, CaptureErrorKind::UnknownInterface { interface: 0 })
    );
}

// ---- timestamps going backwards ---------------------------------------------------------------

#[test]
fn timestamps_going_backwards_keep_file_order_and_count_in_the_latest_interval() {
    let data = ten_bytes(1);
    let times = [100u32, 50, 10, 200, 101];
    let recs: Vec<Rec> = times
        .iter()
        .map(|&t| Rec {
            ts_sec: t,
            ts_frac: 0,
            data: &data,
            wire_len: 10,
        })
        .collect();
    let f = pcap_file(false, Magic::Usec, 1, &recs);
    let o = read_all_ways(&f);
    assert!(o.error.is_none());
    let got: Vec<i64> = o
        .frames
        .iter()
        .map(|(m, _)| m.ts_ns / 1_000_000_000)
        .collect();
    assert_eq!(got, [100, 50, 10, 200, 101], "frames stay in file order");
    let mut io = IoStats::new(1_000_000_000).expect("interval");
    let mut p = Pipeline::new();
    let mut visit = |c: &FrameContext| io.observe(c, &[]);
    p.push(&f, &mut visit);
    p.finish(&mut visit);
    let s = p.summary();
    assert_eq!(s.first_ts_ns, Some(100_000_000_000));
    assert_eq!(s.last_ts_ns, Some(101_000_000_000));
    // Each step back is a warning in the capture info (the page lists them under the summary).
    let warned: Vec<&str> = s.info.warnings.iter().map(String::as_str).collect();
    assert!(
        warned.contains(&"timestamp goes backwards at frame 2"),
        "{warned:?}"
    );
    assert!(
        warned.contains(&"timestamp goes backwards at frame 5"),
        "{warned:?}"
    );
    // tshark: an earlier time counts in the latest interval reached; the 101 s frame after the
    // 200 s one counts in interval 100.
    assert_eq!(io.counters(0).frames, 3);
    assert_eq!(io.counters(100).frames, 2);
    assert_eq!(io.interval_count(), 101);
}

// ---- 4 GB snaplen -----------------------------------------------------------------------------

#[test]
fn a_4_gb_snaplen_is_read_and_record_lengths_stay_bounded() {
    let data = ten_bytes(7);
    let rec = Rec {
        ts_sec: 1,
        ts_frac: 0,
        data: &data,
        wire_len: 10,
    };
    let mut f = pcap_header(false, Magic::Usec, (2, 4), u32::MAX, 1);
    f.extend(pcap_record(false, false, &rec));
    f.extend(pcap_record(false, false, &rec));
    let o = read_all_ways(&f);
    assert!(o.error.is_none(), "{:?}", o.error);
    assert_eq!(o.frames.len(), 2);
    // A record claiming 256 MiB under that snaplen is refused from its 16-byte header (after the
    // first two records, which wiretap's format probe looks at, reading is record by record).
    let at = f.len();
    let mut huge = pcap_record(false, false, &rec);
    huge[8..12].copy_from_slice(&(256u32 << 20).to_le_bytes());
    huge[12..16].copy_from_slice(&(256u32 << 20).to_le_bytes());
    f.extend_from_slice(&huge[..16]);
    let mut reader = CaptureReader::new();
    let mut frames = 0;
    let e = reader
        .push(&f, &mut |_: &FrameMeta, _: &[u8]| frames += 1)
        .expect_err("refused at once");
    assert_eq!(frames, 2);
    assert_eq!(e.offset, at as u64);
    assert_eq!(e.kind, CaptureErrorKind::AbsurdLength { length: 256 << 20 });
}

// ---- gzip bomb --------------------------------------------------------------------------------

#[test]
fn a_gzip_bomb_that_is_not_a_capture_is_refused_after_inflating_little() {
    // 1 GiB of zeros compresses to about 1 MiB; generating it costs too much, so stream 64 MiB.
    let bomb = gzip_stream(&vec![0u8; 64 << 20], 9);
    assert!(bomb.len() < 128 << 10, "bomb is {} bytes", bomb.len());
    let start = Instant::now();
    let mut reader = CaptureReader::new();
    let mut pushed = 0usize;
    let mut error = None;
    for c in bomb.chunks(4096) {
        pushed += c.len();
        if let Err(e) = reader.push(c, &mut |_: &FrameMeta, _: &[u8]| {}) {
            error = Some(e);
            break;
        }
    }
    let e = error.expect("refused before the end");
    assert_eq!((e.offset, e.kind), (0, CaptureErrorKind::NotACapture));
    assert!(pushed <= 8192, "stopped after {pushed} compressed bytes");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_gzip_bomb_of_tiny_records_is_indexed_in_bounded_memory_per_packet() {
    // 100 000 records of 60 zero bytes: 7.6 MB inflated from about 10 KB.
    let mut f = pcap_header(false, Magic::Usec, (2, 4), 65535, 1);
    let zeros = [0u8; 60];
    let rec = pcap_record(
        false,
        false,
        &Rec {
            ts_sec: 1,
            ts_frac: 0,
            data: &zeros,
            wire_len: 60,
        },
    );
    for _ in 0..100_000 {
        f.extend_from_slice(&rec);
    }
    let bomb = gzip_stream(&f, 9);
    assert!(bomb.len() * 200 < f.len(), "ratio {}", f.len() / bomb.len());
    let mut indexer = Indexer::new();
    for c in bomb.chunks(64 << 10) {
        indexer.push(c);
    }
    indexer.finish();
    let s = indexer.summary();
    assert!(s.complete, "{:?}", s.error);
    assert_eq!(s.frames, 100_000);
    assert!(
        s.index_bytes_per_packet <= 32.0,
        "{} index bytes per packet",
        s.index_bytes_per_packet
    );
}

// ---- HTTP decompression bomb ------------------------------------------------------------------

#[test]
fn an_http_decompression_bomb_stops_at_the_cap_and_says_truncated() {
    let cap = 1 << 20;
    let bomb = gzip_stream(&vec![b'A'; 32 << 20], 9);
    let start = Instant::now();
    let d = decode_body(Some("gzip"), &bomb, cap).expect("decodes");
    assert_eq!(d.bytes.len(), cap);
    assert!(d.truncated);
    // Stacked codings are capped at every stage (gzip of a gzip bomb).
    let double = gzip_stream(&bomb, 9);
    let d = decode_body(Some("gzip, gzip"), &double, cap).expect("decodes");
    assert_eq!((d.bytes.len(), d.truncated), (cap, true));
    assert!(start.elapsed() < Duration::from_secs(10));

    // Through the HTTP parser: the message is kept, its body capped and marked truncated.
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
        bomb.len()
    )
    .into_bytes();
    response.extend_from_slice(&bomb);
    let chunks = vec![
        FollowChunk {
            frame: 1,
            ts_ns: 0,
            dir: 0,
            bytes: b"GET /bomb HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            gap_before: None,
        },
        FollowChunk {
            frame: 2,
            ts_ns: 1,
            dir: 1,
            bytes: response,
            gap_before: None,
        },
    ];
    let options = HttpOptions {
        max_body_bytes: cap,
        ..HttpOptions::default()
    };
    let messages = http_messages_of_chunks(0, chunks, options);
    assert_eq!(messages.len(), 2);
    let r = &messages[1];
    assert_eq!(r.status, Some(200));
    assert!(r.truncated);
    assert_eq!(r.body_len, Some(cap as u64));
    assert_eq!(r.body.as_ref().map(Vec::len), Some(cap));
}

// ---- deeply nested encapsulation --------------------------------------------------------------

#[test]
fn a_thousand_nested_vlan_tags_stop_at_the_layer_limit_with_an_anomaly() {
    let mut p = vec![
        0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0, 0x11, 0x22, 0x33, 0x44, 0x55,
    ];
    for _ in 0..1000 {
        p.extend_from_slice(&[0x81, 0x00, 0x00, 0x05]);
    }
    p.extend_from_slice(&[0x08, 0x00]);
    p.extend_from_slice(&[0u8; 40]);
    let meta = FrameMeta {
        number: 1,
        caplen: p.len() as u32,
        wire_len: p.len() as u32,
        linktype: 1,
        ..FrameMeta::default()
    };
    let mut out = DecodedFrame::default();
    let start = Instant::now();
    Decoder::new().decode(&meta, &p, &mut out);
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(out.layers.len() <= 64, "{} layers", out.layers.len());
    assert!(
        out.anomalies
            .iter()
            .any(|a| a.kind == "too_deep" || a.kind == "too_many_layers"),
        "{:?}",
        out.anomalies
    );
}

// ---- IPv4 fragment floods and overlapping fragments -------------------------------------------

fn ipv4_fragment(id: u16, offset_units: u16, more: bool, payload: &[u8]) -> Vec<u8> {
    let total = (20 + payload.len()) as u16;
    let frag = offset_units | if more { 0x2000 } else { 0 };
    let mut v = vec![0x45, 0];
    v.extend_from_slice(&total.to_be_bytes());
    v.extend_from_slice(&id.to_be_bytes());
    v.extend_from_slice(&frag.to_be_bytes());
    v.extend_from_slice(&[64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    v.extend_from_slice(payload);
    v
}

fn decode_raw_ip(d: &mut Decoder, number: u32, p: &[u8]) -> DecodedFrame {
    let meta = FrameMeta {
        number,
        caplen: p.len() as u32,
        wire_len: p.len() as u32,
        linktype: 101,
        ..FrameMeta::default()
    };
    let mut out = DecodedFrame::default();
    d.decode(&meta, p, &mut out);
    out
}

#[test]
fn a_fragment_flood_keeps_held_bytes_under_the_bound() {
    let mut d = Decoder::new();
    let payload = vec![0x55u8; 1480];
    let start = Instant::now();
    let mut most = 0;
    // 20 000 first fragments of distinct datagrams: 29.6 MB if all were held.
    for i in 0..20_000u32 {
        let p = ipv4_fragment(i as u16, 0, true, &payload);
        decode_raw_ip(&mut d, i + 1, &p);
        most = most.max(d.pending_fragment_bytes());
    }
    assert!(most <= 16 << 20, "held {most} bytes");
    // At most 1024 datagrams stay pending: the flood is bounded by count as well as bytes.
    assert!(most <= 1024 * 1480, "held {most} bytes");
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn overlapping_fragments_keep_the_lower_offset_bytes() {
    let mut d = Decoder::new();
    // UDP header (8 bytes) + 16 'A' at offset 0..24, 16 'B' at 8..24 (overlap), 'C' at 24..32.
    let mut first = vec![0x1f, 0x90, 0x00, 0x35, 0x00, 0x20, 0, 0];
    first.extend_from_slice(&[b'A'; 16]);
    let f1 = decode_raw_ip(&mut d, 1, &ipv4_fragment(7, 0, true, &first));
    assert!(d.reassembled_payload().is_none());
    assert!(f1.layers.iter().all(|l| l.filter_name() != "udp"));
    decode_raw_ip(&mut d, 2, &ipv4_fragment(7, 1, true, &[b'B'; 16]));
    let f3 = decode_raw_ip(&mut d, 3, &ipv4_fragment(7, 3, false, &[b'C'; 8]));
    let datagram = d.reassembled_payload().expect("completed").to_vec();
    assert_eq!(datagram.len(), 32);
    assert_eq!(
        &datagram[8..24],
        &[b'A'; 16],
        "the lower offset wins the overlap"
    );
    assert_eq!(&datagram[24..], &[b'C'; 8]);
    assert!(f3.layers.iter().any(|l| l.filter_name() == "udp"));
    assert_eq!(
        d.pending_fragment_bytes(),
        0,
        "a completed datagram is forgotten"
    );
}

// ---- TCP with 2^32 sequence jumps and a million tiny segments ---------------------------------

fn seg(frame: u32, dir: u8, seq: u32, ack: u32, payload: &[u8]) -> TcpSegment {
    TcpSegment {
        frame,
        ts_ns: i64::from(frame),
        dir,
        seq,
        ack,
        flags: ACK,
        seg_len: payload.len() as u32,
        payload: payload.to_vec(),
    }
}

#[test]
fn tcp_sequence_jumps_of_2_pow_31_hold_data_back_within_bounds() {
    let a = [b'a'; 100];
    let b = [b'b'; 100];
    let segs = vec![
        seg(1, 0, 1000, 1, &a),
        // Half the sequence space ahead: never contiguous with what came before.
        seg(2, 0, 1000u32.wrapping_add(0x8000_0000), 1, &b),
        seg(3, 0, 1100, 1, &a),
        // An ACK from the peer acknowledging far past everything.
        seg(4, 1, 1, 1000u32.wrapping_add(0x9000_0000), &[]),
    ];
    let tshark_like = follow_tcp(&segs, TcpFollowOptions::default());
    let bytes: usize = tshark_like.iter().map(|c| c.bytes.len()).sum();
    assert!(bytes <= 300);
    assert_eq!(
        &tshark_like[0].bytes[..],
        &a[..],
        "in-order data comes first"
    );
    for c in &tshark_like {
        if let Some(g) = c.gap_before {
            assert!(g.missing < 1 << 32, "gap of {} bytes", g.missing);
        }
    }
    // With a tiny buffer, held-back bytes never exceed it.
    let mut f = tracematch::reassembly::TcpFollow::new(TcpFollowOptions {
        max_buffered_bytes: 150,
        flush_held_back_at_end: true,
    });
    for s in &segs {
        f.push(s);
        assert!(f.held_back_bytes() <= 150, "{}", f.held_back_bytes());
    }
}

#[test]
fn a_million_one_byte_segments_follow_in_linear_time() {
    let n = 1_000_000u32;
    let segs: Vec<TcpSegment> = (0..n)
        .map(|i| seg(i + 1, 0, 1000 + i, 1, &[(i % 251) as u8]))
        .collect();
    let start = Instant::now();
    let mut out = 0usize;
    let mut f = tracematch::reassembly::TcpFollow::new(TcpFollowOptions::default());
    for s in &segs {
        f.push(s);
        while let Some(c) = f.pop() {
            out += c.bytes.len();
        }
    }
    f.finish();
    while let Some(c) = f.pop() {
        out += c.bytes.len();
    }
    assert_eq!(out, n as usize);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn tiny_segments_in_reverse_order_are_bounded_by_the_buffer() {
    // 50 000 one-byte segments, last first: every one is held back until the first arrives.
    let n = 50_000u32;
    let mut segs: Vec<TcpSegment> = (0..n)
        .map(|i| seg(n - i, 0, 1000 + n - 1 - i, 1, b"x"))
        .collect();
    segs.insert(0, seg(0, 0, 999, 1, b"y"));
    let start = Instant::now();
    let chunks = follow_tcp(
        &segs,
        TcpFollowOptions {
            max_buffered_bytes: 10_000,
            flush_held_back_at_end: true,
        },
    );
    let out: usize = chunks.iter().map(|c| c.bytes.len()).sum();
    assert!(out <= n as usize + 1);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
}
