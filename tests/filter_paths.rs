//! The page's three filter paths give the full decode pass's answer: for every public corpus
//! capture × every filter of the differential list (`tests/expected/filters/filters.txt`) plus
//! mixed filters (an index-answerable `and` part with a decoded part), [`plan`] picks index only,
//! pre-selection or the full pass, and [`IndexedRun`] (read-backs in small batches, as the worker
//! paces them) must select the same frames and count the same filtered conversation tables as
//! [`FrameFilter`] over every frame in file order (what the page's full pass runs). A run that
//! answers "needs the full pass" is counted, not compared (the page then runs the full pass).

use std::collections::BTreeMap;
mod common;

use tracematch::filter::{
    every_frame_timestamped, plan, FallbackReason, Filter, FilterPlan, FrameFilter, IndexedRun,
    PlanFacts, RunState,
};
use tracematch::packet_view::{FilteredConversation, FilteredConversations};
use tracematch::pipeline::{ConvKind, FrameContext, Indexer, Pipeline};

/// Mixed filters: an index-answerable conjunct with a decoded one, and forms that must not
/// pre-select (context-dependent fields, `or` at the top).
const MIXED: &[&str] = &[
    "tcp.stream == 0 and tcp.port == 80",
    "tcp.stream == 1 and tcp.len > 0",
    "tcp.stream == 3 and tcp.flags.syn == 1",
    "frame.number >= 10 and tcp.port == 80",
    "frame.number <= 50 and dns",
    "udp.stream in {0, 1, 2} and dns",
    "frame.len > 100 and ip",
    "frame.number > 3 and not tcp",
    "frame.len < 200 and udp.port == 53",
    "frame.number >= 1 and vxlan",
    "udp.stream == 0 and eth",
    "frame.cap_len < frame.len and ip",
    "frame.time_relative >= 1 and ip.ttl < 64",
    "tcp.stream == 2 and tcp.analysis.retransmission",
    "frame.number > 5 and tcp.seq == 1",
    "tcp.stream == 0 or dns",
    "(tcp.stream == 0 or udp.stream == 0) and (ip or ipv6)",
    "frame contains \"HTTP\" and tcp.stream == 0",
];

/// The differential list plus the mixed filters.
fn filters() -> Vec<String> {
    let mut out = common::filter_list::filters();
    out.extend(MIXED.iter().map(|s| (*s).to_owned()));
    out
}

/// One filter's answer: matching frames and the tcp / udp / ip filtered tables.
#[derive(Debug, PartialEq)]
struct Answer {
    frames: Vec<u32>,
    tables: Vec<Vec<FilteredConversation>>,
}

const KINDS: [ConvKind; 3] = [ConvKind::Tcp, ConvKind::Udp, ConvKind::Ip];

/// The full decode pass of every compiling filter over `bytes`, in one pipeline run.
fn full_pass(bytes: &[u8], filters: &[String]) -> BTreeMap<usize, Answer> {
    let mut runners: Vec<(usize, FrameFilter, Vec<u32>, FilteredConversations)> = filters
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let c = Filter::compile(f).ok()?;
            Some((i, FrameFilter::new(c), vec![], FilteredConversations::new()))
        })
        .collect();
    let mut pipeline = Pipeline::new();
    let mut visit = |c: &FrameContext| {
        for (_, ff, hits, tables) in runners.iter_mut() {
            if ff.matches(c) {
                hits.push(c.meta.number);
                tables.observe(c);
            }
        }
    };
    pipeline.push(bytes, &mut visit);
    pipeline.finish(&mut visit);
    let full_ip = pipeline.conversations(ConvKind::Ip);
    let first = pipeline.first_ts_ns().unwrap_or(0);
    runners
        .into_iter()
        .map(|(i, _, frames, tables)| {
            let tables = KINDS
                .iter()
                .map(|&k| tables.conversations(k, &full_ip, first))
                .collect();
            (i, Answer { frames, tables })
        })
        .collect()
}

#[derive(Default)]
struct Counts {
    index_only: usize,
    preselected: usize,
    fallbacks: BTreeMap<String, usize>,
    full_plans: usize,
    decoded_by_preselection: u64,
    frames_in_preselected_captures: u64,
}

#[test]
fn every_path_gives_the_full_pass_answer() {
    let Some(captures) = common::public_capture_files("every_path_gives_the_full_pass_answer")
    else {
        return;
    };
    let filters = filters();
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    for path in &captures {
        let bytes = std::fs::read(path).expect("capture");
        let want = full_pass(&bytes, &filters);
        let mut indexer = Indexer::new();
        indexer.push(&bytes);
        indexer.finish();
        let facts = PlanFacts {
            first_ts_ns: indexer.pipeline().first_ts_ns().unwrap_or(0),
            every_frame_timestamped: every_frame_timestamped(&indexer),
        };
        for (i, want) in &want {
            let text = &filters[*i];
            let filter = Filter::compile(text).expect("compiled before");
            let chosen = plan(filter, &facts);
            let preselecting = matches!(chosen, FilterPlan::Preselect { .. });
            let Some(mut run) = IndexedRun::new(chosen, &indexer, true) else {
                counts.full_plans += 1;
                continue;
            };
            let mut source: &[u8] = &bytes;
            // Small batches, as the worker paces them, and a bound on the steps.
            let mut state = RunState::More;
            for _ in 0..=bytes.len() {
                state = run.step(&indexer, &mut source, 7).expect("read back");
                if state != RunState::More {
                    break;
                }
            }
            match state {
                RunState::NeedsFullPass => {
                    let reason = run.fallback();
                    // The reasons that are not expected on well-formed captures are failures.
                    if matches!(
                        reason,
                        None | Some(FallbackReason::StreamMismatch | FallbackReason::ShortSpan)
                    ) {
                        failures.push(format!("{}: `{text}`: {reason:?}", path.display()));
                    }
                    *counts.fallbacks.entry(format!("{reason:?}")).or_default() += 1;
                    continue;
                }
                RunState::More => panic!("{}: `{text}` did not finish", path.display()),
                RunState::Done => {}
            }
            if preselecting {
                counts.preselected += 1;
                counts.decoded_by_preselection += run.decoded_frames();
                counts.frames_in_preselected_captures += indexer.index().len() as u64;
            } else {
                counts.index_only += 1;
            }
            let got = Answer {
                frames: run.matches().to_vec(),
                tables: KINDS
                    .iter()
                    .map(|&k| run.conversations(&indexer, k))
                    .collect(),
            };
            if &got != want {
                let what = if got.frames != want.frames {
                    format!("frames: {} vs {}", got.frames.len(), want.frames.len())
                } else {
                    "conversation tables differ".to_owned()
                };
                failures.push(format!(
                    "{}: `{text}` ({}): {what}",
                    path.display(),
                    run.path()
                ));
            }
        }
    }
    eprintln!(
        "filter paths over {} captures: {} index-only and {} pre-selected runs equal the full \
         pass ({} of {} frames decoded by pre-selection); runs that fell back to the full pass: \
         {:?}; {} plans were full passes; {} disagree",
        captures.len(),
        counts.index_only,
        counts.preselected,
        counts.decoded_by_preselection,
        counts.frames_in_preselected_captures,
        counts.fallbacks,
        counts.full_plans,
        failures.len()
    );
    assert!(counts.index_only >= 500, "index-only runs compared");
    assert!(counts.preselected >= 300, "pre-selected runs compared");
    assert!(
        counts.decoded_by_preselection < counts.frames_in_preselected_captures / 2,
        "pre-selection decodes a minority of the frames"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
