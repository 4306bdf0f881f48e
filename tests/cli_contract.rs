//! The CLI contracts of the foundation: exit statuses (0 read whole, 2 damaged or not a capture,
//! 1 usage), `-` for standard input, the `conv --json` keys, `fields` header and values, `info`.
//! Runs the built binary on captures the test makes itself with `tracematch synth`.

use std::io::Write;
use std::process::{Command, Stdio};

fn tm() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tracematch"))
}

/// The demo pair, generated once per test binary (tests run in parallel).
fn demo_dir() -> std::path::PathBuf {
    static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tm-cli-contract-{}", std::process::id()));
        let st = tm().args(["synth", "demo"]).arg(&dir).output().unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        dir
    })
    .clone()
}

#[test]
fn conv_json_has_the_contract_keys_and_exit_0() {
    let dir = demo_dir();
    let out = tm()
        .args(["conv"])
        .arg(dir.join("client.pcap"))
        .args(["tcp", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.len() > 10, "the demo has more than ten TCP streams");
    for key in [
        "proto",
        "stream",
        "addr_a",
        "port_a",
        "addr_b",
        "port_b",
        "frames_a_to_b",
        "bytes_a_to_b",
        "frames_b_to_a",
        "bytes_b_to_a",
        "frames",
        "bytes",
        "rel_start",
        "duration",
    ] {
        assert!(rows[0].get(key).is_some(), "missing key {key}");
    }
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r["proto"], "tcp");
        assert_eq!(r["stream"].as_u64(), Some(i as u64), "rows in stream order");
        let f = r["frames_a_to_b"].as_u64().unwrap() + r["frames_b_to_a"].as_u64().unwrap();
        assert_eq!(r["frames"].as_u64(), Some(f));
    }
    let ip = tm()
        .args(["conv"])
        .arg(dir.join("client.pcap"))
        .args(["ip", "--json"])
        .output()
        .unwrap();
    let ip: serde_json::Value = serde_json::from_slice(&ip.stdout).unwrap();
    assert!(ip[0]["stream"].is_null() && ip[0]["port_a"].is_null());
}

#[test]
fn stdin_gives_the_same_output_as_the_file() {
    let dir = demo_dir();
    let path = dir.join("server.pcap");
    let by_file = tm()
        .args(["fields"])
        .arg(&path)
        .args(["-e", "frame.number", "-e", "tcp.stream", "-e", "udp.stream"])
        .output()
        .unwrap();
    let mut child = tm()
        .args([
            "fields",
            "-",
            "-e",
            "frame.number",
            "-e",
            "tcp.stream",
            "-e",
            "udp.stream",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&path).unwrap())
        .unwrap();
    let by_stdin = child.wait_with_output().unwrap();
    assert_eq!(by_stdin.status.code(), Some(0));
    assert!(!by_file.stdout.is_empty());
    assert_eq!(by_file.stdout, by_stdin.stdout);
}

#[test]
fn damaged_file_prints_what_was_read_and_exits_2() {
    let dir = demo_dir();
    let whole = std::fs::read(dir.join("client.pcap")).unwrap();
    let frames_whole = String::from_utf8(
        tm().args(["fields"])
            .arg(dir.join("client.pcap"))
            .args(["-e", "frame.number"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .lines()
    .count();
    let cut = dir.join("cut-test.pcap");
    std::fs::write(&cut, &whole[..whole.len() - 10]).unwrap();
    let out = tm()
        .args(["fields"])
        .arg(&cut)
        .args(["-e", "frame.number"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let n = String::from_utf8(out.stdout).unwrap().lines().count();
    assert_eq!(
        n,
        frames_whole - 1,
        "every frame before the cut record is printed"
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("cut short") && err.contains("offset"), "{err}");

    let junk = dir.join("junk.pcap");
    std::fs::write(&junk, b"this is not a capture at all, just text\n").unwrap();
    let out = tm().args(["info"]).arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a capture"));
}

#[test]
fn usage_errors_exit_1() {
    for args in [
        vec!["conv"],
        vec!["conv", "x.pcap", "sctp"],
        vec!["fields", "x.pcap"],
        vec!["fields", "x.pcap", "-e", "no.such.field"],
        vec!["nonsense"],
    ] {
        let out = tm().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn info_reports_format_packets_and_span() {
    let dir = demo_dir();
    let out = tm()
        .args(["info"])
        .arg(dir.join("client.pcap"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let count = String::from_utf8(
        tm().args(["fields"])
            .arg(dir.join("client.pcap"))
            .args(["-e", "frame.number"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .lines()
    .count();
    assert!(text.contains("Format:          Pcap"), "{text}");
    assert!(
        text.contains(&format!("Packets:         {count}")),
        "{text}"
    );
    assert!(text.contains("First packet:") && text.contains("Duration:"));
}
