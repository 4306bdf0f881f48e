//! Replays every input under `tests/fuzz_regressions/<target>/` through the fuzz harness of that
//! target (`tests/fuzz_harness/mod.rs`, the code the fuzzer ran) and checks the outcome the fix
//! gives. Seeds that once crashed the core are committed here, minimised, one file per bug.

mod fuzz_harness;

use std::path::PathBuf;

fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Ok(bytes) = std::fs::read(e.path()) {
                out.push((name, bytes));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn harnesses_accept_empty_input() {
    assert_eq!(fuzz_harness::capture_reader(&[]).frames.len(), 0);
    assert_eq!(fuzz_harness::decode(&[]).frames, 0);
    assert_eq!(fuzz_harness::defrag(&[]).frames, 0);
    assert_eq!(fuzz_harness::tcp_follow(&[]).chunks, 0);
    assert_eq!(fuzz_harness::http(&[]).messages, 0);
    assert_eq!(fuzz_harness::filter(&[]).frames, 0);
    assert_eq!(fuzz_harness::matching(&[]).rows, 0);
}

/// Runs one input through a harness.
type Replay = fn(&[u8]);

/// Every committed crasher replays through its harness without a panic or a failed invariant.
#[test]
fn every_committed_crasher_replays_cleanly() {
    let targets: [(&str, Replay); 7] = [
        ("capture_reader", |d| {
            fuzz_harness::capture_reader(d);
        }),
        ("decode", |d| {
            fuzz_harness::decode(d);
        }),
        ("defrag", |d| {
            fuzz_harness::defrag(d);
        }),
        ("tcp_follow", |d| {
            fuzz_harness::tcp_follow(d);
        }),
        ("http", |d| {
            fuzz_harness::http(d);
        }),
        ("filter", |d| {
            fuzz_harness::filter(d);
        }),
        ("matching", |d| {
            fuzz_harness::matching(d);
        }),
    ];
    for (target, run) in targets {
        for (name, bytes) in inputs(target) {
            eprintln!("replaying {target}/{name}");
            run(&bytes);
        }
    }
}
