//! The series of Wireshark's TCP Stream Graphs for one direction of one stream, computed from the
//! stream's [`StreamSegments`]: Stevens, tcptrace, throughput, round-trip time and window scaling.
//!
//! The graphed direction ("node") sends the data; the other direction sends the ACKs, windows and
//! SACK blocks. Times are seconds since the capture's first frame (Wireshark's x axis); sequence
//! values are relative (`tcp.seq` of `tshark -2`).
//!
//! | kind | lines (unit) |
//! |---|---|
//! | stevens | `seq`: end of each data segment, `tcp.seq + tcp.len` (seq) |
//! | tcptrace | `segment`: `tcp.seq ..= tcp.seq + tcp.len` of each data segment; `ack`: `tcp.ack` of each ACK of the other direction; `window`: that ACK plus its calculated window (`tcp.ack + tcp.window_size`); `sack`: the SACK blocks of the other direction (seq) |
//! | throughput | `segment_length`: `tcp.len` of each data segment (bytes); `average`: moving average over [`THROUGHPUT_WINDOW_NS`] (bytes/s, see [`GraphKind::Throughput`]) |
//! | rtt | `rtt`: `tcp.analysis.ack_rtt` of each ACK of the other direction, at the ACK's time, with the relative sequence number of the segment it acknowledges (`seq`) (s) |
//! | window | `window`: calculated window (`tcp.window_size`) advertised by the other direction, the receive window this direction may fill; `bytes_in_flight`: `tcp.analysis.bytes_in_flight` of this direction's segments (bytes) |
//!
//! Data segments are the segments with `tcp.len > 0` (SYN and FIN, which carry no data, are not
//! drawn). Memory: the points, at most a few per segment.

use serde::Serialize;

use super::stream_graph::{GraphSegment, StreamSegments};

const TH_ACK: u16 = 0x010;

/// Width of the throughput moving average: 1 s (Wireshark's default "MA Window").
pub const THROUGHPUT_WINDOW_NS: i64 = 1_000_000_000;

/// The kinds of graph (Wireshark's Statistics › TCP Stream Graphs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GraphKind {
    /// Sequence number of each segment's end over time (Stevens style).
    Stevens,
    /// Segments, ACK line, receive window line and SACK blocks over time (tcptrace style).
    Tcptrace,
    /// Segment lengths and their moving average in bytes/s. For data segment `i` at time `t_i`,
    /// the segments of the window are those at `t_i - 1 s ..= t_i`; with `t_0` the time of the
    /// oldest of them, the average is the bytes of the window's segments after the oldest (up to
    /// and including `i`) divided by `t_i - t_0`. A segment whose window spans no time (the first
    /// one, or a burst with one timestamp) has no average point.
    Throughput,
    /// ACK round-trip times.
    Rtt,
    /// The other direction's receive window and this direction's bytes in flight.
    Window,
}

impl GraphKind {
    /// Every kind, in menu order.
    pub const ALL: [GraphKind; 5] = [
        GraphKind::Stevens,
        GraphKind::Tcptrace,
        GraphKind::Throughput,
        GraphKind::Rtt,
        GraphKind::Window,
    ];

    /// The kind named `name` (`stevens`, `tcptrace`, `throughput`, `rtt`, `window`).
    pub fn parse(name: &str) -> Option<GraphKind> {
        GraphKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The kind's name.
    pub fn name(self) -> &'static str {
        match self {
            GraphKind::Stevens => "stevens",
            GraphKind::Tcptrace => "tcptrace",
            GraphKind::Throughput => "throughput",
            GraphKind::Rtt => "rtt",
            GraphKind::Window => "window",
        }
    }
}

/// One point of a line.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct GraphPoint {
    /// The frame the point comes from.
    pub frame: u32,
    /// Seconds since the capture's first frame.
    pub time: f64,
    /// The value (unit of the line).
    pub value: f64,
    /// Upper end of a range (tcptrace segments and SACK blocks).
    pub top: Option<f64>,
    /// Relative sequence number the point is about (RTT: the acknowledged segment's).
    pub seq: Option<u32>,
}

/// One line of a graph.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GraphLine {
    /// Line name (see the module table).
    pub name: &'static str,
    /// Unit of the values: `seq`, `bytes`, `bytes/s` or `s`.
    pub unit: &'static str,
    /// Points in frame order.
    pub points: Vec<GraphPoint>,
}

/// A graph of one direction of one stream.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamGraph {
    /// `tcp.stream`.
    pub stream: u32,
    /// The kind.
    pub kind: GraphKind,
    /// The graphed direction (0: that of the stream's first packet).
    pub node: u8,
    /// Sender of the graphed direction, `address:port` (IPv6 in brackets).
    pub from: String,
    /// Receiver of the graphed direction.
    pub to: String,
    /// The lines (see the module table).
    pub lines: Vec<GraphLine>,
    /// Packets of the stream beyond the collection limit (not graphed).
    pub dropped: u64,
}

fn endpoint_text(e: Option<(std::net::IpAddr, u16)>) -> String {
    match e {
        Some((std::net::IpAddr::V6(a), p)) => format!("[{a}]:{p}"),
        Some((a, p)) => format!("{a}:{p}"),
        None => String::new(),
    }
}

/// Computes the `kind` graph of direction `node` (0 or 1; anything else is 1) of `segs`.
pub fn stream_graph(segs: &StreamSegments, kind: GraphKind, node: u8) -> StreamGraph {
    let node = u8::from(node != 0);
    let (from, to) = if node == 0 {
        (segs.node0, segs.node1)
    } else {
        (segs.node1, segs.node0)
    };
    let time = |s: &GraphSegment| s.ts_ns.saturating_sub(segs.capture_first_ts_ns) as f64 / 1e9;
    let forward = || segs.segments.iter().filter(move |s| s.node == node);
    let data = || forward().filter(|s| s.payload_len > 0);
    let acks = || {
        segs.segments
            .iter()
            .filter(move |s| s.node != node && s.tcp_flags & TH_ACK != 0)
    };
    let point = |s: &GraphSegment, value: f64| GraphPoint {
        frame: s.frame,
        time: time(s),
        value,
        top: None,
        seq: None,
    };
    let line = |name, unit, points| GraphLine { name, unit, points };
    let lines = match kind {
        GraphKind::Stevens => vec![line(
            "seq",
            "seq",
            data()
                .map(|s| point(s, f64::from(s.rel_seq) + f64::from(s.payload_len)))
                .collect(),
        )],
        GraphKind::Tcptrace => {
            let segment = data()
                .map(|s| GraphPoint {
                    top: Some(f64::from(s.rel_seq) + f64::from(s.payload_len)),
                    seq: Some(s.rel_seq),
                    ..point(s, f64::from(s.rel_seq))
                })
                .collect();
            let ack = acks()
                .filter_map(|s| Some(point(s, f64::from(s.rel_ack?))))
                .collect();
            let window = acks()
                .filter_map(|s| Some(point(s, f64::from(s.rel_ack?) + f64::from(s.window_size))))
                .collect();
            let mut sack = Vec::new();
            for s in acks() {
                let Some(rel_ack) = s.rel_ack else { continue };
                // The acknowledged direction's base sequence number, as the ACK was made relative.
                let base = s.raw_ack.wrapping_sub(rel_ack);
                for &(left, right) in segs.sack_of(s) {
                    let (l, r) = (left.wrapping_sub(base), right.wrapping_sub(base));
                    sack.push(GraphPoint {
                        top: Some(f64::from(r)),
                        seq: Some(l),
                        ..point(s, f64::from(l))
                    });
                }
            }
            vec![
                line("segment", "seq", segment),
                line("ack", "seq", ack),
                line("window", "seq", window),
                line("sack", "seq", sack),
            ]
        }
        GraphKind::Throughput => {
            let lengths: Vec<GraphPoint> =
                data().map(|s| point(s, f64::from(s.payload_len))).collect();
            let average = moving_average(data().map(|s| (s, s.payload_len)), &point);
            vec![
                line("segment_length", "bytes", lengths),
                line("average", "bytes/s", average),
            ]
        }
        GraphKind::Rtt => {
            let rtt = segs
                .segments
                .iter()
                .filter(|s| s.node != node)
                .filter_map(|s| {
                    let rtt = s.ack_rtt_ns?;
                    let acked = segs.by_frame(s.acks_frame?).filter(|a| a.node == node);
                    Some(GraphPoint {
                        seq: acked.map(|a| a.rel_seq),
                        ..point(s, rtt as f64 / 1e9)
                    })
                })
                .collect();
            vec![line("rtt", "s", rtt)]
        }
        GraphKind::Window => {
            let window = acks().map(|s| point(s, f64::from(s.window_size))).collect();
            let in_flight = forward()
                .filter_map(|s| Some(point(s, f64::from(s.bytes_in_flight?))))
                .collect();
            vec![
                line("window", "bytes", window),
                line("bytes_in_flight", "bytes", in_flight),
            ]
        }
    };
    StreamGraph {
        stream: segs.stream,
        kind,
        node,
        from: endpoint_text(from),
        to: endpoint_text(to),
        lines,
        dropped: segs.dropped,
    }
}

/// The throughput moving average of [`GraphKind::Throughput`] over `(segment, bytes)` in time
/// order. Keeps the window's (time, bytes) in a queue: memory bounded by the segments of 1 s.
fn moving_average<'a>(
    segments: impl Iterator<Item = (&'a GraphSegment, u32)>,
    point: &dyn Fn(&GraphSegment, f64) -> GraphPoint,
) -> Vec<GraphPoint> {
    let mut window: std::collections::VecDeque<(i64, u64)> = std::collections::VecDeque::new();
    let mut sum: u64 = 0;
    let mut out = Vec::new();
    for (s, bytes) in segments {
        window.push_back((s.ts_ns, u64::from(bytes)));
        sum = sum.saturating_add(u64::from(bytes));
        while let Some(&(t0, b0)) = window.front() {
            if s.ts_ns.saturating_sub(t0) > THROUGHPUT_WINDOW_NS {
                window.pop_front();
                sum = sum.saturating_sub(b0);
            } else {
                break;
            }
        }
        let Some(&(t0, b0)) = window.front() else {
            continue;
        };
        let dt = s.ts_ns.saturating_sub(t0);
        if dt > 0 {
            let bytes_after_oldest = sum.saturating_sub(b0);
            out.push(point(s, bytes_after_oldest as f64 * 1e9 / dt as f64));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::stream_graph::tests::segments_of;
    use crate::synth::{Dir, Endpoint, Impairment, TcpConversation};

    const START: i64 = 1_700_000_000_000_000_000;

    fn download(body: usize) -> TcpConversation {
        TcpConversation::new(
            0,
            Endpoint::new("10.0.0.1".parse().unwrap(), 40000),
            Endpoint::new("10.0.0.2".parse().unwrap(), 80),
            START,
        )
        .message(Dir::ToServer, b"GET / HTTP/1.1\r\n\r\n".to_vec())
        .message(Dir::ToClient, vec![b'x'; body])
    }

    fn line<'a>(g: &'a StreamGraph, name: &str) -> &'a GraphLine {
        g.lines.iter().find(|l| l.name == name).expect("line")
    }

    #[test]
    fn kinds_parse_by_name() {
        for k in GraphKind::ALL {
            assert_eq!(GraphKind::parse(k.name()), Some(k));
        }
        assert_eq!(GraphKind::parse("sequence"), None);
    }

    #[test]
    fn stevens_ends_at_the_bytes_sent_and_rises() {
        let segs = segments_of(&download(20_000));
        let g = stream_graph(&segs, GraphKind::Stevens, 1);
        assert_eq!(g.from, "10.0.0.2:80");
        let seq = line(&g, "seq");
        assert!(seq.points.len() >= 2);
        // Relative seq 1 is the first data byte: the last segment ends after byte 20000.
        assert_eq!(seq.points.last().map(|p| p.value), Some(20_001.0));
        assert!(seq.points.windows(2).all(|w| w[0].value < w[1].value));
        // The client sent one request of 18 bytes.
        let g0 = stream_graph(&segs, GraphKind::Stevens, 0);
        assert_eq!(line(&g0, "seq").points.len(), 1);
        assert_eq!(line(&g0, "seq").points[0].value, 19.0);
    }

    #[test]
    fn tcptrace_acks_reach_the_end_and_window_lies_above() {
        let segs = segments_of(&download(20_000));
        let g = stream_graph(&segs, GraphKind::Tcptrace, 1);
        let total: f64 = line(&g, "segment")
            .points
            .iter()
            .map(|p| p.top.unwrap_or(p.value) - p.value)
            .sum();
        assert_eq!(total, 20_000.0);
        let acks = line(&g, "ack");
        assert!(acks.points.iter().any(|p| p.value >= 20_001.0));
        for (a, w) in acks.points.iter().zip(&line(&g, "window").points) {
            assert_eq!(a.frame, w.frame);
            assert!(w.value > a.value);
        }
        // Every ACK of the other direction is drawn: the client's packets after its SYN.
        let client_acks = segs
            .segments
            .iter()
            .filter(|s| s.node == 0 && s.tcp_flags & TH_ACK != 0)
            .count();
        assert_eq!(acks.points.len(), client_acks);
    }

    #[test]
    fn rtt_points_refer_to_acknowledged_data_of_the_direction() {
        let segs = segments_of(&download(20_000));
        let g = stream_graph(&segs, GraphKind::Rtt, 1);
        let rtt = line(&g, "rtt");
        assert!(!rtt.points.is_empty());
        for p in &rtt.points {
            assert!(p.value > 0.0);
            let ack = segs.by_frame(p.frame).expect("ack frame");
            assert_eq!(ack.node, 0);
            let acked = segs.by_frame(ack.acks_frame.expect("acks")).expect("acked");
            assert_eq!(p.seq, Some(acked.rel_seq));
        }
    }

    #[test]
    fn throughput_average_is_bytes_over_time() {
        let segs = segments_of(&download(50_000));
        let g = stream_graph(&segs, GraphKind::Throughput, 1);
        let lengths = line(&g, "segment_length");
        assert_eq!(
            lengths.points.iter().map(|p| p.value).sum::<f64>(),
            50_000.0
        );
        let avg = line(&g, "average");
        assert!(!avg.points.is_empty());
        // Recompute the last point by hand from the segment list.
        let last = avg.points.last().unwrap();
        let t_last = segs.by_frame(last.frame).unwrap().ts_ns;
        let in_window: Vec<&GraphSegment> = segs
            .segments
            .iter()
            .filter(|s| s.node == 1 && s.payload_len > 0)
            .filter(|s| s.ts_ns <= t_last && t_last - s.ts_ns <= THROUGHPUT_WINDOW_NS)
            .collect();
        let t0 = in_window[0].ts_ns;
        let bytes: u32 = in_window[1..].iter().map(|s| s.payload_len).sum();
        let want = f64::from(bytes) * 1e9 / (t_last - t0) as f64;
        assert!((last.value - want).abs() < 1e-6, "{} vs {want}", last.value);
    }

    #[test]
    fn window_graph_shows_zero_window_and_bytes_in_flight() {
        let conv = download(20_000).impair(Impairment::ZeroWindow { message: 1 });
        let segs = segments_of(&conv);
        let g = stream_graph(&segs, GraphKind::Window, 1);
        assert!(line(&g, "window").points.iter().any(|p| p.value == 0.0));
        let bif = line(&g, "bytes_in_flight");
        assert!(bif.points.iter().all(|p| p.value > 0.0));
        let max_segment = f64::from(
            segs.segments
                .iter()
                .map(|s| s.payload_len)
                .max()
                .unwrap_or(0),
        );
        assert!(bif.points.iter().any(|p| p.value >= max_segment));
    }
}
