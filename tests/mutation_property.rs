//! Property (issue 8): for mutations of every public capture — bit flips, truncations, and the
//! length fields found by walking the pcap / pcapng structure set to extremes — reading and
//! indexing never panic and never loop: the frames indexed are bounded by the input size, every
//! run ends within a generous time bound, and the streaming path (odd chunk sizes) gives the same
//! frames and the same error as one push.
//!
//! Deterministic: the mutations of a file come from a generator seeded with its name, so a failure
//! names a (file, mutation) pair that replays. Cost: each base is the capture's first
//! [`BASE_CAP`] bytes (cut at a record boundary, so the base itself is a whole capture);
//! [`MUTATIONS`] mutations per file, each indexed whole and in odd chunks (98 files, 1962 inputs:
//! 31 s in a debug build on this 2-core machine at load average 12).

mod common;
mod fuzz_harness;

use std::io::Read;
use std::time::{Duration, Instant};

use common::*;
use tracematch::pipeline::Indexer;

/// Bytes of each capture the mutations start from.
const BASE_CAP: usize = 512 * 1024;
/// Mutations per capture.
const MUTATIONS: usize = 20;
/// Time bound per indexing run (a debug build on a loaded 2-core machine, inputs ≤ 512 KiB; an
/// unmutated base indexes in well under a second).
const BOUND: Duration = Duration::from_secs(20);
/// Chunk sizes of the streaming path, cycled.
const CHUNKS: [usize; 6] = [1, 7, 13, 509, 4093, 65521];
/// Values written into length fields.
const EXTREMES: [u32; 8] = [
    0,
    1,
    3,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_fffc,
    0xffff_ffff,
    0x0100_0000,
];

/// A 32-bit length field of the base: where it is and its byte order.
#[derive(Clone, Copy, Debug)]
struct LengthField {
    at: usize,
    big_endian: bool,
}

/// What the structure walk found: the length fields, and where records/blocks end (a base cut
/// there is a whole capture).
#[derive(Default)]
struct Structure {
    fields: Vec<LengthField>,
    boundaries: Vec<usize>,
}

fn u32_at(d: &[u8], at: usize, be: bool) -> Option<u32> {
    let b: [u8; 4] = d.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(if be {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

/// Walks a pcap file: snaplen, then every record's captured and original length.
fn walk_pcap(d: &[u8], be: bool, record_header: usize) -> Structure {
    let mut s = Structure::default();
    s.fields.push(LengthField {
        at: 16,
        big_endian: be,
    });
    let mut at = 24usize;
    s.boundaries.push(at);
    while let Some(caplen) = u32_at(d, at + 8, be) {
        s.fields.push(LengthField {
            at: at + 8,
            big_endian: be,
        });
        s.fields.push(LengthField {
            at: at + 12,
            big_endian: be,
        });
        let Some(next) = at
            .checked_add(record_header)
            .and_then(|n| n.checked_add(caplen as usize))
        else {
            break;
        };
        if next > d.len() {
            break;
        }
        at = next;
        s.boundaries.push(at);
    }
    s
}

/// Walks a pcapng file: every block's leading and trailing total length, packet blocks' captured
/// and original lengths, the section length of section headers.
fn walk_pcapng(d: &[u8]) -> Structure {
    let mut s = Structure::default();
    let mut at = 0usize;
    let mut be = false;
    while let Some(kind_le) = u32_at(d, at, false) {
        if kind_le == 0x0a0d_0d0a {
            match u32_at(d, at + 8, false) {
                Some(0x1a2b_3c4d) => be = false,
                Some(0x4d3c_2b1a) => be = true,
                _ => break,
            }
        }
        let Some(len) = u32_at(d, at + 4, be) else {
            break;
        };
        let kind = u32_at(d, at, be).unwrap_or(0);
        s.fields.push(LengthField {
            at: at + 4,
            big_endian: be,
        });
        if kind == 6 || kind == 3 {
            // EPB: caplen at +20, origlen at +24; SPB: origlen at +8.
            for off in if kind == 6 {
                &[20usize, 24][..]
            } else {
                &[8][..]
            } {
                s.fields.push(LengthField {
                    at: at + off,
                    big_endian: be,
                });
            }
        }
        if kind == 0x0a0d_0d0a {
            // Section length (64-bit): its low and high words.
            s.fields.push(LengthField {
                at: at + 16,
                big_endian: be,
            });
            s.fields.push(LengthField {
                at: at + 20,
                big_endian: be,
            });
        }
        let len = len as usize;
        if len < 12 || at.saturating_add(len) > d.len() {
            break;
        }
        s.fields.push(LengthField {
            at: at + len - 4,
            big_endian: be,
        });
        at += len;
        s.boundaries.push(at);
    }
    s
}

/// The structure of a plain (not gzip) capture.
fn walk(d: &[u8]) -> Structure {
    match d.get(..4) {
        Some([0xd4, 0xc3, 0xb2, 0xa1]) | Some([0x4d, 0x3c, 0xb2, 0xa1]) => walk_pcap(d, false, 16),
        Some([0xa1, 0xb2, 0xc3, 0xd4]) | Some([0xa1, 0xb2, 0x3c, 0x4d]) => walk_pcap(d, true, 16),
        Some([0x34, 0xcd, 0xb2, 0xa1]) => walk_pcap(d, false, 24),
        Some([0xa1, 0xb2, 0xcd, 0x34]) => walk_pcap(d, true, 24),
        Some([0x0a, 0x0d, 0x0d, 0x0a]) => walk_pcapng(d),
        _ => Structure::default(),
    }
}

/// The base of a capture file: gzip inflated (at most `BASE_CAP` + 1 bytes read), then cut at
/// the last record boundary within `BASE_CAP`.
fn base_of(file: &[u8]) -> Vec<u8> {
    let mut plain = if file.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        let _ = flate2::read::MultiGzDecoder::new(file)
            .take(BASE_CAP as u64 + 1)
            .read_to_end(&mut out);
        out
    } else {
        file.to_vec()
    };
    if plain.len() > BASE_CAP {
        let cut = walk(&plain)
            .boundaries
            .into_iter()
            .rfind(|&b| b <= BASE_CAP)
            .unwrap_or(BASE_CAP);
        plain.truncate(cut);
    }
    plain
}

/// The mutations of `base`, described for failure messages.
fn mutations(base: &[u8], rng: &mut Rng) -> Vec<(String, Vec<u8>)> {
    let s = walk(base);
    let mut out = Vec::new();
    // Length fields set to extremes: half of the mutations, spread over the file.
    for k in 0..MUTATIONS / 2 {
        if s.fields.is_empty() {
            break;
        }
        // The first few fields (header, first records) always; the rest anywhere.
        let f = if k < 3 {
            s.fields[k.min(s.fields.len() - 1)]
        } else {
            s.fields[rng.below(s.fields.len() as u64) as usize]
        };
        let v = EXTREMES[rng.below(EXTREMES.len() as u64) as usize];
        let mut d = base.to_vec();
        let bytes = if f.big_endian {
            v.to_be_bytes()
        } else {
            v.to_le_bytes()
        };
        if let Some(slot) = d.get_mut(f.at..f.at + 4) {
            slot.copy_from_slice(&bytes);
        }
        out.push((format!("length field at {} := {v:#x}", f.at), d));
    }
    // Truncations: inside the header, one byte into a record, at a random record boundary ± 1,
    // anywhere.
    let mut cuts = vec![10usize, 25];
    if let Some(&b) = s
        .boundaries
        .get(rng.below(s.boundaries.len() as u64) as usize)
    {
        cuts.push(b.saturating_sub(1));
        cuts.push(b + 1);
    }
    cuts.push(rng.below(base.len() as u64) as usize);
    for cut in cuts.into_iter().filter(|&c| c < base.len()) {
        out.push((format!("truncated at {cut}"), base[..cut].to_vec()));
    }
    // Bit flips: 1 to 16 random bits.
    while out.len() < MUTATIONS && !base.is_empty() {
        let mut d = base.to_vec();
        let flips = 1 + rng.below(16);
        for _ in 0..flips {
            let at = rng.below(d.len() as u64) as usize;
            d[at] ^= 1 << rng.below(8);
        }
        out.push((format!("{flips} bit flips (rng state {:#x})", rng.0), d));
    }
    out
}

/// What one indexing run gave.
#[derive(Debug, PartialEq)]
struct Indexed {
    frames: u64,
    index_len: usize,
    error: Option<String>,
}

/// Indexes `data` pushed in chunks of `sizes` (cycled; empty = one push), checking the work bound.
fn index(data: &[u8], sizes: &[usize], what: &str) -> Indexed {
    let started = Instant::now();
    let mut ix = Indexer::new();
    let mut rest = data;
    let mut k = 0usize;
    while !rest.is_empty() {
        let n = sizes
            .get(k % sizes.len().max(1))
            .copied()
            .unwrap_or(rest.len())
            .min(rest.len());
        k += 1;
        let (chunk, tail) = rest.split_at(n);
        ix.push(chunk);
        rest = tail;
    }
    ix.finish();
    let elapsed = started.elapsed();
    assert!(elapsed < BOUND, "{what}: indexing took {elapsed:?}");
    let summary = ix.summary();
    let frames = ix.progress().frames;
    assert_eq!(
        frames,
        ix.index().len() as u64,
        "{what}: index rows = frames"
    );
    // Each frame costs at least 12 input bytes (a pcap record header is 16, a pcapng block 12).
    assert!(
        frames.saturating_mul(12) <= data.len() as u64,
        "{what}: {frames} frames from {} bytes",
        data.len()
    );
    if let Some(e) = &summary.error {
        assert!(e.contains("offset"), "{what}: error names no offset: {e}");
    }
    Indexed {
        frames,
        index_len: ix.index().len(),
        error: summary.error,
    }
}

#[test]
fn mutated_public_captures_index_without_panic_in_bounded_work() {
    let Some(dir) = captures_dir("mutation_property") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(dir.join("public"))
        .expect("public dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "MANIFEST.tsv"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no captures in {}", dir.display());
    let started = Instant::now();
    let (mut runs, mut with_fields, mut damaged) = (0usize, 0usize, 0usize);
    for path in &files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let file = std::fs::read(path).expect("read capture");
        let base = base_of(&file);
        let mut seed = 0xcbf2_9ce4_8422_2325u64;
        for b in name.bytes() {
            seed = (seed ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        let mut rng = Rng(seed | 1);
        if !walk(&base).fields.is_empty() {
            with_fields += 1;
        }
        let mut inputs = mutations(&base, &mut rng);
        if file.starts_with(&[0x1f, 0x8b]) {
            // The compressed bytes themselves: flips and a cut (the stream and the gzip trailer).
            let raw = &file[..file.len().min(BASE_CAP)];
            let mut flipped = raw.to_vec();
            let at = 10 + rng.below(raw.len().saturating_sub(10) as u64) as usize;
            if let Some(b) = flipped.get_mut(at) {
                *b ^= 0x10;
            }
            inputs.push((format!("gzip byte {at} flipped"), flipped));
            inputs.push(("gzip cut in half".into(), raw[..raw.len() / 2].to_vec()));
        }
        for (what, data) in inputs {
            let what = format!("{name}: {what}");
            let whole = index(&data, &[], &what);
            let chunked = index(&data, &CHUNKS, &what);
            assert_eq!(whole, chunked, "{what}: chunking changed the result");
            // The reader harness (whole vs random chunks, slice lengths, offsets in messages).
            let read = fuzz_harness::capture_reader(&data);
            assert_eq!(read.frames.len() as u64, whole.frames, "{what}");
            runs += 1;
            damaged += usize::from(whole.error.is_some());
        }
    }
    eprintln!(
        "mutation_property: {} captures ({with_fields} with length fields walked), {runs} mutated \
         inputs ({damaged} reported damage), {:?}",
        files.len(),
        started.elapsed()
    );
    assert!(
        runs >= files.len() * (MUTATIONS / 2),
        "too few mutations ran"
    );
    assert!(
        with_fields * 10 >= files.len() * 9,
        "structure walk found too few captures"
    );
}

#[test]
fn the_structure_walk_finds_every_record_of_a_generated_capture() {
    // 5 records: header snaplen + 2 fields per record; boundaries after the header and each record.
    let pcap = synthetic_pcap(5, 7);
    let s = walk(&pcap);
    assert_eq!(s.fields.len(), 1 + 2 * 5);
    assert_eq!(s.boundaries.len(), 6);
    assert_eq!(s.boundaries.last().copied(), Some(pcap.len()));
    let mut ng = shb(false, &[]);
    ng.extend(idb(false, 1, 0, &[]));
    ng.extend(epb(false, 0, 1, &[0u8; 60], 60, &[]));
    let s = walk(&ng);
    // SHB: length, section length ×2, trailer; IDB: length, trailer; EPB: length, caplen,
    // origlen, trailer.
    assert_eq!(s.fields.len(), 4 + 2 + 4);
    assert_eq!(s.boundaries.last().copied(), Some(ng.len()));
}
