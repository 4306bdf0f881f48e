//! Differential test: per-frame `tcp.stream` / `udp.stream` and the TCP/UDP conversation figures
//! against tshark 4.0's oracle for every capture of the public corpus.

mod common;

use tracematch::decode::Layer;
use tracematch::pipeline::{ConvKind, FrameContext, Pipeline};

fn joined(v: &[u32]) -> String {
    v.iter()
        .filter(|&&s| s != tracematch::flow::NO_STREAM)
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Streams (tcp, udp) that appear in a frame with more than one IP layer (tunnels, ICMP errors).
#[derive(Default)]
struct Tunnelled {
    tcp: std::collections::BTreeSet<u32>,
    udp: std::collections::BTreeSet<u32>,
}

/// Runs the pipeline over `path`, returning per-frame (tcp.stream, udp.stream) strings.
fn run(path: &std::path::Path) -> (Pipeline, Vec<(String, String)>) {
    let (p, got, _) = run_with_tunnels(path);
    (p, got)
}

fn run_with_tunnels(path: &std::path::Path) -> (Pipeline, Vec<(String, String)>, Tunnelled) {
    let data = std::fs::read(path).expect("read capture");
    let mut p = Pipeline::new();
    let mut got = Vec::new();
    let mut tunnelled = Tunnelled::default();
    let mut visit = |c: &FrameContext| {
        got.push((joined(&c.streams.tcp), joined(&c.streams.udp)));
        let ip_layers = c
            .frame
            .layers
            .iter()
            .filter(|l| matches!(l, Layer::Ipv4(_) | Layer::Ipv6(_)))
            .count();
        if ip_layers > 1 {
            tunnelled.tcp.extend(c.streams.tcp.iter().copied());
            tunnelled.udp.extend(c.streams.udp.iter().copied());
        }
    };
    for chunk in data.chunks(1 << 20) {
        p.push(chunk, &mut visit);
    }
    p.finish(&mut visit);
    (p, got, tunnelled)
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
        let (Some(ti), Some(ui)) = (
            h.iter().position(|c| c == "tcp.stream"),
            h.iter().position(|c| c == "udp.stream"),
        ) else {
            // tshark read no packet from this file (its packets.tsv has no header either).
            assert_eq!(row.packets, 0, "{}: oracle without columns", row.file);
            continue;
        };
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

/// The oracle's stream tables (`oracle_helpers.py streams`) take a frame's direction from the
/// INNERMOST IP address paired with the stream's OWN ports. For a stream carried in a frame with
/// several IP layers (a UDP tunnel such as VXLAN inside GRE) that mixes two layers, so one
/// direction of the outer UDP flow is split by the inner addresses. For such streams this test
/// compares the totals (frames, bytes, first frame) and not the per-direction split; tracematch
/// attributes direction with the IP layer that encloses the transport layer. Shown on
/// arkime__gre-erspan-vxlan.pcap: all 7 frames go 172.16.27.131:4789 -> 172.16.27.121:4790.
#[test]
fn tunnelled_stream_direction_uses_the_enclosing_ip_layer() {
    let Some(cap) = common::captures_dir("tunnelled_stream_direction_uses_the_enclosing_ip_layer")
    else {
        return;
    };
    let (p, _, t) = run_with_tunnels(&cap.join("public/arkime__gre-erspan-vxlan.pcap"));
    assert!(t.udp.contains(&0));
    let udp = p.conversations(ConvKind::Udp);
    assert_eq!(udp[0].addr_a, "172.16.27.131");
    assert_eq!((udp[0].port_a, udp[0].port_b), (Some(4789), Some(4790)));
    assert_eq!((udp[0].frames_a_to_b, udp[0].frames_b_to_a), (7, 0));
    assert_eq!(udp[0].bytes, 1135);
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
        let (p, _, tunnelled) = run_with_tunnels(&cap.join("public").join(&row.file));
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
                let id: u32 = r[col("stream")].parse().unwrap_or(u32::MAX);
                let in_tunnel = match kind {
                    ConvKind::Tcp => tunnelled.tcp.contains(&id),
                    _ => tunnelled.udp.contains(&id),
                };
                if in_tunnel {
                    // See tunnelled_stream_direction_uses_the_enclosing_ip_layer: totals only.
                    let total = |v: &[String], a: usize, b: usize| {
                        v[a].parse::<u64>().unwrap_or(0) + v[b].parse::<u64>().unwrap_or(0)
                    };
                    want = vec![
                        want[0].clone(),
                        want[1].clone(),
                        total(&want, 2, 4).to_string(),
                        total(&want, 3, 5).to_string(),
                    ];
                    got = vec![
                        got[0].clone(),
                        got[1].clone(),
                        total(&got, 2, 4).to_string(),
                        total(&got, 3, 5).to_string(),
                    ];
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
