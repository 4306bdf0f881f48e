//! The per-packet diff of one matched stream pair: every packet of the stream at either point, in
//! time order, with its peer at the other point when the pairing found one, the header fields of
//! both copies and the names of the fields that differ (what the path rewrote in that packet).
//!
//! Only packet-level links (the same connection at both points) have packet pairs; an
//! application-level link (through a proxy) has no per-packet diff.

use serde::Serialize;

use super::input::{endpoint_text, MatchInput, PacketRecord, Proto, StreamSummary, DIR_C2S};
use super::pair::{PairResult, StreamMatch};
use super::report::epoch_text;

/// Most rows listed per stream pair (the list is for reading; the bound keeps it finite).
pub const MAX_PACKET_DIFF_ROWS: usize = 100_000;

/// One packet's header fields at one point.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PacketFields {
    /// Frame number there.
    pub frame: u32,
    /// Epoch time there, `seconds.nanoseconds` (that capture's own clock).
    pub time: String,
    /// Epoch ns (the same instant).
    pub ts_ns: i64,
    /// Source `ip:port`.
    pub src: String,
    /// Destination `ip:port`.
    pub dst: String,
    /// IPv4 identification.
    pub ip_id: u16,
    /// TTL / hop limit.
    pub ttl: u8,
    /// DSCP (upper six bits of the TOS / traffic class byte).
    pub dscp: u8,
    /// ECN (lower two bits).
    pub ecn: u8,
    /// Raw TCP sequence number (0 for UDP).
    pub seq: u32,
    /// Raw TCP acknowledgement number (0 for UDP).
    pub ack: u32,
    /// TCP flags byte (0 for UDP).
    pub flags: u8,
    /// Payload length.
    pub len: u32,
}

/// One row of the diff: a packet at A, at B, or both.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketDiffRow {
    /// `c2s` or `s2c`.
    pub dir: &'static str,
    /// `paired`, `only_a` (absent at B) or `only_b` (absent at A).
    pub status: &'static str,
    /// The copy at A.
    pub a: Option<PacketFields>,
    /// The copy at B.
    pub b: Option<PacketFields>,
    /// Names of the [`PacketFields`] that differ between the copies (`src`, `dst`, `ip_id`,
    /// `ttl`, `dscp`, `ecn`, `seq`, `ack`, `flags`, `len`), in that order; empty unless paired.
    pub differs: Vec<&'static str>,
    /// Time at B − time at A − the estimated clock shift, seconds (paired rows with a clock).
    pub delta_s: Option<f64>,
}

/// The diff of one matched stream pair.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamPacketDiff {
    /// `tcp` or `udp`.
    pub proto: &'static str,
    /// A's stream number.
    pub a_stream: u32,
    /// B's stream number.
    pub b_stream: u32,
    /// Rows in time order (A's time; B-only rows at their time mapped to A's clock).
    pub rows: Vec<PacketDiffRow>,
    /// True when rows were cut at [`MAX_PACKET_DIFF_ROWS`].
    pub truncated: bool,
}

fn fields(s: &StreamSummary, p: &PacketRecord) -> PacketFields {
    let (src, dst) = if p.dir == DIR_C2S {
        (&s.client, &s.server)
    } else {
        (&s.server, &s.client)
    };
    PacketFields {
        frame: p.frame,
        time: epoch_text(p.ts_ns),
        ts_ns: p.ts_ns,
        src: endpoint_text(src),
        dst: endpoint_text(dst),
        ip_id: p.ip_id,
        ttl: p.ttl,
        dscp: p.tos >> 2,
        ecn: p.tos & 3,
        seq: p.seq,
        ack: p.ack,
        flags: p.flags,
        len: p.payload_len,
    }
}

fn differing(a: &PacketFields, b: &PacketFields) -> Vec<&'static str> {
    let checks: [(&'static str, bool); 10] = [
        ("src", a.src != b.src),
        ("dst", a.dst != b.dst),
        ("ip_id", a.ip_id != b.ip_id),
        ("ttl", a.ttl != b.ttl),
        ("dscp", a.dscp != b.dscp),
        ("ecn", a.ecn != b.ecn),
        ("seq", a.seq != b.seq),
        ("ack", a.ack != b.ack),
        ("flags", a.flags != b.flags),
        ("len", a.len != b.len),
    ];
    checks
        .iter()
        .filter(|(_, d)| *d)
        .map(|(name, _)| *name)
        .collect()
}

fn dir_name(dir: u8) -> &'static str {
    if dir == DIR_C2S {
        "c2s"
    } else {
        "s2c"
    }
}

/// The diff of match `m` of `result` (A = `a`, B = `b`); None for an application-level link.
pub fn diff_of_match(
    a: &MatchInput,
    b: &MatchInput,
    result: &PairResult,
    m: &StreamMatch,
) -> Option<StreamPacketDiff> {
    let pairing = m.pairing.as_ref()?;
    let sa = a.streams.get(m.link.a as usize)?;
    let sb = b.streams.get(m.link.b as usize)?;
    let t0 = a.first_ts_ns.unwrap_or(0);
    let shift = |t_a: i64| -> f64 { result.clock.map(|c| c.shift_at_ns(t_a, t0)).unwrap_or(0.0) };
    // (sort time in A's clock, tie order, row).
    let mut rows: Vec<(i64, u8, u32, PacketDiffRow)> = Vec::new();
    for &(i, j) in &pairing.pairs {
        let (Some(p), Some(q)) = (a.packets.get(i as usize), b.packets.get(j as usize)) else {
            continue;
        };
        let (fa, fb) = (fields(sa, p), fields(sb, q));
        let delta_s = result
            .clock
            .map(|_| (q.ts_ns.saturating_sub(p.ts_ns) as f64 - shift(p.ts_ns)) / 1e9);
        rows.push((
            p.ts_ns,
            0,
            p.frame,
            PacketDiffRow {
                dir: dir_name(p.dir),
                status: "paired",
                differs: differing(&fa, &fb),
                a: Some(fa),
                b: Some(fb),
                delta_s,
            },
        ));
    }
    for &i in &pairing.unpaired_a {
        let Some(p) = a.packets.get(i as usize) else {
            continue;
        };
        rows.push((
            p.ts_ns,
            0,
            p.frame,
            PacketDiffRow {
                dir: dir_name(p.dir),
                status: "only_a",
                a: Some(fields(sa, p)),
                b: None,
                differs: Vec::new(),
                delta_s: None,
            },
        ));
    }
    for &j in &pairing.unpaired_b {
        let Some(q) = b.packets.get(j as usize) else {
            continue;
        };
        // B's time in A's clock (drift is tiny: evaluate the shift at the uncorrected time).
        let guess = q
            .ts_ns
            .saturating_sub(result.clock.map(|c| (c.offset_s * 1e9) as i64).unwrap_or(0));
        let at_a = q.ts_ns.saturating_sub(shift(guess) as i64);
        rows.push((
            at_a,
            1,
            q.frame,
            PacketDiffRow {
                dir: dir_name(q.dir),
                status: "only_b",
                a: None,
                b: Some(fields(sb, q)),
                differs: Vec::new(),
                delta_s: None,
            },
        ));
    }
    rows.sort_by_key(|r| (r.0, r.1, r.2));
    let truncated = rows.len() > MAX_PACKET_DIFF_ROWS;
    rows.truncate(MAX_PACKET_DIFF_ROWS);
    Some(StreamPacketDiff {
        proto: m.proto.name(),
        a_stream: m.a_stream,
        b_stream: m.b_stream,
        rows: rows.into_iter().map(|r| r.3).collect(),
        truncated,
    })
}

/// The diff of the match between A stream `a_stream` and B stream `b_stream` (`proto`), when that
/// match exists and is packet level.
pub fn diff_of_streams(
    a: &MatchInput,
    b: &MatchInput,
    result: &PairResult,
    proto: Proto,
    a_stream: u32,
    b_stream: u32,
) -> Option<StreamPacketDiff> {
    let m = result
        .matches
        .iter()
        .find(|m| m.proto == proto && m.a_stream == a_stream && m.b_stream == b_stream)?;
    diff_of_match(a, b, result, m)
}

/// The diffs of every packet-level match of `result`, in match order.
pub fn diffs_of_pair(a: &MatchInput, b: &MatchInput, result: &PairResult) -> Vec<StreamPacketDiff> {
    result
        .matches
        .iter()
        .filter_map(|m| diff_of_match(a, b, result, m))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::match_pair;
    use crate::matching::test_support::*;

    /// A connection seen at A and, through a NAT that rewrites the client port, decrements TTL and
    /// offsets client sequence numbers by 1000, at B; A's third data segment never reaches B.
    fn nat_pair() -> (MatchInput, MatchInput) {
        let mut a = Builder::new();
        let mut b = Builder::new();
        let sa = a.tcp_stream(0, "10.1.0.2:40000", "10.2.0.2:80");
        let sb = b.tcp_stream(5, "192.0.2.1:61000", "10.2.0.2:80");
        let off = 1000u32;
        let mut both = |dir: u8,
                        seq: u32,
                        ack: u32,
                        len: u32,
                        content: u32,
                        flags: u8,
                        t: i64,
                        ipid: u16,
                        lost: bool| {
            let (sq_b, ack_b) = if dir == 0 {
                (seq.wrapping_add(off), ack)
            } else {
                (
                    seq,
                    if flags & 0x10 != 0 {
                        ack.wrapping_add(off)
                    } else {
                        0
                    },
                )
            };
            let p = a.pkt(sa, dir, seq, ack, len, content, flags, t);
            p.ip_id = ipid;
            if !lost {
                let q = b.pkt(sb, dir, sq_b, ack_b, len, content, flags, t + 2_000_000);
                q.ip_id = ipid;
                q.ttl = 63;
            }
        };
        both(0, 100, 0, 0, 0, 0x02, 0, 1, false);
        both(1, 900, 101, 0, 0, 0x12, 10_000_000, 50, false);
        both(0, 101, 901, 0, 0, 0x10, 20_000_000, 2, false);
        for k in 0..6u32 {
            both(
                0,
                101 + k * 100,
                901,
                100,
                10 + k,
                0x18,
                30_000_000 + i64::from(k) * 1_000_000,
                3 + k as u16,
                k == 2,
            );
            both(
                1,
                901,
                201 + k * 100,
                0,
                0,
                0x10,
                36_000_000 + i64::from(k) * 1_000_000,
                51 + k as u16,
                false,
            );
        }
        (a.finish(), b.finish())
    }

    #[test]
    fn paired_rows_name_what_the_path_rewrote_and_loss_is_listed() {
        let (a, b) = nat_pair();
        let r = match_pair(&a, &b);
        let d = diff_of_streams(&a, &b, &r, Proto::Tcp, 0, 5).expect("packet-level match");
        let total_a = a.packets.len();
        let total_b = b.packets.len();
        let paired = d.rows.iter().filter(|x| x.status == "paired").count();
        let only_a: Vec<&PacketDiffRow> = d.rows.iter().filter(|x| x.status == "only_a").collect();
        assert_eq!(only_a.len(), 1);
        assert_eq!(paired, total_b);
        assert_eq!(paired + only_a.len(), total_a);
        assert!(d.rows.iter().all(|x| x.status != "only_b"));
        assert_eq!(only_a[0].a.as_ref().map(|f| f.seq), Some(301));
        let syn = &d.rows[0];
        assert_eq!(syn.dir, "c2s");
        assert_eq!(syn.differs, vec!["src", "ttl", "seq"]);
        let synack = &d.rows[1];
        assert_eq!(synack.dir, "s2c");
        assert_eq!(synack.differs, vec!["dst", "ttl", "ack"]);
        assert_eq!(
            synack.b.as_ref().map(|f| f.dst.as_str()),
            Some("192.0.2.1:61000")
        );
        // Rows follow A's time order.
        let times: Vec<i64> = d
            .rows
            .iter()
            .filter_map(|x| x.a.as_ref().map(|f| f.ts_ns))
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        // Every paired row's delta is the path delay once the clock is taken out.
        for x in d.rows.iter().filter(|x| x.status == "paired") {
            let delta = x.delta_s.expect("clock estimated");
            assert!(delta.abs() < 0.01, "delta {delta}");
        }
        assert_eq!(diffs_of_pair(&a, &b, &r).len(), 1);
        assert!(diff_of_streams(&a, &b, &r, Proto::Udp, 0, 5).is_none());
    }

    #[test]
    fn report_carries_the_diff_only_when_asked_and_prints_it() {
        use crate::matching::{match_inputs, CaptureRef, MatchOptions, View};
        let (a, b) = nat_pair();
        let caps = || {
            vec![
                CaptureRef {
                    index: 0,
                    path: "a".into(),
                    label: "in".into(),
                },
                CaptureRef {
                    index: 1,
                    path: "b".into(),
                    label: "out".into(),
                },
            ]
        };
        let inputs = [a, b];
        let plain = match_inputs(&inputs, caps(), &MatchOptions::default());
        assert!(plain.packet_diff.is_empty());
        let options = MatchOptions {
            packet_diff: true,
            ..Default::default()
        };
        let report = match_inputs(&inputs, caps(), &options);
        let json = report.to_json_view(View::PacketDiff);
        let streams = json["packet_diff"]
            .as_array()
            .expect("two captures: one list");
        assert_eq!(streams.len(), 1);
        let rows = streams[0]["rows"].as_array().expect("rows");
        assert_eq!(rows.len(), inputs[0].packets.len());
        let tsv = report.to_tsv(View::PacketDiff);
        let lines: Vec<&str> = tsv.lines().collect();
        assert_eq!(lines.len(), rows.len() + 1);
        let header: Vec<&str> = lines[0].split('\t').collect();
        for line in &lines[1..] {
            assert_eq!(line.split('\t').count(), header.len(), "{line}");
        }
        assert!(lines[1].starts_with("in\tout\ttcp\t0\t5\tc2s\tpaired\t"));
        assert!(lines[1].ends_with("\tsrc,ttl,seq"));
    }
}
