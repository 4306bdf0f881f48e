//! The index-only filter fast path ([`IndexFilter`]) selects exactly the frames the decode path
//! ([`FrameFilter`]) selects: every filter of the differential list
//! (`tests/expected/filters/filters.txt`) that the index can answer, plus a few extra index-only
//! forms (masks, `!=`, field-to-field), over every public corpus capture.

mod common;

use tracematch::filter::{Filter, FrameFilter, IndexFilter};
use tracematch::pipeline::{FrameContext, Indexer, Pipeline};

/// The differential list plus extra index-only filters.
fn filters() -> Vec<String> {
    let mut out = common::filter_list::filters();
    out.extend(
        [
            "tcp.stream & 1",
            "tcp.stream != 0",
            "tcp.stream ~= 1",
            "udp.stream === 0",
            "tcp.stream == udp.stream",
            "not udp.stream and frame.len < 100",
            "frame.number > 2 xor tcp.stream",
            "frame.cap_len not in {60, 1514}",
            "frame",
        ]
        .map(str::to_owned),
    );
    out
}

#[test]
fn index_fast_path_selects_what_the_decode_path_selects() {
    let Some(captures) =
        common::public_capture_files("index_fast_path_selects_what_the_decode_path_selects")
    else {
        return;
    };
    let filters = filters();
    let (mut compared, mut qualifying_filters) = (0usize, std::collections::BTreeSet::new());
    let mut failures = Vec::new();
    for path in &captures {
        let bytes = std::fs::read(path).expect("capture");
        // Decode path: every filter that compiles, in one pass.
        let mut runners: Vec<(usize, FrameFilter, Vec<u32>)> = filters
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                Filter::compile(f)
                    .ok()
                    .map(|c| (i, FrameFilter::new(c), vec![]))
            })
            .collect();
        let mut every_frame_timestamped = true;
        let mut pipeline = Pipeline::new();
        let mut visit = |c: &FrameContext| {
            every_frame_timestamped &= c.meta.has_timestamp;
            for (_, ff, hits) in runners.iter_mut() {
                if ff.matches(c) {
                    hits.push(c.meta.number);
                }
            }
        };
        pipeline.push(&bytes, &mut visit);
        pipeline.finish(&mut visit);
        // Fast path: the index alone.
        let mut indexer = Indexer::new();
        indexer.push(&bytes);
        indexer.finish();
        let first = indexer.pipeline().first_ts_ns().unwrap_or(0);
        assert_eq!(
            indexer.index().len(),
            pipeline.frames() as usize,
            "{path:?}: index and pipeline count the same frames"
        );
        for (i, ff, want) in &runners {
            let Some(fast) = IndexFilter::new(ff.filter().clone(), first, every_frame_timestamped)
            else {
                continue;
            };
            qualifying_filters.insert(*i);
            compared += 1;
            let got = fast.matching_frames(indexer.index());
            if &got != want {
                failures.push(format!(
                    "{}: `{}`: fast path {} frames, decode path {}",
                    path.display(),
                    filters[*i],
                    got.len(),
                    want.len()
                ));
            }
        }
    }
    eprintln!(
        "filter fast path: {compared} (filter, capture) pairs compared, {} filters index-only, \
         {} captures, {} disagree",
        qualifying_filters.len(),
        captures.len(),
        failures.len()
    );
    assert!(
        qualifying_filters.len() >= 20,
        "the list exercises the fast path: {} filters qualify",
        qualifying_filters.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn filters_that_need_packets_take_no_fast_path() {
    for text in [
        "ip.addr == 10.0.0.1",
        "tcp",
        "frame contains \"GET\"",
        "frame matches \"x\"",
        "frame.interface_id == 0",
        "tcp.stream == 1 and tcp.analysis.retransmission",
    ] {
        let f = Filter::compile(text).expect("compiles");
        assert!(
            IndexFilter::new(f, 0, true).is_none(),
            "`{text}` must not be answered from the index"
        );
    }
    let timed = Filter::compile("frame.time_relative < 1").expect("compiles");
    assert!(IndexFilter::new(timed.clone(), 0, true).is_some());
    assert!(
        IndexFilter::new(timed, 0, false).is_none(),
        "frame times need every frame to carry one"
    );
}

/// Benchmark (not run by default): the time to filter a capture whose index exists, by the index
/// fast path and by the decode path (reading and decoding every packet again, as the page's
/// filter worker does). `TRACEMATCH_BENCH_FILE` names the capture (e.g.
/// `bench-data/bulk-300M.pcap`); run with
/// `cargo test --profile quick --test filter_fast_path -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_fast_path_against_decode_path() {
    let Some(path) = std::env::var_os("TRACEMATCH_BENCH_FILE") else {
        eprintln!("SKIPPED: set TRACEMATCH_BENCH_FILE");
        return;
    };
    let bytes = std::fs::read(&path).expect("bench capture");
    let mut indexer = Indexer::new();
    for chunk in bytes.chunks(1 << 20) {
        indexer.push(chunk);
    }
    indexer.finish();
    let first = indexer.pipeline().first_ts_ns().unwrap_or(0);
    for text in [
        "tcp.stream == 5",
        "frame.len > 1000 and udp.stream in {1..50}",
    ] {
        let filter = Filter::compile(text).expect("compiles");
        let start = std::time::Instant::now();
        let fast = IndexFilter::new(filter.clone(), first, true).expect("index-only");
        let fast_hits = fast.matching_frames(indexer.index());
        let fast_time = start.elapsed();
        let start = std::time::Instant::now();
        let mut ff = FrameFilter::new(filter);
        let mut slow_hits = Vec::new();
        let mut pipeline = Pipeline::new();
        let mut visit = |c: &FrameContext| {
            if ff.matches(c) {
                slow_hits.push(c.meta.number);
            }
        };
        for chunk in bytes.chunks(1 << 20) {
            pipeline.push(chunk, &mut visit);
        }
        pipeline.finish(&mut visit);
        let slow_time = start.elapsed();
        assert_eq!(fast_hits, slow_hits, "`{text}`: both paths agree");
        eprintln!(
            "bench `{text}`: {} frames, {} match; index fast path {:.3} s, decode path {:.3} s \
             ({:.0}x)",
            indexer.index().len(),
            fast_hits.len(),
            fast_time.as_secs_f64(),
            slow_time.as_secs_f64(),
            slow_time.as_secs_f64() / fast_time.as_secs_f64().max(1e-9)
        );
    }
}
