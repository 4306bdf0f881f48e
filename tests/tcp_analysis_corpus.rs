//! Differential test: tshark 4.0's two-pass TCP analysis flags (`oracle/<file>/tcp_analysis.tsv`)
//! against the pipeline plus [`tracematch::session::TcpAnalyzer`] for every public capture.
//!
//! Every flag column of every frame must agree; per-flag precision/recall and per-file differences
//! are printed so a regression says where it is.

mod common;

use std::collections::BTreeMap;

use tracematch::pipeline::{FrameContext, Pipeline};
use tracematch::session::{format_field, LayerAnalysis, TcpAnalyzer};

/// Per-frame analysis of one capture: frame number → its TCP layers' analysis.
fn analyze(path: &std::path::Path) -> (TcpAnalyzer, BTreeMap<u32, Vec<LayerAnalysis>>) {
    let data = std::fs::read(path).expect("read capture");
    let mut pipeline = Pipeline::new();
    let mut analyzer = TcpAnalyzer::new();
    let mut frames = BTreeMap::new();
    let mut scratch = Vec::new();
    let mut visit = |c: &FrameContext| {
        analyzer.analyze_frame(c, &mut scratch);
        if !scratch.is_empty() {
            frames.insert(c.meta.number, scratch.clone());
        }
    };
    for chunk in data.chunks(1 << 20) {
        pipeline.push(chunk, &mut visit);
    }
    pipeline.finish(&mut visit);
    (analyzer, frames)
}

#[derive(Default)]
struct Score {
    true_pos: u64,
    false_pos: u64,
    false_neg: u64,
    other: u64,
}

#[test]
fn tcp_analysis_flags_equal_tshark_on_every_public_capture() {
    let Some(cap) = common::captures_dir("tcp_analysis_flags_equal_tshark_on_every_public_capture")
    else {
        return;
    };
    let public = cap.join("public");
    let mut scores: BTreeMap<String, Score> = BTreeMap::new();
    let mut files_checked = 0;
    let mut files_exact = 0;
    let mut diffs: Vec<String> = Vec::new();
    for row in common::manifest(&cap) {
        let oracle = public
            .join("oracle")
            .join(&row.file)
            .join("tcp_analysis.tsv");
        let Some((header, rows)) = common::read_tsv(&oracle) else {
            continue;
        };
        files_checked += 1;
        let (analyzer, frames) = analyze(&public.join(&row.file));
        // Frames absent from the oracle have no analysis flag at all.
        let expected: BTreeMap<u32, &Vec<String>> = rows
            .iter()
            .filter_map(|r| Some((r.first()?.parse().ok()?, r)))
            .collect();
        let mut file_diffs = 0;
        let all_frames: std::collections::BTreeSet<u32> =
            frames.keys().chain(expected.keys()).copied().collect();
        for frame in all_frames {
            let layers = frames.get(&frame).map(Vec::as_slice).unwrap_or(&[]);
            for (col, name) in header.iter().enumerate().skip(2) {
                let want = expected
                    .get(&frame)
                    .and_then(|r| r.get(col))
                    .map(String::as_str)
                    .unwrap_or("");
                let got = format_field(name, layers, Some(&analyzer)).unwrap_or_default();
                let score = scores.entry(name.clone()).or_default();
                match (want.is_empty(), got.is_empty(), want == got) {
                    (_, _, true) if !want.is_empty() => score.true_pos += 1,
                    (_, _, true) => {}
                    (true, false, _) => score.false_pos += 1,
                    (false, true, _) => score.false_neg += 1,
                    _ => score.other += 1,
                }
                if want != got {
                    file_diffs += 1;
                    if diffs.len() < 60 {
                        diffs.push(format!(
                            "{} frame {frame} {name}: tshark '{want}' ours '{got}'",
                            row.file
                        ));
                    }
                }
            }
        }
        if file_diffs == 0 {
            files_exact += 1;
        } else {
            eprintln!("{}: {file_diffs} differing values", row.file);
        }
    }
    eprintln!("tcp analysis: {files_exact}/{files_checked} files exact");
    for (name, s) in &scores {
        let precision = s.true_pos as f64 / (s.true_pos + s.false_pos + s.other).max(1) as f64;
        let recall = s.true_pos as f64 / (s.true_pos + s.false_neg + s.other).max(1) as f64;
        eprintln!(
            "{name:40} tp={:5} fp={:3} fn={:3} other={:3} precision={precision:.4} recall={recall:.4}",
            s.true_pos, s.false_pos, s.false_neg, s.other
        );
    }
    for d in &diffs {
        eprintln!("{d}");
    }
    assert!(files_checked > 0, "no tcp_analysis.tsv oracle found");
    assert!(
        diffs.is_empty(),
        "{} files differ from tshark",
        files_checked - files_exact
    );
}

/// Reads a gzip'd expected TSV (header, rows).
fn read_gz_tsv(path: &std::path::Path) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    use std::io::Read;
    let bytes = std::fs::read(path).ok()?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .ok()?;
    let mut lines = text.split('\n');
    let header: Vec<String> = lines.next()?.split('\t').map(str::to_string).collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut v: Vec<String> = l.split('\t').map(str::to_string).collect();
            v.resize(header.len(), String::new());
            v
        })
        .collect();
    Some((header, rows))
}

/// Relative `tcp.seq`/`tcp.ack`, ACK RTT, bytes in flight, duplicate-ACK numbers, window updates,
/// keep-alive and zero-window-probe ACKs, initial RTT and scaled windows for every TCP frame of the
/// captures in `tests/expected/tcp_analysis_extra` (tshark `-2` output, see its README), using the
/// two-pass display values of [`tracematch::session::TcpDisplayPass`].
#[test]
fn tcp_analysis_values_equal_tshark_two_pass() {
    let Some(cap) = common::captures_dir("tcp_analysis_values_equal_tshark_two_pass") else {
        return;
    };
    let expected_dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/tcp_analysis_extra");
    let mut names: Vec<String> = std::fs::read_dir(&expected_dir)
        .expect("expected dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tsv.gz"))
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no expected files");
    let mut diffs = Vec::new();
    let mut values = 0u64;
    for name in &names {
        let capture = name.trim_end_matches(".tsv.gz");
        let (header, rows) = read_gz_tsv(&expected_dir.join(name)).expect("expected tsv");
        let (analyzer, mut frames) = analyze(&cap.join("public").join(capture));
        let mut display = analyzer.display_pass();
        for layers in frames.values_mut() {
            display.apply(layers);
        }
        for r in &rows {
            let frame: u32 = r[0].parse().expect("frame number");
            let layers = frames.get(&frame).map(Vec::as_slice).unwrap_or(&[]);
            for (col, field) in header.iter().enumerate().skip(2) {
                let got = format_field(field, layers, Some(&analyzer)).unwrap_or_default();
                values += 1;
                if got != r[col] && diffs.len() < 40 {
                    diffs.push(format!(
                        "{capture} frame {frame} {field}: tshark '{}' ours '{got}'",
                        r[col]
                    ));
                }
            }
        }
    }
    eprintln!(
        "tcp analysis values: {} files, {values} values compared",
        names.len()
    );
    for d in &diffs {
        eprintln!("{d}");
    }
    assert!(diffs.is_empty(), "values differ from tshark -2");
}
