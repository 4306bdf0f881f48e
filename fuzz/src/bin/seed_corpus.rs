//! Writes the seed corpora of the fuzz targets into `fuzz/corpus/<target>/` from captures read in
//! place (the public corpus is never copied into the repository: the corpus directory is ignored
//! by git) and from the project's own synthetic captures.
//!
//! Usage: `seed_corpus OUT_DIR FILTERS_TXT [CAPTURE_DIR_OR_FILE ...]`
//!
//! - `capture_reader`: every capture (whole up to 64 KiB, else its first 32 KiB), and gzip copies of
//!   the small ones.
//! - `decode`, `matching`: runs of up to 8 frames of one link type, in the harness's frame format.
//! - `http`: the first TCP streams of each capture as follow chunks, and encoded bodies.
//! - `filter`: each filter of `FILTERS_TXT` (one per line) followed by a NUL and a small capture.
//! - `defrag`, `tcp_follow`: hand-made structured seeds (in order, overlapping, gaps).

use std::io::Write;
use std::path::{Path, PathBuf};

use tracematch::capture::random_access::ByteSource;
use tracematch::capture::{CaptureReader, FrameMeta};
use tracematch::pipeline::Indexer;
use tracematch::reassembly::{stream_chunks, FollowProto, TcpFollowOptions};

#[path = "../../../tests/fuzz_harness/mod.rs"]
#[allow(unused)]
mod fuzz_harness;

struct Seeds {
    dir: PathBuf,
    count: usize,
}

impl Seeds {
    fn put(&mut self, target: &str, name: &str, bytes: &[u8]) {
        let dir = self.dir.join(target);
        let _ = std::fs::create_dir_all(&dir);
        let safe: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if std::fs::write(dir.join(safe), bytes).is_ok() {
            self.count += 1;
        }
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

fn frames_of(data: &[u8]) -> Vec<(FrameMeta, Vec<u8>)> {
    let mut reader = CaptureReader::new();
    let mut out = Vec::new();
    let mut sink = |m: &FrameMeta, b: &[u8]| {
        if out.len() < 400 {
            out.push((*m, b.to_vec()));
        }
    };
    let _ = reader.push(data, &mut sink);
    let _ = reader.finish(&mut sink);
    out
}

fn frame_run(linktype: u32, frames: &[(FrameMeta, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    match fuzz_harness::LINKTYPES.iter().position(|&l| l == linktype) {
        Some(i) => out.push(i as u8),
        None => {
            out.push(0xff);
            out.extend_from_slice(&(linktype as u16).to_le_bytes());
        }
    }
    for (m, b) in frames {
        let b = &b[..b.len().min(2048)];
        out.extend_from_slice(&(b.len() as u16).to_le_bytes());
        out.push(m.wire_len.saturating_sub(b.len() as u32).min(255) as u8);
        out.extend_from_slice(b);
    }
    out
}

fn http_seeds(seeds: &mut Seeds, name: &str, data: &[u8]) {
    let mut indexer = Indexer::new();
    indexer.push(data);
    indexer.finish();
    let streams = indexer.pipeline().flows().tcp.len() as u32;
    let mut source: &[u8] = data;
    for s in 0..streams.min(6) {
        let src: &mut dyn ByteSource = &mut source;
        let Some((_, chunks)) = stream_chunks(
            &indexer,
            src,
            FollowProto::Tcp,
            s,
            TcpFollowOptions::default(),
        ) else {
            continue;
        };
        let mut out = vec![0u8];
        for c in chunks.take(40) {
            let b = &c.bytes[..c.bytes.len().min(8192)];
            out.push(c.dir | if c.gap_before.is_some() { 2 } else { 0 });
            out.extend_from_slice(&(b.len() as u16).to_le_bytes());
            out.extend_from_slice(b);
            if out.len() > 32 << 10 {
                break;
            }
        }
        if out.len() > 1
            && (out[4..].starts_with(b"GET")
                || out[4..].starts_with(b"POST")
                || out[4..].starts_with(b"HTTP")
                || out[4..].starts_with(b"PUT")
                || out[4..].starts_with(b"HEAD"))
        {
            seeds.put("http", &format!("{name}.s{s}"), &out);
        }
    }
}

fn seed_capture(seeds: &mut Seeds, name: &str, data: &[u8], filters: &[String]) {
    let head = if data.len() <= 64 << 10 {
        data
    } else {
        &data[..32 << 10]
    };
    seeds.put("capture_reader", name, head);
    if data.len() <= 16 << 10 {
        seeds.put("capture_reader", &format!("{name}.gz"), &gzip(data));
    }
    let frames = frames_of(head);
    let mut i = 0;
    let mut runs = 0;
    while i < frames.len() && runs < 12 {
        let lt = frames[i].0.linktype;
        let end = (i + 8).min(frames.len());
        let run: Vec<_> = frames[i..end]
            .iter()
            .take_while(|(m, _)| m.linktype == lt)
            .cloned()
            .collect();
        let n = run.len().max(1);
        let bytes = frame_run(lt, &run);
        seeds.put("decode", &format!("{name}.{i}"), &bytes);
        if runs < 3 {
            let mut m = vec![0x5a, 0xa5, 0x5a, 0xa5, 0x10, 0x00, (runs as u8) * 3];
            m.extend_from_slice(&bytes);
            seeds.put("matching", &format!("{name}.{i}"), &m);
        }
        i += n;
        runs += 1;
    }
    http_seeds(seeds, name, head);
    if data.len() <= 8 << 10 {
        for (k, f) in filters.iter().enumerate().step_by(7) {
            let mut s = f.as_bytes().to_vec();
            s.push(0);
            s.extend_from_slice(data);
            seeds.put("filter", &format!("{name}.f{k}"), &s);
        }
    }
}

fn structured_seeds(seeds: &mut Seeds) {
    // defrag: 8-byte fragment records (see fuzz_harness::fragment_packet).
    let frag = |flags: u8, off: u16, len: u16, fill: u8| {
        let mut v = vec![flags];
        v.extend_from_slice(&off.to_le_bytes());
        v.extend_from_slice(&len.to_le_bytes());
        v.push(fill);
        v.extend_from_slice(&[0, 0]);
        v
    };
    let cases: Vec<(&str, Vec<Vec<u8>>)> = vec![
        ("v4-two", vec![frag(2, 0, 64, 1), frag(0, 8, 40, 2)]),
        (
            "v4-overlap",
            vec![frag(2, 0, 64, 1), frag(2, 4, 64, 2), frag(0, 8, 40, 3)],
        ),
        (
            "v4-reverse",
            vec![frag(0, 16, 40, 3), frag(2, 8, 64, 2), frag(2, 0, 64, 1)],
        ),
        ("v6-two", vec![frag(3, 0, 64, 1), frag(1, 8, 40, 2)]),
        (
            "udp-keys",
            vec![
                frag(0x42, 0, 64, 1),
                frag(0x56, 0, 64, 1),
                frag(0x40, 8, 8, 9),
                frag(0x54, 8, 8, 9),
            ],
        ),
        (
            "huge-offset",
            vec![frag(2, 0x1fff, 1480, 7), frag(0, 0x1fff, 1480, 8)],
        ),
    ];
    for (name, recs) in cases {
        seeds.put("defrag", name, &recs.concat());
    }
    // tcp_follow: 12-byte segment records (see fuzz_harness::tcp_segments).
    let seg = |df: u8, mode: u8, seq: u32, ack: u32, len: u16| {
        let mut v = vec![df, mode];
        v.extend_from_slice(&seq.to_le_bytes());
        v.extend_from_slice(&ack.to_le_bytes());
        v.extend_from_slice(&len.to_le_bytes());
        v
    };
    let syn = 0x02 << 1;
    let ack = 0x10 << 1;
    let cases: Vec<(&str, Vec<Vec<u8>>)> = vec![
        (
            "handshake-data",
            vec![
                seg(syn, 1, 1000, 0, 0),
                seg(1 | syn | ack, 1, 5000, 1001, 0),
                seg(ack, 0, 2048 + 1, 5001, 100),
                seg(1 | ack, 0, 2048 + 1, 1101, 50),
            ],
        ),
        (
            "gap-acked",
            vec![
                seg(ack, 1, 10, 0, 100),
                seg(ack, 1, 210, 0, 100),
                seg(1 | ack, 1, 99, 310, 0),
            ],
        ),
        (
            "retransmit",
            vec![
                seg(ack, 1, 10, 0, 100),
                seg(ack, 1, 10, 0, 100),
                seg(ack, 1, 60, 0, 100),
            ],
        ),
        (
            "wrap",
            vec![
                seg(ack, 1, u32::MAX - 50, 0, 100),
                seg(ack, 0, 2048, 0, 100),
            ],
        ),
        (
            "jump-2-32",
            vec![
                seg(ack, 1, 0, 0, 100),
                seg(ack, 1, 0x8000_0000, 0, 100),
                seg(ack, 1, 100, 0, 100),
            ],
        ),
    ];
    for (name, recs) in cases {
        seeds.put("tcp_follow", name, &recs.concat());
    }
    // http: encoded bodies (selector bit 7) and a plain exchange.
    let body = b"<html>hello hello hello hello</html>".repeat(20);
    let mut g = vec![0x80 | (4 << 3)];
    g.extend_from_slice(&gzip(&body));
    seeds.put("http", "body-gzip", &g);
    let mut z = vec![0x80 | (4 << 3) | 1];
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    let _ = e.write_all(&body);
    z.extend_from_slice(&e.finish().unwrap_or_default());
    seeds.put("http", "body-deflate", &z);
    let mut x = vec![0u8];
    for (d, t) in [
        (0u8, &b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n"[..]),
        (
            1,
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Encoding: gzip\r\n\r\nhello",
        ),
        (
            0,
            b"POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        ),
        (
            1,
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
        ),
    ] {
        x.push(d);
        x.extend_from_slice(&(t.len() as u16).to_le_bytes());
        x.extend_from_slice(t);
    }
    seeds.put("http", "exchange", &x);
}

fn files_under(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        if let Ok(rd) = std::fs::read_dir(p) {
            let mut v: Vec<_> = rd.flatten().map(|e| e.path()).collect();
            v.sort();
            for q in v {
                files_under(&q, out);
            }
        }
    } else if let Some(ext) = p.extension().and_then(|e| e.to_str()) {
        if ["pcap", "pcapng", "cap", "gz", "ntar"].contains(&ext) {
            out.push(p.to_path_buf());
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: seed_corpus OUT_DIR FILTERS_TXT [CAPTURES ...]");
        std::process::exit(1);
    };
    let filters: Vec<String> = args
        .get(1)
        .and_then(|f| std::fs::read_to_string(f).ok())
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let mut seeds = Seeds {
        dir: PathBuf::from(out),
        count: 0,
    };
    // The project's own synthetic captures.
    let mut hostile = Vec::new();
    let _ = tracematch::synth::hostile::write_hostile(&mut hostile);
    let tmp = std::env::temp_dir().join(format!("tracematch-seed-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&tmp);
    let _ = tracematch::synth::demo::demo_pair(&tmp);
    let mut files = Vec::new();
    files_under(&tmp, &mut files);
    seed_capture(&mut seeds, "synth-hostile.pcap", &hostile, &filters);
    for (k, f) in filters.iter().enumerate() {
        let mut s = f.as_bytes().to_vec();
        s.push(0);
        s.extend_from_slice(&hostile);
        seeds.put("filter", &format!("hostile.f{k}"), &s);
    }
    for f in &files {
        if let Ok(data) = std::fs::read(f) {
            let name = format!(
                "synth-{}",
                f.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            );
            seed_capture(&mut seeds, &name, &data, &filters);
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    for dir in args.iter().skip(2) {
        let mut files = Vec::new();
        files_under(Path::new(dir), &mut files);
        for f in files {
            if let Ok(data) = std::fs::read(&f) {
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                seed_capture(&mut seeds, &name, &data, &filters);
            }
        }
    }
    structured_seeds(&mut seeds);
    println!("seed_corpus: {} seeds written under {out}", seeds.count);
}
