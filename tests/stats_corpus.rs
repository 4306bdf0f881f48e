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

/// Parses tshark's io,stat table: interval length (s) and rows (start s → [frames, bytes, rst, syn]).
fn parse_io(text: &str) -> Option<(u64, BTreeMap<u64, [u64; 4]>)> {
    // tshark shrinks the interval to the capture's duration when that is shorter (e.g. "0.005
    // secs"); the single row then covers the whole capture, as our first 1 s interval does.
    let interval: f64 = text
        .lines()
        .find_map(|l| {
            l.trim_matches(|c| c == '|' || c == ' ')
                .strip_prefix("Interval:")
        })?
        .trim()
        .trim_end_matches("secs")
        .trim()
        .parse()
        .ok()?;
    let interval = (interval.ceil() as u64).max(1);
    let mut rows = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let Some(range) = cells.get(1) else { continue };
        let Some((start, _)) = range.split_once("<>") else {
            continue;
        };
        let Ok(start) = start.trim().parse::<f64>() else {
            continue;
        };
        let start = start as u64;
        let nums: Vec<u64> = cells[2..]
            .iter()
            .filter(|c| !c.is_empty())
            .filter_map(|c| c.parse().ok())
            .collect();
        if nums.len() >= 4 {
            rows.insert(start, [nums[0], nums[1], nums[2], nums[3]]);
        }
    }
    Some((interval, rows))
}

#[test]
fn io_intervals_equal_tshark_io_stat_on_every_public_capture() {
    let Some(cap) =
        common::captures_dir("io_intervals_equal_tshark_io_stat_on_every_public_capture")
    else {
        return;
    };
    let public = cap.join("public");
    let (mut checked, mut exact, mut rows_total) = (0, 0, 0);
    let mut failures = Vec::new();
    for row in common::manifest(&cap) {
        let dir = public.join("oracle").join(&row.file);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut tables: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with("io_") && n.ends_with("s.txt"))
            .collect();
        tables.sort();
        for table in tables {
            let text = std::fs::read_to_string(dir.join(&table)).unwrap_or_default();
            if text.starts_with("SKIPPED") {
                continue;
            }
            let Some((interval, want)) = parse_io(&text) else {
                failures.push(format!("{}: cannot parse {table}", row.file));
                continue;
            };
            checked += 1;
            let mut io = IoStats::new(interval as i64 * 1_000_000_000).expect("interval");
            let mut analyzer = TcpAnalyzer::new();
            let mut tcp: Vec<LayerAnalysis> = Vec::new();
            feed(&public.join(&row.file), &mut |c| {
                analyzer.analyze_frame(c, &mut tcp);
                io.observe(c, &tcp);
            });
            let mut diffs = 0;
            for (&start, w) in &want {
                let c = io.counters(start / interval);
                let got = [c.frames, c.bytes, c.rst, c.syn];
                rows_total += 1;
                if got != *w {
                    diffs += 1;
                    if failures.len() < 40 {
                        failures.push(format!(
                            "{} {table} interval {start}: tshark {w:?} ours {got:?} (frames, bytes, rst, syn)",
                            row.file
                        ));
                    }
                }
            }
            // Nothing may be counted beyond tshark's last row.
            let last = want.keys().next_back().copied().unwrap_or(0) / interval;
            if io.interval_count() > last + 1 {
                diffs += 1;
                failures.push(format!(
                    "{} {table}: we have intervals past tshark's",
                    row.file
                ));
            }
            if diffs == 0 {
                exact += 1;
            }
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
