//! Memory budgets (issue 8) on generated captures: a small index budget stops indexing cleanly at a
//! packet, keeps what was indexed (usable, marked partial with the packet, offset and budget); the
//! reassembly budget bounds held-back bytes and shows the rest as a gap; the body budget cuts a
//! body and marks it truncated.

mod common;

use common::*;
use tracematch::app::http::http_messages_of_chunks;
use tracematch::limits::{format_size, Budget};
use tracematch::pipeline::{ConvKind, Indexer};
use tracematch::reassembly::{follow_tcp, FollowChunk, TcpSegment};

/// About 2 MiB of mixed TCP/UDP traffic (a few thousand frames, 200+ flows).
fn bulk_capture() -> Vec<u8> {
    let mut out = Vec::new();
    tracematch::synth::bulk::bulk(&mut out, 2 << 20, 200, 11).expect("bulk capture");
    out
}

fn index_with(budget: &Budget, data: &[u8], chunk: usize) -> Indexer {
    let mut ix = Indexer::with_budget(budget);
    for c in data.chunks(chunk) {
        ix.push(c);
    }
    ix.finish();
    ix
}

#[test]
fn the_index_budget_stops_at_a_packet_and_keeps_a_usable_partial_index() {
    let data = bulk_capture();
    let mut whole = Indexer::new();
    whole.push(&data);
    whole.finish();
    let all = whole.summary();
    assert!(all.complete && all.stopped.is_none());
    assert!(all.frames > 1000, "{} frames", all.frames);

    let budget = Budget {
        index_bytes: 40_000,
        ..Budget::default()
    };
    let ix = index_with(&budget, &data, 65536);
    let s = ix.summary();
    let message = s.stopped.clone().expect("stopped by the budget");
    assert!(!s.complete && !s.cancelled && s.error.is_none());
    assert!(s.frames > 0 && s.frames < all.frames, "{} frames", s.frames);
    assert_eq!(
        ix.index().len() as u64,
        s.frames,
        "no frame counted past the stop"
    );
    let last = ix
        .frame_location(s.frames as u32)
        .expect("last frame indexed");
    assert_eq!(
        message,
        format!(
            "stopped at packet {} (offset {}): the index reached its {} budget",
            s.frames,
            last.offset,
            format_size(40_000)
        )
    );
    // The budget is respected to within one frame and the flow rows it opened.
    assert!(ix.index().used_bytes() <= 40_000);
    // The partial index agrees with the full one on every frame it has.
    for n in 1..=s.frames as u32 {
        assert_eq!(ix.index().get(n), whole.index().get(n), "frame {n}");
    }
    let tcp = ix.conversations(ConvKind::Tcp);
    assert!(!tcp.is_empty());
    let frames = ix.frames_of_stream(ConvKind::Tcp, 0);
    assert!(!frames.is_empty() && frames.iter().all(|&f| u64::from(f) <= s.frames));
    // Later pushes are ignored; the stop does not depend on chunking.
    for chunk in [1usize, 999, 1 << 20] {
        let other = index_with(&budget, &data, chunk);
        assert_eq!(other.summary().stopped, s.stopped, "chunk {chunk}");
        assert_eq!(other.summary().frames, s.frames, "chunk {chunk}");
    }
}

#[test]
fn flow_tables_count_against_the_index_budget() {
    // Many one-packet UDP flows: the flow rows, not the 30-byte index rows, reach the budget.
    let mut pcap = pcap_header(false, Magic::Usec, (2, 4), 65535, 1);
    for i in 0..2000u32 {
        let frame = udp_frame(i);
        pcap.extend(pcap_record(
            false,
            false,
            &Rec {
                ts_sec: i,
                ts_frac: 0,
                data: &frame,
                wire_len: frame.len() as u32,
            },
        ));
    }
    let budget = Budget {
        index_bytes: 100_000,
        ..Budget::default()
    };
    let ix = index_with(&budget, &pcap, 4096);
    let s = ix.summary();
    assert!(s.stopped.is_some(), "{s:?}");
    // 100 000 bytes / (30 + 2 flow rows of 160 bytes) per frame: well under 2000 frames, and
    // under what 30-byte rows alone would allow.
    assert!(s.frames < 100_000 / 30, "{} frames", s.frames);
    assert!(s.frames > 100, "{} frames", s.frames);
}

/// An Ethernet/IPv4/UDP frame from a distinct source port per `i` (so one UDP stream each).
fn udp_frame(i: u32) -> Vec<u8> {
    let mut f = vec![0u8; 12];
    f.extend_from_slice(&[0x08, 0x00]);
    let payload = [0u8; 8];
    let total = 20 + 8 + payload.len() as u16;
    let mut ip = vec![
        0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
    ];
    ip[2..4].copy_from_slice(&total.to_be_bytes());
    let src = (i % 60000) as u16 + 1024;
    let i_hi = (i / 60000) as u8;
    ip[15] = 1 + i_hi;
    f.extend(ip);
    f.extend_from_slice(&src.to_be_bytes());
    f.extend_from_slice(&53u16.to_be_bytes());
    f.extend_from_slice(&(8 + payload.len() as u16).to_be_bytes());
    f.extend_from_slice(&[0, 0]);
    f.extend_from_slice(&payload);
    f
}

#[test]
fn the_reassembly_budget_bounds_held_bytes_and_reports_the_gap() {
    let budget = Budget {
        reassembly_bytes: 1000,
        ..Budget::default()
    };
    // The second segment (seq 1100) is missing; 2900 bytes wait behind the hole.
    let segs: Vec<TcpSegment> = (0..30u32)
        .filter(|&i| i != 1)
        .map(|i| TcpSegment {
            frame: i + 1,
            ts_ns: i64::from(i),
            dir: 0,
            seq: 1000 + i * 100,
            ack: 1,
            flags: 0x010,
            seg_len: 100,
            payload: vec![b'a' + (i % 26) as u8; 100],
        })
        .collect();
    let mut f = tracematch::reassembly::TcpFollow::new(budget.tcp_follow_options());
    let mut out: Vec<FollowChunk> = Vec::new();
    for s in &segs {
        f.push(s);
        assert!(f.held_back_bytes() <= 1000, "{}", f.held_back_bytes());
        while let Some(c) = f.pop() {
            out.push(c);
        }
    }
    let gap = out
        .iter()
        .find_map(|c| c.gap_before)
        .expect("a gap is reported");
    assert_eq!(gap.missing, 100, "the missing second segment");
    // Unbounded (the default 64 MiB): everything after the hole waits, only the first is out.
    let unbounded = follow_tcp(&segs, Default::default());
    assert_eq!(unbounded.len(), 1);
    assert!(unbounded[0].gap_before.is_none());
}

#[test]
fn the_body_budget_cuts_a_body_and_marks_it_truncated() {
    let budget = Budget {
        body_bytes: 4096,
        ..Budget::default()
    };
    let body = vec![b'x'; 10_000];
    let mut response =
        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    response.extend_from_slice(&body);
    let chunk = |frame, dir, bytes: Vec<u8>| FollowChunk {
        frame,
        ts_ns: i64::from(frame),
        dir,
        bytes,
        gap_before: None,
    };
    let chunks = vec![
        chunk(1, 0, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        chunk(2, 1, response),
    ];
    let messages = http_messages_of_chunks(0, chunks.clone(), budget.http_options());
    let r = &messages[1];
    assert!(r.truncated);
    assert_eq!(r.body.as_ref().map(Vec::len), Some(4096));
    let full = http_messages_of_chunks(0, chunks, Budget::default().http_options());
    assert!(!full[1].truncated);
    assert_eq!(full[1].body.as_ref().map(Vec::len), Some(10_000));
}

#[test]
fn the_cli_index_command_reports_the_budget_stop() {
    let dir = std::env::temp_dir().join(format!("tm_budget_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join("bulk.pcap");
    std::fs::write(&path, bulk_capture()).expect("write capture");
    let run = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_tracematch"))
            .arg("index")
            .arg(&path)
            .arg("--json")
            .args(extra)
            .output()
            .expect("run tracematch")
    };
    let out = run(&["--memory-budget", "64K"]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the index reached its 48 KiB budget"),
        "{stderr}"
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    let stopped = report["stopped"].as_str().expect("stopped field");
    assert!(stopped.starts_with("stopped at packet "), "{stopped}");
    let full = run(&[]);
    let full: serde_json::Value = serde_json::from_slice(&full.stdout).expect("json report");
    assert!(full["stopped"].is_null());
    assert!(report["frames"].as_u64() < full["frames"].as_u64());
    let bad = run(&["--memory-budget", "lots"]);
    assert_eq!(bad.status.code(), Some(1), "a bad size is a usage error");
    let _ = std::fs::remove_dir_all(&dir);
}
