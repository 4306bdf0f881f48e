//! The saved form of an index (`tracematch::index::persist`): a restored indexer answers every
//! query exactly as the original (public corpus and generated captures), and wrong-version,
//! truncated or damaged bytes are refused with an error, never a panic.

mod common;

use tracematch::index::{PersistError, StreamKind};
use tracematch::packet_view::FrameReader;
use tracematch::pipeline::{ConvKind, Indexer};
use tracematch::synth::XorShift64;

fn index(data: &[u8]) -> Indexer {
    let mut ix = Indexer::new();
    for chunk in data.chunks(1 << 20) {
        ix.push(chunk);
    }
    ix.finish();
    ix
}

fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}

/// Asserts that `b` answers every query as `a` does; `rows` caps the packet rows decoded again.
fn assert_same_answers(name: &str, data: &[u8], a: &Indexer, b: &Indexer, rows: usize) {
    assert_eq!(json(&a.summary()), json(&b.summary()), "{name}: summary");
    for kind in [ConvKind::Tcp, ConvKind::Udp, ConvKind::Ip] {
        let conv = a.conversations(kind);
        assert_eq!(
            json(&conv),
            json(&b.conversations(kind)),
            "{name}: {kind:?}"
        );
        let ids = match kind {
            ConvKind::Tcp => a.summary().tcp_streams,
            ConvKind::Udp => a.summary().udp_streams,
            ConvKind::Ip => conv.len() as u32,
        };
        for id in 0..=ids {
            assert_eq!(
                a.frames_of_stream(kind, id),
                b.frames_of_stream(kind, id),
                "{name}: frames of {kind:?} {id}"
            );
        }
    }
    let frames = a.summary().frames as u32;
    for n in 0..=frames.saturating_add(1) {
        assert_eq!(
            a.frame_location(n),
            b.frame_location(n),
            "{name}: frame {n}"
        );
        for kind in [StreamKind::Tcp, StreamKind::Udp] {
            assert_eq!(
                a.index().streams_of_frame(n, kind),
                b.index().streams_of_frame(n, kind),
                "{name}: streams of frame {n}"
            );
        }
    }
    let step = (frames as usize / rows.max(1)).max(1);
    let (mut ra, mut rb) = (FrameReader::new(), FrameReader::new());
    for n in (1..=frames).step_by(step) {
        let (mut sa, mut sb): (&[u8], &[u8]) = (data, data);
        let row_a = ra
            .row(a, n, &mut sa)
            .map(|r| json(&r))
            .map_err(|e| e.to_string());
        let row_b = rb
            .row(b, n, &mut sb)
            .map(|r| json(&r))
            .map_err(|e| e.to_string());
        assert_eq!(row_a, row_b, "{name}: packet row {n}");
    }
}

fn bulk_capture(bytes: u64, seed: u64, pcapng: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let format = if pcapng {
        tracematch::synth::bulk::BulkFormat::Pcapng
    } else {
        tracematch::synth::bulk::BulkFormat::Pcap
    };
    tracematch::synth::bulk::bulk_as(&mut out, bytes, 40, seed, format).expect("generated");
    out
}

#[test]
fn generated_captures_restore_identically() {
    for (seed, pcapng) in [(1, false), (2, true), (3, false)] {
        let data = bulk_capture(3 << 20, seed, pcapng);
        let a = index(&data);
        assert!(a.summary().complete);
        let bytes = a.to_bytes().expect("complete capture saves");
        let b = Indexer::from_bytes(&bytes).expect("restores");
        assert!(a.summary().frames > 1000);
        assert_same_answers(&format!("bulk seed {seed}"), &data, &a, &b, 3000);
        // Saving the restored index gives the same bytes.
        assert_eq!(b.to_bytes().expect("saves again"), bytes);
    }
}

#[test]
fn public_corpus_restores_identically() {
    let Some(dir) = common::captures_dir("public_corpus_restores_identically") else {
        return;
    };
    let (mut saved, mut refused) = (0, 0);
    for row in common::manifest(&dir) {
        let path = dir.join("public").join(&row.file);
        let Ok(data) = std::fs::read(&path) else {
            continue;
        };
        let a = index(&data);
        let summary = a.summary();
        match a.to_bytes() {
            Ok(bytes) => {
                saved += 1;
                let b = Indexer::from_bytes(&bytes)
                    .unwrap_or_else(|e| panic!("{}: restore failed: {e}", row.file));
                assert_same_answers(&row.file, &data, &a, &b, 2000);
            }
            Err(PersistError::NotSavable(_)) => {
                // Only damaged, cancelled or compressed captures are refused.
                assert!(
                    !summary.complete || summary.info.gzip,
                    "{}: complete capture not saved",
                    row.file
                );
                refused += 1;
            }
            Err(e) => panic!("{}: unexpected error {e}", row.file),
        }
    }
    eprintln!(
        "index_persist corpus: {saved} saved and restored identically, {refused} not savable"
    );
    assert!(saved > 50, "only {saved} corpus captures saved");
}

#[test]
fn incomplete_or_compressed_indexes_are_not_saved() {
    let data = bulk_capture(1 << 20, 7, false);
    let mut cancelled = Indexer::new();
    cancelled.push(&data[..data.len() / 2]);
    cancelled.cancel();
    assert!(matches!(
        cancelled.to_bytes(),
        Err(PersistError::NotSavable(_))
    ));
    let truncated = index(&data[..data.len() - 3]);
    assert!(matches!(
        truncated.to_bytes(),
        Err(PersistError::NotSavable(_))
    ));
    // A memory budget stopped it: a partial index must not come back as a complete one.
    let mut stopped = Indexer::with_budget(&tracematch::limits::Budget {
        index_bytes: 64 * 1024,
        ..tracematch::limits::Budget::wasm()
    });
    stopped.push(&data);
    stopped.finish();
    assert!(stopped.summary().stopped.is_some());
    assert!(matches!(
        stopped.to_bytes(),
        Err(PersistError::NotSavable(_))
    ));
    let gz = index(&common::gzip(&data));
    assert!(gz.summary().complete);
    assert!(matches!(gz.to_bytes(), Err(PersistError::NotSavable(_))));
}

fn small_saved_index() -> (Vec<u8>, Vec<u8>) {
    let data = bulk_capture(200_000, 11, true);
    let bytes = index(&data).to_bytes().expect("saves");
    (data, bytes)
}

#[test]
fn wrong_magic_version_length_and_checksum_are_refused() {
    let (_, bytes) = small_saved_index();
    let mut b = bytes.clone();
    b[0] ^= 0xff;
    assert_eq!(
        Indexer::from_bytes(&b).err(),
        Some(PersistError::NotAnIndex)
    );
    let mut b = bytes.clone();
    b[8..12].copy_from_slice(&99u32.to_le_bytes());
    let err = Indexer::from_bytes(&b).err().expect("refused");
    assert_eq!(
        err,
        PersistError::WrongVersion {
            found: 99,
            expected: 1
        }
    );
    assert!(err.to_string().contains("version 99"));
    let mut b = bytes.clone();
    let last = b.len() - 1;
    b[last] ^= 1;
    assert_eq!(
        Indexer::from_bytes(&b).err(),
        Some(PersistError::ChecksumMismatch)
    );
    assert_eq!(
        Indexer::from_bytes(&[]).err(),
        Some(PersistError::NotAnIndex)
    );
    let mut b = bytes.clone();
    b.push(0);
    assert!(Indexer::from_bytes(&b).is_err());
}

#[test]
fn every_truncation_and_every_byte_flip_is_refused() {
    let (_, bytes) = small_saved_index();
    for len in 0..bytes.len() {
        assert!(
            Indexer::from_bytes(&bytes[..len]).is_err(),
            "prefix of {len} bytes accepted"
        );
    }
    let mut rng = XorShift64::new(5);
    for _ in 0..3000 {
        let mut b = bytes.clone();
        let at = rng.below(b.len() as u64) as usize;
        let mask = (rng.below(255) + 1) as u8;
        b[at] ^= mask;
        assert!(Indexer::from_bytes(&b).is_err(), "flip at {at} accepted");
    }
}

/// Damage behind a recomputed checksum reaches the parser itself: it must refuse or restore
/// something whose queries still do not panic.
#[test]
fn damaged_payload_with_valid_checksum_never_panics() {
    let (data, bytes) = small_saved_index();
    let header = 24;
    let mut rng = XorShift64::new(9);
    let (mut ok, mut refused) = (0, 0);
    for round in 0..1500 {
        let mut b = bytes.clone();
        for _ in 0..=(round % 4) {
            let at = header + rng.below((b.len() - header) as u64) as usize;
            b[at] = rng.below(256) as u8;
        }
        let crc = crc32fast::hash(&b[header..]);
        b[20..24].copy_from_slice(&crc.to_le_bytes());
        match Indexer::from_bytes(&b) {
            Ok(ix) => {
                ok += 1;
                let s = ix.summary();
                for kind in [ConvKind::Tcp, ConvKind::Udp, ConvKind::Ip] {
                    let _ = ix.conversations(kind);
                    let _ = ix.frames_of_stream(kind, 0);
                }
                let mut reader = FrameReader::new();
                for n in 0..(s.frames as u32).min(50) {
                    let mut src: &[u8] = &data;
                    let _ = reader.row(&ix, n, &mut src);
                }
            }
            Err(_) => refused += 1,
        }
    }
    assert!(refused > 0 && ok + refused == 1500);
}
