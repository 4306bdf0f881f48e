//! Differential test of the ESP per-interval series (`tracematch::stats::EspIntervals`) against
//! the oracles' `esp.tsv` (tshark's `esp.spi`, `esp.sequence`, addresses and times per frame) for
//! every public capture that has one, at 1 s and 10 s intervals.
//!
//! The expected series is rebuilt here from tshark's values with the plain definitions: per (SPI,
//! source, destination) in frame order, a sequence number above the highest seen opens a gap of
//! the numbers skipped (an "early" packet when that is more than zero), one below it that was
//! never seen is "late", one seen before is a duplicate; frame bytes come from `packets.tsv`.
//! Every (stream, interval) must agree in packets, bytes, gap, early, late and duplicates.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use tracematch::pipeline::{FrameContext, Pipeline};
use tracematch::stats::EspIntervals;

fn epoch_ns(text: &str) -> i64 {
    let (s, frac) = text.split_once('.').unwrap_or((text, "0"));
    let frac = format!("{frac:0<9}");
    s.parse::<i64>().expect("seconds") * 1_000_000_000 + frac[..9].parse::<i64>().expect("ns")
}

type Key = (String, String, String, i64);

#[test]
fn esp_interval_series_equal_tshark_sequences() {
    let Some(cap) = common::captures_dir("esp_interval_series_equal_tshark_sequences") else {
        return;
    };
    let public = cap.join("public");
    let mut files = 0;
    let mut rows_compared = 0;
    let mut diffs = Vec::new();
    for row in common::manifest(&cap) {
        let oracle = public.join("oracle").join(&row.file);
        let Some((h, esp)) = common::read_tsv(&oracle.join("esp.tsv")) else {
            continue;
        };
        let (_, packets) = common::read_tsv(&oracle.join("packets.tsv")).expect("packets.tsv");
        let first_ts = epoch_ns(&packets[0][1]);
        let frame_len: BTreeMap<String, u64> = packets
            .iter()
            .map(|p| (p[0].clone(), p[2].parse().expect("frame.len")))
            .collect();
        let col = |n: &str| h.iter().position(|c| c == n).expect("column");
        let (c_frame, c_time, c_spi, c_seq) = (
            col("frame.number"),
            col("frame.time_epoch"),
            col("esp.spi"),
            col("esp.sequence"),
        );
        let (c_src, c_dst, c_src6, c_dst6) = (
            col("ip.src"),
            col("ip.dst"),
            col("ipv6.src"),
            col("ipv6.dst"),
        );
        files += 1;
        for interval_ns in [1_000_000_000i64, 10_000_000_000] {
            // [packets, bytes, gap, early, late, duplicates] per (spi, src, dst, interval).
            let mut want: BTreeMap<Key, [u64; 6]> = BTreeMap::new();
            let mut state: BTreeMap<(String, String, String), (u64, BTreeSet<u64>)> =
                BTreeMap::new();
            for r in &esp {
                // One ESP layer per frame in these captures (the innermost IP header carries it).
                assert!(!r[c_spi].contains(','), "{}: several ESP layers", row.file);
                let last = |s: &str| s.rsplit(',').next().unwrap_or("").to_string();
                let (src, dst) = if r[c_src6].is_empty() {
                    (last(&r[c_src]), last(&r[c_dst]))
                } else {
                    (last(&r[c_src6]), last(&r[c_dst6]))
                };
                let spi = r[c_spi].clone();
                let seq: u64 = r[c_seq].parse().expect("esp.sequence");
                let index = (epoch_ns(&r[c_time]) - first_ts).div_euclid(interval_ns);
                let b = want
                    .entry((spi.clone(), src.clone(), dst.clone(), index))
                    .or_default();
                b[0] += 1;
                b[1] += frame_len[&r[c_frame]];
                match state.get_mut(&(spi.clone(), src.clone(), dst.clone())) {
                    None => {
                        state.insert((spi, src, dst), (seq, BTreeSet::from([seq])));
                    }
                    Some((max, seen)) => {
                        if seq > *max {
                            if seq - *max > 1 {
                                b[2] += seq - *max - 1;
                                b[3] += 1;
                            }
                            *max = seq;
                        } else if seen.contains(&seq) {
                            b[5] += 1;
                        } else {
                            b[4] += 1;
                        }
                        seen.insert(seq);
                    }
                }
            }
            let data = std::fs::read(public.join(&row.file)).expect("capture");
            let mut pipeline = Pipeline::new();
            let mut series = EspIntervals::new(interval_ns);
            let mut visit = |c: &FrameContext| series.observe(c);
            pipeline.push(&data, &mut visit);
            pipeline.finish(&mut visit);
            let got: BTreeMap<Key, [u64; 6]> = series
                .rows()
                .into_iter()
                .map(|r| {
                    (
                        (
                            r.spi,
                            r.src,
                            r.dst,
                            (r.start * 1e9 / interval_ns as f64).round() as i64,
                        ),
                        [r.packets, r.bytes, r.gap, r.early, r.late, r.duplicates],
                    )
                })
                .collect();
            rows_compared += want.len();
            if got != want {
                let keys: BTreeSet<&Key> = got.keys().chain(want.keys()).collect();
                for k in keys {
                    if got.get(k) != want.get(k) && diffs.len() < 20 {
                        diffs.push(format!(
                            "{} interval {interval_ns} ns {k:?}: ours {:?} expected {:?}",
                            row.file,
                            got.get(k),
                            want.get(k)
                        ));
                    }
                }
            }
        }
    }
    eprintln!("esp intervals: {files} captures, {rows_compared} (stream, interval) rows compared");
    for d in &diffs {
        eprintln!("{d}");
    }
    assert!(files > 0, "no esp.tsv oracle");
    assert!(
        diffs.is_empty(),
        "ESP series differ from tshark's sequences"
    );
}
