//! Exports of hand-made captures that state exactly what the source holds: several interfaces with
//! different link types, binary and nanosecond `if_tsresol`, `if_tsoffset`, a link-layer
//! pseudo-header, packet comments, a Name Resolution Block, a Simple Packet Block, both byte orders,
//! gzip; plus the key log's Decryption Secrets Block, the pcap link-type refusal, and the
//! `tracematch export` command's outputs and exit statuses.

mod common;

use common::{epb, idb, nrb_v4, opt, shb, spb};
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{Block, PcapBlockOwned, PcapError, PcapNGReader};
use tracematch::export::{export_capture, ExportFormat, ExportOptions, FrameRanges, Selection};

/// A pcapng in byte order `be`: interface 0 Ethernet (µs, named), interface 1 PPP_WITH_DIR (204,
/// 1-byte pseudo-header) with 2^-10 s units and a 100 s offset, interface 2 Ethernet in ns.
fn rich_pcapng(be: bool) -> Vec<u8> {
    let eth = |n: u8| {
        let mut f = vec![0xff; 6];
        f.extend_from_slice(&[0, 1, 2, 3, 4, n, 0x08, 0x00]);
        f.extend(std::iter::repeat_n(n, 30 + usize::from(n)));
        f
    };
    let ppp = [0x01u8, 0xff, 0x03, 0x00, 0x21, 0x45, 0, 0, 20];
    let mut f = shb(be, &[opt(2, b"test hw", be)]);
    f.extend(idb(be, 1, 0, &[opt(2, b"eth0", be), opt(3, b"first", be)]));
    f.extend(idb(
        be,
        204,
        1500,
        &[
            opt(2, b"ppp0", be),
            opt(9, &[0x8a], be),
            opt(
                14,
                &if be {
                    100i64.to_be_bytes()
                } else {
                    100i64.to_le_bytes()
                },
                be,
            ),
        ],
    ));
    f.extend(idb(be, 1, 65535, &[opt(9, &[9], be)]));
    f.extend(nrb_v4(be, [10, 0, 0, 1], &["one.example", "uno.example"]));
    f.extend(epb(
        be,
        0,
        1_700_000_000_123_456,
        &eth(1),
        60,
        &[opt(1, b"first comment", be), opt(1, b"second", be)],
    ));
    f.extend(epb(be, 1, (1_700_000_001u64 << 10) | 3, &ppp, 9, &[]));
    f.extend(epb(
        be,
        2,
        1_700_000_002_000_000_007,
        &eth(2)[..20],
        80,
        &[],
    ));
    f.extend(spb(be, 44, &eth(3)[..44]));
    f.extend(epb(
        be,
        0,
        1_700_000_003_000_001,
        &eth(4),
        64,
        &[opt(1, b"last", be)],
    ));
    f
}

fn export_with(
    data: &[u8],
    selection: Selection,
    format: ExportFormat,
    keylog: Option<&[u8]>,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut src: &[u8] = data;
    export_capture(
        &mut src,
        selection,
        &ExportOptions { format, keylog },
        &mut out,
    )
    .map_err(|e| e.to_string())?;
    Ok(out)
}

/// (interface, time, has time, caplen, wire length, link type, bytes) of one frame.
type FrameFacts = (u32, i64, bool, u32, u32, u32, Vec<u8>);

fn frames(o: &common::Outcome) -> Vec<FrameFacts> {
    o.frames
        .iter()
        .map(|(m, b)| {
            (
                m.interface_id,
                m.ts_ns,
                m.has_timestamp,
                m.caplen,
                m.wire_len,
                m.linktype,
                b.clone(),
            )
        })
        .collect()
}

#[test]
fn pcapng_keeps_interfaces_times_comments_names_in_both_byte_orders() {
    for be in [false, true] {
        for data in [rich_pcapng(be), common::gzip(&rich_pcapng(be))] {
            let source = common::read_all_ways(&data);
            assert!(source.error.is_none(), "{:?}", source.error);
            assert_eq!(source.frames.len(), 5);
            let out = export_with(&data, Selection::default(), ExportFormat::Pcapng, None).unwrap();
            let back = common::read_all_ways(&out);
            assert!(back.error.is_none());
            assert_eq!(frames(&back), frames(&source));
            let (a, b) = (source.reader.info(), back.reader.info());
            assert_eq!(b.packet_comments, a.packet_comments);
            assert_eq!(b.packet_comments.len(), 3);
            assert_eq!(b.name_resolution, a.name_resolution);
            assert_eq!(b.name_resolution[0].names, ["one.example", "uno.example"]);
            for (x, y) in b.interfaces.iter().zip(&a.interfaces) {
                assert_eq!(
                    (
                        x.linktype,
                        x.snaplen,
                        x.ts_units_per_sec,
                        x.ts_offset_sec,
                        &x.name,
                        &x.description
                    ),
                    (
                        y.linktype,
                        y.snaplen,
                        y.ts_units_per_sec,
                        y.ts_offset_sec,
                        &y.name,
                        &y.description
                    )
                );
            }
            assert_eq!(b.interfaces[1].ts_units_per_sec, 1024);
            // The PPP record keeps its 1-byte direction pseudo-header: 9 bytes stored, 8 dissected.
            assert_eq!((source.frames[1].0.caplen, back.frames[1].0.caplen), (8, 8));
            let stored = out
                .windows(9)
                .any(|w| w == [0x01, 0xff, 0x03, 0x00, 0x21, 0x45, 0, 0, 20]);
            assert!(stored, "pseudo-header written");
        }
    }
}

#[test]
fn keylog_goes_in_a_decryption_secrets_block() {
    let keylog = b"CLIENT_RANDOM 0011 2233\nCLIENT_RANDOM 4455 6677\n";
    let out = export_with(
        &rich_pcapng(false),
        Selection::default(),
        ExportFormat::Pcapng,
        Some(keylog),
    )
    .unwrap();
    let mut reader = PcapNGReader::new(1 << 16, &out[..]).unwrap();
    let mut secrets = Vec::new();
    let mut packets = 0;
    loop {
        match reader.next() {
            Ok((n, block)) => {
                match block {
                    PcapBlockOwned::NG(Block::DecryptionSecrets(d)) => {
                        secrets.push((d.secrets_type.0, d.data[..d.secrets_len as usize].to_vec()));
                        assert_eq!(packets, 0, "secrets come before the packets");
                    }
                    PcapBlockOwned::NG(Block::EnhancedPacket(_) | Block::SimplePacket(_)) => {
                        packets += 1
                    }
                    _ => {}
                }
                reader.consume(n);
            }
            Err(PcapError::Eof) => break,
            Err(PcapError::Incomplete(_)) => reader.refill().unwrap(),
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(secrets, vec![(0x544c_534b, keylog.to_vec())]);
    assert_eq!(packets, 5);
    // pcap cannot hold it: refused, nothing written.
    let err = export_with(
        &rich_pcapng(false),
        Selection::default(),
        ExportFormat::Pcap,
        Some(keylog),
    )
    .unwrap_err();
    assert!(err.contains("pcapng"), "{err}");
}

#[test]
fn pcap_holds_one_link_type_in_the_resolution_the_times_need() {
    let data = rich_pcapng(false);
    // Several link types: refused with a message, as editcap does.
    let err = export_with(&data, Selection::default(), ExportFormat::Pcap, None).unwrap_err();
    assert!(err.contains("link types (1, 204)"), "{err}");
    // The Ethernet frames only (1, 3, 4, 5): one link type; frame 3 has ns, so nanosecond magic.
    let sel = Selection {
        frames: Some(FrameRanges::parse("1,3-5").unwrap()),
        ..Selection::default()
    };
    let out = export_with(&data, sel, ExportFormat::Pcap, None).unwrap();
    assert_eq!(&out[..4], &0xa1b2_3c4du32.to_le_bytes());
    let source = common::read(&data, usize::MAX);
    let back = common::read_all_ways(&out);
    let want: Vec<_> = [0usize, 2, 3, 4]
        .iter()
        .map(|&i| (source.frames[i].0.ts_ns, source.frames[i].1.clone()))
        .collect();
    let got: Vec<_> = back
        .frames
        .iter()
        .map(|(m, b)| (m.ts_ns, b.clone()))
        .collect();
    assert_eq!(got, want);
    // Microsecond times only: microsecond magic.
    let sel = Selection {
        frames: Some(FrameRanges::parse("1,5").unwrap()),
        ..Selection::default()
    };
    let out = export_with(&data, sel, ExportFormat::Pcap, None).unwrap();
    assert_eq!(&out[..4], &0xa1b2_c3d4u32.to_le_bytes());
}

#[test]
fn classic_pcap_round_trips_through_both_formats() {
    let data = common::synthetic_pcap(200, 7);
    let source = common::read(&data, usize::MAX);
    for format in [ExportFormat::Pcap, ExportFormat::Pcapng] {
        let out = export_with(&data, Selection::default(), format, None).unwrap();
        let back = common::read_all_ways(&out);
        assert_eq!(frames(&back), frames(&source), "{format:?}");
    }
    // A damaged (truncated) source: the frames before the damage are exported.
    let cut = &data[..data.len() - 10];
    let out = export_with(cut, Selection::default(), ExportFormat::Pcap, None).unwrap();
    assert_eq!(
        common::read(&out, usize::MAX).frames.len(),
        source.frames.len() - 1
    );
}

fn tm(args: &[&str], stdin: Option<&[u8]>) -> (i32, Vec<u8>, String) {
    use std::io::Write;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tracematch"));
    cmd.args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        std::process::Stdio::piped()
    } else {
        std::process::Stdio::null()
    });
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_export_outputs_and_exit_statuses() {
    let dir = std::env::temp_dir().join(format!("tracematch-cli-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("rich.pcapng");
    std::fs::write(&src, rich_pcapng(false)).unwrap();
    let s = src.to_str().unwrap();
    let out = dir.join("out.pcapng");
    let o = out.to_str().unwrap();

    // File output, standard output and standard input agree.
    let (code, _, err) = tm(&["export", s, "--frames", "2-4", "-w", o], None);
    assert_eq!(code, 0, "{err}");
    let file_bytes = std::fs::read(&out).unwrap();
    let (code, stdout, _) = tm(&["export", s, "--frames", "2-4", "-w", "-"], None);
    assert_eq!((code, &stdout), (0, &file_bytes));
    let (code, piped, _) = tm(
        &["export", "-", "--frames", "2-4", "-w", "-"],
        Some(&rich_pcapng(false)),
    );
    assert_eq!((code, &piped), (0, &file_bytes));
    assert_eq!(common::read(&file_bytes, usize::MAX).frames.len(), 3);

    // Display filter and key log.
    let keylog = dir.join("keys.txt");
    std::fs::write(&keylog, b"CLIENT_RANDOM aa bb\n").unwrap();
    let (code, stdout, err) = tm(
        &[
            "export",
            s,
            "-Y",
            "frame.len >= 60",
            "--keylog",
            keylog.to_str().unwrap(),
            "-w",
            "-",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(common::read(&stdout, usize::MAX).frames.len(), 3);
    assert!(stdout.windows(20).any(|w| w == b"CLIENT_RANDOM aa bb\n"));

    // Usage errors: 1, no output file left behind.
    let _ = std::fs::remove_file(&out);
    for args in [
        vec!["export", s],
        vec!["export", s, "-w", o, "--lot", "1"],
        vec!["export", s, "-w", o, "--stream", "sctp:1"],
        vec!["export", s, "-w", o, "--frames", "5-2"],
        vec!["export", s, "-w", o, "--time", "x..2"],
        vec!["export", s, "-w", o, "-F", "erf"],
        vec!["export", s, "-w", o, "-Y", "tcp.port =="],
        vec!["export", s, "-w", o, "-F", "pcap"],
    ] {
        let (code, _, err) = tm(&args, None);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} left {o}");
    }
    let (_, _, err) = tm(&["export", s, "-w", o, "-F", "pcap"], None);
    assert!(err.contains("link types"), "{err}");

    // A damaged capture: what could be read is written, status 2; a missing file: 2.
    let cut = dir.join("cut.pcapng");
    let data = rich_pcapng(false);
    std::fs::write(&cut, &data[..data.len() - 8]).unwrap();
    let (code, stdout, _) = tm(&["export", cut.to_str().unwrap(), "-w", "-"], None);
    assert_eq!(code, 2);
    assert_eq!(common::read(&stdout, usize::MAX).frames.len(), 4);
    let (code, _, _) = tm(
        &[
            "export",
            dir.join("absent.pcap").to_str().unwrap(),
            "-w",
            "-",
        ],
        None,
    );
    assert_eq!(code, 2);
    let _ = std::fs::remove_dir_all(&dir);
}
