//! Differential test of display filters: every filter of `tests/expected/filters/filters.txt` runs
//! over public corpus captures and must select exactly the frames `tshark -Y` (4.0) selected, or
//! be rejected when tshark rejected it. The expected results were generated once by
//! `tests/expected/filters/make.sh` and are committed (tshark is not run here).
//!
//! Named differences (the only ones allowed):
//! - `xor` / `^^` are Wireshark 4.2 syntax: tshark 4.0's grammar (epan/dfilter/grammar.lemon,
//!   release-4.0: only `TEST_AND`, `TEST_OR`, `TEST_NOT` connectives) rejects them. tracematch
//!   accepts them as issue 7 asks; their expected frames are the symmetric difference of tshark's
//!   results for the two operands (which are in the list too).

mod common;

use common::filter_list::{expected_dir, filters};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tracematch::filter::{Filter, FrameFilter};
use tracematch::pipeline::{FrameContext, Pipeline};

/// tshark's result: `None` when it rejected the filter.
type Expected = Option<Vec<u32>>;

fn parse_expected(path: &Path) -> BTreeMap<String, Expected> {
    let text = std::fs::read_to_string(path).expect("expected file");
    text.lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(f, r)| {
            let v = match r {
                "ERROR" => None,
                "" => Some(Vec::new()),
                r => Some(
                    r.split(',')
                        .map(|n| n.parse().expect("frame number"))
                        .collect(),
                ),
            };
            (f.to_owned(), v)
        })
        .collect()
}

/// For a Wireshark 4.2 `A xor B` filter: its two operands.
fn xor_operands(filter: &str) -> Option<(&str, &str)> {
    filter
        .split_once(" xor ")
        .or_else(|| filter.split_once(" ^^ "))
}

fn symmetric_difference(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut v: Vec<u32> = a
        .iter()
        .filter(|x| !b.contains(x))
        .chain(b.iter().filter(|x| !a.contains(x)))
        .copied()
        .collect();
    v.sort_unstable();
    v
}

#[test]
fn filters_select_the_frames_tshark_selects() {
    let Some(dir) =
        common::captures_dir("filters_select_the_frames_tshark_selects").map(|c| c.join("public"))
    else {
        return;
    };
    let filters = filters();
    assert!(filters.len() >= 100, "the list covers 100+ filters");
    let mut expected_files: Vec<PathBuf> = std::fs::read_dir(expected_dir())
        .expect("expected dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt") && !p.ends_with("filters.txt"))
        .collect();
    expected_files.sort();
    assert!(!expected_files.is_empty(), "expected files are committed");
    let (mut agree, mut total, mut xor_checked) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    for path in &expected_files {
        let capture = path.file_stem().and_then(|s| s.to_str()).expect("name");
        let expected = parse_expected(path);
        assert_eq!(
            expected.len(),
            filters.len(),
            "{capture}: expected file lists every filter (rerun make.sh)"
        );
        // Compile every filter; run the accepted ones in one pass over the capture.
        let mut runners: Vec<(usize, FrameFilter, Vec<u32>)> = Vec::new();
        for (i, f) in filters.iter().enumerate() {
            let want = expected.get(f).expect("filter in expected file");
            let is_xor = xor_operands(f).is_some();
            match (Filter::compile(f), want) {
                (Ok(c), Some(_)) => runners.push((i, FrameFilter::new(c), Vec::new())),
                (Ok(c), None) if is_xor => runners.push((i, FrameFilter::new(c), Vec::new())),
                (Ok(_), None) => {
                    total += 1;
                    failures.push(format!("{capture}: `{f}` accepted, tshark rejects it"));
                }
                (Err(_), None) => {
                    total += 1;
                    agree += 1;
                }
                (Err(e), Some(_)) => {
                    total += 1;
                    failures.push(format!(
                        "{capture}: `{f}` rejected ({}), tshark accepts it",
                        e.message
                    ));
                }
            }
        }
        let bytes = std::fs::read(dir.join(capture)).expect("capture");
        let mut pipeline = Pipeline::new();
        let mut visit = |c: &FrameContext| {
            for (_, ff, hits) in runners.iter_mut() {
                if ff.matches(c) {
                    hits.push(c.meta.number);
                }
            }
        };
        pipeline.push(&bytes, &mut visit);
        pipeline.finish(&mut visit);
        for (i, _, got) in &runners {
            let f = &filters[*i];
            let want = match (expected.get(f).cloned().flatten(), xor_operands(f)) {
                (Some(w), _) => w,
                (None, Some((a, b))) => {
                    xor_checked += 1;
                    let a = expected
                        .get(a)
                        .cloned()
                        .flatten()
                        .expect("xor operand listed");
                    let b = expected
                        .get(b)
                        .cloned()
                        .flatten()
                        .expect("xor operand listed");
                    symmetric_difference(&a, &b)
                }
                (None, None) => continue,
            };
            total += 1;
            if *got == want {
                agree += 1;
            } else {
                let extra: Vec<_> = got.iter().filter(|x| !want.contains(x)).take(5).collect();
                let missing: Vec<_> = want.iter().filter(|x| !got.contains(x)).take(5).collect();
                failures.push(format!(
                    "{capture}: `{f}`: {} vs tshark {} frames; extra {extra:?} missing {missing:?}",
                    got.len(),
                    want.len()
                ));
            }
        }
    }
    eprintln!(
        "filter corpus: {agree}/{total} (filter, capture) pairs agree with tshark 4.0 \
         ({} captures, {} filters, {xor_checked} xor checks)",
        expected_files.len(),
        filters.len()
    );
    assert!(
        failures.is_empty(),
        "{} disagreements:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs the `tracematch` binary; returns (exit status, stdout, stderr).
fn tracematch(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tracematch"))
        .args(args)
        .output()
        .expect("run tracematch");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_filter_and_fields_y_print_the_matching_frames() {
    let Some(dir) = common::captures_dir("cli_filter_and_fields_y_print_the_matching_frames")
        .map(|c| c.join("public"))
    else {
        return;
    };
    let capture = "arkime__wireshark-retrans.pcap";
    let path = dir.join(capture);
    let path = path.to_str().expect("utf-8 path");
    let filter = "tcp.analysis.retransmission";
    let expected = parse_expected(&expected_dir().join(format!("{capture}.txt")));
    let want: Vec<String> = expected
        .get(filter)
        .cloned()
        .flatten()
        .expect("tshark accepts it")
        .iter()
        .map(u32::to_string)
        .collect();
    assert!(!want.is_empty());
    let (status, out, _) = tracematch(&["filter", path, filter]);
    assert_eq!(status, 0);
    assert_eq!(out.lines().collect::<Vec<_>>(), want);
    let (status, out, _) = tracematch(&["fields", path, "-Y", filter, "-e", "frame.number"]);
    assert_eq!(status, 0);
    assert_eq!(out.lines().collect::<Vec<_>>(), want);
}

#[test]
fn cli_reports_a_bad_filter_with_a_caret_and_exit_1() {
    let Some(dir) = common::captures_dir("cli_reports_a_bad_filter_with_a_caret_and_exit_1")
        .map(|c| c.join("public"))
    else {
        return;
    };
    let path = dir.join("arkime__v6-http.pcap");
    let path = path.to_str().expect("utf-8 path");
    let (status, out, err) = tracematch(&["filter", path, "tcp.port == 99999"]);
    assert_eq!(status, 1);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "tracematch: \"99999\" too big for this field, maximum 65535.\n    tcp.port == 99999\n                ^~~~~\n"
    );
    let (status, _, err) = tracematch(&["fields", path, "-Y", "tcp and", "-e", "frame.number"]);
    assert_eq!(status, 1);
    assert_eq!(err, "tracematch: Unexpected end of filter expression.\n");
}
