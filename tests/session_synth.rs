//! Hand-made captures the project generates (`tracematch::synth`): one TCP conversation per
//! impairment, checked two ways through the whole pipeline:
//! 1. what each impairment must produce (flags, session state, counters), and
//! 2. every frame's `tcp.analysis.*` values against tshark 4.0 (`-2`) output recorded for exactly
//!    this capture in `tests/expected/session_synth/` (the capture's SHA-256 is recorded with it;
//!    if the generator changes, regenerate as the README there says).

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use tracematch::export::TsResolution;
use tracematch::pipeline::{FrameContext, Pipeline};
use tracematch::session::{
    format_field, LayerAnalysis, SessionState, TcpAnalyzer, TcpSession, TcpSessionTracker,
};
use tracematch::synth::{
    CapturePoint, Close, Dir, Endpoint, Impairment, IpIdCounters, TcpConversation,
};

const SEC: i64 = 1_000_000_000;

/// The conversations, one per stream, in stream order (each starts after the previous ended).
fn conversations() -> Vec<TcpConversation> {
    let client = |i: u16| Endpoint::new("10.1.0.1".parse().unwrap(), 40000 + i);
    let server = Endpoint::new("10.2.0.1".parse().unwrap(), 80);
    let body = vec![b'x'; 5000];
    let base = 1_700_000_000 * SEC;
    let conv = |i: u16| {
        TcpConversation::new(
            u32::from(i),
            client(i),
            server,
            base + i64::from(i) * 10 * SEC,
        )
        .message(Dir::ToServer, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec())
        .message(Dir::ToClient, body.clone())
    };
    vec![
        conv(0),
        conv(1).impair(Impairment::Retransmit {
            message: 1,
            segment: 1,
        }),
        conv(2).impair(Impairment::Lose {
            message: 1,
            segment: 1,
        }),
        conv(3).impair(Impairment::NotCaptured {
            message: 1,
            segment: 1,
        }),
        conv(4).impair(Impairment::Reorder {
            message: 1,
            segment: 1,
        }),
        conv(5).impair(Impairment::ZeroWindow { message: 1 }),
        conv(6).impair(Impairment::SynLost),
        {
            let mut c = conv(7);
            c.close = Close::RstFromClient;
            c
        },
        {
            let mut c = conv(8);
            c.handshake = false;
            c
        },
        {
            let mut c = conv(9);
            c.close = Close::Open;
            c
        },
    ]
}

/// The generated capture (classic pcap, ns timestamps).
fn capture() -> Vec<u8> {
    let mut ids = IpIdCounters::new(7);
    let packets: Vec<_> = conversations()
        .iter()
        .flat_map(|c| c.packets(&mut ids))
        .collect();
    let mut out = Vec::new();
    CapturePoint::new("synth")
        .write_pcap(&packets, &mut out, TsResolution::Nano)
        .expect("write pcap");
    out
}

struct Run {
    analyzer: TcpAnalyzer,
    frames: BTreeMap<u32, Vec<LayerAnalysis>>,
    sessions: Vec<TcpSession>,
}

fn run(data: &[u8]) -> Run {
    let mut pipeline = Pipeline::new();
    let mut analyzer = TcpAnalyzer::new();
    let mut tracker = TcpSessionTracker::new();
    let mut frames = BTreeMap::new();
    let mut tcp = Vec::new();
    let mut visit = |c: &FrameContext| {
        analyzer.analyze_frame(c, &mut tcp);
        tracker.observe(c, &tcp);
        frames.insert(c.meta.number, tcp.clone());
    };
    pipeline.push(data, &mut visit);
    pipeline.finish(&mut visit);
    assert!(
        pipeline.error().is_none(),
        "synthetic capture must read cleanly"
    );
    let mut display = analyzer.display_pass();
    for layers in frames.values_mut() {
        display.apply(layers);
    }
    Run {
        analyzer,
        frames,
        sessions: tracker.sessions(),
    }
}

/// Frames of stream `s` carrying finding `flag`.
fn flagged(r: &Run, stream: u32, flag: &str) -> usize {
    r.frames
        .values()
        .filter(|ls| {
            ls.iter().any(|l| {
                l.analysis
                    .is_some_and(|a| a.stream == stream && a.flags.reports(flag))
            })
        })
        .count()
}

#[test]
fn each_impairment_shows_in_analysis_and_session() {
    let r = run(&capture());
    assert_eq!(r.sessions.len(), 10);
    let s = |i: usize| &r.sessions[i];
    // 0: clean.
    assert_eq!(s(0).state, SessionState::Closed);
    assert!(!s(0).missed_syn && s(0).roles_from == "syn");
    assert_eq!(s(0).client.addr, "10.1.0.1");
    assert!(s(0).syn_to_synack.is_some() && s(0).synack_to_ack.is_some());
    assert_eq!(s(0).server_to_client.payload_bytes, 5000);
    assert_eq!(s(0).lots.len(), 2);
    assert_eq!(s(0).lots[1].direction, "server_to_client");
    for flag in [
        "retransmission",
        "lost_segment",
        "ack_lost_segment",
        "out_of_order",
        "zero_window",
    ] {
        assert_eq!(flagged(&r, 0, flag), 0, "clean conversation has no {flag}");
    }
    // 1: a segment sent twice.
    assert!(flagged(&r, 1, "retransmission") >= 1);
    assert!(s(1).server_to_client.retransmissions >= 1);
    // 2: lost after the capture point, retransmitted.
    assert!(flagged(&r, 2, "retransmission") >= 1);
    // 3: never captured.
    assert!(flagged(&r, 3, "lost_segment") >= 1);
    // 4: out of order.
    assert!(flagged(&r, 4, "out_of_order") + flagged(&r, 4, "lost_segment") >= 1);
    // 5: zero window then an update.
    assert!(flagged(&r, 5, "zero_window") >= 1);
    assert!(s(5).client_to_server.zero_windows >= 1);
    assert!(flagged(&r, 5, "window_update") >= 1);
    // 6: the SYN was retransmitted.
    assert!(flagged(&r, 6, "retransmission") >= 1);
    // 7: reset.
    assert_eq!(s(7).state, SessionState::Reset);
    // 8: no handshake.
    assert!(s(8).missed_syn);
    assert_eq!(s(8).roles_from, "first_packet");
    assert_eq!(s(8).connect_time, None);
    // 9: still open.
    assert_eq!(s(9).state, SessionState::Established);
    assert!(r.analyzer.initial_rtt_ns(0).is_some());
}

#[test]
fn synthetic_capture_analysis_equals_tshark() {
    let data = capture();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/session_synth");
    let recorded = std::fs::read_to_string(dir.join("capture.sha256")).expect("recorded hash");
    let digest: String = Sha256::digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        recorded.trim(),
        digest,
        "the synth generator's output changed: regenerate tests/expected/session_synth (README)"
    );
    let text = std::fs::read_to_string(dir.join("tshark.tsv")).expect("expected tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let r = run(&data);
    let mut diffs = Vec::new();
    let mut values = 0;
    for line in lines {
        let cells: Vec<&str> = line.split('\t').collect();
        let frame: u32 = cells[0].parse().expect("frame");
        let layers = r.frames.get(&frame).map(Vec::as_slice).unwrap_or(&[]);
        for (i, field) in header.iter().enumerate().skip(2) {
            let want = cells.get(i).copied().unwrap_or("");
            let got = format_field(field, layers, Some(&r.analyzer)).unwrap_or_default();
            values += 1;
            if got != want {
                diffs.push(format!(
                    "frame {frame} {field}: tshark '{want}' ours '{got}'"
                ));
            }
        }
    }
    eprintln!("synthetic capture: {values} values compared");
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
}

/// Writes the synthetic capture to `$SESSION_SYNTH_OUT` (to regenerate the expected files).
#[test]
#[ignore]
fn write_synthetic_capture() {
    let path = std::env::var("SESSION_SYNTH_OUT").expect("SESSION_SYNTH_OUT");
    std::fs::write(path, capture()).expect("write");
}
