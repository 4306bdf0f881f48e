//! Cross-capture matching against ground truth: every scenario of `twopoint/` (stream matches
//! per capture pair vs truth.tsv, missing SYNs vs syn_truth.tsv, lost packets vs loss_detail.tsv,
//! clock offset/drift vs offset.txt/drift_ppm.txt) and the tcpreplay/tcprewrite pairs of the public
//! corpus (truth: the streams with the same first frame in tshark's stream tables).
//! Captures run through the real pipeline ([`tracematch::matching::match_files`]).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tracematch::matching::{match_files, MatchOptions};

fn twopoint_dir() -> Option<PathBuf> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for c in [
        here.join("../shared/captures"),
        PathBuf::from("/work/shared/captures"),
    ] {
        if c.join("twopoint").is_dir() {
            return Some(c.join("twopoint"));
        }
    }
    eprintln!("SKIPPED match_twopoint: ../shared/captures not found");
    None
}

/// Runs the matcher on two captures and returns the two-capture JSON.
fn run(a: &Path, b: &Path) -> Value {
    let paths = vec![a.display().to_string(), b.display().to_string()];
    match_files(&paths, &[], &MatchOptions::default())
        .expect("match runs")
        .to_json()
}

type Triple = (String, u32, u32);

/// Precision and recall as score_match.py computes them: predictions are judged when their A or
/// B stream appears in the truth.
fn precision_recall(res: &Value, truth: &BTreeSet<Triple>) -> (f64, f64, usize, usize) {
    let known_a: BTreeSet<(String, u32)> = truth.iter().map(|t| (t.0.clone(), t.1)).collect();
    let known_b: BTreeSet<(String, u32)> = truth.iter().map(|t| (t.0.clone(), t.2)).collect();
    let mut judged = BTreeSet::new();
    for m in res["matches"].as_array().expect("matches") {
        let t: Triple = (
            m["proto"].as_str().expect("proto").to_string(),
            m["a_stream"].as_u64().expect("a_stream") as u32,
            m["b_stream"].as_u64().expect("b_stream") as u32,
        );
        if known_a.contains(&(t.0.clone(), t.1)) || known_b.contains(&(t.0.clone(), t.2)) {
            judged.insert(t);
        }
    }
    let tp = judged.intersection(truth).count();
    let prec = if judged.is_empty() {
        0.0
    } else {
        tp as f64 / judged.len() as f64
    };
    let rec = if truth.is_empty() {
        1.0
    } else {
        tp as f64 / truth.len() as f64
    };
    (prec, rec, tp, judged.len())
}

fn truth_pairs(header: &[String], rows: &[Vec<String>], pa: &str, pb: &str) -> BTreeSet<Triple> {
    let col = |n: &str| header.iter().position(|h| h == n).expect("truth column");
    let (k, ca, cb) = (
        col("kind"),
        col(&format!("{pa}.stream")),
        col(&format!("{pb}.stream")),
    );
    let mut out = BTreeSet::new();
    for r in rows {
        if r[ca] == "absent" || r[cb] == "absent" {
            continue;
        }
        let proto = if r[k] == "udp" { "udp" } else { "tcp" };
        for x in r[ca].split(',') {
            for y in r[cb].split(',') {
                out.insert((
                    proto.to_string(),
                    x.parse().expect("stream"),
                    y.parse().expect("stream"),
                ));
            }
        }
    }
    out
}

#[test]
fn twopoint_scenarios_match_truth() {
    let Some(root) = twopoint_dir() else { return };
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("twopoint dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("truth.tsv").is_file())
        .collect();
    scenarios.sort();
    assert!(!scenarios.is_empty());
    let mut failures = Vec::new();
    for d in &scenarios {
        let scen = d
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let (header, rows) = common::read_tsv(&d.join("truth.tsv")).expect("truth.tsv");
        let points: Vec<String> = header
            .iter()
            .filter_map(|h| h.strip_suffix(".stream").map(str::to_string))
            .collect();
        let mut pairs: Vec<(usize, usize)> = (1..points.len()).map(|i| (i - 1, i)).collect();
        if points.len() > 2 {
            pairs.push((0, points.len() - 1));
        }
        let floor = if scen.contains("proxy") { 0.95 } else { 1.0 };
        for (ia, ib) in pairs {
            let (pa, pb) = (&points[ia], &points[ib]);
            let res = run(&d.join(format!("{pa}.pcap")), &d.join(format!("{pb}.pcap")));
            let truth = truth_pairs(&header, &rows, pa, pb);
            let (prec, rec, tp, judged) = precision_recall(&res, &truth);
            eprintln!("{scen}:{pa}->{pb}: precision {prec:.3} recall {rec:.3} ({tp}/{} true, {judged} judged)", truth.len());
            if prec < floor || rec < floor {
                failures.push(format!(
                    "{scen}:{pa}->{pb} precision {prec:.3} recall {rec:.3}"
                ));
            }
            if ia != 0 || ib != points.len() - 1 {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(d.join("offset.txt")) {
                let want: f64 = text.trim().parse().expect("offset");
                let got = res["clock"]["offset_s"].as_f64();
                eprintln!("{scen}: clock offset {got:?} want {want}");
                if got.is_none_or(|g| (g - want).abs() > 0.001) {
                    failures.push(format!("{scen}: offset {got:?} want {want}"));
                }
            }
            if let Ok(text) = std::fs::read_to_string(d.join("drift_ppm.txt")) {
                let want: f64 = text.trim().parse().expect("drift");
                let got = res["clock"]["drift_ppm"].as_f64();
                eprintln!("{scen}: drift {got:?} ppm want {want}");
                if got.is_none_or(|g| (g - want).abs() > 5.0) {
                    failures.push(format!("{scen}: drift {got:?} want {want}"));
                }
            }
            if let Some((h, rows)) = common::read_tsv(&d.join("syn_truth.tsv")) {
                let col = |n: &str| h.iter().position(|x| x == n).expect("syn column");
                let (s, ca, cb) = (
                    col("client.stream"),
                    col("syns_at_client"),
                    col("syns_at_server"),
                );
                let want: BTreeSet<(u64, u64, u64)> = rows
                    .iter()
                    .filter(|r| r[ca] != r[cb])
                    .map(|r| {
                        (
                            r[s].parse().unwrap(),
                            r[ca].parse().unwrap(),
                            r[cb].parse().unwrap(),
                        )
                    })
                    .collect();
                let got: BTreeSet<(u64, u64, u64)> = res["missing_syn"]
                    .as_array()
                    .expect("missing_syn")
                    .iter()
                    .map(|m| {
                        (
                            m["a_stream"].as_u64().unwrap_or(u64::MAX),
                            m["syns_a"].as_u64().unwrap(),
                            m["syns_b"].as_u64().unwrap(),
                        )
                    })
                    .collect();
                eprintln!(
                    "{scen}: missing SYNs {}/{} found, {} wrong",
                    got.intersection(&want).count(),
                    want.len(),
                    got.difference(&want).count()
                );
                if got != want {
                    failures.push(format!(
                        "{scen}: missing SYNs differ: got {got:?} want {want:?}"
                    ));
                }
            }
            if let Some((h, rows)) = common::read_tsv(&d.join("loss_detail.tsv")) {
                let col = |n: &str| h.iter().position(|x| x == n).expect("loss column");
                let (sp, fr) = (col("sender_point"), col("frame"));
                let want: BTreeSet<(String, u64)> = rows
                    .iter()
                    .map(|r| {
                        (
                            if &r[sp] == pa { "a" } else { "b" }.to_string(),
                            r[fr].parse().unwrap(),
                        )
                    })
                    .collect();
                let got: BTreeSet<(String, u64)> = res["lost"]
                    .as_array()
                    .expect("lost")
                    .iter()
                    .map(|m| {
                        (
                            m["capture"].as_str().unwrap().to_string(),
                            m["frame"].as_u64().unwrap(),
                        )
                    })
                    .collect();
                eprintln!(
                    "{scen}: lost packets {}/{} found, {} wrong",
                    got.intersection(&want).count(),
                    want.len(),
                    got.difference(&want).count()
                );
                if got != want {
                    failures.push(format!(
                        "{scen}: lost packets differ ({} found of {}, {} wrong)",
                        got.intersection(&want).count(),
                        want.len(),
                        got.difference(&want).count()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "short of the goals:\n{}",
        failures.join("\n")
    );
}

/// Streams of a tshark stream table keyed by first frame: first_frame → stream.
fn streams_by_first_frame(path: &Path) -> Vec<(u64, u32)> {
    let (h, rows) = common::read_tsv(path).expect("stream table");
    let s = h.iter().position(|x| x == "stream").expect("stream column");
    let f = h
        .iter()
        .position(|x| x == "first_frame")
        .expect("first_frame column");
    rows.iter()
        .map(|r| (r[f].parse().unwrap(), r[s].parse().unwrap()))
        .collect()
}

#[test]
fn tcprewrite_pairs_match_every_stream() {
    let Some(captures) = common::captures_dir("tcprewrite_pairs_match_every_stream") else {
        return;
    };
    let public = captures.join("public");
    let base = public.join("tcpreplay__test.pcap");
    let oracle = captures.join("public/oracle");
    for variant in [
        "rewrite_1ttl",
        "rewrite_pnat",
        "rewrite_portmap",
        "rewrite_vlan802.1ad",
    ] {
        let other_name = format!("tcpreplay__test.{variant}.pcap");
        let other = public.join(&other_name);
        if !other.exists() {
            eprintln!("SKIPPED {variant}: capture absent");
            continue;
        }
        // The rewritten copy has the same packets in the same order: the truth pairs streams
        // starting at the same frame.
        let mut truth = BTreeSet::new();
        for proto in ["tcp", "udp"] {
            let a = streams_by_first_frame(
                &oracle.join(format!("tcpreplay__test.pcap/{proto}_streams.tsv")),
            );
            let b =
                streams_by_first_frame(&oracle.join(format!("{other_name}/{proto}_streams.tsv")));
            for (frame, sa) in &a {
                if let Some((_, sb)) = b.iter().find(|(f, _)| f == frame) {
                    truth.insert((proto.to_string(), *sa, *sb));
                }
            }
        }
        assert!(!truth.is_empty());
        let res = run(&base, &other);
        let (prec, rec, tp, judged) = precision_recall(&res, &truth);
        eprintln!("tcpreplay {variant}: precision {prec:.3} recall {rec:.3} ({tp}/{} true, {judged} judged)", truth.len());
        assert_eq!((prec, rec), (1.0, 1.0), "{variant}");
        assert!(
            res["lost"].as_array().expect("lost").is_empty(),
            "{variant}: nothing is lost"
        );
        let clock = &res["clock"];
        assert!(
            clock["offset_s"].as_f64().expect("offset").abs() < 1e-6,
            "{variant}: same timestamps"
        );
        // What the rewrite did shows in the change list.
        let changes: Vec<String> = res["matches"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|m| m["changes"].as_array().cloned().unwrap_or_default())
            .map(|c| c["what"].as_str().unwrap_or("").to_string())
            .collect();
        let expect = match variant {
            "rewrite_1ttl" => "ttl",
            "rewrite_vlan802.1ad" => "vlan",
            _ => "nat",
        };
        assert!(
            changes.iter().any(|c| c == expect),
            "{variant}: expected a {expect} change, got {changes:?}"
        );
    }
}

/// Benchmark (not run by default): `TM_BENCH_A=a.pcap TM_BENCH_B=b.pcap cargo test --release
/// --test match_twopoint bench_match_two_files -- --ignored --nocapture`, under `/usr/bin/time -v`
/// for the peak memory.
#[test]
#[ignore]
fn bench_match_two_files() {
    let (Ok(a), Ok(b)) = (std::env::var("TM_BENCH_A"), std::env::var("TM_BENCH_B")) else {
        eprintln!("SKIPPED bench_match_two_files: set TM_BENCH_A and TM_BENCH_B");
        return;
    };
    use tracematch::matching::{driver::build_input, match_pair, PipelineVisitor};
    let peak_kb = || -> u64 {
        std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
            })
            .unwrap_or(0)
    };
    let t = std::time::Instant::now();
    let ia = build_input(&mut PipelineVisitor, Path::new(&a)).expect("read A");
    let ib = build_input(&mut PipelineVisitor, Path::new(&b)).expect("read B");
    let t_read = t.elapsed();
    let peak_read = peak_kb();
    let p = match_pair(&ia, &ib);
    eprintln!(
        "bench: read+extract {:?} ({} + {} packets, peak {} MB), match {:?} (peak {} MB); {} matches, {} unmatched a, {} unmatched b, {} lost, clock {:?}",
        t_read,
        ia.packets.len(),
        ib.packets.len(),
        peak_read / 1024,
        t.elapsed() - t_read,
        peak_kb() / 1024,
        p.matches.len(),
        p.unmatched_a.len(),
        p.unmatched_b.len(),
        p.lost.len(),
        p.clock.map(|c| (c.offset_s, c.drift_ppm))
    );
}

/// Every public capture matched against itself: each stream to itself, nothing lost, clocks
/// equal. Exercises the matcher on real, odd traffic (tunnels, fragments, retransmissions,
/// port reuse) and checks that identical evidence never picks a wrong partner.
#[test]
fn corpus_self_match_is_identity() {
    use tracematch::matching::{driver::build_input, match_pair, PipelineVisitor};
    let Some(captures) = common::captures_dir("corpus_self_match_is_identity") else {
        return;
    };
    let mut checked = 0;
    for row in common::manifest(&captures) {
        let path = captures.join("public").join(&row.file);
        let input = build_input(&mut PipelineVisitor, &path).expect("readable");
        let r = match_pair(&input, &input);
        let identity = r
            .matches
            .iter()
            .all(|m| m.a_stream == m.b_stream && m.link.a == m.link.b);
        assert!(identity, "{}: a stream matched another", row.file);
        assert_eq!(
            r.matches.len(),
            input.streams.len(),
            "{}: unmatched streams",
            row.file
        );
        assert!(r.lost.is_empty(), "{}: lost packets", row.file);
        assert!(r.missing_syn.is_empty(), "{}: missing SYNs", row.file);
        if let Some(c) = r.clock {
            assert!(
                c.offset_s.abs() < 1e-9 && c.drift_ppm == 0.0,
                "{}: clock {c:?}",
                row.file
            );
        }
        checked += input.streams.len();
    }
    eprintln!("corpus self-match: {checked} streams, all identity");
    assert!(checked > 1000);
}

/// The committed HTTP full-proxy capture pair (made by `lab/http_proxy/run.sh`: pooled back-end
/// connections, X-Forwarded-For added): every request's client and server streams are linked.
#[test]
fn http_full_proxy_fixture_matches_truth() {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/match_http_proxy");
    let (header, rows) = common::read_tsv(&d.join("truth.tsv")).expect("fixture truth.tsv");
    let truth = truth_pairs(&header, &rows, "client", "server");
    assert!(truth.len() > 50);
    let res = run(&d.join("client.pcap"), &d.join("server.pcap"));
    let (prec, rec, tp, judged) = precision_recall(&res, &truth);
    eprintln!(
        "http proxy fixture: precision {prec:.3} recall {rec:.3} ({tp}/{} true, {judged} judged)",
        truth.len()
    );
    assert!(prec >= 0.95 && rec >= 0.95, "precision {prec} recall {rec}");
    // Different connections on each side: no loss or missing SYN may be claimed.
    assert!(res["lost"].as_array().expect("lost").is_empty());
    assert!(res["missing_syn"]
        .as_array()
        .expect("missing_syn")
        .is_empty());
    assert_eq!(res["clock"]["basis"], "requests");
    for m in res["matches"].as_array().expect("matches") {
        assert!(
            m["method"].as_str().unwrap_or("").contains("content"),
            "{m}"
        );
        assert!(m["seq_offset_a_to_b"].is_null());
    }
}

/// The synthetic demo pair of `synth::demo` (PAT, rewritten IP IDs, lost SYNs, server clock
/// 41.828 s ahead, 3 ms one-way): every connection matched once, the clock and delay recovered,
/// the lost SYNs listed.
#[test]
fn synthetic_demo_pair_recovers_its_construction() {
    use tracematch::synth::demo::{
        demo_pair, DEMO_CLOCK_OFFSET_NS, DEMO_FIREWALL, DEMO_ONE_WAY_DELAY_NS,
    };
    let dir = std::env::temp_dir().join(format!("tracematch-match-demo-{}", std::process::id()));
    let summary = demo_pair(&dir).expect("demo pair written");
    let res = run(&dir.join("client.pcap"), &dir.join("server.pcap"));
    let _ = std::fs::remove_dir_all(&dir);
    let matches = res["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), summary.connections);
    let a: BTreeSet<(String, u64)> = matches
        .iter()
        .map(|m| {
            (
                m["proto"].as_str().unwrap().to_string(),
                m["a_stream"].as_u64().unwrap(),
            )
        })
        .collect();
    let b: BTreeSet<(String, u64)> = matches
        .iter()
        .map(|m| {
            (
                m["proto"].as_str().unwrap().to_string(),
                m["b_stream"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        (a.len(), b.len()),
        (matches.len(), matches.len()),
        "one-to-one"
    );
    for m in matches {
        let t = m["translation"].as_str().expect("PAT translation");
        assert!(t.contains(&format!("->{DEMO_FIREWALL}:")), "{t}");
    }
    let offset = res["clock"]["offset_s"].as_f64().expect("offset");
    assert!(
        (offset - DEMO_CLOCK_OFFSET_NS as f64 / 1e9).abs() < 0.001,
        "offset {offset}"
    );
    let delay = res["clock"]["delay_s"].as_f64().expect("delay");
    assert!(
        (delay - DEMO_ONE_WAY_DELAY_NS as f64 / 1e9).abs() < 0.0001,
        "delay {delay}"
    );
    let missing = res["missing_syn"].as_array().expect("missing_syn");
    let lost_syns: u64 = missing
        .iter()
        .map(|m| m["syns_a"].as_u64().unwrap() - m["syns_b"].as_u64().unwrap())
        .sum();
    assert_eq!(lost_syns, summary.dropped_syns as u64);
}

/// Four points of `snat_pat` at once: three consecutive pairs plus first-to-last, and the flow
/// table follows every logical packet of the client's streams through all four captures
/// (nothing is lost in this scenario), with small clock-corrected deltas between points.
#[test]
fn four_points_flow_table() {
    let Some(root) = twopoint_dir() else { return };
    let d = root.join("snat_pat");
    let points = ["client", "fw_outside", "fw_inside", "server"];
    let paths: Vec<String> = points
        .iter()
        .map(|p| d.join(format!("{p}.pcap")).display().to_string())
        .collect();
    let labels: Vec<String> = points.iter().map(|p| p.to_string()).collect();
    let report = match_files(&paths, &labels, &MatchOptions::default()).expect("match runs");
    let j = report.to_json();
    let pairs: Vec<(u64, u64)> = j["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| (p["a"].as_u64().unwrap(), p["b"].as_u64().unwrap()))
        .collect();
    assert_eq!(pairs, vec![(0, 1), (1, 2), (2, 3), (0, 3)]);
    assert_eq!(j["captures"][2]["label"], "fw_inside");
    let (header, rows) = common::read_tsv(&d.join("truth.tsv")).expect("truth");
    for (k, p) in j["pairs"].as_array().unwrap().iter().enumerate() {
        let (ia, ib) = pairs[k];
        let truth = truth_pairs(&header, &rows, points[ia as usize], points[ib as usize]);
        let (prec, rec, _, _) = precision_recall(p, &truth);
        assert_eq!((prec, rec), (1.0, 1.0), "pair {ia}-{ib}");
    }
    assert!(report.flow.len() > 300, "{} rows", report.flow.len());
    for r in &report.flow {
        assert!(
            r.points.iter().all(Option::is_some),
            "{} not seen everywhere: {:?}",
            r.event,
            r.points
        );
        for d in r.deltas_s.iter().flatten() {
            assert!(d.abs() < 0.01, "{} delta {d}", r.event);
        }
    }
    let tsv = report.to_tsv(tracematch::matching::View::Flow);
    assert!(tsv
        .starts_with("event\tproto\tclient.frame\tclient.time\tclient.stream\tclient.client_port"));
    assert_eq!(tsv.lines().count(), report.flow.len() + 1);
}

/// Chunked feeding (the page's worker) gives the same match input as reading the file, whatever
/// the chunk size.
#[test]
fn feeder_chunks_give_the_same_input() {
    use tracematch::matching::driver::{build_input, MatchInputFeeder};
    use tracematch::matching::PipelineVisitor;
    let Some(root) = twopoint_dir() else { return };
    let path = root.join("snat_pat/fw_inside.pcap");
    let whole = build_input(&mut PipelineVisitor, &path).expect("read");
    let bytes = std::fs::read(&path).expect("read bytes");
    for size in [1usize, 997, 65_536] {
        let mut f = MatchInputFeeder::new();
        for chunk in bytes.chunks(size) {
            f.push(chunk);
        }
        let fed = f.finish();
        assert_eq!(fed.packets, whole.packets, "chunk size {size}");
        assert_eq!(fed.streams, whole.streams, "chunk size {size}");
        assert_eq!(fed.first_ts_ns, whole.first_ts_ns);
    }
    assert!(whole.packets.len() > 1000);
}

/// Export of a matched pair as one pcapng: every packet of both captures, B's clock moved onto
/// A's (clock_drift: −3.217 s and −80 ppm), in time order, each with a comment naming its peer.
/// Read back with our reader, and with tshark when it is installed.
#[test]
fn export_matched_pair_as_one_pcapng() {
    use tracematch::matching::export_pair::export_matched_pair;
    let Some(root) = twopoint_dir() else { return };
    let d = root.join("clock_drift");
    let out = std::env::temp_dir().join(format!("tracematch-export-{}.pcapng", std::process::id()));
    let file = std::io::BufWriter::new(std::fs::File::create(&out).expect("create"));
    let s = export_matched_pair(
        &d.join("client.pcap"),
        &d.join("server.pcap"),
        ["client", "server"],
        file,
    )
    .expect("export");
    assert_eq!((s.packets_a, s.packets_b), (2117, 2117));
    assert!(s.paired >= 2 * 2100, "{s:?}");
    // Our reader: all frames, non-decreasing time.
    let mut times = Vec::new();
    let mut f = std::fs::File::open(&out).expect("open export");
    tracematch::matching::driver::visit_reader(&mut f, &mut |meta, _, _, _, _| {
        times.push(meta.ts_ns)
    })
    .expect("read back");
    assert_eq!(times.len(), 4234);
    assert!(
        times.windows(2).filter(|w| w[1] < w[0]).count() < 20,
        "merged in time order"
    );
    if std::process::Command::new("tshark")
        .arg("-v")
        .output()
        .is_ok()
    {
        let o = std::process::Command::new("tshark")
            .arg("-r")
            .arg(&out)
            .args([
                "-T",
                "fields",
                "-e",
                "frame.interface_id",
                "-e",
                "frame.time_epoch",
                "-e",
                "frame.comment",
            ])
            .output()
            .expect("tshark runs");
        let text = String::from_utf8_lossy(&o.stdout);
        let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
        assert_eq!(rows.len(), 4234, "tshark reads every packet");
        assert!(rows.iter().any(|r| r[0] == "1"), "two interfaces");
        assert!(
            rows.iter()
                .all(|r| r.get(2).is_some_and(|c| c.contains("frame "))),
            "comments"
        );
        // A paired packet and its peer are now within a millisecond of each other.
        let mut at: std::collections::HashMap<(String, String), f64> = Default::default();
        for r in &rows {
            let label = if r[0] == "0" { "client" } else { "server" };
            let frame = r[2]
                .split(';')
                .next()
                .unwrap_or("")
                .trim_start_matches(&format!("{label} frame "))
                .to_string();
            at.insert((label.to_string(), frame), r[1].parse().unwrap_or(0.0));
        }
        let mut diffs = Vec::new();
        for r in rows
            .iter()
            .filter(|r| r[0] == "0" && r[2].contains("peer: server frame "))
        {
            let mine = r[2]
                .split(';')
                .next()
                .unwrap()
                .trim_start_matches("client frame ")
                .to_string();
            let peer = r[2]
                .rsplit("peer: server frame ")
                .next()
                .unwrap()
                .to_string();
            let (ta, tb) = (
                at[&("client".to_string(), mine)],
                at[&("server".to_string(), peer)],
            );
            diffs.push((ta - tb).abs());
        }
        // On one clock, a packet and its peer are apart by the path delay (µs) plus queueing.
        diffs.sort_by(f64::total_cmp);
        assert!(diffs.len() > 2000);
        assert!(
            diffs[diffs.len() / 2] < 1e-4,
            "median {}",
            diffs[diffs.len() / 2]
        );
        assert!(
            diffs[diffs.len() - 1] < 0.01,
            "max {}",
            diffs[diffs.len() - 1]
        );
    } else {
        eprintln!("SKIPPED tshark read-back: tshark not installed");
    }
    let _ = std::fs::remove_file(&out);
}
