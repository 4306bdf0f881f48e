//! Exports of the public corpus read back: every capture exported whole (pcapng, and pcap when it
//! has one link type) is read again with the project's reader and must give the same packets —
//! bytes, captured and wire lengths, timestamps, interfaces, comments, name resolution — and
//! selections (stream, packet lot, IP pair, time range, frame list, display filter) must select
//! what tshark's oracle files and the session tracker say. When tshark is installed, it must read
//! the exports too (skipped with a message otherwise).

mod common;

use std::path::{Path, PathBuf};

use tracematch::capture::{CaptureInfo, FrameMeta, RecordKind};
use tracematch::export::{
    export_capture, ExportFormat, ExportOptions, FrameRanges, Selection, StreamRef, TimeRange,
};
use tracematch::filter::Filter;

/// Exports `data` with `selection` as `format`; the bytes written.
fn export(data: &[u8], selection: Selection, format: ExportFormat) -> Vec<u8> {
    let mut out = Vec::new();
    let mut source: &[u8] = data;
    let options = ExportOptions {
        format,
        keylog: None,
    };
    export_capture(&mut source, selection, &options, &mut out).expect("export");
    out
}

/// Packets (not custom / journal records) of a read.
fn packets(o: &common::Outcome) -> Vec<(FrameMeta, Vec<u8>)> {
    o.frames
        .iter()
        .filter(|(m, _)| m.kind == RecordKind::Packet)
        .cloned()
        .collect()
}

/// Asserts that `exported` holds exactly the source packets numbered `numbers`, unchanged.
fn assert_same_packets(
    name: &str,
    source: &common::Outcome,
    numbers: &[u32],
    exported: &[u8],
    format: ExportFormat,
) {
    let back = common::read(exported, usize::MAX);
    assert!(
        back.error.is_none(),
        "{name} {format:?}: export does not read back: {:?}",
        back.error
    );
    let want: Vec<&(FrameMeta, Vec<u8>)> = numbers
        .iter()
        .map(|n| {
            source
                .frames
                .iter()
                .find(|(m, _)| m.number == *n)
                .expect("source frame")
        })
        .collect();
    assert_eq!(
        back.frames.len(),
        want.len(),
        "{name} {format:?}: frame count"
    );
    let src_info = source.reader.info();
    let out_info = back.reader.info();
    for ((got, got_bytes), (src, src_bytes)) in back.frames.iter().zip(want) {
        let at = format!("{name} {format:?} source frame {}", src.number);
        assert_eq!(got_bytes, src_bytes, "{at}: bytes");
        assert_eq!(
            (got.caplen, got.wire_len),
            (src.caplen, src.wire_len),
            "{at}: lengths"
        );
        assert_eq!(got.linktype, src.linktype, "{at}: link type");
        // Damaged classic pcap records can carry a fraction of a second ≥ 1 s or < 0, which no
        // writer can store as such: their instant is kept, normalised (checked by ts_ns where
        // it is not negative).
        let normal = (0..1_000_000_000).contains(&src.ts_frac_ns);
        if normal || src.ts_ns >= 0 {
            assert_eq!(got.ts_ns, src.ts_ns, "{at}: time");
        }
        if format == ExportFormat::Pcapng {
            // A Simple Packet Block (no time) stays one only on interface 0: in a later section of
            // the source it belonged to another interface and becomes an EPB with time 0.
            if src.has_timestamp || src.interface_id == 0 {
                assert_eq!(got.has_timestamp, src.has_timestamp, "{at}: has timestamp");
            }
            assert_eq!(got.interface_id, src.interface_id, "{at}: interface");
            assert_eq!(
                comments(src_info, src.number),
                comments(out_info, got.number),
                "{at}: comments"
            );
        }
    }
    if format == ExportFormat::Pcapng {
        assert_eq!(
            out_info.interfaces.len(),
            src_info.interfaces.len(),
            "{name}: interfaces"
        );
        for (a, b) in out_info.interfaces.iter().zip(&src_info.interfaces) {
            let from_pcapng = src_info.format == tracematch::capture::CaptureFormat::Pcapng;
            assert_eq!(
                (a.linktype, a.snaplen),
                (b.linktype, b.snaplen),
                "{name}: interface {}",
                b.id
            );
            if from_pcapng {
                assert_eq!(
                    a.ts_units_per_sec, b.ts_units_per_sec,
                    "{name}: if_tsresol of {}",
                    b.id
                );
                assert_eq!(
                    a.ts_offset_sec, b.ts_offset_sec,
                    "{name}: if_tsoffset of {}",
                    b.id
                );
                assert_eq!(
                    (&a.name, &a.description),
                    (&b.name, &b.description),
                    "{name}: names of {}",
                    b.id
                );
            }
        }
        assert_eq!(
            out_info.name_resolution,
            src_info
                .name_resolution
                .iter()
                .filter(|e| !e.names.is_empty())
                .cloned()
                .collect::<Vec<_>>(),
            "{name}: name resolution"
        );
    }
}

fn comments(info: &CaptureInfo, number: u32) -> Vec<String> {
    info.packet_comments
        .iter()
        .filter(|(n, _)| *n == number)
        .map(|(_, c)| c.clone())
        .collect()
}

fn corpus_files(captures: &Path) -> Vec<PathBuf> {
    common::manifest(captures)
        .into_iter()
        .map(|r| captures.join("public").join(r.file))
        .collect()
}

fn tshark() -> Option<&'static str> {
    let ok = std::process::Command::new("tshark")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED tshark read-back: tshark not installed");
    }
    ok.then_some("tshark")
}

/// Frame count tshark reads from `file`.
fn tshark_frames(file: &Path) -> usize {
    let out = std::process::Command::new("tshark")
        .args(["-n", "-r"])
        .arg(file)
        .args(["-T", "fields", "-e", "frame.number"])
        .output()
        .expect("tshark");
    assert!(
        out.status.success(),
        "tshark failed on {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn whole_corpus_exports_read_back_unchanged() {
    let Some(captures) = common::captures_dir("whole_corpus_exports_read_back_unchanged") else {
        return;
    };
    let (mut files, mut pcap_written, mut pcap_refused) = (0, 0, 0);
    for path in corpus_files(&captures) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let data = std::fs::read(&path).expect("read capture");
        let source = common::read(&data, usize::MAX);
        let numbers: Vec<u32> = packets(&source).iter().map(|(m, _)| m.number).collect();
        let ng = export(&data, Selection::default(), ExportFormat::Pcapng);
        assert_same_packets(&name, &source, &numbers, &ng, ExportFormat::Pcapng);
        let mut linktypes: Vec<u32> = packets(&source).iter().map(|(m, _)| m.linktype).collect();
        linktypes.sort_unstable();
        linktypes.dedup();
        let mut out = Vec::new();
        let mut src: &[u8] = &data;
        let options = ExportOptions {
            format: ExportFormat::Pcap,
            keylog: None,
        };
        match export_capture(&mut src, Selection::default(), &options, &mut out) {
            Ok(_) => {
                assert!(
                    linktypes.len() <= 1,
                    "{name}: pcap written with link types {linktypes:?}"
                );
                assert_same_packets(&name, &source, &numbers, &out, ExportFormat::Pcap);
                pcap_written += 1;
            }
            Err(e) => {
                assert!(linktypes.len() > 1, "{name}: pcap refused: {e}");
                assert!(e.to_string().contains("link types"), "{e}");
                assert!(
                    out.is_empty(),
                    "{name}: nothing is written when pcap is refused"
                );
                pcap_refused += 1;
            }
        }
        files += 1;
    }
    eprintln!("corpus exports: {files} files read back unchanged as pcapng, {pcap_written} as pcap, {pcap_refused} refused as pcap (several link types)");
    assert!(files >= 90 && pcap_refused >= 1);
}

#[test]
fn tshark_reads_the_exports() {
    let Some(captures) = common::captures_dir("tshark_reads_the_exports") else {
        return;
    };
    if tshark().is_none() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("tracematch-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for file in [
        "arkime__wireshark-retrans.pcap",
        "pcapplusplus__many_interfaces-1.pcapng",
        "pcap-parser__test016-be.pcapng",
        "tcpdump__tcp-handshake-nano.pcap",
        "zeek__1000-requests-one-dropped-response.pcap.gz",
        "pcap-parser__wireshark_samples-test.pcapng",
    ] {
        let data = std::fs::read(captures.join("public").join(file)).unwrap();
        let source = common::read(&data, usize::MAX);
        let want = packets(&source).len();
        for format in [ExportFormat::Pcapng, ExportFormat::Pcap] {
            let mut out = Vec::new();
            let mut src: &[u8] = &data;
            let options = ExportOptions {
                format,
                keylog: Some(b"CLIENT_RANDOM 00 11\n"),
            };
            let options = if format == ExportFormat::Pcap {
                ExportOptions {
                    keylog: None,
                    ..options
                }
            } else {
                options
            };
            if export_capture(&mut src, Selection::default(), &options, &mut out).is_err() {
                continue; // pcap of several link types: refused (tested above)
            }
            let path = dir.join(format!("{file}.{}", format.extension()));
            std::fs::write(&path, &out).unwrap();
            assert_eq!(tshark_frames(&path), want, "{file} as {format:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// tshark's `tcp.stream` column of packets.tsv: frames of stream `n`.
fn oracle_stream_frames(captures: &Path, file: &str, column: &str, n: u32) -> Vec<u32> {
    let (header, rows) = common::read_tsv(
        &captures
            .join("public/oracle")
            .join(file)
            .join("packets.tsv"),
    )
    .expect("packets.tsv");
    let num = header.iter().position(|h| h == "frame.number").unwrap();
    let col = header.iter().position(|h| h == column).unwrap();
    rows.iter()
        .filter(|r| r[col].split(',').any(|s| s == n.to_string()))
        .map(|r| r[num].parse().unwrap())
        .collect()
}

fn exported_numbers(source: &common::Outcome, exported: &[u8]) -> Vec<u32> {
    // Frames are unique by (time, bytes) in these captures' selections; map each back.
    let back = common::read(exported, usize::MAX);
    let mut used = vec![false; source.frames.len()];
    back.frames
        .iter()
        .map(|(m, b)| {
            let i = source
                .frames
                .iter()
                .enumerate()
                .position(|(i, (s, sb))| !used[i] && s.ts_ns == m.ts_ns && sb == b)
                .expect("exported frame is a source frame");
            used[i] = true;
            source.frames[i].0.number
        })
        .collect()
}

#[test]
fn selections_equal_tshark_and_the_session_tracker() {
    let Some(captures) = common::captures_dir("selections_equal_tshark_and_the_session_tracker")
    else {
        return;
    };
    let file = "pcapplusplus__http-packets2.pcap";

    // Streams: the first tcp.stream / udp.stream numbers of the oracle, in two captures.
    for (stream_file, column, make) in [
        (file, "tcp.stream", StreamRef::Tcp as fn(u32) -> StreamRef),
        ("zeek__dns-edns-ecs.pcap", "udp.stream", StreamRef::Udp),
    ] {
        let data = std::fs::read(captures.join("public").join(stream_file)).unwrap();
        let source = common::read(&data, usize::MAX);
        for n in 0..4 {
            let want = oracle_stream_frames(&captures, stream_file, column, n);
            assert!(!want.is_empty(), "{stream_file} {column} {n}");
            let sel = Selection {
                stream: Some(make(n)),
                ..Selection::default()
            };
            let out = export(&data, sel, ExportFormat::Pcapng);
            assert_eq!(exported_numbers(&source, &out), want, "{column} {n}");
            assert_same_packets(stream_file, &source, &want, &out, ExportFormat::Pcapng);
        }
    }

    // Packet lots: each lot's frames are its data packets, as many as the Session view counts.
    let lots_file = "arkime__wireshark-retrans.pcap";
    let data = std::fs::read(captures.join("public").join(lots_file)).unwrap();
    let source = common::read(&data, usize::MAX);
    let session = {
        let mut pipeline = tracematch::pipeline::Pipeline::new();
        let mut analyzer = tracematch::session::TcpAnalyzer::new();
        let mut tracker = tracematch::session::TcpSessionTracker::for_stream(0);
        let mut tcp = Vec::new();
        let mut visit = |c: &tracematch::pipeline::FrameContext| {
            analyzer.analyze_frame(c, &mut tcp);
            tracker.observe(c, &tcp);
        };
        pipeline.push(&data, &mut visit);
        pipeline.finish(&mut visit);
        tracker.session(0).expect("stream 0")
    };
    assert!(session.lots.len() >= 2);
    let stream0 = oracle_stream_frames(&captures, lots_file, "tcp.stream", 0);
    let mut lot_total = 0;
    for lot in &session.lots {
        let sel = Selection {
            stream: Some(StreamRef::Tcp(0)),
            lot: Some(lot.number),
            ..Selection::default()
        };
        let out = export(&data, sel, ExportFormat::Pcap);
        let got = exported_numbers(&source, &out);
        assert_eq!(got.len() as u64, lot.packets, "lot {}", lot.number);
        assert_eq!(got.first(), Some(&lot.first_frame), "lot {}", lot.number);
        assert!(got.iter().all(|f| stream0.contains(f)));
        assert_same_packets(lots_file, &source, &got, &out, ExportFormat::Pcap);
        lot_total += got.len();
    }
    // Lots partition the data packets of the stream (tshark: tcp.len > 0).
    let data_packets = {
        let (header, rows) = common::read_tsv(
            &captures
                .join("public/oracle")
                .join(lots_file)
                .join("packets.tsv"),
        )
        .unwrap();
        let (s, l) = (
            header.iter().position(|h| h == "tcp.stream").unwrap(),
            header.iter().position(|h| h == "tcp.len").unwrap(),
        );
        rows.iter()
            .filter(|r| r[s] == "0" && r[l].parse::<u32>().unwrap_or(0) > 0)
            .count()
    };
    assert_eq!(lot_total, data_packets);

    let data = std::fs::read(captures.join("public").join(file)).unwrap();
    let source = common::read(&data, usize::MAX);

    // Frame list, time range, display filter, IP pair.
    let sel = Selection {
        frames: Some(FrameRanges::parse("2-4,7,1000000").unwrap()),
        ..Selection::default()
    };
    assert_eq!(
        exported_numbers(&source, &export(&data, sel, ExportFormat::Pcapng)),
        vec![2, 3, 4, 7]
    );

    let t0 = source.frames[0].0.ts_ns;
    let mid = source.frames[source.frames.len() / 2].0.ts_ns - t0;
    let range = TimeRange {
        start_ns: mid / 2,
        end_ns: mid,
    };
    let want: Vec<u32> = source
        .frames
        .iter()
        .filter(|(m, _)| range.contains(m.ts_ns - t0))
        .map(|(m, _)| m.number)
        .collect();
    assert!(!want.is_empty() && want.len() < source.frames.len());
    let sel = Selection {
        time: Some(range),
        ..Selection::default()
    };
    assert_eq!(
        exported_numbers(&source, &export(&data, sel, ExportFormat::Pcapng)),
        want
    );

    let (header, rows) = common::read_tsv(
        &captures
            .join("public/oracle")
            .join(file)
            .join("packets.tsv"),
    )
    .unwrap();
    let (num, len, src, dst) = ["frame.number", "tcp.len", "ip.src", "ip.dst"]
        .map(|c| header.iter().position(|h| h == c).unwrap())
        .into();
    let want: Vec<u32> = rows
        .iter()
        .filter(|r| r[len].parse::<u32>().unwrap_or(0) > 100)
        .map(|r| r[num].parse().unwrap())
        .collect();
    let sel = Selection {
        filter: Some(Filter::compile("tcp.len > 100").unwrap()),
        ..Selection::default()
    };
    assert_eq!(
        exported_numbers(&source, &export(&data, sel, ExportFormat::Pcapng)),
        want
    );

    let (a, b) = (rows[0][src].clone(), rows[0][dst].clone());
    let want: Vec<u32> = rows
        .iter()
        .filter(|r| (r[src] == a && r[dst] == b) || (r[src] == b && r[dst] == a))
        .map(|r| r[num].parse().unwrap())
        .collect();
    let sel = Selection {
        ip_pair: Some((b.parse().unwrap(), a.parse().unwrap())),
        ..Selection::default()
    };
    assert_eq!(
        exported_numbers(&source, &export(&data, sel, ExportFormat::Pcapng)),
        want
    );
}
