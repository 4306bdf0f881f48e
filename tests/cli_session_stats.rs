//! The `session`, `stats`, `expert` and `fields` (TCP analysis) subcommands, run as the built
//! binary: against the tshark oracles of the public corpus (skipped when `../shared/captures` is
//! absent) and against the project's own demo capture (`tracematch synth demo`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
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

/// Parses `stats --csv` output: start (whole seconds) → [frames, bytes, rst, syn].
fn parse_stats_csv(text: &str) -> BTreeMap<u64, [u64; 4]> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    assert_eq!(
        header,
        "start,end,frames,bytes,syn,synack,rst,fin,retrans,arp,icmp,dns"
            .split(',')
            .collect::<Vec<_>>()
    );
    lines
        .map(|l| {
            let v: Vec<&str> = l.split(',').collect();
            let n = |i: usize| v[i].parse::<u64>().expect("number");
            let start: f64 = v[0].parse().expect("start");
            (start as u64, [n(2), n(3), n(6), n(4)])
        })
        .collect()
}

#[test]
fn stats_csv_rows_equal_tshark_io_stat() {
    let Some(cap) = common::captures_dir("stats_csv_rows_equal_tshark_io_stat") else {
        return;
    };
    let (mut tables, mut rows) = (0, 0);
    let mut failures = Vec::new();
    for table in common::io_oracle::io_tables(&cap) {
        let table = match table {
            Ok(t) => t,
            Err(e) => {
                failures.push(e);
                continue;
            }
        };
        let (interval, want) = (table.interval, &table.rows);
        let (_, out) = tm(&[
            "stats",
            table.capture_path.to_str().expect("path"),
            "--interval",
            &format!("{interval}s"),
            "--csv",
        ]);
        let got = parse_stats_csv(&out);
        tables += 1;
        // Every tshark row (empty ones included) equals ours; we print no row tshark lacks.
        for (start, w) in want {
            rows += 1;
            let g = got.get(start).copied().unwrap_or_default();
            if g != *w {
                failures.push(format!(
                    "{} {} @{start}: tshark {w:?} ours {g:?} (frames, bytes, rst, syn)",
                    table.capture, table.name
                ));
            }
        }
        // tshark 4.0 prints no row at all for a capture of zero duration (interval 0.000).
        if want.is_empty() && table.text.contains("Duration: 0.000 secs") {
            continue;
        }
        let extra: Vec<&u64> = got.keys().filter(|k| !want.contains_key(k)).collect();
        if !extra.is_empty() {
            failures.push(format!(
                "{} {}: rows tshark lacks: {extra:?}",
                table.capture, table.name
            ));
        }
    }
    eprintln!("stats --csv: {tables} tables, {rows} tshark rows compared");
    assert!(tables > 80, "too few io tables found: {tables}");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn fields_tcp_analysis_flags_equal_tshark_two_pass() {
    let Some(cap) = common::captures_dir("fields_tcp_analysis_flags_equal_tshark_two_pass") else {
        return;
    };
    let public = cap.join("public");
    let mut failures = Vec::new();
    let mut flagged = 0usize;
    for row in common::manifest(&cap) {
        let oracle = public
            .join("oracle")
            .join(&row.file)
            .join("tcp_analysis.tsv");
        let Some((header, want_rows)) = common::read_tsv(&oracle) else {
            continue;
        };
        let flags: Vec<&String> = header.iter().skip(2).collect();
        let want: BTreeSet<(u64, String)> = want_rows
            .iter()
            .flat_map(|r| {
                let frame: u64 = r[0].parse().unwrap_or(0);
                header
                    .iter()
                    .zip(r)
                    .skip(2)
                    .filter(|(_, v)| !v.is_empty())
                    .map(move |(h, _)| (frame, h.clone()))
            })
            .collect();
        let file = public.join(&row.file);
        let mut args = vec!["fields", file.to_str().expect("path"), "-e", "frame.number"];
        for f in &flags {
            args.push("-e");
            args.push(f);
        }
        let (_, out) = tm(&args);
        let got: BTreeSet<(u64, String)> = out
            .lines()
            .flat_map(|l| {
                let cells: Vec<&str> = l.split('\t').collect();
                let frame: u64 = cells[0].parse().unwrap_or(0);
                flags
                    .iter()
                    .zip(cells.into_iter().skip(1))
                    .filter(|(_, v)| !v.is_empty())
                    .map(move |(h, _)| (frame, (*h).clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        flagged += want.len();
        if got != want {
            failures.push(format!(
                "{}: missing {:?} extra {:?}",
                row.file,
                want.difference(&got).take(5).collect::<Vec<_>>(),
                got.difference(&want).take(5).collect::<Vec<_>>()
            ));
        }
    }
    eprintln!("tcp.analysis flags: {flagged} (frame, flag) pairs in tshark's oracle");
    assert!(flagged > 1000);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// One stream row of the oracle's tcp_streams.tsv, by column name.
fn column<'a>(header: &[String], row: &'a [String], name: &str) -> &'a str {
    let i = header.iter().position(|h| h == name).expect(name);
    &row[i]
}

#[test]
fn session_json_counts_equal_tshark_streams() {
    let Some(cap) = common::captures_dir("session_json_counts_equal_tshark_streams") else {
        return;
    };
    let public = cap.join("public");
    let (mut checked, mut failures) = (0, Vec::new());
    for row in common::manifest(&cap) {
        let oracle = public
            .join("oracle")
            .join(&row.file)
            .join("tcp_streams.tsv");
        let Some((header, streams)) = common::read_tsv(&oracle) else {
            continue;
        };
        let file = public.join(&row.file);
        // The first two streams of every capture (each run reads the whole file).
        for s in streams.iter().take(2) {
            let stream = column(&header, s, "stream");
            let (_, out) = tm(&["session", file.to_str().expect("path"), stream, "--json"]);
            let Ok(j) = serde_json::from_str::<serde_json::Value>(&out) else {
                failures.push(format!("{} {stream}: no JSON", row.file));
                continue;
            };
            checked += 1;
            let num = |v: &serde_json::Value| v.as_u64().unwrap_or(u64::MAX);
            let c2s = &j["client_to_server"];
            let s2c = &j["server_to_client"];
            let total = num(&c2s["packets"]) + num(&s2c["packets"]);
            let want_total: u64 = column(&header, s, "frames_total").parse().unwrap_or(0);
            // A is the stream's first packet's source: the client, unless a SYN says otherwise.
            let a_is_client = j["client"]["addr"].as_str() == Some(column(&header, s, "addr_a"))
                && j["client"]["port"].as_u64() == column(&header, s, "port_a").parse::<u64>().ok();
            let (ab, ba) = if a_is_client { (c2s, s2c) } else { (s2c, c2s) };
            let got = (
                total,
                num(&ab["packets"]),
                num(&ba["packets"]),
                num(&ab["payload_bytes"]),
                num(&ba["payload_bytes"]),
                j["first_packet_time_ns"].as_i64(),
            );
            let epoch_ns = |t: &str| {
                let (s, f) = t.split_once('.').unwrap_or((t, "0"));
                let f = format!("{f:0<9}");
                s.parse::<i64>()
                    .ok()?
                    .checked_mul(1_000_000_000)?
                    .checked_add(f[..9].parse().ok()?)
            };
            let want = (
                want_total,
                column(&header, s, "frames_a_to_b").parse().unwrap_or(0),
                column(&header, s, "frames_b_to_a").parse().unwrap_or(0),
                column(&header, s, "payload_a_to_b").parse().unwrap_or(0),
                column(&header, s, "payload_b_to_a").parse().unwrap_or(0),
                epoch_ns(column(&header, s, "first_epoch")),
            );
            if got != want {
                failures.push(format!(
                    "{} stream {stream}: tshark {want:?} ours {got:?} (frames, a→b, b→a, payload a→b, b→a, first ns)",
                    row.file
                ));
            }
        }
    }
    eprintln!("session --json: {checked} streams checked");
    assert!(checked > 50, "too few streams: {checked}");
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The demo pair written by `tracematch synth demo` into a fresh folder.
fn demo_capture() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tm-cli-session-{}", std::process::id()));
    let (status, _) = tm(&["synth", "demo", dir.to_str().expect("path")]);
    assert_eq!(status, 0);
    dir.join("client.pcap")
}

#[test]
fn demo_capture_session_stats_and_expert_agree_with_other_commands() {
    let pcap = demo_capture();
    let p = pcap.to_str().expect("path");
    // The conversation table is an independent count of the same stream.
    let (_, conv) = tm(&["conv", p, "tcp", "--json"]);
    let conv: serde_json::Value = serde_json::from_str(&conv).expect("conv json");
    let c0 = &conv[0];
    let (status, session) = tm(&["session", p, "0", "--json"]);
    assert_eq!(status, 0);
    let s: serde_json::Value = serde_json::from_str(&session).expect("session json");
    assert_eq!(s["stream"], 0);
    assert_eq!(s["roles_from"], "syn");
    assert_eq!(s["client"]["addr"], c0["addr_a"]);
    assert_eq!(s["client"]["port"], c0["port_a"]);
    assert_eq!(s["client_to_server"]["packets"], c0["frames_a_to_b"]);
    assert_eq!(s["server_to_client"]["packets"], c0["frames_b_to_a"]);
    assert_eq!(s["state"], "CLOSED");
    // Lots alternate direction and hold every payload byte of the stream.
    let lots = s["lots"].as_array().expect("lots");
    assert!(lots.len() >= 2);
    let lot_bytes: u64 = lots
        .iter()
        .map(|l| l["payload_bytes"].as_u64().unwrap_or(0))
        .sum();
    let payload = s["client_to_server"]["payload_bytes"].as_u64().unwrap_or(0)
        + s["server_to_client"]["payload_bytes"].as_u64().unwrap_or(0);
    assert_eq!(lot_bytes, payload);
    for w in lots.windows(2) {
        assert_ne!(w[0]["direction"], w[1]["direction"]);
    }
    // Epoch times are written with nine decimals, digit for digit the exact nanoseconds (a float
    // would print 1700000000.2499998 for .25): the JSON text itself is checked.
    let (_, epochs) = tm(&[
        "fields",
        p,
        "-e",
        "frame.time_epoch",
        "-Y",
        "tcp.stream == 0",
    ]);
    let first_epoch = epochs.lines().next().expect("stream 0 has frames");
    assert!(
        session.contains(&format!("\"first_packet_time\":{first_epoch},")),
        "first_packet_time is not written as {first_epoch}: {session}"
    );
    let ns = s["first_packet_time_ns"].as_i64().expect("ns");
    assert_eq!(
        first_epoch,
        format!("{}.{:09}", ns / 1_000_000_000, ns % 1_000_000_000)
    );
    let lot_ns = lots[0]["first_time_ns"].as_i64().expect("lot ns");
    let lot_text = format!(
        "\"first_time\":{}.{:09},",
        lot_ns / 1_000_000_000,
        lot_ns % 1_000_000_000
    );
    assert!(
        session.contains(&lot_text),
        "lot 1's first_time is not written as {lot_text}: {session}"
    );

    // stats: the frames of all intervals are the frames `fields` lists; SYNs equal SYN flags.
    let (_, stats) = tm(&["stats", p, "--csv"]);
    let (_, frames) = tm(&["fields", p, "-e", "frame.number", "-e", "tcp.flags"]);
    let rows: Vec<Vec<u64>> = stats
        .lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .skip(2)
                .map(|v| v.parse().expect("number"))
                .collect()
        })
        .collect();
    let sum = |i: usize| rows.iter().map(|r| r[i]).sum::<u64>();
    let flags: Vec<u16> = frames
        .lines()
        .filter_map(|l| l.split('\t').nth(1))
        .filter_map(|f| u16::from_str_radix(f.trim_start_matches("0x"), 16).ok())
        .collect();
    assert_eq!(sum(0), frames.lines().count() as u64);
    assert_eq!(
        sum(2),
        flags.iter().filter(|f| *f & 0x02 != 0).count() as u64
    );
    assert_eq!(
        sum(3),
        flags.iter().filter(|f| *f & 0x12 == 0x12).count() as u64
    );
    assert_eq!(
        sum(5),
        flags.iter().filter(|f| *f & 0x01 != 0).count() as u64
    );

    // expert: the frames of each finding are the frames `fields` flags with it (tshark's
    // `tcp.analysis.retransmission` also marks spurious retransmissions, a finding of their own).
    let (_, expert) = tm(&["expert", p, "--json"]);
    let expert: serde_json::Value = serde_json::from_str(&expert).expect("expert json");
    let findings = expert.as_array().expect("rows");
    assert!(
        !findings.is_empty(),
        "the demo drops and retransmits segments"
    );
    let listed = |kind: &str| -> BTreeSet<u64> {
        findings
            .iter()
            .filter(|f| f["kind"] == kind)
            .flat_map(|f| f["frames"].as_array().cloned().unwrap_or_default())
            .filter_map(|v| v.as_u64())
            .collect()
    };
    for f in findings {
        let kind = f["kind"].as_str().expect("kind");
        let field = format!("tcp.analysis.{kind}");
        let (_, out) = tm(&["fields", p, "-e", "frame.number", "-e", &field]);
        let flagged: BTreeSet<u64> = out
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .filter(|(_, v)| !v.is_empty())
            .filter_map(|(n, _)| n.parse().ok())
            .collect();
        let mut expected = listed(kind);
        if kind == "retransmission" {
            expected.extend(listed("spurious_retransmission"));
        }
        assert_eq!(expected, flagged, "{kind}");
        assert_eq!(
            f["count"].as_u64(),
            Some(listed(kind).len() as u64),
            "{kind}"
        );
    }
    let _ = std::fs::remove_dir_all(pcap.parent().unwrap_or(Path::new("/nonexistent")));
}

#[test]
fn bad_arguments_are_usage_errors() {
    assert_eq!(tm(&["session", "x.pcap"]).0, 1);
    assert_eq!(tm(&["session", "x.pcap", "notanumber"]).0, 1);
    assert_eq!(tm(&["stats", "x.pcap", "--interval", "5x"]).0, 1);
    assert_eq!(tm(&["stats", "x.pcap", "--filter", "frobnicate==1"]).0, 1);
    let pcap = std::env::temp_dir().join(format!("tm-cli-missing-{}.pcap", std::process::id()));
    assert_eq!(tm(&["expert", pcap.to_str().expect("path")]).0, 2);
}

/// Per-interval (frames, bytes) of `fields FILE -Y FILTER`: the frames the filter engine shows,
/// bucketed by their time since the first frame (whole seconds). As in tshark's io,stat, a frame
/// whose time goes backwards counts in the latest interval reached so far.
fn bucket_fields(path: &str, filter: &str) -> BTreeMap<u64, (u64, u64)> {
    let (_, text) = tm(&[
        "fields",
        path,
        "-Y",
        filter,
        "-e",
        "frame.time_relative",
        "-e",
        "frame.len",
    ]);
    let mut out: BTreeMap<u64, (u64, u64)> = BTreeMap::new();
    let mut reached = 0u64;
    for line in text.lines() {
        let mut cells = line.split('\t');
        let t: f64 = cells.next().and_then(|c| c.parse().ok()).expect("time");
        let len: u64 = cells.next().and_then(|c| c.parse().ok()).expect("len");
        reached = reached.max(t.max(0.0).floor() as u64);
        let e = out.entry(reached).or_default();
        e.0 += 1;
        e.1 += len;
    }
    out
}

#[test]
fn stats_with_a_display_filter_counts_exactly_the_frames_the_filter_shows() {
    let Some(cap) = common::captures_dir(
        "stats_with_a_display_filter_counts_exactly_the_frames_the_filter_shows",
    ) else {
        return;
    };
    let filters = [
        "tcp.analysis.retransmission",
        "tcp.flags.syn == 1 and not tcp.flags.ack == 1",
        "udp and frame.len > 100",
        "ip.addr == 10.0.0.0/8 or ipv6",
    ];
    let mut checked = 0;
    for name in [
        "arkime__wireshark-retrans.pcap",
        "arkime__arkime_synthetic.pcap",
        "pcapplusplus__dns_over_tcp.pcapng",
    ] {
        let path = cap.join("public").join(name);
        let p = path.to_str().expect("path");
        for filter in filters {
            let want = bucket_fields(p, filter);
            let (status, csv) = tm(&["stats", p, "-Y", filter, "--csv", "--busy"]);
            assert_eq!(status, 0, "{name} {filter}");
            let got: BTreeMap<u64, (u64, u64)> = csv
                .lines()
                .skip(1)
                .map(|l| {
                    let v: Vec<u64> = l.split(',').map(|c| c.parse().expect("number")).collect();
                    (v[0], (v[2], v[3]))
                })
                .filter(|(_, (frames, _))| *frames > 0)
                .collect();
            assert_eq!(got, want, "{name} -Y {filter}");
            // --filter takes the same display filter when it is not one of the short forms.
            let (_, via_filter) = tm(&["stats", p, "--filter", filter, "--csv", "--busy"]);
            assert_eq!(via_filter, csv, "{name} --filter {filter}");
            checked += want.len();
        }
    }
    assert!(checked > 10, "only {checked} busy intervals compared");
    // A filter that does not compile is a usage error with tshark's message.
    let (status, _) = tm(&["stats", "/dev/null", "-Y", "tcp.port =="]);
    assert_eq!(status, 1);
}

#[test]
fn top_talkers_per_interval_are_the_biggest_ip_sources() {
    let Some(cap) = common::captures_dir("top_talkers_per_interval_are_the_biggest_ip_sources")
    else {
        return;
    };
    let path = cap.join("public").join("arkime__arkime_synthetic.pcap");
    let p = path.to_str().expect("path");
    // Independent count: bytes per (second, ip.src) from `fields`. Frames with both an IPv4 and an
    // IPv6 layer (tunnels) are left out on both sides: `fields` cannot say which one is outermost.
    let only_one_ip = "not (ip and ipv6)";
    let (_, text) = tm(&[
        "fields",
        p,
        "-Y",
        only_one_ip,
        "-e",
        "frame.time_relative",
        "-e",
        "ip.src",
        "-e",
        "ipv6.src",
        "-e",
        "frame.len",
    ]);
    let mut per: BTreeMap<u64, BTreeMap<String, (u64, u64)>> = BTreeMap::new();
    let mut reached = 0u64; // intervals never go back (io,stat's rule for backwards times)
    for line in text.lines() {
        let c: Vec<&str> = line.split('\t').collect();
        let t: f64 = c[0].parse().expect("time");
        reached = reached.max(t.max(0.0).floor() as u64);
        let src = if !c[1].is_empty() { c[1] } else { c[2] };
        // The outermost source (tunnels print several, outermost first).
        let Some(src) = src.split(',').next().filter(|s| !s.is_empty()) else {
            continue;
        };
        let e = per
            .entry(reached)
            .or_default()
            .entry(src.to_string())
            .or_default();
        e.0 += 1;
        e.1 += c[3].parse::<u64>().expect("len");
    }
    let (status, csv) = tm(&["stats", p, "-Y", only_one_ip, "--top", "2"]);
    assert_eq!(status, 0);
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("start,rank,address,frames,bytes"));
    let mut rows = 0;
    for line in lines {
        let c: Vec<&str> = line.split(',').collect();
        let second: f64 = c[0].parse().expect("start");
        let interval = &per[&(second as u64)];
        let mut ranked: Vec<(&String, &(u64, u64))> = interval.iter().collect();
        // Most bytes first; ties in address order (numeric, not text).
        let ip = |s: &str| s.parse::<std::net::IpAddr>().expect("address");
        ranked.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(ip(a.0).cmp(&ip(b.0))));
        let rank: usize = c[1].parse().expect("rank");
        let (addr, (frames, bytes)) = ranked[rank - 1];
        assert_eq!(c[2], addr.as_str(), "{line}");
        assert_eq!(c[3].parse::<u64>().expect("frames"), *frames, "{line}");
        assert_eq!(c[4].parse::<u64>().expect("bytes"), *bytes, "{line}");
        rows += 1;
    }
    assert!(rows >= 2, "{csv}");
}
