//! Differential test of the capture reader against tshark 4.0 on the shared corpus: for every file
//! in `MANIFEST.tsv`, the frames delivered must match `oracle/<file>/packets.tsv` row for row
//! (`frame.time_epoch`, `frame.len`, `frame.cap_len`), and damaged files must stop with an error
//! of the kind tshark's message describes. Also: chunk-size invariance over the whole corpus.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use tracematch::capture::{CaptureError, CaptureErrorKind, CaptureReader, FrameMeta};

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

/// `frame.time_epoch` as tshark prints it (9 decimals).
fn tshark_epoch(meta: &FrameMeta) -> String {
    if !meta.has_timestamp {
        return String::new();
    }
    let ns = meta.ts_ns;
    let sign = if ns < 0 { "-" } else { "" };
    let abs = ns.unsigned_abs();
    format!("{sign}{}.{:09}", abs / 1_000_000_000, abs % 1_000_000_000)
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

/// Frames whose printed time legitimately differs, each with its own named test below.
fn known_time_exception(file: &str, number: u32) -> bool {
    file == "suricata-verify__fuzz.pcap" && number == 2
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
            let time_ok = tshark_epoch(m) == *t || known_time_exception(file, m.number);
            if !time_ok || m.wire_len.to_string() != *len || m.caplen.to_string() != *cap {
                problems.push(format!(
                    "frame {}: ours ({}, {}, {}) tshark ({t}, {len}, {cap})",
                    m.number,
                    tshark_epoch(m),
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
/// `libpcap_try_variants` scores it better than plain pcap), which gives it a second frame with
/// caplen 1 and len 1048576 before stopping at a 16711424-byte record. That frame's `ts_usec` is
/// 4211277: wiretap computes `nsecs = ts_usec * 1000` in a C int (wrapping to -83690296) and
/// prints the unnormalised pair (1409179648 s, -83690296 ns) as "-1409179648.083690296"; we keep
/// the same instant, exactly, as epoch ns.
#[test]
fn fuzz_pcap_second_frame_time_is_wiretaps_unnormalised_pair() {
    let Some(dir) = corpus_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let file = "suricata-verify__fuzz.pcap";
    let data = std::fs::read(dir.join(file)).expect("read capture");
    let run = read_chunked(&data, 1 << 20);
    let rows = oracle_rows(&dir, file);
    assert_eq!(run.frames.len(), 2);
    assert_eq!(rows[1].0, "-1409179648.083690296");
    let m = run.frames[1].meta;
    assert_eq!((m.caplen, m.wire_len), (1, 1_048_576));
    let (secs, nsecs) = (1_409_179_648i64, -83_690_296i64);
    assert_eq!(m.ts_ns, secs * 1_000_000_000 + nsecs);
    // tshark's printing of that pair: "-" then the seconds and the absolute nanoseconds.
    assert_eq!(format!("-{secs}.{:09}", nsecs.abs()), rows[1].0);
    let e = run.error.expect("stops at the absurd record");
    assert_eq!(
        e.kind,
        CaptureErrorKind::AbsurdLength { length: 16_711_424 }
    );
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
