//! `tracematch merge A B -w OUT` orders packets as `mergecap -w` (Wireshark 4.0) does: the
//! expected orders (`tests/expected/merge/*.tsv`, INPUT<TAB>FRAME) were generated once by
//! `tests/expected/merge/make.sh` from mergecap's output. The merged file is also read back: the
//! same records, one interface per input, times in merge order.

use std::path::{Path, PathBuf};
use std::process::Command;

use tracematch::pipeline::{FrameContext, Pipeline};

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tm-merge-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

fn expected(name: &str) -> Vec<(u32, u32)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected/merge")
        .join(name);
    std::fs::read_to_string(path)
        .expect("expected order")
        .lines()
        .map(|l| {
            let (a, b) = l.split_once('\t').expect("INPUT<TAB>FRAME");
            (a.parse().expect("input"), b.parse().expect("frame"))
        })
        .collect()
}

/// (time, interface, captured bytes) of every frame of a capture file.
fn records(path: &Path) -> Vec<(i64, u32, Vec<u8>)> {
    let bytes = std::fs::read(path).expect("capture");
    let mut out = Vec::new();
    let mut pipeline = Pipeline::new();
    let mut visit =
        |c: &FrameContext| out.push((c.meta.ts_ns, c.meta.interface_id, c.data.to_vec()));
    pipeline.push(&bytes, &mut visit);
    pipeline.finish(&mut visit);
    assert!(pipeline.error().is_none(), "{path:?} reads cleanly");
    out
}

/// Runs `tracematch merge --order` on `a` and `b`; checks the order against `expected_file` and
/// the written pcapng against the inputs.
fn check_pair(a: &Path, b: &Path, expected_file: &str) {
    let dir = scratch(expected_file);
    let merged = dir.join("merged.pcapng");
    let out = Command::new(env!("CARGO_BIN_EXE_tracematch"))
        .arg("merge")
        .arg(a)
        .arg(b)
        .arg("-w")
        .arg(&merged)
        .arg("--order")
        .output()
        .expect("run tracematch");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let order: Vec<(u32, u32)> = String::from_utf8(out.stdout)
        .expect("utf8")
        .lines()
        .map(|l| {
            let (x, y) = l.split_once('\t').expect("INPUT<TAB>FRAME");
            (x.parse().expect("input"), y.parse().expect("frame"))
        })
        .collect();
    let want = expected(expected_file);
    let first_difference = order.iter().zip(&want).position(|(x, y)| x != y);
    assert_eq!(
        (order.len(), first_difference),
        (want.len(), None),
        "merge order differs from mergecap's"
    );
    let inputs = [records(a), records(b)];
    let written = records(&merged);
    assert_eq!(written.len(), want.len());
    for (k, ((input, frame), (ts, iface, data))) in want.iter().zip(&written).enumerate() {
        let (src_ts, _, src_data) = &inputs[*input as usize - 1][*frame as usize - 1];
        assert_eq!(
            (ts, data),
            (src_ts, src_data),
            "record {k} is input {input} frame {frame}"
        );
        assert_eq!(*iface, input - 1, "record {k}: one interface per input");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merge_of_the_demo_pair_orders_packets_as_mergecap() {
    let dir = scratch("demo");
    tracematch::synth::demo::demo_pair(&dir).expect("demo pair");
    check_pair(
        &dir.join("client.pcap"),
        &dir.join("server.pcap"),
        "demo_mergecap_order.tsv",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merge_of_an_interleaved_two_point_pair_orders_packets_as_mergecap() {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/twopoint/direct");
    let Some(dir) = [
        local,
        PathBuf::from("/work/shared/captures/twopoint/direct"),
    ]
    .into_iter()
    .find(|p| p.is_dir()) else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    check_pair(
        &dir.join("client.pcap"),
        &dir.join("server.pcap"),
        "direct_mergecap_order.tsv",
    );
}

#[test]
fn merge_needs_two_inputs_and_an_output() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tracematch"))
            .args(args)
            .output()
            .expect("run tracematch")
            .status
            .code()
    };
    assert_eq!(run(&["merge", "a.pcap", "-w", "out.pcapng"]), Some(1));
    assert_eq!(run(&["merge", "a.pcap", "b.pcap"]), Some(1));
}
