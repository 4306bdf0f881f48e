//! Conversation tables limited to a display filter: with a filter every frame passes, they equal
//! the capture's tables exactly; with `dns` / `tcp.port == 80`, each stream's frame count equals
//! the number of tshark's matching frames (committed `tests/expected/filters`) that tshark's
//! oracle puts in that stream.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tracematch::filter::{Filter, FrameFilter};
use tracematch::packet_view::{FilteredConversation, FilteredConversations};
use tracematch::pipeline::{ConvKind, FrameContext, Pipeline};

const CAPTURE: &str = "arkime__arkime_synthetic.pcap";

fn captures_dir() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/public");
    [local, PathBuf::from("/work/shared/captures/public")]
        .into_iter()
        .find(|p| p.is_dir())
}

/// Runs `filter` over the capture; returns the pipeline and the filtered tables.
fn run(data: &[u8], filter: &str) -> (Pipeline, FilteredConversations) {
    let mut frames = FrameFilter::new(Filter::compile(filter).expect("filter compiles"));
    let mut tables = FilteredConversations::new();
    let mut pipeline = Pipeline::new();
    let mut visit = |c: &FrameContext| {
        if frames.matches(c) {
            tables.observe(c);
        }
    };
    pipeline.push(data, &mut visit);
    pipeline.finish(&mut visit);
    (pipeline, tables)
}

fn table(p: &Pipeline, t: &FilteredConversations, kind: ConvKind) -> Vec<FilteredConversation> {
    let full = p.conversations(ConvKind::Ip);
    t.conversations(kind, &full, p.first_ts_ns().unwrap_or(0))
}

#[test]
fn a_filter_matching_everything_gives_the_capture_tables() {
    let Some(dir) = captures_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let data = std::fs::read(dir.join(CAPTURE)).expect("capture");
    let (pipeline, tables) = run(&data, "frame");
    for kind in [ConvKind::Tcp, ConvKind::Udp, ConvKind::Ip] {
        let full = pipeline.conversations(kind);
        let filtered = table(&pipeline, &tables, kind);
        assert!(!full.is_empty(), "{kind:?} table is empty");
        let rows: Vec<_> = filtered.iter().map(|r| r.conversation.clone()).collect();
        assert_eq!(rows, full, "{kind:?}");
        if kind == ConvKind::Ip {
            let ids: Vec<_> = filtered.iter().map(|r| r.ip_row).collect();
            let want: Vec<_> = (0..full.len() as u32).map(Some).collect();
            assert_eq!(ids, want);
        }
    }
}

/// tshark's matching frames of `filter` (committed expected results).
fn tshark_frames(filter: &str) -> Vec<u32> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected/filters")
        .join(format!("{CAPTURE}.txt"));
    let text = std::fs::read_to_string(path).expect("expected filters");
    let line = text
        .lines()
        .find(|l| l.split('\t').next() == Some(filter))
        .expect("filter in the expected results");
    let list = line.split('\t').nth(1).unwrap_or("");
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("frame"))
        .collect()
}

/// tshark's innermost stream of `column` ("tcp.stream" / "udp.stream") per frame.
fn oracle_streams(dir: &Path, column: &str) -> BTreeMap<u32, u32> {
    let text = std::fs::read_to_string(dir.join("oracle").join(CAPTURE).join("packets.tsv"))
        .expect("oracle packets.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let col = header.iter().position(|h| *h == column).expect("column");
    lines
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            let stream = cells.get(col)?.split(',').next_back()?.parse().ok()?;
            Some((cells[0].parse().ok()?, stream))
        })
        .collect()
}

#[test]
fn filtered_tables_count_tsharks_matching_frames_per_stream() {
    let Some(dir) = captures_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let data = std::fs::read(dir.join(CAPTURE)).expect("capture");
    for (filter, kind, column) in [
        ("dns", ConvKind::Udp, "udp.stream"),
        ("tcp.port == 80", ConvKind::Tcp, "tcp.stream"),
        ("tcp.flags.syn == 1", ConvKind::Tcp, "tcp.stream"),
    ] {
        let streams = oracle_streams(&dir, column);
        let mut want: BTreeMap<u32, u64> = BTreeMap::new();
        for frame in tshark_frames(filter) {
            if let Some(&s) = streams.get(&frame) {
                *want.entry(s).or_default() += 1;
            }
        }
        let (pipeline, tables) = run(&data, filter);
        let got: BTreeMap<u32, u64> = table(&pipeline, &tables, kind)
            .iter()
            .map(|r| {
                (
                    r.conversation.stream.expect("stream id"),
                    r.conversation.frames,
                )
            })
            .collect();
        assert!(!want.is_empty(), "{filter}: tshark matched no stream");
        assert_eq!(got, want, "{filter}");
    }
}
