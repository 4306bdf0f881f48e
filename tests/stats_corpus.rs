//! Differential tests of `stats`: interval counters against tshark's `io_1s.txt` / `io_Ns.txt`
//! (frames, bytes, RST and SYN counts per interval) and ESP per-SPI figures against `esp.tsv`.

mod common;

use std::collections::BTreeMap;

use tracematch::pipeline::{FrameContext, Pipeline};
use tracematch::session::{LayerAnalysis, TcpAnalyzer};
use tracematch::stats::{EspStats, IoStats};

fn feed(path: &std::path::Path, visit: &mut dyn FnMut(&FrameContext)) {
    let data = std::fs::read(path).expect("read capture");
    let mut pipeline = Pipeline::new();
    let mut v = |c: &FrameContext| visit(c);
    for chunk in data.chunks(1 << 20) {
        pipeline.push(chunk, &mut v);
    }
    pipeline.finish(&mut v);
}

#[test]
fn io_intervals_equal_tshark_io_stat_on_every_public_capture() {
    let Some(cap) =
        common::captures_dir("io_intervals_equal_tshark_io_stat_on_every_public_capture")
    else {
        return;
    };
    let (mut checked, mut exact, mut rows_total) = (0, 0, 0);
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
        checked += 1;
        let mut io = IoStats::new(interval as i64 * 1_000_000_000).expect("interval");
        let mut analyzer = TcpAnalyzer::new();
        let mut tcp: Vec<LayerAnalysis> = Vec::new();
        feed(&table.capture_path, &mut |c| {
            analyzer.analyze_frame(c, &mut tcp);
            io.observe(c, &tcp);
        });
        let mut diffs = 0;
        for (&start, w) in want {
            let c = io.counters(start / interval);
            let got = [c.frames, c.bytes, c.rst, c.syn];
            rows_total += 1;
            if got != *w {
                diffs += 1;
                if failures.len() < 40 {
                    failures.push(format!(
                        "{} {} interval {start}: tshark {w:?} ours {got:?} (frames, bytes, rst, syn)",
                        table.capture, table.name
                    ));
                }
            }
        }
        // Nothing may be counted beyond tshark's last row.
        let last = want.keys().next_back().copied().unwrap_or(0) / interval;
        if io.interval_count() > last + 1 {
            diffs += 1;
            failures.push(format!(
                "{} {}: we have intervals past tshark's",
                table.capture, table.name
            ));
        }
        if diffs == 0 {
            exact += 1;
        }
    }
    eprintln!("io stat: {exact}/{checked} tables exact, {rows_total} rows compared");
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(checked > 0, "no io oracle found");
    assert!(failures.is_empty(), "{} tables differ", checked - exact);
}

/// Expected ESP figures per (spi, src, dst), computed from the oracle's per-frame rows with an
/// unbounded set (the library uses a bounded window).
#[derive(Debug, Default, PartialEq)]
struct EspExpect {
    packets: u64,
    duplicates: u64,
    late: u64,
    min: u32,
    max: u32,
    lost: u64,
}

#[test]
fn esp_streams_equal_tshark_esp_rows() {
    let Some(cap) = common::captures_dir("esp_streams_equal_tshark_esp_rows") else {
        return;
    };
    let public = cap.join("public");
    let mut checked = 0;
    for row in common::manifest(&cap) {
        let path = public.join("oracle").join(&row.file).join("esp.tsv");
        let Some((header, rows)) = common::read_tsv(&path) else {
            continue;
        };
        checked += 1;
        let col = |n: &str| header.iter().position(|h| h == n).expect(n);
        let (spi_c, seq_c) = (col("esp.spi"), col("esp.sequence"));
        let (s4, d4, s6, d6) = (
            col("ip.src"),
            col("ip.dst"),
            col("ipv6.src"),
            col("ipv6.dst"),
        );
        let mut expect: BTreeMap<
            (String, String, String),
            (EspExpect, std::collections::BTreeSet<u32>),
        > = BTreeMap::new();
        for r in &rows {
            // Innermost address of the frame (the last one tshark lists).
            let last = |c: usize| r[c].rsplit(',').next().unwrap_or("").to_string();
            let (src, dst) = if !r[s6].is_empty() && r[s4].is_empty() {
                (last(s6), last(d6))
            } else {
                (last(s4), last(d4))
            };
            for (spi, seq) in r[spi_c].split(',').zip(r[seq_c].split(',')) {
                let Ok(seq) = seq.parse::<u32>() else {
                    continue;
                };
                let (e, seen) = expect
                    .entry((spi.to_string(), src.clone(), dst.clone()))
                    .or_insert_with(|| {
                        (
                            EspExpect {
                                min: seq,
                                max: seq,
                                ..Default::default()
                            },
                            Default::default(),
                        )
                    });
                e.packets += 1;
                if seen.contains(&seq) {
                    e.duplicates += 1;
                } else {
                    if e.packets > 1 && seq < e.max {
                        e.late += 1;
                    }
                    seen.insert(seq);
                }
                e.min = e.min.min(seq);
                e.max = e.max.max(seq);
            }
        }
        let mut esp = EspStats::new();
        feed(&public.join(&row.file), &mut |c| esp.observe(c));
        let mut got: BTreeMap<(String, String, String), EspExpect> = BTreeMap::new();
        for s in esp.summaries() {
            got.insert(
                (s.spi.clone(), s.src.clone(), s.dst.clone()),
                EspExpect {
                    packets: s.packets,
                    duplicates: s.duplicates,
                    late: s.late,
                    min: s.min_seq,
                    max: s.max_seq,
                    lost: s.lost,
                },
            );
        }
        let want: BTreeMap<_, _> = expect
            .into_iter()
            .map(|(k, (mut e, seen))| {
                e.lost = u64::from(e.max - e.min) + 1 - seen.len() as u64;
                (k, e)
            })
            .collect();
        assert_eq!(got, want, "{}", row.file);
        eprintln!("{}: {} ESP streams equal", row.file, want.len());
    }
    assert!(checked > 0, "no esp oracle found");
}

/// IP endpoints against tshark `-z endpoints,ip` / `-z endpoints,ipv6` for the captures in
/// `tests/expected/endpoints` (generated with TShark 4.0.17; columns family, address, packets,
/// bytes, tx packets/bytes, rx packets/bytes).
#[test]
fn endpoints_equal_tshark_endpoint_tables() {
    let Some(cap) = common::captures_dir("endpoints_equal_tshark_endpoint_tables") else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/endpoints");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("expected dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tsv"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no expected endpoint tables");
    let mut rows_checked = 0;
    for name in &names {
        let capture = name.trim_end_matches(".tsv");
        let (_, rows) = common::read_tsv(&dir.join(name)).expect("tsv");
        let mut table = tracematch::stats::EndpointTable::new();
        feed(&cap.join("public").join(capture), &mut |c| table.observe(c));
        let mut got: BTreeMap<(String, String), [u64; 6]> = BTreeMap::new();
        for (fam, v6) in [("ip", false), ("ipv6", true)] {
            for r in table.rows(v6) {
                got.insert(
                    (fam.to_string(), r.address.clone()),
                    [
                        r.packets,
                        r.bytes,
                        r.tx_packets,
                        r.tx_bytes,
                        r.rx_packets,
                        r.rx_bytes,
                    ],
                );
            }
        }
        let want: BTreeMap<(String, String), [u64; 6]> = rows
            .iter()
            .map(|r| {
                let n = |i: usize| r[i].parse::<u64>().unwrap_or(u64::MAX);
                (
                    (r[0].clone(), r[1].clone()),
                    [n(2), n(3), n(4), n(5), n(6), n(7)],
                )
            })
            .collect();
        rows_checked += want.len();
        assert_eq!(got, want, "{capture}");
    }
    eprintln!(
        "endpoints: {} captures, {rows_checked} rows equal",
        names.len()
    );
}

/// DNS transactions against tshark `-2` (`dns.response_in`, `dns.response_to`, `dns.time`,
/// `dns.retransmission`, `dns.qry.name`, `dns.qry.type`, `dns.count.answers` per DNS frame) for
/// the captures in `tests/expected/dns` (TShark 4.0.17).
#[test]
fn dns_transactions_equal_tshark() {
    let Some(cap) = common::captures_dir("dns_transactions_equal_tshark") else {
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/dns");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("expected dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tsv"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no expected dns tables");
    let mut diffs = Vec::new();
    let mut frames_checked = 0;
    for name in &names {
        let capture = name.trim_end_matches(".tsv");
        let (header, rows) = common::read_tsv(&dir.join(name)).expect("tsv");
        let col = |n: &str| header.iter().position(|h| h == n).expect(n);
        let mut dns = tracematch::stats::DnsStats::new();
        let mut dns_frames = std::collections::BTreeSet::new();
        let mut analyzer = TcpAnalyzer::new();
        let mut tcp: Vec<LayerAnalysis> = Vec::new();
        feed(&cap.join("public").join(capture), &mut |c| {
            analyzer.analyze_frame(c, &mut tcp);
            dns.observe(c, &tcp);
            if tracematch::stats::FrameFacts::of_analyzed(c.frame, &tcp).dns {
                dns_frames.insert(c.meta.number);
            }
        });
        let want_frames: std::collections::BTreeSet<u32> =
            rows.iter().filter_map(|r| r[0].parse().ok()).collect();
        if want_frames != dns_frames {
            diffs.push(format!(
                "{capture}: DNS frames differ from tshark -Y dns: only tshark {:?}, only ours {:?}",
                want_frames.difference(&dns_frames).collect::<Vec<_>>(),
                dns_frames.difference(&want_frames).collect::<Vec<_>>()
            ));
        }
        for r in &rows {
            let frame: u32 = r[0].parse().expect("frame");
            frames_checked += 1;
            let link = dns.frame_link(frame).unwrap_or_default();
            let fmt_ns = |ns: Option<i64>| {
                ns.map(tracematch::session::format_relative_time)
                    .unwrap_or_default()
            };
            let got = [
                link.response_in.map(|f| f.to_string()).unwrap_or_default(),
                link.response_to.map(|f| f.to_string()).unwrap_or_default(),
                fmt_ns(link.time_ns),
                if link.retransmission {
                    "1".into()
                } else {
                    String::new()
                },
            ];
            let want = [
                r[col("dns.response_in")].clone(),
                r[col("dns.response_to")].clone(),
                r[col("dns.time")].clone(),
                r[col("dns.retransmission")].clone(),
            ];
            if got != want && diffs.len() < 40 {
                diffs.push(format!(
                    "{capture} frame {frame}: tshark {want:?} ours {got:?} (response_in, response_to, time, retransmission)"
                ));
            }
        }
        // Names, types and answer counts of the transactions' queries and responses.
        for t in dns.transactions() {
            let Some(r) = rows.iter().find(|r| r[0] == t.query_frame.to_string()) else {
                continue;
            };
            let want = (
                r[col("dns.qry.name")].clone(),
                r[col("dns.qry.type")].clone(),
            );
            let got = (
                t.name.clone().unwrap_or_default(),
                t.qtype.map(|q| q.to_string()).unwrap_or_default(),
            );
            if got != want && diffs.len() < 40 {
                diffs.push(format!(
                    "{capture} query {}: tshark {want:?} ours {got:?}",
                    t.query_frame
                ));
            }
        }
    }
    eprintln!("dns: {} captures, {frames_checked} DNS frames", names.len());
    for d in &diffs {
        eprintln!("{d}");
    }
    assert!(diffs.is_empty(), "DNS differs from tshark");
}

/// An interval statistic restricted to `tcp.stream==0` / `udp.stream==0` counts exactly the
/// stream's frames and bytes of the oracle's `tcp_streams.tsv` / `udp_streams.tsv`.
#[test]
fn io_stream_filter_counts_the_streams_frames() {
    let Some(cap) = common::captures_dir("io_stream_filter_counts_the_streams_frames") else {
        return;
    };
    let public = cap.join("public");
    let mut checked = 0;
    let mut failures = Vec::new();
    for row in common::manifest(&cap) {
        for (table, tcp) in [("tcp_streams.tsv", true), ("udp_streams.tsv", false)] {
            let path = public.join("oracle").join(&row.file).join(table);
            let Some((header, rows)) = common::read_tsv(&path) else {
                continue;
            };
            let Some(first) = rows.first() else { continue };
            let col = |n: &str| header.iter().position(|h| h == n).expect(n);
            let stream: u32 = first[col("stream")].parse().expect("stream");
            let filter = if tcp {
                tracematch::stats::IoFilter::TcpStream(stream)
            } else {
                tracematch::stats::IoFilter::UdpStream(stream)
            };
            let mut io = IoStats::with_filter(3600 * 1_000_000_000, filter).expect("interval");
            feed(&public.join(&row.file), &mut |c| io.observe(c, &[]));
            let (frames, bytes) = io.busy_rows().fold((0u64, 0u64), |(f, b), r| {
                (f + r.counters.frames, b + r.counters.bytes)
            });
            let want = (
                first[col("frames_total")]
                    .parse::<u64>()
                    .unwrap_or(u64::MAX),
                first[col("bytes_total")].parse::<u64>().unwrap_or(u64::MAX),
            );
            checked += 1;
            if (frames, bytes) != want {
                failures.push(format!(
                    "{} {table} stream {stream}: oracle {want:?} ours {:?}",
                    row.file,
                    (frames, bytes)
                ));
            }
        }
    }
    eprintln!("io stream filter: {checked} streams checked");
    for f in &failures {
        eprintln!("{f}");
    }
    assert!(checked > 0);
    assert!(failures.is_empty(), "{} streams differ", failures.len());
}

/// Per-SPI interval statistics (`IoFilter::EspSpi`) add up to the ESP summaries' packets and bytes.
#[test]
fn esp_spi_intervals_add_up_to_esp_summaries() {
    let Some(cap) = common::captures_dir("esp_spi_intervals_add_up_to_esp_summaries") else {
        return;
    };
    let public = cap.join("public");
    let mut checked = 0;
    for row in common::manifest(&cap) {
        if !public
            .join("oracle")
            .join(&row.file)
            .join("esp.tsv")
            .exists()
        {
            continue;
        }
        let mut esp = EspStats::new();
        feed(&public.join(&row.file), &mut |c| esp.observe(c));
        let mut per_spi: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for s in esp.summaries() {
            let e = per_spi.entry(s.spi.clone()).or_default();
            e.0 += s.packets;
            e.1 += s.bytes;
        }
        for (spi, want) in per_spi {
            let filter =
                tracematch::stats::IoFilter::parse(&format!("esp.spi=={spi}")).expect("spi");
            let mut io = IoStats::with_filter(1_000_000_000, filter).expect("interval");
            feed(&public.join(&row.file), &mut |c| io.observe(c, &[]));
            let got = io.busy_rows().fold((0, 0), |(p, b), r| {
                (p + r.counters.frames, b + r.counters.bytes)
            });
            assert_eq!(got, want, "{} spi {spi}", row.file);
            checked += 1;
        }
    }
    eprintln!("esp per-SPI intervals: {checked} SPIs");
    assert!(checked > 0);
}

/// Top talkers: per interval, the sources' bytes add up to the bytes of frames with an IP layer,
/// and the list is sorted by bytes.
#[test]
fn top_talkers_account_for_every_ip_frame() {
    let Some(cap) = common::captures_dir("top_talkers_account_for_every_ip_frame") else {
        return;
    };
    let public = cap.join("public");
    let mut intervals = 0;
    for row in common::manifest(&cap).into_iter().take(40) {
        let mut talkers = tracematch::stats::TopTalkers::new(1_000_000_000).expect("interval");
        let mut ip_bytes = IoStats::with_filter(
            1_000_000_000,
            tracematch::stats::IoFilter::Protocol(tracematch::stats::IoProtocol::Ipv4),
        )
        .expect("interval");
        let mut ip6_bytes = IoStats::with_filter(
            1_000_000_000,
            tracematch::stats::IoFilter::Protocol(tracematch::stats::IoProtocol::Ipv6),
        )
        .expect("interval");
        let mut both = 0u64;
        feed(&public.join(&row.file), &mut |c| {
            talkers.observe(c);
            ip_bytes.observe(c, &[]);
            ip6_bytes.observe(c, &[]);
            let v4 = c
                .frame
                .layers
                .iter()
                .any(|l| matches!(l, tracematch::decode::Layer::Ipv4(_)));
            let v6 = c
                .frame
                .layers
                .iter()
                .any(|l| matches!(l, tracematch::decode::Layer::Ipv6(_)));
            if v4 && v6 {
                both += u64::from(c.meta.wire_len);
            }
        });
        let total_talkers: u64 = talkers
            .top(usize::MAX)
            .iter()
            .map(|i| {
                assert!(i.top.windows(2).all(|w| w[0].bytes >= w[1].bytes));
                intervals += 1;
                i.top.iter().map(|t| t.bytes).sum::<u64>() + i.other_bytes
            })
            .sum();
        let total_ip: u64 = ip_bytes.busy_rows().map(|r| r.counters.bytes).sum::<u64>()
            + ip6_bytes.busy_rows().map(|r| r.counters.bytes).sum::<u64>()
            - both;
        assert_eq!(total_talkers, total_ip, "{}", row.file);
    }
    assert!(intervals > 0);
}
