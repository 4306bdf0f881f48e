//! The page's protocol hierarchy with application nodes equals `tracematch phs`'s.
//!
//! The page counts the hierarchy in one pass without application nodes
//! ([`ProtocolHierarchy::observe`]), then adds the `http` / `tls` nodes
//! [`tracematch::stats::app_nodes_of_capture`] gives (marked frames read back through the index).
//! The CLI counts it in a second pass with [`ProtocolHierarchy::observe_with_app_path`]. Compared as
//! sets of (path, frames, bytes): the page places a new node after its parent's existing
//! children, the CLI in first-seen order among them, so only sibling order may differ.
//!
//! Captures: every capture of the public corpus (skipped when it is absent), the committed TLS
//! lab fixture, and the generated demo capture (HTTP).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tracematch::pipeline::{FrameContext, Indexer, Pipeline};
use tracematch::stats::{app_nodes_of_capture, AppFrames, ProtocolHierarchy};

type RowSet = BTreeSet<(String, u64, u64)>;

/// (rows counted without application nodes merged with the added nodes, the two-pass rows, the
/// added nodes' protocols).
fn page_and_cli(data: &[u8]) -> (RowSet, RowSet, BTreeSet<&'static str>) {
    let mut indexer = Indexer::new();
    indexer.push(data);
    indexer.finish();
    let mut source: &[u8] = data;
    let app = AppFrames::of_capture(&indexer, &mut source);
    let mut plain = ProtocolHierarchy::new();
    let mut two_pass = ProtocolHierarchy::new();
    let mut pipeline = Pipeline::new();
    let mut visit = |c: &FrameContext| {
        plain.observe(c);
        two_pass.observe_with_app_path(c, app.path_of(c.meta.number));
    };
    pipeline.push(data, &mut visit);
    pipeline.finish(&mut visit);
    let mut source: &[u8] = data;
    let added = app_nodes_of_capture(&indexer, &mut source, &app).expect("read back");
    let mut page: RowSet = plain
        .rows()
        .into_iter()
        .map(|r| (r.path, r.frames, r.bytes))
        .collect();
    for node in &added {
        let parent = page.iter().any(|(p, _, _)| *p == node.parent);
        assert!(parent, "added node's parent {} is no row", node.parent);
        let fresh = page.insert((
            format!("{}:{}", node.parent, node.proto),
            node.frames,
            node.bytes,
        ));
        assert!(fresh, "node {}:{} added twice", node.parent, node.proto);
    }
    let cli = two_pass
        .rows()
        .into_iter()
        .map(|r| (r.path, r.frames, r.bytes))
        .collect();
    (page, cli, added.iter().map(|n| n.proto).collect())
}

/// Asserts equality for the capture at `path`; returns the protocols of the nodes added.
fn check(path: &Path) -> BTreeSet<&'static str> {
    let data = std::fs::read(path).expect("capture");
    let (page, cli, added) = page_and_cli(&data);
    assert_eq!(
        page,
        cli,
        "{}: page rows differ from the CLI's",
        path.display()
    );
    eprintln!(
        "{}: {} rows equal, added {added:?}",
        path.display(),
        cli.len()
    );
    added
}

#[test]
fn added_nodes_give_the_cli_rows_for_the_fixtures() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let tls = check(&root.join("tests/fixtures/lab_tls_proxy/client.pcap"));
    assert!(tls.contains("tls"), "the TLS fixture got no tls node");

    let dir = std::env::temp_dir().join(format!("tm-phs-app-nodes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    tracematch::synth::demo::demo_pair(&dir).expect("demo pair");
    let http = check(&dir.join("client.pcap"));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(http.contains("http"), "the demo capture got no http node");
}

#[test]
fn added_nodes_give_the_cli_rows_for_the_corpus() {
    let Some(cap) = common::captures_dir("added_nodes_give_the_cli_rows_for_the_corpus") else {
        return;
    };
    let names: Vec<String> = common::manifest(&cap).into_iter().map(|r| r.file).collect();
    assert!(names.len() >= 90, "manifest too short");
    let mut seen = BTreeSet::new();
    for name in &names {
        seen.extend(check(&cap.join("public").join(name)));
    }
    eprintln!("{} corpus captures: rows equal", names.len());
    assert!(
        ["http", "tls", "tcp.segments"]
            .iter()
            .all(|p| seen.contains(p)),
        "the corpus should add http, tls and tcp.segments nodes, added {seen:?}"
    );
}
