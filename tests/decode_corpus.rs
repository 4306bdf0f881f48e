//! Differential test of the decoder against tshark 4.0: every frame of every corpus capture is
//! decoded and the oracle's `packets.tsv` columns below are formatted through `tracematch::fields`
//! and compared. Stream columns are left out (the flow module's test owns them).
//!
//! Captures are read with the project's [`CaptureReader`] (gzip included).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tracematch::capture::{CaptureFormat, CaptureReader, FrameMeta};
use tracematch::decode::{DecodedFrame, Decoder};
use tracematch::fields::{Field, FieldContext};

/// Single cells where the per-frame decoder cannot agree with tshark, each with the named test
/// that pins it down: (capture, frame, field).
const KNOWN_FIELD_DIFFERENCES: &[(&str, u32, &str)] = &[
    // See `dns_in_a_retransmitted_tcp_segment_is_not_dissected_by_tshark`.
    ("pcapplusplus__dns_over_tcp.pcapng", 4, "dns.id"),
    ("pcapplusplus__dns_over_tcp.pcapng", 4, "dns.flags.response"),
    ("pcapplusplus__dns_over_tcp.pcapng", 4, "frame.protocols"),
];

/// The oracle columns compared.
const COLUMNS: &[&str] = &[
    "eth.type",
    "ip.src",
    "ip.dst",
    "ipv6.src",
    "ipv6.dst",
    "ip.proto",
    "ip.id",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.seq_raw",
    "tcp.ack_raw",
    "tcp.flags",
    "tcp.len",
    "udp.srcport",
    "udp.dstport",
];

fn captures_dir() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/public");
    [local, PathBuf::from("/work/shared/captures/public")]
        .into_iter()
        .find(|p| p.join("oracle").is_dir())
}

/// Reads every frame of a capture with the project's reader (frames before any damage), and
/// whether the format records interfaces (pcapng).
fn read_capture(path: &Path) -> (Vec<(FrameMeta, Vec<u8>)>, bool) {
    let mut frames = Vec::new();
    let Ok(bytes) = std::fs::read(path) else {
        return (frames, false);
    };
    let mut reader = CaptureReader::new();
    let mut sink = |meta: &FrameMeta, data: &[u8]| frames.push((*meta, data.to_vec()));
    let _ = reader.push(&bytes, &mut sink);
    let _ = reader.finish(&mut sink);
    let pcapng = reader.info().format == CaptureFormat::Pcapng;
    (frames, pcapng)
}

/// The frames of a capture.
fn read_frames(path: &Path) -> Vec<(FrameMeta, Vec<u8>)> {
    read_capture(path).0
}

/// The expected rows of a tshark `-T fields -E header=y` output: header, frame number → cells.
fn expected_rows(text: &str) -> (Vec<String>, BTreeMap<u32, Vec<String>>) {
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split('\t')
        .map(str::to_owned)
        .collect();
    let mut rows = BTreeMap::new();
    for line in lines {
        let cells: Vec<String> = line.split('\t').map(str::to_owned).collect();
        if let Some(n) = cells.first().and_then(|c| c.parse::<u32>().ok()) {
            rows.insert(n, cells);
        }
    }
    (header, rows)
}

/// Agreement counts per column.
#[derive(Default)]
struct Tally {
    per_column: BTreeMap<String, (usize, usize)>,
    files_exact: usize,
    files_checked: usize,
    failures: Vec<String>,
}

/// Decodes `capture` and compares `columns` (all known fields of the header when empty) with
/// the expected tshark output; frames beyond the expected rows are not compared.
fn compare_file(name: &str, capture: &Path, expected: &str, columns: &[&str], tally: &mut Tally) {
    let (header, rows) = expected_rows(expected);
    let (frames, has_interfaces) = read_capture(capture);
    let first_ts_ns = frames.first().map_or(0, |(m, _)| m.ts_ns);
    let max_expected = rows.keys().next_back().copied().unwrap_or(0);
    let read = frames
        .iter()
        .filter(|(m, _)| m.number <= max_expected)
        .count();
    tally.files_checked += 1;
    let mut file_bad = 0usize;
    if read != rows.len() {
        eprintln!("{name}: read {read} frames, tshark has {}", rows.len());
        file_bad += 1;
    }
    let compared: Vec<(usize, &str, Field)> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| columns.is_empty() || columns.contains(&h.as_str()))
        .filter(|(_, h)| !matches!(h.as_str(), "frame.number" | "tcp.stream" | "udp.stream"))
        .filter_map(|(i, h)| Field::parse(h).map(|f| (i, h.as_str(), f)))
        .collect();
    let mut decoder = Decoder::new();
    let mut frame = DecodedFrame::default();
    let mut value = String::new();
    for (meta, data) in &frames {
        decoder.decode(meta, data, &mut frame);
        let Some(row) = rows.get(&meta.number) else {
            continue;
        };
        let ctx = FieldContext {
            meta,
            frame: &frame,
            data,
            tcp_streams: &[],
            udp_streams: &[],
            first_ts_ns,
            has_interfaces,
        };
        for &(at, column, field) in &compared {
            if KNOWN_FIELD_DIFFERENCES.contains(&(name, meta.number, column)) {
                continue;
            }
            let expected = row.get(at).map_or("", String::as_str);
            value.clear();
            field.write(&ctx, &mut value);
            let entry = tally.per_column.entry(column.to_owned()).or_default();
            entry.1 += 1;
            // frame.protocols: tshark goes on with application protocols the decoder does not
            // know, so ours must be the same chain or a prefix of it.
            let agrees = value == expected
                || (column == "frame.protocols"
                    && !value.is_empty()
                    && expected
                        .strip_prefix(value.as_str())
                        .is_some_and(|rest| rest.starts_with(':')));
            if agrees {
                entry.0 += 1;
            } else {
                file_bad += 1;
                if file_bad <= 5 {
                    eprintln!(
                        "{name} frame {}: {column}: got {value:?}, tshark {expected:?} (layers: {:?})",
                        meta.number,
                        frame.layers.iter().map(|l| l.filter_name()).collect::<Vec<_>>()
                    );
                }
            }
        }
    }
    if file_bad == 0 {
        tally.files_exact += 1;
    } else {
        tally
            .failures
            .push(format!("{name}: {file_bad} differences"));
    }
}

/// Prints the tally and fails on any difference.
fn report(tally: &Tally) {
    eprintln!(
        "corpus: {}/{} files exact",
        tally.files_exact, tally.files_checked
    );
    for (column, (ok, total)) in &tally.per_column {
        eprintln!("  {column}: {ok}/{total} frames agree");
    }
    assert!(
        tally.failures.is_empty(),
        "files with differences:\n{}",
        tally.failures.join("\n")
    );
}

/// The corpus file names (captures that have an oracle folder), sorted.
fn corpus_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("oracle"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| dir.join(n).is_file())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn decoded_fields_agree_with_tshark_on_every_corpus_frame() {
    let Some(dir) = captures_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let mut tally = Tally::default();
    for name in corpus_names(&dir) {
        let oracle = dir.join("oracle").join(&name).join("packets.tsv");
        let expected = std::fs::read_to_string(oracle).unwrap_or_default();
        compare_file(&name, &dir.join(&name), &expected, COLUMNS, &mut tally);
    }
    report(&tally);
}

/// More fields (`eth.src`, `vlan.id`, `ip.ttl`, `esp.spi`, `dns.id`, ...) against tshark output
/// committed in `tests/expected/fields/` (first frames of a selection of corpus files, made by
/// `tests/expected/fields/make.sh`). With `TRACEMATCH_FIELDS_ORACLE=DIR` the same comparison
/// runs on full tshark outputs in DIR (`<capture>.tsv`, made by `make.sh DIR`) for every capture.
#[test]
fn more_fields_agree_with_tshark() {
    let Some(dir) = captures_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let expected_dir = std::env::var_os("TRACEMATCH_FIELDS_ORACLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/fields"));
    let mut tally = Tally::default();
    for name in corpus_names(&dir) {
        let Ok(expected) = std::fs::read_to_string(expected_dir.join(format!("{name}.tsv"))) else {
            continue;
        };
        compare_file(&name, &dir.join(&name), &expected, &[], &mut tally);
    }
    assert!(
        tally.files_checked > 0,
        "no expected field files in {}",
        expected_dir.display()
    );
    report(&tally);
}

/// Hand-made captures in `tests/golden/decode/` (made by its `make.sh`) for cases the corpus
/// lacks: TCP headers cut short by the snaplen and TCP quoted in ICMP errors.
#[test]
fn golden_cases_agree_with_tshark() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/decode");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("golden dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pcap"))
        .collect();
    names.sort();
    let mut tally = Tally::default();
    for name in &names {
        let expected =
            std::fs::read_to_string(dir.join(format!("{name}.tsv"))).expect("expected fields");
        compare_file(name, &dir.join(name), &expected, &[], &mut tally);
    }
    assert_eq!(tally.files_checked, 2);
    report(&tally);
}

/// tshark 4.0 does not hand the payload of a TCP segment whose sequence range was already seen
/// to the application dissector (`epan/dissectors/packet-tcp.c`, `dissect_tcp_payload()` /
/// `desegment_tcp()`: with the default "analyze sequence numbers" and "allow subdissector to
/// reassemble TCP streams", data before the direction's highest seen sequence number is shown as
/// retransmitted TCP segment data). The decoder works frame by frame, without TCP state, so it
/// decodes the DNS header in frame 4 of `pcapplusplus__dns_over_tcp.pcapng`, which starts at the
/// same sequence number as frame 1 of the same connection. This test shows exactly that
/// situation, so the exception in [`KNOWN_FIELD_DIFFERENCES`] stays justified.
#[test]
fn dns_in_a_retransmitted_tcp_segment_is_not_dissected_by_tshark() {
    let Some(dir) = captures_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let frames = read_frames(&dir.join("pcapplusplus__dns_over_tcp.pcapng"));
    let mut decoder = Decoder::new();
    let mut decoded = Vec::new();
    for (meta, data) in &frames {
        let mut frame = DecodedFrame::default();
        decoder.decode(meta, data, &mut frame);
        decoded.push(frame);
    }
    let tcp = |i: usize| *decoded[i].tcp_layers().next().expect("tcp");
    let (first, fourth) = (tcp(0), tcp(3));
    assert_eq!(
        (first.src, first.src_port, first.dst, first.dst_port),
        (fourth.src, fourth.src_port, fourth.dst, fourth.dst_port)
    );
    assert_eq!(
        first.seq, fourth.seq,
        "frame 4 repeats frame 1's sequence range"
    );
    assert!(first.payload_len > 0 && fourth.payload_len > 0);
    let has_dns = |i: usize| {
        decoded[i]
            .layers
            .iter()
            .any(|l| matches!(l, tracematch::decode::Layer::Dns(_)))
    };
    assert!(
        has_dns(0) && has_dns(3),
        "the decoder sees a DNS header in both"
    );
    let oracle = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/expected/fields/pcapplusplus__dns_over_tcp.pcapng.tsv"),
    )
    .expect("expected file");
    let (header, rows) = expected_rows(&oracle);
    let at = header
        .iter()
        .position(|h| h == "dns.id")
        .expect("dns.id column");
    assert_eq!(
        rows[&1][at], "0x0038",
        "tshark decodes the first transmission"
    );
    assert_eq!(
        rows[&4][at], "",
        "tshark leaves the retransmitted range undissected"
    );
}

/// Debug aid: `DUMP=file:frame cargo test --test decode_corpus dump -- --ignored --nocapture`.
#[test]
#[ignore]
fn dump() {
    let (Some(dir), Ok(spec)) = (captures_dir(), std::env::var("DUMP")) else {
        return;
    };
    let (file, number) = spec.split_once(':').unwrap_or((&spec, "1"));
    let number: u32 = number.parse().unwrap_or(1);
    let mut decoder = Decoder::new();
    let mut frame = DecodedFrame::default();
    for (meta, data) in read_frames(&dir.join(file)) {
        decoder.decode(&meta, &data, &mut frame);
        if meta.number == number {
            eprintln!(
                "{meta:?}\n{data:02x?}\n{:#?}\n{:?}",
                frame.layers, frame.anomalies
            );
        }
    }
}

/// Replaces the value of `Win=` (Wireshark scales it with the handshake's window scale, which
/// needs per-stream state) so Info strings can be compared.
fn without_window(info: &str) -> String {
    match info.find(" Win=") {
        Some(at) => {
            let rest = &info[at + 5..];
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            format!("{} Win=?{}", &info[..at], &rest[digits..])
        }
        None => info.to_owned(),
    }
}

/// The packet-list description against tshark's columns (`tests/expected/columns/`, made by its
/// `make.sh` with raw sequence numbers and no TCP analysis): Source and Destination on every
/// frame; Protocol and Info on the frames whose protocol `describe` fully covers (TCP with the
/// window value set aside, UDP, ARP, ESP, IPv4 fragments, ICMP errors).
#[test]
fn describe_agrees_with_tshark_columns() {
    let Some(dir) = captures_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let expected_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/columns");
    let (mut checked, mut info_checked, mut bad) = (0usize, 0usize, Vec::new());
    for name in corpus_names(&dir) {
        let Ok(text) = std::fs::read_to_string(expected_dir.join(format!("{name}.tsv"))) else {
            continue;
        };
        let (_, rows) = expected_rows(&text);
        let mut decoder = Decoder::new();
        let mut frame = DecodedFrame::default();
        for (meta, data) in read_frames(&dir.join(&name)) {
            decoder.decode(&meta, &data, &mut frame);
            let Some(row) = rows.get(&meta.number) else {
                continue;
            };
            let d = tracematch::decode::describe_with(
                &meta,
                &frame,
                &data,
                decoder.reassembled_payload(),
            );
            let cell = |i: usize| row.get(i).map_or("", String::as_str);
            checked += 1;
            if (d.source.as_str(), d.destination.as_str()) != (cell(1), cell(2)) {
                bad.push(format!(
                    "{name} {}: {} → {} vs {} → {}",
                    meta.number,
                    d.source,
                    d.destination,
                    cell(1),
                    cell(2)
                ));
            }
            let covered = matches!(cell(3), "TCP" | "UDP" | "ARP" | "ESP")
                || cell(4).starts_with("Fragmented IP protocol")
                || cell(4).starts_with("Time-to-live exceeded")
                || cell(4).starts_with("Destination unreachable");
            info_checked += usize::from(covered);
            if covered
                && (d.protocol.as_str(), without_window(&d.info))
                    != (cell(3), without_window(cell(4)))
            {
                bad.push(format!(
                    "{name} {}: {} {:?} vs {} {:?}",
                    meta.number,
                    d.protocol,
                    d.info,
                    cell(3),
                    cell(4)
                ));
            }
        }
    }
    eprintln!(
        "describe: {checked} frames checked, {info_checked} with Protocol and Info, {} differences",
        bad.len()
    );
    assert!(
        checked > 1900 && info_checked > 900,
        "expected columns missing"
    );
    assert!(
        bad.is_empty(),
        "{}",
        bad.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// Local exploration: `TRACEMATCH_COLUMNS_ORACLE=DIR` (tshark `_ws.col.*` outputs per capture)
/// prints how often the packet-list description agrees, per column and protocol.
#[test]
#[ignore]
fn describe_against_tshark_columns() {
    let (Some(dir), Some(cols)) = (
        captures_dir(),
        std::env::var_os("TRACEMATCH_COLUMNS_ORACLE"),
    ) else {
        return;
    };
    let mut stats: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut shown = 0;
    for name in corpus_names(&dir) {
        let Ok(text) = std::fs::read_to_string(Path::new(&cols).join(format!("{name}.tsv"))) else {
            continue;
        };
        let (_, rows) = expected_rows(&text);
        let mut decoder = Decoder::new();
        let mut frame = DecodedFrame::default();
        for (meta, data) in read_frames(&dir.join(&name)) {
            decoder.decode(&meta, &data, &mut frame);
            let Some(row) = rows.get(&meta.number) else {
                continue;
            };
            let d = tracematch::decode::describe_with(
                &meta,
                &frame,
                &data,
                decoder.reassembled_payload(),
            );
            if d.source != row[1]
                && shown
                    < std::env::var("SHOW_MAX")
                        .ok()
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(80)
                && std::env::var("SHOW").is_ok_and(|p| p == "source")
            {
                shown += 1;
                eprintln!(
                    "{name} {}: {} {} vs {} {}",
                    meta.number, d.source, d.destination, row[1], row[2]
                );
            }
            for (column, ours, theirs) in [
                ("source", &d.source, &row[1]),
                ("destination", &d.destination, &row[2]),
                ("protocol", &d.protocol, &row[3]),
            ] {
                let e = stats.entry(column.to_owned()).or_default();
                e.1 += 1;
                if ours == theirs {
                    e.0 += 1;
                }
            }
            let e = stats.entry(format!("info {}", row[3])).or_default();
            e.1 += 1;
            if d.info == row[4] {
                e.0 += 1;
            } else if d.protocol == row[3]
                && shown
                    < std::env::var("SHOW_MAX")
                        .ok()
                        .and_then(|m| m.parse().ok())
                        .unwrap_or(80)
                && std::env::var("SHOW").map_or(true, |p| p.split(',').any(|p| p == d.protocol))
            {
                shown += 1;
                eprintln!("{name} {}: {:?} vs {:?}", meta.number, d.info, row[4]);
            }
        }
    }
    for (k, (ok, total)) in stats {
        if total > 20 || k.len() < 12 {
            eprintln!("{k}: {ok}/{total}");
        }
    }
}

/// Throughput of `Decoder::decode` alone over the larger corpus captures held in memory:
/// `cargo test --release --test decode_corpus decode_throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn decode_throughput() {
    let Some(dir) = captures_dir() else { return };
    let mut frames = Vec::new();
    for name in [
        "pcapplusplus__example.pcap",
        "pcapplusplus__tls2.pcap",
        "suricata-verify__smb2-async-read_input.pcap",
        "ndpi__1kxun.pcap",
        "zeek__erspan.pcap",
    ] {
        frames.extend(read_frames(&dir.join(name)));
    }
    let bytes: usize = frames.iter().map(|(_, d)| d.len()).sum();
    let mut decoder = Decoder::new();
    let mut frame = DecodedFrame::default();
    let mut layers = 0usize;
    let passes = std::env::var("PASSES")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(50);
    let start = std::time::Instant::now();
    for _ in 0..passes {
        for (meta, data) in &frames {
            decoder.decode(meta, data, &mut frame);
            layers += frame.layers.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let total = (bytes * passes) as f64;
    eprintln!(
        "{} frames x {passes}: {:.2} GB/s, {:.1} Mframes/s ({layers} layers)",
        frames.len(),
        total / secs / 1e9,
        (frames.len() * passes) as f64 / secs / 1e6
    );
}

/// Local exploration: anomaly kinds per capture (`--ignored --nocapture`).
#[test]
#[ignore]
fn anomaly_census() {
    let Some(dir) = captures_dir() else { return };
    let mut decoder = Decoder::new();
    let mut frame = DecodedFrame::default();
    for name in corpus_names(&dir) {
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        for (meta, data) in read_frames(&dir.join(&name)) {
            decoder.decode(&meta, &data, &mut frame);
            for a in &frame.anomalies {
                *kinds
                    .entry(format!("{} ({})", a.kind, a.message))
                    .or_default() += 1;
            }
        }
        if !kinds.is_empty() {
            eprintln!("{name}: {kinds:?}");
        }
    }
}
