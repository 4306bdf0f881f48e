//! The synthetic captures parse back with pcap-parser, and tshark (when installed) reads them
//! without errors and decodes the expected protocols.

use std::path::{Path, PathBuf};
use std::process::Command;

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError};
use tracematch::export::PcapNgWriter;
use tracematch::synth;

fn scratch_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tracematch-synth-{}-{}", name, std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Counts records and checks timestamps never go backwards.
fn count_records(path: &Path) -> u64 {
    let bytes = std::fs::read(path).unwrap();
    let mut reader = LegacyPcapReader::new(1 << 20, &bytes[..]).unwrap();
    let mut n = 0u64;
    let mut last = (0u32, 0u32);
    loop {
        match reader.next() {
            Ok((used, block)) => {
                if let PcapBlockOwned::Legacy(b) = block {
                    assert!(
                        (b.ts_sec, b.ts_usec) >= last,
                        "timestamps go backwards in {path:?}"
                    );
                    last = (b.ts_sec, b.ts_usec);
                    n += 1;
                }
                reader.consume(used);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => reader.refill().unwrap(),
            Err(e) => panic!("{path:?}: {e:?}"),
        }
    }
    n
}

/// Removes a scratch directory unless `TRACEMATCH_KEEP_SYNTH` is set (to inspect the files).
fn cleanup(dir: &Path) {
    if std::env::var_os("TRACEMATCH_KEEP_SYNTH").is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn tshark(args: &[&str]) -> Option<String> {
    if !Path::new("/usr/bin/tshark").exists() {
        eprintln!("SKIPPED: /usr/bin/tshark not installed");
        return None;
    }
    let out = Command::new("/usr/bin/tshark").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "tshark {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty()
            || !String::from_utf8_lossy(&out.stderr).contains("appears to be damaged")
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn demo_pair_is_small_parses_back_and_tshark_agrees() {
    let dir = scratch_dir("demo");
    let s = synth::demo_pair(&dir).unwrap();
    assert_eq!(s.connections, 40);
    assert!(s.dropped_syns >= 3);
    let client = dir.join("client.pcap");
    let server = dir.join("server.pcap");
    assert!(std::fs::metadata(&client).unwrap().len() < 1_000_000);
    assert!(std::fs::metadata(&server).unwrap().len() < 1_000_000);
    assert_eq!(count_records(&client), s.client_packets);
    assert_eq!(count_records(&server), s.server_packets);
    // The client sees the lost SYNs; the server does not.
    assert!(s.client_packets > s.server_packets);
    let Some(fields) = tshark(&[
        "-r",
        client.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "frame.protocols",
        "-e",
        "tcp.checksum.status",
        "-e",
        "ip.checksum.status",
        "-o",
        "tcp.check_checksum:TRUE",
        "-o",
        "ip.check_checksum:TRUE",
    ]) else {
        return;
    };
    let lines: Vec<&str> = fields.lines().collect();
    assert_eq!(lines.len() as u64, s.client_packets);
    assert!(lines.iter().any(|l| l.contains(":dns")));
    assert!(lines.iter().any(|l| l.contains(":http")));
    assert!(!fields.contains("Bad"), "a checksum is wrong");
    assert!(
        lines
            .iter()
            .all(|l| !l.contains("\t0") && !l.ends_with("\t0")),
        "checksum status not good"
    );
    let streams =
        tshark(&["-r", server.to_str().unwrap(), "-q", "-z", "conv,tcp"]).unwrap_or_default();
    assert!(
        streams.contains("203.0.113.7:"),
        "server side shows the PAT address"
    );
    // The decoded bodies tshark sees are the synthetic contents (gzip/deflate it can decode).
    let http = tshark(&[
        "-r",
        client.to_str().unwrap(),
        "-Y",
        "http.response",
        "-T",
        "fields",
        "-e",
        "http.content_encoding",
    ])
    .unwrap_or_default();
    assert!(http.lines().any(|l| l == "gzip"));
    assert!(http.lines().any(|l| l == "br"));
    cleanup(&dir);
}

#[test]
fn pcapng_with_comment_is_read_by_tshark() {
    let dir = scratch_dir("ng");
    let path = dir.join("x.pcapng");
    let traffic = synth::demo::demo_traffic();
    let mut w = PcapNgWriter::new(std::fs::File::create(&path).unwrap()).unwrap();
    let a = w.add_interface(1, 0, false).unwrap();
    let b = w.add_interface(1, 0, true).unwrap();
    let mut buf = Vec::new();
    for (i, p) in traffic.iter().take(20).enumerate() {
        synth::render_frame(p, &mut buf).unwrap();
        let comment = (i == 3).then_some("synthetic comment");
        w.write_packet(
            if i % 2 == 0 { a } else { b },
            p.ts_ns,
            &buf,
            buf.len() as u32,
            comment,
        )
        .unwrap();
    }
    w.into_inner().unwrap();
    let Some(out) = tshark(&[
        "-r",
        path.to_str().unwrap(),
        "-T",
        "fields",
        "-e",
        "frame.interface_id",
        "-e",
        "frame.comment",
    ]) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 20);
    assert_eq!(lines[3], "1\tsynthetic comment");
    assert_eq!(lines[2], "0\t");
    cleanup(&dir);
}

#[test]
fn bulk_capture_is_read_by_tshark() {
    let dir = scratch_dir("bulk");
    let path = dir.join("bulk.pcap");
    let f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    let stats = synth::bulk(f, 3_000_000, 2_000, 9).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), stats.bytes);
    assert_eq!(count_records(&path), stats.packets);
    let Some(out) = tshark(&[
        "-r",
        path.to_str().unwrap(),
        "-q",
        "-z",
        "conv,tcp",
        "-z",
        "conv,udp",
    ]) else {
        return;
    };
    let rows_of = |title: &str| {
        let mut in_section = false;
        let mut n = 0u64;
        for l in out.lines() {
            if l.ends_with("Conversations") {
                in_section = l == title;
            } else if in_section && l.contains("<->") {
                n += 1;
            }
        }
        n
    };
    let tcp_rows = rows_of("TCP Conversations");
    let udp_rows = rows_of("UDP Conversations");
    assert_eq!(udp_rows, stats.udp_streams);
    assert_eq!(tcp_rows, stats.tcp_streams);
    cleanup(&dir);
}
