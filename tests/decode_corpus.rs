//! Differential test of the decoder against tshark 4.0: every frame of every corpus capture is
//! decoded and the oracle's `packets.tsv` columns below are formatted through `tracematch::fields`
//! and compared. Stream columns are left out (the flow module's test owns them).
//!
//! Captures are read with a small test-only reader on `pcap_parser::create_reader` until the
//! project's capture reader lands; it does not inflate gzip, so `.gz` captures are skipped (and
//! listed as skipped).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use pcap_parser::pcapng::Block;
use pcap_parser::{create_reader, PcapBlockOwned, PcapError};
use tracematch::capture::FrameMeta;
use tracematch::decode::{DecodedFrame, Decoder};
use tracematch::fields::{Field, FieldContext};

/// Captures whose frame list the test-only reader cannot reproduce (they are container questions,
/// not decoding ones: the project's capture reader owns them). Compared only if the frame counts
/// happen to agree.
const READER_DIFFERENCES: &[(&str, &str)] = &[
    (
        "gopacket__be_test202.pcapng",
        "tshark 4.0 numbers pcapng custom blocks as frames",
    ),
    (
        "pcap-parser__test017-be.pcapng",
        "tshark 4.0 numbers pcapng custom blocks as frames",
    ),
    (
        "pcap-parser__test017-le.pcapng",
        "tshark 4.0 numbers pcapng custom blocks as frames",
    ),
    (
        "libpcap__pcap-invalid-version-1.pcap",
        "tshark refuses pcap version 1.4",
    ),
    (
        "suricata-verify__fuzz.pcap",
        "wiretap's record-format heuristics pick a 24-byte record header",
    ),
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

/// Reads every frame of a pcap/pcapng file (test-only; stops at the first damage).
fn read_frames(path: &Path) -> Vec<(FrameMeta, Vec<u8>)> {
    let mut frames = Vec::new();
    let Ok(file) = File::open(path) else {
        return frames;
    };
    let Ok(mut reader) = create_reader(1 << 20, file) else {
        return frames;
    };
    let mut legacy_linktype = 0u32;
    let mut section_ifaces: Vec<u32> = Vec::new();
    let mut number = 0u32;
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                let mut push = |linktype: u32, caplen: u32, wire: u32, data: &[u8]| {
                    number += 1;
                    let caplen = caplen.min(data.len() as u32);
                    let meta = FrameMeta {
                        number,
                        caplen,
                        wire_len: wire.max(caplen),
                        linktype,
                        ..FrameMeta::default()
                    };
                    frames.push((meta, data[..caplen as usize].to_vec()));
                };
                match block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        legacy_linktype = (h.network.0 as u32) & 0xffff
                    }
                    PcapBlockOwned::Legacy(b) => push(legacy_linktype, b.caplen, b.origlen, b.data),
                    PcapBlockOwned::NG(Block::SectionHeader(_)) => section_ifaces.clear(),
                    PcapBlockOwned::NG(Block::InterfaceDescription(idb)) => {
                        section_ifaces.push(idb.linktype.0 as u32)
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(epb)) => {
                        let lt = section_ifaces
                            .get(epb.if_id as usize)
                            .copied()
                            .unwrap_or(u32::MAX);
                        push(lt, epb.caplen, epb.origlen, epb.data)
                    }
                    PcapBlockOwned::NG(Block::SimplePacket(spb)) => {
                        let lt = section_ifaces.first().copied().unwrap_or(u32::MAX);
                        push(lt, spb.origlen, spb.origlen, spb.data)
                    }
                    PcapBlockOwned::NG(_) => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Incomplete(_)) => {
                if reader.refill().is_err() {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    frames
}

/// The oracle rows: frame number → column name → value.
fn oracle_rows(path: &Path) -> (Vec<String>, BTreeMap<u32, Vec<String>>) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
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

#[test]
fn decoded_fields_agree_with_tshark_on_every_corpus_frame() {
    let Some(dir) = captures_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let fields: Vec<Field> = COLUMNS
        .iter()
        .map(|c| Field::parse(c).expect("known column"))
        .collect();
    let mut names: Vec<String> = std::fs::read_dir(dir.join("oracle"))
        .expect("oracle dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| dir.join(n).is_file())
        .collect();
    names.sort();
    let mut per_column_ok = vec![0usize; COLUMNS.len()];
    let mut per_column_total = vec![0usize; COLUMNS.len()];
    let (mut files_exact, mut files_checked) = (0usize, 0usize);
    let mut failures = Vec::new();
    for name in &names {
        if name.ends_with(".gz") {
            eprintln!("skipped (gzip, needs the project reader): {name}");
            continue;
        }
        let (header, rows) = oracle_rows(&dir.join("oracle").join(name).join("packets.tsv"));
        let frames = read_frames(&dir.join(name));
        if frames.len() != rows.len() {
            if let Some((_, why)) = READER_DIFFERENCES.iter().find(|(f, _)| f == name) {
                eprintln!("reader difference, not compared: {name}: {why}");
                continue;
            }
        }
        files_checked += 1;
        let mut decoder = Decoder::new();
        let mut frame = DecodedFrame::default();
        let mut file_bad = 0usize;
        if frames.len() != rows.len() {
            eprintln!(
                "{name}: read {} frames, oracle has {}",
                frames.len(),
                rows.len()
            );
            file_bad += 1;
        }
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
                first_ts_ns: 0,
                has_interfaces: false,
            };
            for (i, (column, field)) in COLUMNS.iter().zip(&fields).enumerate() {
                let Some(at) = header.iter().position(|h| h == column) else {
                    continue;
                };
                let expected = row.get(at).map_or("", String::as_str);
                value.clear();
                field.write(&ctx, &mut value);
                per_column_total[i] += 1;
                if value == expected {
                    per_column_ok[i] += 1;
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
            files_exact += 1;
        } else {
            failures.push(format!("{name}: {file_bad} differences"));
        }
    }
    eprintln!("corpus: {files_exact}/{files_checked} files exact");
    for (i, column) in COLUMNS.iter().enumerate() {
        eprintln!(
            "  {column}: {}/{} frames agree",
            per_column_ok[i], per_column_total[i]
        );
    }
    assert!(
        failures.is_empty(),
        "files with differences:\n{}",
        failures.join("\n")
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
