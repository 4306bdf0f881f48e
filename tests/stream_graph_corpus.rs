//! Differential test of the TCP stream graphs (`tracematch::session::stream_graph`) against
//! tshark 4.0's numbers, for every stream and both directions of every capture in
//! `tests/expected/tcp_analysis_extra` (tshark `-2` per-frame `tcp.seq`, `tcp.ack`,
//! `tcp.analysis.ack_rtt`, `tcp.analysis.acks_frame`, `tcp.analysis.bytes_in_flight`,
//! `tcp.window_size`), with frame times, `tcp.len`, flags and addresses from the oracle's
//! `packets.tsv`, and SACK edges from `tests/expected/stream_graph/*.sack.tsv` (see its make.sh).
//!
//! Every point of every line is rebuilt here from tshark's values and compared exactly (times and
//! RTTs in ns); the throughput average is recomputed from tshark's times and lengths with the
//! formula documented on `GraphKind::Throughput` and compared to 1e-9 relative.
//! Frames that carry more than one TCP layer (tshark joins their values with commas) are not
//! comparable per layer: they are counted and the test fails if any stream has one (none does in
//! this selection).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use tracematch::pipeline::{FrameContext, Pipeline};
use tracematch::session::{
    stream_graph, GraphKind, StreamGraph, StreamGraphBuilder, StreamSegments, TcpAnalyzer,
};

/// tshark's view of one frame.
#[derive(Clone, Debug, Default)]
struct Oracle {
    ts_ns: i64,
    src: String,
    stream: u32,
    flags: u16,
    len: u64,
    seq: u64,
    ack: Option<u64>,
    ack_rtt_ns: Option<i64>,
    acks_frame: Option<u32>,
    bif: Option<u64>,
    window: u64,
    sack: Vec<(u64, u64)>,
}

fn epoch_ns(text: &str) -> i64 {
    let (s, frac) = text.split_once('.').unwrap_or((text, "0"));
    let frac = format!("{frac:0<9}");
    s.parse::<i64>().expect("seconds") * 1_000_000_000 + frac[..9].parse::<i64>().expect("ns")
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name}"))
}

fn read_gz_tsv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    use std::io::Read;
    let bytes = std::fs::read(path).expect("expected file");
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .expect("gzip");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap_or("")
        .split('\t')
        .map(str::to_string)
        .collect();
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut v: Vec<String> = l.split('\t').map(str::to_string).collect();
            v.resize(header.len(), String::new());
            v
        })
        .collect();
    (header, rows)
}

/// tshark's values per frame of one capture; frames with several TCP layers go to `multi`.
fn oracle(cap: &Path, name: &str, multi: &mut BTreeSet<u32>) -> BTreeMap<u32, Oracle> {
    let expected = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected");
    let (ph, prows) = common::read_tsv(&cap.join("public/oracle").join(name).join("packets.tsv"))
        .expect("packets.tsv");
    let (c_frame, c_epoch, c_src, c_src6, c_sport, c_stream, c_flags, c_len) = (
        column(&ph, "frame.number"),
        column(&ph, "frame.time_epoch"),
        column(&ph, "ip.src"),
        column(&ph, "ipv6.src"),
        column(&ph, "tcp.srcport"),
        column(&ph, "tcp.stream"),
        column(&ph, "tcp.flags"),
        column(&ph, "tcp.len"),
    );
    let mut out = BTreeMap::new();
    for r in &prows {
        if r[c_stream].is_empty() {
            continue;
        }
        let frame: u32 = r[c_frame].parse().expect("frame");
        if r[c_stream].contains(',') {
            multi.insert(frame);
            continue;
        }
        let addr = if r[c_src6].is_empty() {
            &r[c_src]
        } else {
            &r[c_src6]
        };
        let addr = addr.rsplit(',').next().unwrap_or("");
        out.insert(
            frame,
            Oracle {
                ts_ns: epoch_ns(&r[c_epoch]),
                src: format!("{addr} {}", r[c_sport]),
                stream: r[c_stream].parse().expect("stream"),
                flags: u16::from_str_radix(r[c_flags].trim_start_matches("0x"), 16).expect("flags"),
                len: r[c_len].parse().expect("tcp.len"),
                ..Oracle::default()
            },
        );
    }
    let (h, rows) = read_gz_tsv(
        &expected
            .join("tcp_analysis_extra")
            .join(format!("{name}.tsv.gz")),
    );
    let (e_frame, e_seq, e_ack, e_rtt, e_acks, e_bif, e_win) = (
        column(&h, "frame.number"),
        column(&h, "tcp.seq"),
        column(&h, "tcp.ack"),
        column(&h, "tcp.analysis.ack_rtt"),
        column(&h, "tcp.analysis.acks_frame"),
        column(&h, "tcp.analysis.bytes_in_flight"),
        column(&h, "tcp.window_size"),
    );
    for r in &rows {
        let frame: u32 = r[e_frame].parse().expect("frame");
        let Some(o) = out.get_mut(&frame) else {
            continue;
        };
        o.seq = r[e_seq].parse().expect("tcp.seq");
        o.ack = (o.flags & 0x010 != 0).then(|| r[e_ack].parse().expect("tcp.ack"));
        o.ack_rtt_ns = (!r[e_rtt].is_empty()).then(|| epoch_ns(&r[e_rtt]));
        o.acks_frame = r[e_acks].parse().ok();
        o.bif = r[e_bif].parse().ok();
        o.window = r[e_win].parse().expect("tcp.window_size");
    }
    let sack_file = expected
        .join("stream_graph")
        .join(format!("{name}.sack.tsv"));
    if let Some((h, rows)) = common::read_tsv(&sack_file) {
        let (s_frame, s_le, s_re) = (
            column(&h, "frame.number"),
            column(&h, "tcp.options.sack_le"),
            column(&h, "tcp.options.sack_re"),
        );
        for r in &rows {
            let frame: u32 = r[s_frame].parse().expect("frame");
            if let Some(o) = out.get_mut(&frame) {
                o.sack = r[s_le]
                    .split(',')
                    .zip(r[s_re].split(','))
                    .map(|(l, r)| (l.parse().expect("le"), r.parse().expect("re")))
                    .collect();
            }
        }
    }
    out
}

/// Our points of a graph as comparable text rows, per line.
fn ours(g: &StreamGraph) -> BTreeMap<&'static str, Vec<String>> {
    g.lines
        .iter()
        .filter(|l| l.name != "average")
        .map(|l| {
            let rows = l
                .points
                .iter()
                .map(|p| {
                    let value = if l.unit == "s" {
                        (p.value * 1e9).round() as i64
                    } else {
                        p.value as i64
                    };
                    format!(
                        "frame {} t {} value {value} top {:?} seq {:?}",
                        p.frame,
                        time_text((p.time * 1e9).round() as i64),
                        p.top.map(|t| t as i64),
                        p.seq
                    )
                })
                .collect();
            (l.name, rows)
        })
        .collect()
}

fn row(frame: u32, t: i64, value: i64, top: Option<i64>, seq: Option<u32>) -> String {
    format!(
        "frame {frame} t {} value {value} top {top:?} seq {seq:?}",
        time_text(t)
    )
}

/// A time since the capture's first frame, in ns, as compared: exact below 2^53 ns (104 days,
/// where an f64 of seconds holds every ns); beyond (a capture whose first frame is years older
/// than the rest) to the microsecond, the precision an f64 keeps there.
fn time_text(ns: i64) -> String {
    if ns.unsigned_abs() < 1 << 53 {
        ns.to_string()
    } else {
        format!("{}us", (ns as f64 / 1e3).round() as i64)
    }
}

/// The points tshark's values give for `kind` of direction `node` of stream `stream`.
fn theirs(
    frames: &BTreeMap<u32, Oracle>,
    stream: u32,
    node0: &str,
    node: u8,
    kind: GraphKind,
    first_ts: i64,
) -> BTreeMap<&'static str, Vec<String>> {
    let of_stream: Vec<(u32, &Oracle)> = frames
        .iter()
        .filter(|(_, o)| o.stream == stream)
        .map(|(&f, o)| (f, o))
        .collect();
    let fwd = |o: &Oracle| (o.src == node0) == (node == 0);
    let t = |o: &Oracle| o.ts_ns - first_ts;
    let data = || of_stream.iter().filter(|(_, o)| fwd(o) && o.len > 0);
    let acks = || {
        of_stream
            .iter()
            .filter(|(_, o)| !fwd(o) && o.flags & 0x010 != 0)
    };
    let mut m = BTreeMap::new();
    match kind {
        GraphKind::Stevens => {
            m.insert(
                "seq",
                data()
                    .map(|(f, o)| row(*f, t(o), (o.seq + o.len) as i64, None, None))
                    .collect(),
            );
        }
        GraphKind::Tcptrace => {
            m.insert(
                "segment",
                data()
                    .map(|(f, o)| {
                        row(
                            *f,
                            t(o),
                            o.seq as i64,
                            Some((o.seq + o.len) as i64),
                            Some(o.seq as u32),
                        )
                    })
                    .collect(),
            );
            m.insert(
                "ack",
                acks()
                    .map(|(f, o)| row(*f, t(o), o.ack.unwrap_or(0) as i64, None, None))
                    .collect(),
            );
            m.insert(
                "window",
                acks()
                    .map(|(f, o)| row(*f, t(o), (o.ack.unwrap_or(0) + o.window) as i64, None, None))
                    .collect(),
            );
            m.insert(
                "sack",
                acks()
                    .flat_map(|(f, o)| {
                        o.sack.iter().map(move |&(l, r)| {
                            row(*f, t(o), l as i64, Some(r as i64), Some(l as u32))
                        })
                    })
                    .collect(),
            );
        }
        GraphKind::Throughput => {
            m.insert(
                "segment_length",
                data()
                    .map(|(f, o)| row(*f, t(o), o.len as i64, None, None))
                    .collect(),
            );
        }
        GraphKind::Rtt => {
            m.insert(
                "rtt",
                of_stream
                    .iter()
                    .filter(|(_, o)| !fwd(o))
                    .filter_map(|(f, o)| {
                        let rtt = o.ack_rtt_ns?;
                        let acked = frames.get(&o.acks_frame?).filter(|a| fwd(a));
                        Some(row(*f, t(o), rtt, None, acked.map(|a| a.seq as u32)))
                    })
                    .collect(),
            );
        }
        GraphKind::Window => {
            m.insert(
                "window",
                acks()
                    .map(|(f, o)| row(*f, t(o), o.window as i64, None, None))
                    .collect(),
            );
            m.insert(
                "bytes_in_flight",
                of_stream
                    .iter()
                    .filter(|(_, o)| fwd(o))
                    .filter_map(|(f, o)| Some(row(*f, t(o), o.bif? as i64, None, None)))
                    .collect(),
            );
        }
    }
    m
}

/// The documented moving average, recomputed from tshark's times and lengths.
fn expected_average(points: &[(u32, i64, u64)]) -> Vec<(u32, f64)> {
    let mut out = Vec::new();
    for (i, &(frame, t, _)) in points.iter().enumerate() {
        let window: Vec<&(u32, i64, u64)> = points[..=i]
            .iter()
            .filter(|p| t - p.1 <= 1_000_000_000)
            .collect();
        let t0 = window[0].1;
        if t > t0 {
            let bytes: u64 = window[1..].iter().map(|p| p.2).sum();
            out.push((frame, bytes as f64 * 1e9 / (t - t0) as f64));
        }
    }
    out
}

fn segments(path: &Path, streams: &BTreeSet<u32>) -> BTreeMap<u32, StreamSegments> {
    let data = std::fs::read(path).expect("capture");
    let mut pipeline = Pipeline::new();
    let mut analyzer = TcpAnalyzer::new();
    let mut builders: BTreeMap<u32, StreamGraphBuilder> = streams
        .iter()
        .map(|&s| (s, StreamGraphBuilder::new(s)))
        .collect();
    let mut tcp = Vec::new();
    let mut visit = |c: &FrameContext| {
        analyzer.analyze_frame(c, &mut tcp);
        for b in builders.values_mut() {
            b.observe(c, &tcp);
        }
    };
    pipeline.push(&data, &mut visit);
    pipeline.finish(&mut visit);
    builders
        .into_iter()
        .map(|(s, b)| (s, b.finish(analyzer.display_pass())))
        .collect()
}

#[test]
fn stream_graphs_equal_tshark_values() {
    let Some(cap) = common::captures_dir("stream_graphs_equal_tshark_values") else {
        return;
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/tcp_analysis_extra");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("expected dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".tsv.gz"))
        .map(|n| n.trim_end_matches(".tsv.gz").to_string())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let mut diffs = Vec::new();
    let mut compared = BTreeMap::<&'static str, u64>::new();
    let mut graphs = 0u64;
    let mut multi_total = 0usize;
    for name in &names {
        let mut multi = BTreeSet::new();
        let frames = oracle(&cap, name, &mut multi);
        multi_total += multi.len();
        let first_ts = common::read_tsv(&cap.join("public/oracle").join(name).join("packets.tsv"))
            .and_then(|(_, rows)| rows.first().map(|r| epoch_ns(&r[1])))
            .expect("first frame");
        let streams: BTreeSet<u32> = frames.values().map(|o| o.stream).collect();
        let segs = segments(&cap.join("public").join(name), &streams);
        for (&stream, s) in &segs {
            let Some(node0) = frames
                .values()
                .find(|o| o.stream == stream)
                .map(|o| o.src.clone())
            else {
                continue;
            };
            for node in [0u8, 1] {
                for kind in GraphKind::ALL {
                    let g = stream_graph(s, kind, node);
                    graphs += 1;
                    let want = theirs(&frames, stream, &node0, node, kind, first_ts);
                    let got = ours(&g);
                    for (line, rows) in &want {
                        *compared.entry(line).or_default() += rows.len() as u64;
                        let mine = got.get(line).cloned().unwrap_or_default();
                        if &mine != rows && diffs.len() < 30 {
                            let at = mine
                                .iter()
                                .zip(rows)
                                .position(|(a, b)| a != b)
                                .unwrap_or(mine.len().min(rows.len()));
                            diffs.push(format!(
                                "{name} stream {stream} node {node} {} {line}: {} points vs tshark {}; first difference at {at}: ours {:?} tshark {:?}",
                                kind.name(),
                                mine.len(),
                                rows.len(),
                                mine.get(at),
                                rows.get(at)
                            ));
                        }
                    }
                    if kind == GraphKind::Throughput {
                        let pts: Vec<(u32, i64, u64)> = frames
                            .iter()
                            .filter(|(_, o)| o.stream == stream && o.len > 0)
                            .filter(|(_, o)| (o.src == node0) == (node == 0))
                            .map(|(&f, o)| (f, o.ts_ns, o.len))
                            .collect();
                        let want = expected_average(&pts);
                        let got = &g.lines.iter().find(|l| l.name == "average").unwrap().points;
                        *compared.entry("average").or_default() += want.len() as u64;
                        let same = want.len() == got.len()
                            && want.iter().zip(got).all(|(w, p)| {
                                w.0 == p.frame && (w.1 - p.value).abs() <= 1e-9 * w.1.abs().max(1.0)
                            });
                        if !same && diffs.len() < 30 {
                            diffs.push(format!(
                                "{name} stream {stream} node {node} throughput average: {} points vs {}",
                                got.len(),
                                want.len()
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "stream graphs: {} captures, {graphs} graphs, points compared per line: {compared:?}; frames with several TCP layers: {multi_total}",
        names.len()
    );
    for d in &diffs {
        eprintln!("{d}");
    }
    assert!(diffs.is_empty(), "graph values differ from tshark");
    assert_eq!(
        multi_total, 0,
        "frames with several TCP layers were not compared"
    );
    assert!(
        compared.get("sack").copied().unwrap_or(0) > 0,
        "no SACK block compared"
    );
    assert!(
        compared.get("rtt").copied().unwrap_or(0) > 0,
        "no RTT compared"
    );
}
