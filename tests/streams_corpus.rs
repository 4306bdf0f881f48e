//! Differential test: per-frame `tcp.stream` / `udp.stream` and the TCP/UDP conversation figures
//! against tshark 4.0's oracle for every capture of the public corpus.

mod common;

use tracematch::pipeline::{ConvKind, FrameContext, Pipeline};

fn joined(v: &[u32]) -> String {
    v.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

/// Runs the pipeline over `path`, returning per-frame (tcp.stream, udp.stream) strings.
fn run(path: &std::path::Path) -> (Pipeline, Vec<(String, String)>) {
    let data = std::fs::read(path).expect("read capture");
    let mut p = Pipeline::new();
    let mut got = Vec::new();
    let mut visit = |c: &FrameContext| got.push((joined(&c.streams.tcp), joined(&c.streams.udp)));
    for chunk in data.chunks(1 << 20) {
        p.push(chunk, &mut visit);
    }
    p.finish(&mut visit);
    (p, got)
}

#[test]
fn stream_numbers_equal_tshark_on_every_public_capture() {
    let Some(cap) = common::captures_dir("stream_numbers_equal_tshark_on_every_public_capture")
    else {
        return;
    };
    let mut total = 0usize;
    let mut agree = 0usize;
    let mut bad = Vec::new();
    for row in common::manifest(&cap) {
        let orc = cap
            .join("public/oracle")
            .join(&row.file)
            .join("packets.tsv");
        let Some((h, rows)) = common::read_tsv(&orc) else {
            continue;
        };
        let ti = h.iter().position(|c| c == "tcp.stream").unwrap();
        let ui = h.iter().position(|c| c == "udp.stream").unwrap();
        let (_, got) = run(&cap.join("public").join(&row.file));
        let mut first_diff = None;
        let mut ok = 0;
        for (i, r) in rows.iter().enumerate() {
            let want = (r[ti].clone(), r[ui].clone());
            if got.get(i) == Some(&want) {
                ok += 1;
            } else if first_diff.is_none() {
                first_diff = Some((i + 1, want, got.get(i).cloned()));
            }
        }
        total += rows.len();
        agree += ok;
        if let Some((f, w, g)) = first_diff {
            bad.push(format!(
                "{}: {ok}/{} agree; frame {f}: want {w:?} got {g:?} (frames read {})",
                row.file,
                rows.len(),
                got.len()
            ));
        }
    }
    for b in &bad {
        eprintln!("{b}");
    }
    eprintln!(
        "stream agreement: {agree}/{total} frames, {} files differ",
        bad.len()
    );
    assert!(bad.is_empty(), "{} files differ from tshark", bad.len());
}

#[test]
fn conversation_figures_equal_tshark_on_every_public_capture() {
    let Some(cap) =
        common::captures_dir("conversation_figures_equal_tshark_on_every_public_capture")
    else {
        return;
    };
    let mut bad = Vec::new();
    let mut checked = 0;
    for row in common::manifest(&cap) {
        let dir = cap.join("public/oracle").join(&row.file);
        let (p, _) = run(&cap.join("public").join(&row.file));
        for (kind, file) in [
            (ConvKind::Tcp, "tcp_streams.tsv"),
            (ConvKind::Udp, "udp_streams.tsv"),
        ] {
            let Some((h, rows)) = common::read_tsv(&dir.join(file)) else {
                continue;
            };
            let col = |n: &str| h.iter().position(|c| c == n).unwrap();
            let convs = p.conversations(kind);
            if convs.len() != rows.len() {
                bad.push(format!(
                    "{} {file}: {} rows, tshark {}",
                    row.file,
                    convs.len(),
                    rows.len()
                ));
                continue;
            }
            for (c, r) in convs.iter().zip(&rows) {
                checked += 1;
                let mut want = vec![
                    r[col("stream")].clone(),
                    r[col("first_frame")].clone(),
                    r[col("frames_a_to_b")].clone(),
                    r[col("bytes_a_to_b")].clone(),
                    r[col("frames_b_to_a")].clone(),
                    r[col("bytes_b_to_a")].clone(),
                ];
                let mut got = vec![
                    c.stream.unwrap_or(0).to_string(),
                    c.first_frame.to_string(),
                    c.frames_a_to_b.to_string(),
                    c.bytes_a_to_b.to_string(),
                    c.frames_b_to_a.to_string(),
                    c.bytes_b_to_a.to_string(),
                ];
                if kind == ConvKind::Tcp {
                    want.push(r[col("payload_a_to_b")].clone());
                    want.push(r[col("payload_b_to_a")].clone());
                    got.push(c.payload_a_to_b.to_string());
                    got.push(c.payload_b_to_a.to_string());
                }
                if want != got {
                    bad.push(format!(
                        "{} {file} stream {}: want {want:?} got {got:?}",
                        row.file, r[0]
                    ));
                    break;
                }
            }
        }
    }
    for b in &bad {
        eprintln!("{b}");
    }
    eprintln!("conversation rows checked: {checked}; {} differ", bad.len());
    assert!(
        bad.is_empty(),
        "{} conversation tables differ from tshark",
        bad.len()
    );
}
