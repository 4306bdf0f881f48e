//! Differential test of the packet-details tree: for the first frames of several public captures,
//! every field tracematch's tree shows must agree with tshark 4.0's PDML (name, byte offset,
//! length and shown value), and every visible PDML field whose name tracematch's tree uses
//! anywhere must be in tracematch's tree too. The expected fields were generated once by
//! `tests/expected/details/make.sh` (TCP desegmentation off) and are committed.
//!
//! Named difference: in a TLS 1.3 session tshark knows from the handshake that records are
//! encrypted and names their type `tls.record.opaque_type`; tracematch, reading one frame, names
//! it `tls.record.content_type` (same byte, same value), so tshark's name is mapped before
//! comparing. Fields tracematch does not decode (DNS questions, TCP options, TLS
//! handshake bodies, ...) are simply not compared, because their names never occur in our trees.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tracematch::details::DetailNode;
use tracematch::packet_view::FrameReader;
use tracematch::pipeline::Indexer;

fn captures_dir() -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/captures/public");
    [local, PathBuf::from("/work/shared/captures/public")]
        .into_iter()
        .find(|p| p.is_dir())
}

fn expected_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/details")
}

/// One field line: (name, offset, length, shown value).
type Line = (String, u32, u32, String);

/// Field lines per frame.
type Lines = BTreeMap<u32, Vec<Line>>;

/// tshark's visible fields per frame.
fn expected(capture: &str) -> BTreeMap<u32, Vec<Line>> {
    let path = expected_dir().join(format!("{capture}.tsv"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut out: BTreeMap<u32, Vec<Line>> = BTreeMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.splitn(5, '\t').collect();
        let [frame, name, pos, size, show] = cols[..] else {
            panic!("bad line in {path:?}: {line}");
        };
        let name = match name {
            "tls.record.opaque_type" => "tls.record.content_type",
            other => other,
        };
        out.entry(frame.parse().expect("frame")).or_default().push((
            name.to_owned(),
            pos.parse().expect("pos"),
            size.parse().expect("size"),
            show.to_owned(),
        ));
    }
    out
}

/// Our field lines of one tree (protocol and text lines have no value and are not fields).
fn ours(tree: &[DetailNode]) -> Vec<Line> {
    let mut lines = Vec::new();
    for node in tree {
        node.walk(&mut |n| {
            if let (false, Some(v)) = (n.field.is_empty(), &n.value) {
                lines.push((n.field.to_owned(), n.offset, n.length, v.clone()));
            }
        });
    }
    lines
}

const CAPTURES: [&str; 8] = [
    "arkime__arkime_synthetic.pcap",
    "arkime__v6-http.pcap",
    "zeek__q-in-q.pcap",
    "zeek__linux_dlt_sll2.pcap",
    "pcapplusplus__sll.pcap",
    "suricata-verify__icmpv4-ping.pcap",
    "pcapplusplus__tls2.pcap",
    "tcpdump__dns_tcp.pcap",
];

#[test]
fn details_tree_agrees_with_tshark_pdml() {
    let Some(dir) = captures_dir() else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    // Our trees for every expected frame.
    let mut trees: Vec<(&str, Lines, Lines)> = Vec::new();
    for capture in CAPTURES {
        let data = std::fs::read(dir.join(capture)).expect("capture");
        let mut indexer = Indexer::new();
        indexer.push(&data);
        indexer.finish();
        let want = expected(capture);
        let mut reader = FrameReader::new();
        let mut got = BTreeMap::new();
        for &frame in want.keys() {
            let mut source: &[u8] = &data;
            let details = reader
                .details(&indexer, frame, &mut source)
                .expect("read back")
                .expect("frame in index");
            assert_eq!(details.bytes.len(), details.tree[0].length as usize);
            got.insert(frame, ours(&details.tree));
        }
        trees.push((capture, want, got));
    }
    let names: BTreeSet<String> = trees
        .iter()
        .flat_map(|(_, _, got)| got.values().flatten().map(|l| l.0.clone()))
        .collect();
    let mut compared = 0usize;
    let mut mismatches = Vec::new();
    for (capture, want, got) in &trees {
        for (frame, theirs) in want {
            let mut theirs: Vec<Line> = theirs
                .iter()
                .filter(|l| names.contains(&l.0))
                .cloned()
                .collect();
            let mut mine = got.get(frame).cloned().unwrap_or_default();
            theirs.sort();
            mine.sort();
            compared += theirs.len();
            if theirs != mine {
                let only_theirs: Vec<_> = theirs.iter().filter(|l| !mine.contains(l)).collect();
                let only_mine: Vec<_> = mine.iter().filter(|l| !theirs.contains(l)).collect();
                mismatches.push(format!(
                    "{capture} frame {frame}: tshark only {only_theirs:?}; tracematch only {only_mine:?}"
                ));
            }
        }
    }
    eprintln!(
        "details: {} field names, {compared} tshark field lines compared, {} frames differ",
        names.len(),
        mismatches.len()
    );
    assert!(names.len() > 60, "too few fields compared: {names:?}");
    assert!(
        mismatches.is_empty(),
        "{} frames differ:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(60)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
