//! The page's merged view orders indexed captures ([`tracematch::export::merged_frames`] over
//! [`MergeColumn::of`] an [`Indexer`]) exactly as `mergecap` orders the files (the expected orders
//! in `tests/expected/merge/`, see `tests/merge_cli.rs`), and as `tracematch merge` does for a
//! capture with records that are not packets (pcapng custom blocks, left out).

use std::path::{Path, PathBuf};

use tracematch::capture::random_access::ByteSource;
use tracematch::export::{merge_captures, merged_frames, MergeColumn};
use tracematch::pipeline::Indexer;

fn index(path: &Path) -> Indexer {
    let bytes = std::fs::read(path).expect("capture");
    let mut ix = Indexer::new();
    for chunk in bytes.chunks(64 * 1024) {
        ix.push(chunk);
    }
    ix.finish();
    ix
}

/// The merged view's order as (1-based input, frame) pairs.
fn view_order(paths: &[&Path]) -> Vec<(u32, u32)> {
    let columns: Vec<MergeColumn> = paths.iter().map(|p| MergeColumn::of(&index(p))).collect();
    merged_frames(&columns)
        .chunks(2)
        .map(|p| (p[0] + 1, p[1]))
        .collect()
}

fn expected(name: &str) -> Vec<(u32, u32)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/expected/merge")
        .join(name);
    std::fs::read_to_string(path)
        .expect("expected order")
        .lines()
        .map(|l| {
            let (a, b) = l.split_once('\t').expect("INPUT<TAB>FRAME");
            (a.parse().expect("input"), b.parse().expect("frame"))
        })
        .collect()
}

fn shared(sub: &str) -> Option<PathBuf> {
    let local = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/captures")
        .join(sub);
    [local, Path::new("/work/shared/captures").join(sub)]
        .into_iter()
        .find(|p| p.exists())
}

fn assert_same_order(got: &[(u32, u32)], want: &[(u32, u32)]) {
    let first_difference = got.iter().zip(want).position(|(x, y)| x != y);
    assert_eq!(
        (got.len(), first_difference),
        (want.len(), None),
        "merged view order differs"
    );
}

#[test]
fn the_demo_pair_merges_in_mergecap_order() {
    let dir = std::env::temp_dir().join(format!("tm-merge-columns-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    tracematch::synth::demo::demo_pair(&dir).expect("demo pair");
    let got = view_order(&[&dir.join("client.pcap"), &dir.join("server.pcap")]);
    assert_same_order(&got, &expected("demo_mergecap_order.tsv"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_interleaved_two_point_pair_merges_in_mergecap_order() {
    let Some(dir) = shared("twopoint/direct") else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    let got = view_order(&[&dir.join("client.pcap"), &dir.join("server.pcap")]);
    assert_same_order(&got, &expected("direct_mergecap_order.tsv"));
}

#[test]
fn custom_blocks_are_left_out_as_tracematch_merge_leaves_them_out() {
    let Some(public) = shared("public") else {
        eprintln!("SKIPPED: ../shared/captures not found");
        return;
    };
    // Packets and custom blocks in three sections; and a plain capture.
    let paths = [
        public.join("gopacket__be_test202.pcapng"),
        public.join("arkime__80211http.pcap"),
    ];
    let mut sources: Vec<Box<dyn ByteSource>> = paths
        .iter()
        .map(|p| Box::new(std::fs::File::open(p).expect("capture")) as Box<dyn ByteSource>)
        .collect();
    let names = vec![String::new(); paths.len()];
    let summary = merge_captures(&mut sources, &names, std::io::sink()).expect("merge");
    assert!(summary.records_skipped > 0, "the pcapng has custom blocks");
    let want: Vec<(u32, u32)> = summary
        .order
        .iter()
        .map(|m| (m.input + 1, m.frame))
        .collect();
    let got = view_order(&[&paths[0], &paths[1]]);
    assert_same_order(&got, &want);
}
