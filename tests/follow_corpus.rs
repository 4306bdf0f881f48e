//! Differential test: every tshark follow output in the public oracle
//! (`oracle/<capture>/follow/{tcp,udp}_N_{raw,ascii}.txt`) reproduced byte for byte, plus the
//! committed hex/yaml expectations in `tests/expected/follow/`.

mod common;

use std::path::Path;

use tracematch::pipeline::Indexer;
use tracematch::reassembly::{write_stream_follow, FollowFormat, FollowProto, NodeFilter};

fn index(path: &Path) -> Indexer {
    let data = std::fs::read(path).expect("read capture");
    let mut ix = Indexer::new();
    for chunk in data.chunks(1 << 20) {
        ix.push(chunk);
    }
    ix.finish();
    ix
}

/// Follow output of `stream` in `capture` as tracematch writes it.
fn follow(
    ix: &Indexer,
    capture: &Path,
    proto: FollowProto,
    stream: u32,
    format: FollowFormat,
) -> Vec<u8> {
    let mut file = std::fs::File::open(capture).expect("open capture");
    write_stream_follow(
        ix,
        &mut file,
        proto,
        stream,
        format,
        NodeFilter::Both,
        Vec::new(),
    )
    .unwrap_or_else(|e| format!("error: {e}").into_bytes())
}

/// Parses `tcp_3_raw.txt` into (proto, stream, format).
fn parse_name(name: &str) -> Option<(FollowProto, u32, FollowFormat)> {
    let stem = name.strip_suffix(".txt")?;
    let mut parts = stem.split('_');
    let proto = match parts.next()? {
        "tcp" => FollowProto::Tcp,
        "udp" => FollowProto::Udp,
        _ => return None,
    };
    let stream = parts.next()?.parse().ok()?;
    let format = FollowFormat::parse(parts.next()?)?;
    Some((proto, stream, format))
}

#[test]
fn every_oracle_follow_file_is_reproduced_byte_for_byte() {
    let Some(cap) = common::captures_dir("every_oracle_follow_file_is_reproduced_byte_for_byte")
    else {
        return;
    };
    let oracle = cap.join("public/oracle");
    let mut total = 0;
    let mut bad = Vec::new();
    for row in common::manifest(&cap) {
        let dir = oracle.join(&row.file).join("follow");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        if names.is_empty() {
            continue;
        }
        let capture = cap.join("public").join(&row.file);
        let ix = index(&capture);
        for name in names {
            let Some((proto, stream, format)) = parse_name(&name) else {
                continue;
            };
            total += 1;
            let want = std::fs::read(dir.join(&name)).expect("oracle file");
            let got = follow(&ix, &capture, proto, stream, format);
            if got != want {
                if let Some(d) = std::env::var_os("TRACEMATCH_FOLLOW_DUMP") {
                    let _ =
                        std::fs::write(Path::new(&d).join(format!("{}__{name}", row.file)), &got);
                }
                let line = want
                    .split(|&b| b == b'\n')
                    .zip(got.split(|&b| b == b'\n'))
                    .position(|(a, b)| a != b);
                bad.push(format!(
                    "{}/{name}: first differing line {line:?} (want {} bytes, got {})",
                    row.file,
                    want.len(),
                    got.len()
                ));
            }
        }
    }
    eprintln!(
        "follow corpus: {}/{total} oracle files reproduced exactly",
        total - bad.len()
    );
    for b in &bad {
        eprintln!("  {b}");
    }
    assert!(total >= 300, "only {total} oracle follow files found");
    assert!(
        bad.is_empty(),
        "{} of {total} follow outputs differ",
        bad.len()
    );
}

/// tshark 4.0's hex and yaml follow outputs for a set of public streams (gaps, IPv6, tunnels with a
/// MAC-address node, IP fragments, an empty UDP stream, retransmissions), generated once with
/// `LC_ALL=C TZ=UTC tshark -n -r F -q -z follow,P,hex|yaml,N` and committed.
#[test]
fn committed_hex_and_yaml_expectations_are_reproduced() {
    let Some(cap) = common::captures_dir("committed_hex_and_yaml_expectations_are_reproduced")
    else {
        return;
    };
    let expected = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/follow");
    let mut dirs: Vec<_> = std::fs::read_dir(&expected)
        .expect("expected dir")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    dirs.sort();
    let mut total = 0;
    let mut bad = Vec::new();
    for dir in dirs {
        let capture_name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let capture = cap.join("public").join(&capture_name);
        let ix = index(&capture);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        for name in names {
            let Some((proto, stream, format)) = parse_name(&name) else {
                continue;
            };
            total += 1;
            let want = std::fs::read(dir.join(&name)).unwrap();
            if follow(&ix, &capture, proto, stream, format) != want {
                bad.push(format!("{capture_name}/{name}"));
            }
        }
    }
    eprintln!(
        "follow hex/yaml: {}/{total} expected files reproduced exactly",
        total - bad.len()
    );
    assert!(total >= 20, "only {total} expected files");
    assert!(bad.is_empty(), "differ: {bad:?}");
}
