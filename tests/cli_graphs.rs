//! The `graph`, `phs` and `esp --interval` subcommands, run as the built binary: usage errors on
//! any machine, and outputs against tshark's numbers on the public corpus (skipped when
//! `../shared/captures` is absent).

mod common;

use std::path::Path;
use std::process::Command;

/// Runs the binary; returns (exit status, stdout).
fn tm(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tracematch"))
        .args(args)
        .output()
        .expect("run tracematch");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn graph_usage_errors() {
    assert_eq!(tm(&["graph", "x.pcap", "0"]).0, 1, "no --kind");
    assert_eq!(tm(&["graph", "x.pcap", "0", "--kind", "sequence"]).0, 1);
    assert_eq!(
        tm(&["graph", "x.pcap", "0", "--kind", "rtt", "--node", "2"]).0,
        1
    );
    assert_eq!(tm(&["graph", "x.pcap", "zero", "--kind", "rtt"]).0, 1);
    assert_eq!(tm(&["phs"]).0, 1);
    assert_eq!(tm(&["esp", "x.pcap", "--interval", "soon"]).0, 1);
}

#[test]
fn phs_prints_tsharks_text_where_every_protocol_is_decoded() {
    let Some(cap) = common::captures_dir("phs_prints_tsharks_text_where_every_protocol_is_decoded")
    else {
        return;
    };
    // Files whose whole tshark hierarchy is made of decoded protocols (see tests/phs_corpus.rs).
    for name in [
        "arkime__ah-esp.pcap",
        "suricata-verify__eve-flow-esp_input.pcap",
    ] {
        let file = cap.join("public").join(name);
        let (status, out) = tm(&["phs", file.to_str().unwrap()]);
        assert_eq!(status, 0);
        let want = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/expected/phs")
                .join(format!("{name}.txt")),
        )
        .expect("expected file");
        assert_eq!(out, want, "{name}");
        let (status, json) = tm(&["phs", file.to_str().unwrap(), "--json"]);
        assert_eq!(status, 0);
        let rows: Vec<serde_json::Value> = serde_json::from_str(&json).expect("json");
        let root_frames: u64 = rows
            .iter()
            .filter(|r| r["depth"] == 0)
            .map(|r| r["frames"].as_u64().unwrap())
            .sum();
        let frames = common::read_tsv(&cap.join("public/oracle").join(name).join("packets.tsv"))
            .map(|(_, rows)| rows.len() as u64)
            .unwrap();
        assert_eq!(root_frames, frames, "{name}");
    }
}

#[test]
fn graph_csv_rows_carry_tsharks_numbers() {
    let Some(cap) = common::captures_dir("graph_csv_rows_carry_tsharks_numbers") else {
        return;
    };
    let name = "arkime__wireshark-retrans.pcap";
    let file = cap.join("public").join(name);
    let packets = common::read_tsv(&cap.join("public/oracle").join(name).join("packets.tsv"))
        .unwrap()
        .1;
    // Stevens of node 1 (the server, 172.17.96.77:4000): one row per data segment, in frame order.
    let (status, out) = tm(&[
        "graph",
        file.to_str().unwrap(),
        "0",
        "--kind",
        "stevens",
        "--node",
        "1",
        "--csv",
    ]);
    assert_eq!(status, 0);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("line,frame,time,value,top,seq"));
    let frames: Vec<String> = lines
        .map(|l| l.split(',').nth(1).unwrap().to_string())
        .collect();
    let want: Vec<String> = packets
        .iter()
        .filter(|p| p[13] == "0" && p[11] == "4000" && p[17] != "0")
        .map(|p| p[0].clone())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(frames, want);
    // JSON names the direction.
    let (_, json) = tm(&[
        "graph",
        file.to_str().unwrap(),
        "0",
        "--kind",
        "window",
        "--json",
    ]);
    let g: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(g["from"], "172.17.96.143:59221");
    assert_eq!(g["to"], "172.17.96.77:4000");
    assert_eq!(g["kind"], "window");
    // A stream that does not exist is a usage error.
    assert_eq!(
        tm(&["graph", file.to_str().unwrap(), "99", "--kind", "rtt"]).0,
        1
    );
}
