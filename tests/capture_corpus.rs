//! Differential test of the capture reader against tshark 4.0 on the shared corpus: for every file
//! in `MANIFEST.tsv`, the frames delivered must match `oracle/<file>/packets.tsv` row for row
//! (`frame.time_epoch`, `frame.len`, `frame.cap_len`), and damaged files must stop with an error
//! of the kind tshark's message describes. Also: chunk-size invariance over the whole corpus.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use tracematch::capture::{
    format_time_epoch, CaptureError, CaptureErrorKind, CaptureReader, FrameMeta,
};

fn corpus_dir() -> Option<PathBuf> {
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/public");
    [here, PathBuf::from("/work/shared/captures/public")]
        .into_iter()
        .find(|p| p.join("MANIFEST.tsv").is_file())
}

fn manifest(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    text.lines()
        .skip(1)
        .filter_map(|l| l.split('\t').next())
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect()
}

/// One frame as the test compares it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Seen {
    meta: FrameMeta,
    bytes_hash: u64,
}

struct Run {
    frames: Vec<Seen>,
    error: Option<CaptureError>,
}

fn read_chunked(data: &[u8], chunk: usize) -> Run {
    let mut reader = CaptureReader::new();
    let mut frames = Vec::new();
    let mut sink = |m: &FrameMeta, b: &[u8]| {
        assert_eq!(m.caplen as usize, b.len(), "caplen equals the slice length");
        let mut h = DefaultHasher::new();
        b.hash(&mut h);
        frames.push(Seen {
            meta: *m,
            bytes_hash: h.finish(),
        });
    };
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
    Run { frames, error }
}

/// Rows of packets.tsv: (time_epoch, len, cap_len).
fn oracle_rows(dir: &Path, file: &str) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(dir.join("oracle").join(file).join("packets.tsv"))
        .unwrap_or_default();
    text.lines()
        .skip(1)
        .map(|l| {
            let mut c = l.split('\t');
            let _num = c.next();
            let t = c.next().unwrap_or_default().to_string();
            let len = c.next().unwrap_or_default().to_string();
            let cap = c.next().unwrap_or_default().to_string();
            (t, len, cap)
        })
        .collect()
}

/// What tshark said about the file, reduced to the error kinds it implies.
fn expected_error(dir: &Path, file: &str) -> Option<&'static str> {
    let text = std::fs::read_to_string(dir.join("oracle").join(file).join("tshark_stderr.txt"))
        .unwrap_or_default();
    if text.contains("cut short") {
        Some("truncated")
    } else if text.contains("damaged or corrupt") {
        Some("damaged")
    } else if text.contains("isn't a capture file") {
        Some("not-a-capture")
    } else if text.contains("doesn't support") {
        Some("unsupported")
    } else {
        None
    }
}

fn kind_matches(expected: &str, kind: &CaptureErrorKind) -> bool {
    match expected {
        "truncated" => matches!(kind, CaptureErrorKind::Truncated),
        "damaged" => matches!(
            kind,
            CaptureErrorKind::AbsurdLength { .. }
                | CaptureErrorKind::BadBlock { .. }
                | CaptureErrorKind::BadRecord { .. }
                | CaptureErrorKind::UnknownInterface { .. }
                | CaptureErrorKind::BadGzip { .. }
        ),
        "not-a-capture" => matches!(kind, CaptureErrorKind::NotACapture),
        "unsupported" => matches!(
            kind,
            CaptureErrorKind::UnsupportedVersion { .. }
                | CaptureErrorKind::UnsupportedLinkType { .. }
        ),
        _ => false,
    }
}

#[test]
fn every_corpus_file_matches_tshark() {
    let Some(dir) = corpus_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let files = manifest(&dir);
    assert!(files.len() >= 90, "manifest lists {} files", files.len());
    let mut failures = Vec::new();
    let mut exact = 0usize;
    for file in &files {
        let data = std::fs::read(dir.join(file)).expect("read capture");
        let run = read_chunked(&data, 1 << 20);
        let rows = oracle_rows(&dir, file);
        let mut problems = Vec::new();
        if run.frames.len() != rows.len() {
            problems.push(format!(
                "{} frames, tshark {}",
                run.frames.len(),
                rows.len()
            ));
        }
        for (seen, (t, len, cap)) in run.frames.iter().zip(&rows) {
            let m = &seen.meta;
            let time_ok = format_time_epoch(m) == *t;
            if !time_ok || m.wire_len.to_string() != *len || m.caplen.to_string() != *cap {
                problems.push(format!(
                    "frame {}: ours ({}, {}, {}) tshark ({t}, {len}, {cap})",
                    m.number,
                    format_time_epoch(m),
                    m.wire_len,
                    m.caplen
                ));
                if problems.len() > 5 {
                    break;
                }
            }
        }
        match (expected_error(&dir, file), &run.error) {
            (None, None) => {}
            (None, Some(e)) => problems.push(format!("unexpected error: {e}")),
            (Some(want), None) => problems.push(format!("expected a {want} error, got none")),
            (Some(want), Some(e)) => {
                if !kind_matches(want, &e.kind) {
                    problems.push(format!("expected a {want} error, got: {e}"));
                }
            }
        }
        if problems.is_empty() {
            exact += 1;
        } else {
            failures.push(format!("{file}: {}", problems.join("; ")));
        }
    }
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    eprintln!("corpus: {exact}/{} files exact", files.len());
    assert!(
        failures.is_empty(),
        "{} files differ from tshark",
        failures.len()
    );
}

/// tshark 4.0 reads `suricata-verify__fuzz.pcap` as the "SS990417" modified layout (wiretap's
/// `libpcap_try` scores it better than plain pcap: as plain pcap the second record header has an
/// absurd length), which gives it a second frame with caplen 1 and len 1048576 before stopping at
/// a 16711424-byte record. That frame's `ts_usec` is 4211277: wiretap computes `nsecs = ts_usec *
/// 1000` in a C int (wrapping to -83690296) and prints the unnormalised pair as
/// "-1409179648.083690296"; `ts_ns` keeps the instant itself, exactly.
#[test]
fn fuzz_pcap_is_read_with_wiretaps_variant_heuristic() {
    let Some(dir) = corpus_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let file = "suricata-verify__fuzz.pcap";
    let data = std::fs::read(dir.join(file)).expect("read capture");
    let mut reader = CaptureReader::new();
    let mut frames = Vec::new();
    let mut sink = |m: &FrameMeta, _: &[u8]| frames.push(*m);
    let e = reader
        .push(&data, &mut sink)
        .and_then(|()| reader.finish(&mut sink))
        .expect_err("stops at the absurd record");
    assert_eq!(reader.info().pcap_variant.as_deref(), Some("ss990417"));
    assert_eq!(frames.len(), 2);
    let m = frames[1];
    assert_eq!((m.caplen, m.wire_len, m.offset), (1, 1_048_576, 0xec + 24));
    assert_eq!(m.ts_ns, 1_409_179_648 * 1_000_000_000 - 83_690_296);
    assert_eq!(format_time_epoch(&m), "-1409179648.083690296");
    assert_eq!(
        e.kind,
        CaptureErrorKind::AbsurdLength { length: 16_711_424 }
    );
    assert_eq!(e.offset, 0xec + 24 + 1);
}

fn fingerprint(run: &Run) -> u64 {
    let mut h = DefaultHasher::new();
    run.frames.hash(&mut h);
    format!("{:?}", run.error).hash(&mut h);
    h.finish()
}

#[test]
fn chunk_size_does_not_change_anything() {
    let Some(dir) = corpus_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let mut checked = 0;
    for file in manifest(&dir) {
        let data = std::fs::read(dir.join(&file)).expect("read capture");
        let reference = read_chunked(&data, 1 << 20);
        let whole = read_chunked(&data, usize::MAX);
        assert_eq!(
            fingerprint(&whole),
            fingerprint(&reference),
            "{file}: whole vs 1 MiB"
        );
        let seven = read_chunked(&data, 7);
        assert_eq!(
            fingerprint(&seven),
            fingerprint(&reference),
            "{file}: 7-byte chunks"
        );
        if data.len() < 200_000 {
            let one = read_chunked(&data, 1);
            assert_eq!(
                fingerprint(&one),
                fingerprint(&reference),
                "{file}: 1-byte chunks"
            );
        }
        checked += 1;
    }
    assert!(checked >= 90);
}

/// `capinfos -M` facts of every corpus file agree with [`tracematch::capture::CaptureInfo`]:
/// file type (pcap / nsecpcap / modpcap / pcapng / gzip), number of interfaces, the classic
/// header's snapshot length and the number of packets (custom blocks are frames for tshark but
/// not packets for capinfos).
#[test]
fn corpus_file_facts_match_capinfos() {
    use tracematch::capture::{CaptureFormat, RecordKind};
    let Some(dir) = corpus_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let mut checked = 0;
    for file in manifest(&dir) {
        let text = std::fs::read_to_string(dir.join("oracle").join(&file).join("capinfos.txt"))
            .unwrap_or_default();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
        };
        let Some(file_type) = field("File type:") else {
            continue;
        };
        let data = std::fs::read(dir.join(&file)).expect("read capture");
        let mut reader = CaptureReader::new();
        let mut packets = 0u64;
        let mut sink = |m: &FrameMeta, _: &[u8]| {
            if m.kind == RecordKind::Packet {
                packets += 1;
            }
        };
        let _ = reader
            .push(&data, &mut sink)
            .and_then(|()| reader.finish(&mut sink));
        let info = reader.info();
        let want = match file_type.as_str() {
            "pcap" => (CaptureFormat::Pcap, false, false),
            "nsecpcap" => (CaptureFormat::Pcap, true, false),
            "modpcap" => (CaptureFormat::PcapModified, false, false),
            "pcapng" => (CaptureFormat::Pcapng, false, false),
            "pcap (gzip compressed)" => (CaptureFormat::Pcap, false, true),
            other => panic!("{file}: unexpected file type {other}"),
        };
        assert_eq!((info.format, info.nanosecond, info.gzip), want, "{file}");
        if let Some(n) = field("Number of interfaces in file:") {
            assert_eq!(info.interfaces.len().to_string(), n, "{file}: interfaces");
        }
        if let Some(limit) = field("Packet size limit:   file hdr:") {
            if let Some(n) = limit.strip_suffix(" bytes") {
                assert_eq!(info.interfaces[0].snaplen.to_string(), n, "{file}: snaplen");
            }
        }
        if let Some(n) = field("Number of packets:") {
            assert_eq!(packets.to_string(), n, "{file}: packets");
        }
        checked += 1;
    }
    assert!(checked >= 90, "checked {checked}");
}
