//! Differential test: per-stream session counters ([`tracematch::session::TcpSessionTracker`])
//! against the oracle's `tcp_streams.tsv` (tshark's per-stream frames and payload per direction,
//! first and last time) for every public capture.

mod common;

use tracematch::pipeline::{FrameContext, Pipeline};
use tracematch::session::{LayerAnalysis, TcpAnalyzer, TcpSessionTracker};

fn parse_epoch_ns(s: &str) -> i64 {
    let (a, b) = s.split_once('.').unwrap_or((s, "0"));
    let mut frac = b.to_string();
    frac.truncate(9);
    while frac.len() < 9 {
        frac.push('0');
    }
    a.parse::<i64>().unwrap_or(0) * 1_000_000_000 + frac.parse::<i64>().unwrap_or(0)
}

#[test]
fn session_counters_equal_tshark_streams_on_every_public_capture() {
    let Some(cap) =
        common::captures_dir("session_counters_equal_tshark_streams_on_every_public_capture")
    else {
        return;
    };
    let public = cap.join("public");
    let (mut files, mut exact, mut streams) = (0, 0, 0);
    let mut failures = Vec::new();
    for row in common::manifest(&cap) {
        let oracle = public
            .join("oracle")
            .join(&row.file)
            .join("tcp_streams.tsv");
        let Some((header, rows)) = common::read_tsv(&oracle) else {
            continue;
        };
        files += 1;
        let data = std::fs::read(public.join(&row.file)).expect("read capture");
        let mut pipeline = Pipeline::new();
        let mut analyzer = TcpAnalyzer::new();
        let mut tracker = TcpSessionTracker::without_lots();
        let mut tcp: Vec<LayerAnalysis> = Vec::new();
        let mut visit = |c: &FrameContext| {
            analyzer.analyze_frame(c, &mut tcp);
            tracker.observe(c, &tcp);
        };
        for chunk in data.chunks(1 << 20) {
            pipeline.push(chunk, &mut visit);
        }
        pipeline.finish(&mut visit);
        let col = |n: &str| header.iter().position(|h| h == n).expect(n);
        let mut file_ok = true;
        for r in &rows {
            let stream: u32 = r[col("stream")].parse().expect("stream");
            streams += 1;
            let Some(s) = tracker.session(stream) else {
                file_ok = false;
                failures.push(format!("{} stream {stream}: no session", row.file));
                continue;
            };
            let a_is_client =
                s.client.addr == r[col("addr_a")] && s.client.port.to_string() == r[col("port_a")];
            let (ab, ba) = if a_is_client {
                (&s.client_to_server, &s.server_to_client)
            } else {
                (&s.server_to_client, &s.client_to_server)
            };
            let got = (
                ab.packets,
                ba.packets,
                ab.payload_bytes,
                ba.payload_bytes,
                s.first_packet_time_ns,
                s.last_packet_time_ns,
            );
            let want = (
                r[col("frames_a_to_b")].parse().unwrap_or(u64::MAX),
                r[col("frames_b_to_a")].parse().unwrap_or(u64::MAX),
                r[col("payload_a_to_b")].parse().unwrap_or(u64::MAX),
                r[col("payload_b_to_a")].parse().unwrap_or(u64::MAX),
                parse_epoch_ns(&r[col("first_epoch")]),
                parse_epoch_ns(&r[col("last_epoch")]),
            );
            if got != want {
                file_ok = false;
                if failures.len() < 40 {
                    failures.push(format!(
                        "{} stream {stream}: tshark {want:?} ours {got:?} (frames a→b, b→a, payload a→b, b→a, first, last)",
                        row.file
                    ));
                }
            }
        }
        if file_ok {
            exact += 1;
        }
    }
    eprintln!("sessions: {exact}/{files} files exact, {streams} streams");
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(files > 0, "no tcp_streams.tsv oracle found");
    assert!(failures.is_empty(), "{} files differ", files - exact);
}
