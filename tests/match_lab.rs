//! Cross-capture matching on the project's own lab captures (`tests/fixtures/lab_twopoint/`, made
//! by `lab/twopoint_lab.sh`: real kernel traffic in network namespaces; see its scenario.txt).
//!
//! - client ↔ fw_inside: DNAT to a virtual IP plus SNAT/PAT, every 4th SYN and every 40th other
//!   packet per direction dropped, fw_inside's clock rewritten +41.828 s and 50 ppm fast. Judged
//!   on stream matches (truth.tsv, found with tshark by request URI / query id), the missing-SYN
//!   list (syn_truth.tsv), lost packets per direction (the drop rules' counters, loss_truth.tsv)
//!   and the clock (clock.txt).
//! - fw_inside ↔ server: a full-proxy load balancer (new back-end connection, X-Forwarded-For
//!   added) plus routed UDP. Judged on stream matches.
//!
//! And on `tests/fixtures/lab_tls_proxy/` (the lab's `tls_proxy` scenario):
//! - client ↔ fw_inside: DNAT + SNAT/PAT with every forwarded packet's IP ID rewritten by
//!   nftables, same clock rewrite. Judged on stream matches (truth.tsv by TLS ClientHello random),
//!   the IP ID rewrite being reported, nothing lost, and the clock.
//! - fw_inside ↔ server: a TLS TCP proxy (new back-end connection, bytes relayed as read, TLS not
//!   terminated). Judged on stream matches, which only the TLS handshake can make.
//!
//! And on `tests/fixtures/lab_seq_proxy/` (the lab's `seq_proxy` scenario): client ↔ fw_inside
//! through an iptables SYNPROXY (server→client sequence numbers shifted by a constant per
//! connection) that also rewrites IP IDs, same clock rewrite. Judged on stream matches, the
//! sequence offsets per direction (seq_truth.tsv: the SYN-ACK ISN at each point), the proxy's own
//! packets being the only ones seen at one point, and the clock.

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use tracematch::matching::{match_files, MatchOptions};

/// The TLS scenario's fixture folder.
const TLS_LAB: &str = "lab_tls_proxy";

fn lab_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn lab() -> PathBuf {
    lab_dir("lab_twopoint")
}

fn run(a: &str, b: &str) -> Value {
    run_in(&lab(), a, b)
}

fn run_in(dir: &std::path::Path, a: &str, b: &str) -> Value {
    let paths = vec![
        dir.join(a).display().to_string(),
        dir.join(b).display().to_string(),
    ];
    match_files(&paths, &[], &MatchOptions::default())
        .expect("match runs")
        .to_json()
}

/// (header, rows) of a fixture TSV.
fn tsv(name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    tsv_in(&lab(), name)
}

fn tsv_in(dir: &std::path::Path, name: &str) -> (Vec<String>, Vec<Vec<String>>) {
    common::read_tsv(&dir.join(name)).unwrap_or_else(|| panic!("fixture {name}"))
}

type Triple = (String, u64, u64);

/// Truth stream pairs between points `a` and `b` from truth.tsv (http rows are tcp).
fn truth_pairs(a: &str, b: &str) -> BTreeSet<Triple> {
    truth_pairs_in(&lab(), a, b)
}

/// [`truth_pairs`] of the fixture folder `dir` (http and tls rows are tcp).
fn truth_pairs_in(dir: &std::path::Path, a: &str, b: &str) -> BTreeSet<Triple> {
    let (header, rows) = tsv_in(dir, "truth.tsv");
    let col = |name: String| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("truth.tsv has no column {name}"))
    };
    let (ca, cb) = (col(format!("{a}.stream")), col(format!("{b}.stream")));
    rows.iter()
        .filter_map(|r| {
            let proto = if r[0] == "udp" { "udp" } else { "tcp" };
            Some((proto.to_string(), r[ca].parse().ok()?, r[cb].parse().ok()?))
        })
        .collect()
}

fn predicted(res: &Value) -> BTreeSet<Triple> {
    res["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .map(|m| {
            (
                m["proto"].as_str().expect("proto").to_string(),
                m["a_stream"].as_u64().expect("a_stream"),
                m["b_stream"].as_u64().expect("b_stream"),
            )
        })
        .collect()
}

/// (precision, recall) of the predicted stream pairs against the truth.
fn precision_recall(res: &Value, truth: &BTreeSet<Triple>) -> (f64, f64) {
    let got = predicted(res);
    let tp = got.intersection(truth).count() as f64;
    let precision = if got.is_empty() {
        0.0
    } else {
        tp / got.len() as f64
    };
    (precision, tp / truth.len().max(1) as f64)
}

fn fixture_present() -> bool {
    let ok = lab().join("client.pcap").exists();
    assert!(ok, "tests/fixtures/lab_twopoint is part of the repository");
    ok
}

#[test]
fn nat_pair_matches_every_stream() {
    if !fixture_present() {
        return;
    }
    let truth = truth_pairs("client", "fw_inside");
    assert!(truth.len() > 60, "{} truth pairs", truth.len());
    let res = run("client.pcap", "fw_inside.pcap");
    let (p, r) = precision_recall(&res, &truth);
    eprintln!(
        "lab NAT pair: precision {p:.3} recall {r:.3} over {} pairs",
        truth.len()
    );
    assert_eq!((p, r), (1.0, 1.0));
    // Every match through the NAT reports the translation it inferred.
    for m in res["matches"].as_array().expect("matches") {
        assert!(m["translation"].is_string(), "{m}");
    }
}

#[test]
fn nat_pair_lists_the_dropped_syns() {
    if !fixture_present() {
        return;
    }
    let (_, rows) = tsv("syn_truth.tsv");
    let want: BTreeSet<(u64, u64, u64)> = rows
        .iter()
        .filter(|r| r[1] != r[2])
        .map(|r| {
            let n = |i: usize| r[i].parse::<u64>().expect("number in syn_truth.tsv");
            (n(0), n(1), n(2))
        })
        .collect();
    assert!(!want.is_empty(), "the lab dropped SYNs");
    let res = run("client.pcap", "fw_inside.pcap");
    let got: BTreeSet<(u64, u64, u64)> = res["missing_syn"]
        .as_array()
        .expect("missing_syn")
        .iter()
        .map(|m| {
            (
                m["syn_seq_raw"].as_u64().expect("syn_seq_raw"),
                m["syns_a"].as_u64().expect("syns_a"),
                m["syns_b"].as_u64().expect("syns_b"),
            )
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn nat_pair_counts_the_packets_the_firewall_dropped() {
    if !fixture_present() {
        return;
    }
    let (_, rows) = tsv("loss_truth.tsv");
    let count = |rule: &str| -> usize {
        rows.iter()
            .find(|r| r[0] == rule)
            .and_then(|r| r[1].parse().ok())
            .unwrap_or_else(|| panic!("loss_truth.tsv has no {rule}"))
    };
    let c2s = count("syn_c2s") + count("other_c2s");
    let s2c = count("any_s2c");
    let res = run("client.pcap", "fw_inside.pcap");
    let lost = res["lost"].as_array().expect("lost");
    let seen = |capture: &str, dir: &str| {
        lost.iter()
            .filter(|l| l["capture"] == capture && l["dir"] == dir)
            .count()
    };
    // Dropped client→server packets are at the client only; server→client ones at fw_inside only.
    assert_eq!((seen("a", "c2s"), seen("b", "s2c")), (c2s, s2c));
    assert_eq!(lost.len(), c2s + s2c, "no other packet claimed lost");
}

#[test]
fn nat_pair_recovers_the_rewritten_clock() {
    if !fixture_present() {
        return;
    }
    let res = run("client.pcap", "fw_inside.pcap");
    assert_clock_recovered(&lab(), &res);
}

/// The match's clock is the rewrite clock.txt states (offset within 1 ms, drift within 5 ppm).
fn assert_clock_recovered(dir: &std::path::Path, res: &Value) {
    let text = std::fs::read_to_string(dir.join("clock.txt")).expect("clock.txt");
    let get = |k: &str| -> f64 {
        text.lines()
            .filter_map(|l| l.split_once('\t'))
            .find(|(key, _)| *key == k)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or_else(|| panic!("clock.txt has no {k}"))
    };
    let clock = &res["clock"];
    let offset = clock["offset_s"].as_f64().expect("offset_s");
    let drift = clock["drift_ppm"].as_f64().expect("drift_ppm");
    eprintln!("lab clock: offset {offset:.6} s, drift {drift:.2} ppm");
    assert!((offset - get("offset_s")).abs() < 1e-3, "offset {offset}");
    assert!((drift - get("drift_ppm")).abs() < 5.0, "drift {drift}");
    assert_eq!(clock["basis"], "packets");
}

#[test]
fn full_proxy_pair_matches_by_content() {
    if !fixture_present() {
        return;
    }
    let truth = truth_pairs("fw_inside", "server");
    let res = run("fw_inside.pcap", "server.pcap");
    let (p, r) = precision_recall(&res, &truth);
    eprintln!(
        "lab full-proxy pair: precision {p:.3} recall {r:.3} over {} pairs",
        truth.len()
    );
    assert!(p >= 0.95 && r >= 0.95, "precision {p} recall {r}");
    for m in res["matches"].as_array().expect("matches") {
        if m["proto"] == "tcp" {
            // A new back-end connection: only content can link it.
            assert!(
                m["method"].as_str().unwrap_or("").contains("content"),
                "{m}"
            );
        }
    }
    // Different TCP connections on each side: nothing is lost between them, no SYN is missing.
    assert!(res["missing_syn"]
        .as_array()
        .expect("missing_syn")
        .is_empty());
    assert!(res["lost"].as_array().expect("lost").is_empty());
}

#[test]
fn tls_lab_nat_pair_with_ip_id_rewrite_matches_every_stream() {
    let dir = lab_dir(TLS_LAB);
    assert!(
        dir.join("client.pcap").exists(),
        "tests/fixtures/{TLS_LAB} is part of the repository"
    );
    let truth = truth_pairs_in(&dir, "client", "fw_inside");
    assert_eq!(truth.len(), 24, "one truth pair per TLS connection");
    let res = run_in(&dir, "client.pcap", "fw_inside.pcap");
    let (p, r) = precision_recall(&res, &truth);
    eprintln!("TLS lab NAT + IP ID rewrite pair: precision {p:.3} recall {r:.3}");
    assert_eq!((p, r), (1.0, 1.0));
    for m in res["matches"].as_array().expect("matches") {
        assert!(m["translation"].is_string(), "{m}");
        // The firewall rewrote every IP ID: the change list says so, and the packets still pair.
        let changes = m["changes"].as_array().expect("changes");
        assert!(changes.iter().any(|c| c["what"] == "ip_id"), "{m}");
        assert_eq!(
            (m["lost_a"].as_u64(), m["lost_b"].as_u64()),
            (Some(0), Some(0)),
            "{m}"
        );
    }
    assert!(res["missing_syn"]
        .as_array()
        .expect("missing_syn")
        .is_empty());
    assert!(res["lost"].as_array().expect("lost").is_empty());
    assert_clock_recovered(&dir, &res);
}

#[test]
fn tls_lab_tcp_proxy_pair_matches_by_client_hello() {
    let dir = lab_dir(TLS_LAB);
    assert!(
        dir.join("server.pcap").exists(),
        "tests/fixtures/{TLS_LAB} is part of the repository"
    );
    let truth = truth_pairs_in(&dir, "fw_inside", "server");
    assert_eq!(truth.len(), 24);
    let res = run_in(&dir, "fw_inside.pcap", "server.pcap");
    let (p, r) = precision_recall(&res, &truth);
    eprintln!("TLS lab TCP-proxy pair: precision {p:.3} recall {r:.3}");
    assert_eq!((p, r), (1.0, 1.0));
    for m in res["matches"].as_array().expect("matches") {
        assert!(
            m["method"].as_str().unwrap_or("").contains("content"),
            "{m}"
        );
        let evidence: Vec<&str> = m["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .filter_map(|e| e.as_str())
            .collect();
        assert!(evidence.contains(&"same TLS ClientHello random"), "{m}");
    }
    // Two TCP connections per TLS session: nothing is lost between them, no SYN is missing.
    assert!(res["missing_syn"]
        .as_array()
        .expect("missing_syn")
        .is_empty());
    assert!(res["lost"].as_array().expect("lost").is_empty());
}

#[test]
fn seq_lab_syn_proxy_pair_reports_the_sequence_offsets() {
    let dir = lab_dir("lab_seq_proxy");
    assert!(
        dir.join("client.pcap").exists(),
        "tests/fixtures/lab_seq_proxy is part of the repository"
    );
    let truth = truth_pairs_in(&dir, "client", "fw_inside");
    assert!(truth.len() > 60, "{} truth pairs", truth.len());
    let res = run_in(&dir, "client.pcap", "fw_inside.pcap");
    let (p, r) = precision_recall(&res, &truth);
    eprintln!("seq lab SYN-proxy pair: precision {p:.3} recall {r:.3}");
    assert_eq!((p, r), (1.0, 1.0));
    // Per client ISN: B's SYN-ACK ISN − A's is the server→client shift.
    let (_, rows) = tsv_in(&dir, "seq_truth.tsv");
    let shift: std::collections::BTreeMap<u64, u32> = rows
        .iter()
        .map(|r| {
            let n = |i: usize| r[i].parse::<u64>().expect("number in seq_truth.tsv");
            (n(0), (n(2) as u32).wrapping_sub(n(1) as u32))
        })
        .collect();
    let (_, syn_rows) = tsv_in(&dir, "syn_truth.tsv");
    assert_eq!(
        shift.len(),
        syn_rows.len(),
        "a SYN-ACK at both points per connection"
    );
    // The client's ISN of each A stream: its SYN's row in the packet diff.
    let paths = vec![
        dir.join("client.pcap").display().to_string(),
        dir.join("fw_inside.pcap").display().to_string(),
    ];
    let options = MatchOptions {
        packet_diff: true,
        ..Default::default()
    };
    let diff = match_files(&paths, &[], &options)
        .expect("match runs")
        .to_json_view(tracematch::matching::View::PacketDiff);
    let mut tcp = 0;
    for m in res["matches"].as_array().expect("matches") {
        if m["proto"] != "tcp" {
            assert_eq!(m["seq_offset_a_to_b"], Value::Null, "{m}");
            continue;
        }
        tcp += 1;
        let stream = diff["packet_diff"]
            .as_array()
            .expect("packet_diff")
            .iter()
            .find(|d| d["a_stream"] == m["a_stream"] && d["b_stream"] == m["b_stream"])
            .expect("a packet diff per TCP match");
        let isn = stream["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|x| x["dir"] == "c2s" && x["a"]["flags"] == 2)
            .and_then(|x| x["a"]["seq"].as_u64())
            .expect("the client's SYN");
        let want = *shift.get(&isn).expect("seq_truth row for the ISN");
        // Client→server (A→B) sequence numbers keep their value; server→client ones (B→A) are
        // shifted back by the proxy: seq at A − seq at B = −shift.
        assert_eq!(m["seq_offset_a_to_b"].as_u64(), Some(0), "{m}");
        assert_eq!(
            m["seq_offset_b_to_a"].as_u64(),
            Some(u64::from(0u32.wrapping_sub(want))),
            "{m}"
        );
        assert!(
            m["method"].as_str().unwrap_or("").contains("seq_offset"),
            "{m}"
        );
        let changes = m["changes"].as_array().expect("changes");
        assert!(changes.iter().any(|c| c["what"] == "ip_id"), "{m}");
        // The proxy's own window-update ACK to the client has no copy at fw_inside.
        assert_eq!(
            (m["lost_a"].as_u64(), m["lost_b"].as_u64()),
            (Some(1), Some(0)),
            "{m}"
        );
    }
    assert_eq!(tcp, shift.len());
    for l in res["lost"].as_array().expect("lost") {
        assert_eq!(
            (l["capture"].as_str(), l["dir"].as_str(), l["len"].as_u64()),
            (Some("a"), Some("s2c"), Some(0)),
            "{l}"
        );
    }
    assert!(res["missing_syn"]
        .as_array()
        .expect("missing_syn")
        .is_empty());
    assert_clock_recovered(&dir, &res);
}
