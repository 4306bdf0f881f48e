//! The page's session view reads back only a stream's frames ([`analyze_indexed_session`]); its
//! result must equal what a full pass over the capture gives for that stream: the session details
//! of every TCP stream and the ladders of the first streams of every public capture, plus a
//! tunnelled synthetic capture.

mod common;

use tracematch::pipeline::{FrameContext, Indexer, Pipeline};
use tracematch::session::{
    analyze_indexed_session, LadderBuilder, LayerAnalysis, TcpAnalyzer, TcpSessionTracker,
};

/// Streams per file whose ladders are compared (each needs a builder in the full pass).
const LADDERS_PER_FILE: u32 = 4;

fn index(data: &[u8]) -> Indexer {
    let mut ix = Indexer::new();
    for chunk in data.chunks(1 << 20) {
        ix.push(chunk);
    }
    ix.finish();
    ix
}

/// Compares every stream of `data`; returns (streams compared, mismatches described).
fn compare(name: &str, data: &[u8]) -> (usize, Vec<String>) {
    let mut pipeline = Pipeline::new();
    let mut analyzer = TcpAnalyzer::new();
    let mut tracker = TcpSessionTracker::new();
    let mut ladders: Vec<LadderBuilder> = (0..LADDERS_PER_FILE).map(LadderBuilder::new).collect();
    let mut tcp: Vec<LayerAnalysis> = Vec::new();
    let mut visit = |c: &FrameContext| {
        analyzer.analyze_frame(c, &mut tcp);
        tracker.observe(c, &tcp);
        for l in ladders.iter_mut() {
            l.observe(c, &tcp);
        }
    };
    for chunk in data.chunks(1 << 20) {
        pipeline.push(chunk, &mut visit);
    }
    pipeline.finish(&mut visit);

    let ix = index(data);
    let mut failures = Vec::new();
    let sessions = tracker.sessions();
    for full in &sessions {
        let mut source = data;
        let got = analyze_indexed_session(&ix, &mut source, full.stream)
            .expect("reading from memory cannot fail");
        let Some(got) = got else {
            failures.push(format!("{name} stream {}: no indexed session", full.stream));
            continue;
        };
        let want = serde_json::to_string(full).expect("json");
        let have = serde_json::to_string(&got.session).expect("json");
        if want != have {
            failures.push(format!(
                "{name} stream {}: session differs\n full: {want}\n indexed: {have}",
                full.stream
            ));
        }
        if full.stream < LADDERS_PER_FILE {
            let builder = ladders[full.stream as usize].clone();
            let want = serde_json::to_string(&builder.finish(&full.client)).expect("json");
            let have = serde_json::to_string(&got.ladder).expect("json");
            if want != have {
                failures.push(format!(
                    "{name} stream {}: ladder differs\n full: {want}\n indexed: {have}",
                    full.stream
                ));
            }
        }
    }
    (sessions.len(), failures)
}

#[test]
fn indexed_sessions_equal_the_full_pass_on_every_public_capture() {
    let Some(cap) =
        common::captures_dir("indexed_sessions_equal_the_full_pass_on_every_public_capture")
    else {
        return;
    };
    let (mut streams, mut files) = (0, 0);
    let mut failures = Vec::new();
    for row in common::manifest(&cap) {
        let data = std::fs::read(cap.join("public").join(&row.file)).expect("read capture");
        let (n, f) = compare(&row.file, &data);
        if n > 0 {
            files += 1;
        }
        streams += n;
        failures.extend(f);
    }
    eprintln!("indexed sessions: {streams} streams in {files} files compared");
    assert!(
        streams > 1000,
        "the corpus has thousands of TCP streams, compared {streams}"
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn indexed_sessions_equal_the_full_pass_on_generated_captures() {
    let demo = tempdir();
    tracematch::synth::demo_pair(&demo).expect("demo pair");
    let mut compared = 0;
    for entry in std::fs::read_dir(&demo).expect("demo dir") {
        let path = entry.expect("entry").path();
        let data = std::fs::read(&path).expect("read");
        let (n, failures) = compare(&path.display().to_string(), &data);
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        compared += n;
    }
    std::fs::remove_dir_all(&demo).ok();
    assert!(
        compared > 10,
        "the demo pair has many TCP streams, compared {compared}"
    );
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tm-indexed-session-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
