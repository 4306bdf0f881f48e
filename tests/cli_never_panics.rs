//! The built CLI over mutated captures: every subcommand, on each of a fixed set of mutated inputs
//! (seeded RNG, so the same inputs every run), must end with one of the foundation's statuses
//! (0 read whole, 1 usage, 2 damaged or not a capture) within a time bound; never a panic
//! (status 101) or a hang. On status 2 the message is one line on stderr that names the offset.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Mutated inputs per run (each runs every subcommand).
const INPUTS: usize = 30;
/// Time bound per CLI run (a debug build on a loaded 2-core machine; inputs are < 64 KiB).
const BOUND: Duration = Duration::from_secs(20);

/// The unmutated bases: the hostile synthetic capture (HTTP, UDP), a pcapng with two sections,
/// and their gzip forms.
fn bases() -> Vec<Vec<u8>> {
    let mut hostile = Vec::new();
    tracematch::synth::hostile::write_hostile(&mut hostile).expect("hostile capture");
    let mut ng = shb(false, &[opt(1, b"<b>comment</b>", false)]);
    ng.extend(idb(false, 1, 0, &[]));
    // The hostile capture's first frames (Ethernet) as pcapng packets.
    let mut reader = tracematch::capture::CaptureReader::new();
    let mut frames = Vec::new();
    let mut sink = |m: &tracematch::capture::FrameMeta, b: &[u8]| {
        if frames.len() < 12 {
            frames.push((m.ts_ns, b.to_vec()));
        }
    };
    reader.push(&hostile, &mut sink).expect("hostile reads");
    for (ts, b) in &frames {
        ng.extend(epb(false, 0, (*ts / 1000) as u64, b, b.len() as u32, &[]));
    }
    ng.extend(shb(true, &[]));
    ng.extend(idb(true, 1, 0, &[]));
    for (ts, b) in frames.iter().skip(6) {
        ng.extend(epb(true, 0, (*ts / 1000) as u64, b, b.len() as u32, &[]));
    }
    vec![gzip(&hostile), gzip(&ng), hostile, ng]
}

/// A mutation of `base`: bit flips, a cut, a length-like field set to an extreme, inserted or
/// deleted bytes (1 to 4 of them).
fn mutate(base: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut d = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let n = d.len();
        if n == 0 {
            break;
        }
        let at = rng.below(n as u64) as usize;
        match rng.below(5) {
            0 => d[at] ^= 1 << rng.below(8),
            1 => d.truncate(at.max(1)),
            2 => {
                let v = [0u32, 1, 0x7fff_ffff, 0xffff_ffff, 0x0004_0001][rng.below(5) as usize];
                let at = at & !3;
                let end = (at + 4).min(n);
                d[at..end].copy_from_slice(&v.to_le_bytes()[..end - at]);
            }
            3 => d.insert(at, rng.next() as u8),
            _ => {
                d.remove(at);
            }
        }
    }
    d
}

/// Every subcommand, with the arguments it needs for capture `file` (`other` is an unmutated
/// capture for `match`, `dir` a scratch folder for `export-objects`).
fn commands(file: &str, other: &str, dir: &str) -> Vec<Vec<String>> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&["info", file]),
        v(&["fields", file]),
        v(&["filter", file, "tcp.port == 80 || http"]),
        v(&["conv", file, "tcp"]),
        v(&["conv", file, "udp", "--json"]),
        v(&["conv", file, "ip"]),
        v(&["follow", file, "tcp", "0", "--format", "hex"]),
        v(&["follow", file, "udp", "0"]),
        v(&["http", file, "--json"]),
        v(&["export-objects", file, dir]),
        v(&["session", file, "0", "--json"]),
        v(&["stats", file, "--interval", "1s"]),
        v(&["esp", file]),
        v(&["endpoints", file]),
        v(&["dns", file]),
        v(&["expert", file]),
        v(&["index", file, "--json", "--chunk", "4096"]),
        v(&["match", file, other]),
        v(&["merge", file, other, "-w", &format!("{dir}/merged.pcapng")]),
    ]
}

/// Runs the CLI with a time bound; returns (status, stderr, elapsed).
fn run(args: &[String]) -> (Option<i32>, String, Duration) {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tracematch"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the CLI");
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st.code();
        }
        if start.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    (status, reader.join().unwrap_or_default(), start.elapsed())
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tracematch-cli-np-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

#[test]
fn every_subcommand_survives_mutated_captures() {
    let dir = scratch("inputs");
    let bases = bases();
    let other = dir.join("other.pcap");
    std::fs::write(&other, &bases[2]).expect("write");
    let mut rng = Rng(0x7261_636b_6d61_7463);
    let mut failures = Vec::new();
    let (mut runs, mut damaged, mut clean) = (0usize, 0usize, 0usize);
    for i in 0..INPUTS {
        let base = &bases[i % bases.len()];
        let data = mutate(base, &mut rng);
        let file = dir.join(format!("m{i:02}.pcap"));
        std::fs::write(&file, &data).expect("write");
        let out = scratch(&format!("objects{i}"));
        for args in commands(
            &file.to_string_lossy(),
            &other.to_string_lossy(),
            &out.to_string_lossy(),
        ) {
            runs += 1;
            let (status, stderr, took) = run(&args);
            let what = format!("{} on {} ({took:?})", args.join(" "), file.display());
            match status {
                None => failures.push(format!("{what}: no exit within {BOUND:?}")),
                Some(0) => clean += 1,
                Some(1) => {}
                Some(2) => {
                    damaged += 1;
                    let lines: Vec<&str> = stderr.lines().filter(|l| !l.is_empty()).collect();
                    if lines.len() != 1 || !lines[0].contains("offset") {
                        failures.push(format!("{what}: status 2 with stderr {stderr:?}"));
                    }
                }
                Some(s) => failures.push(format!("{what}: status {s}, stderr {stderr:?}")),
            }
        }
        if let Ok(rd) = std::fs::read_dir(&out) {
            for e in rd.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.contains(['<', '>', '/', '\\']) || name.starts_with('.') {
                    failures.push(format!("export-objects wrote an unsafe name {name:?}"));
                }
            }
        }
        let _ = std::fs::remove_dir_all(&out);
    }
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!("{runs} runs: {clean} status 0, {damaged} status 2");
    // The mutations must exercise both outcomes, or this test proves little.
    assert!(damaged > 0 && clean > 0, "{clean} clean, {damaged} damaged");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_capture_cut_mid_record_keeps_the_frames_before_and_names_the_offset() {
    let dir = scratch("cut");
    let mut hostile = Vec::new();
    tracematch::synth::hostile::write_hostile(&mut hostile).expect("hostile capture");
    // Cut inside the third record's data: records start after the 24-byte file header.
    let mut at = 24usize;
    for _ in 0..2 {
        let caplen = u32::from_le_bytes(hostile[at + 8..at + 12].try_into().expect("4 bytes"));
        at += 16 + caplen as usize;
    }
    let third = at;
    let file = dir.join("cut.pcap");
    std::fs::write(&file, &hostile[..third + 20]).expect("write");
    let path = file.to_string_lossy().into_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_tracematch"))
        .args(["conv", &path, "tcp"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(&format!("offset {third}")), "{stderr}");
    // The two frames before the cut are in the table (one TCP conversation, 2 frames).
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().count() >= 2, "{stdout}");
    let _ = std::fs::remove_dir_all(Path::new(&dir));
}
