//! The match result as the CLI and the page print it: JSON in the exact shape (two
//! captures: one object with `captures`, `matches`, `clock`, `missing_syn`, `lost`; N captures:
//! `captures`, `pairs`, `flow`) plus extra keys, and TSV tables for each view.

use serde::Serialize;
use serde_json::{json, Value};

use super::changes::Change;
use super::clock::ClockEstimate;
use super::flow_table::FlowRow;
use super::input::{endpoint_text, MatchInput};
use super::missing_syn::MissingSyn;
use super::packet_diff::StreamPacketDiff;
use super::pair::{LostPacket, PairResult};

/// One capture of the comparison.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CaptureRef {
    /// Position in the order given (0-based).
    pub index: usize,
    /// File path.
    pub path: String,
    /// Label (default: the file name).
    pub label: String,
}

/// One row of the match table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatchRow {
    /// `tcp` or `udp`.
    pub proto: &'static str,
    /// A's `tcp.stream` / `udp.stream`.
    pub a_stream: u32,
    /// B's stream.
    pub b_stream: u32,
    /// Methods joined with `+`.
    pub method: String,
    /// 0..1.
    pub confidence: f64,
    /// `a_ip:a_port->b_ip:b_port` or null.
    pub translation: Option<String>,
    /// Seq at B − seq at A for packets travelling A→B (mod 2^32); null when not the same TCP
    /// connection at both points.
    pub seq_offset_a_to_b: Option<u32>,
    /// Seq at A − seq at B for packets travelling B→A (mod 2^32).
    pub seq_offset_b_to_a: Option<u32>,
    /// The score behind the confidence.
    pub score: f64,
    /// Human-readable evidence.
    pub evidence: Vec<String>,
    /// Every translated endpoint.
    pub translations: Vec<String>,
    /// A's tuple `client->server`.
    pub a_tuple: String,
    /// B's tuple.
    pub b_tuple: String,
    /// True when client-to-server packets travel from A's point to B's.
    pub c2s_a_to_b: bool,
    /// Paired packets (packet-level links).
    pub packets_paired: Option<usize>,
    /// Packets only in A.
    pub lost_a: Option<usize>,
    /// Packets only in B.
    pub lost_b: Option<usize>,
    /// Corrected one-way delay A→B, seconds.
    pub delay_a_to_b_s: Option<f64>,
    /// Corrected one-way delay B→A, seconds.
    pub delay_b_to_a_s: Option<f64>,
    /// What the path changed.
    pub changes: Vec<Change>,
    /// An extra link of a many-to-one proxy relation.
    pub shared: bool,
}

/// A stream without a match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnmatchedStream {
    /// `tcp` or `udp`.
    pub proto: &'static str,
    /// Stream number.
    pub stream: u32,
    /// `client->server`.
    pub tuple: String,
    /// First frame.
    pub first_frame: u32,
}

/// The result for one pair of captures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairReport {
    /// Capture index of A.
    pub a: usize,
    /// Capture index of B.
    pub b: usize,
    /// Matched streams.
    pub matches: Vec<MatchRow>,
    /// Clock model (null when no packet paired).
    pub clock: Option<ClockEstimate>,
    /// Attempts whose SYN counts differ.
    pub missing_syn: Vec<MissingSyn>,
    /// Packets lost between the points.
    pub lost: Vec<LostPacket>,
    /// A's unmatched streams.
    pub unmatched_a: Vec<UnmatchedStream>,
    /// B's unmatched streams.
    pub unmatched_b: Vec<UnmatchedStream>,
}

/// The whole result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatchReport {
    /// The captures in the order given.
    pub captures: Vec<CaptureRef>,
    /// Each consecutive pair, plus first-to-last when there are more than two captures.
    pub pairs: Vec<PairReport>,
    /// The multi-hop flow table (empty for two captures unless asked).
    pub flow: Vec<FlowRow>,
    /// Per-packet diffs of the packet-level matches, per pair (empty unless asked).
    pub packet_diff: Vec<PairPacketDiff>,
}

/// The per-packet diffs of one pair of captures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairPacketDiff {
    /// Capture index of A.
    pub a: usize,
    /// Capture index of B.
    pub b: usize,
    /// One diff per packet-level match, in match order.
    pub streams: Vec<StreamPacketDiff>,
}

fn tuple_text(input: &MatchInput, idx: u32) -> String {
    input
        .streams
        .get(idx as usize)
        .map(|s| format!("{}->{}", endpoint_text(&s.client), endpoint_text(&s.server)))
        .unwrap_or_default()
}

fn unmatched(input: &MatchInput, list: &[u32]) -> Vec<UnmatchedStream> {
    list.iter()
        .filter_map(|&i| {
            let s = input.streams.get(i as usize)?;
            Some(UnmatchedStream {
                proto: s.proto.name(),
                stream: s.stream,
                tuple: tuple_text(input, i),
                first_frame: s.first_frame,
            })
        })
        .collect()
}

impl PairReport {
    /// Builds the printable report of one pair.
    pub fn new(a_idx: usize, b_idx: usize, a: &MatchInput, b: &MatchInput, r: &PairResult) -> Self {
        let matches = r
            .matches
            .iter()
            .map(|m| MatchRow {
                proto: m.proto.name(),
                a_stream: m.a_stream,
                b_stream: m.b_stream,
                method: m.methods.joined(),
                confidence: m.confidence,
                translation: m.translation.clone(),
                seq_offset_a_to_b: m.seq_offset_a_to_b(),
                seq_offset_b_to_a: m.seq_offset_b_to_a(),
                score: (m.link.score * 10.0).round() / 10.0,
                evidence: m.link.evidence.describe(),
                translations: m.translations.clone(),
                a_tuple: tuple_text(a, m.link.a),
                b_tuple: tuple_text(b, m.link.b),
                c2s_a_to_b: m.c2s_a_to_b,
                packets_paired: m.pairing.as_ref().map(|p| p.pairs.len()),
                lost_a: m.pairing.as_ref().map(|p| p.unpaired_a.len()),
                lost_b: m.pairing.as_ref().map(|p| p.unpaired_b.len()),
                delay_a_to_b_s: m.delay_a_to_b_s,
                delay_b_to_a_s: m.delay_b_to_a_s,
                changes: m.changes.clone(),
                shared: m.link.shared,
            })
            .collect();
        PairReport {
            a: a_idx,
            b: b_idx,
            matches,
            clock: r.clock,
            missing_syn: r.missing_syn.clone(),
            lost: r.lost.clone(),
            unmatched_a: unmatched(a, &r.unmatched_a),
            unmatched_b: unmatched(b, &r.unmatched_b),
        }
    }
}

/// Which table the TSV output prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The match table.
    Matches,
    /// Missing SYNs.
    MissingSyn,
    /// Lost packets.
    Lost,
    /// The multi-hop flow table.
    Flow,
    /// The per-packet diff of every packet-level match.
    PacketDiff,
}

/// Columns of each side in the packet-diff TSV.
const PACKET_FIELDS: [&str; 12] = [
    "frame", "time", "src", "dst", "ip_id", "ttl", "dscp", "ecn", "seq", "ack", "len", "flags",
];

/// Epoch ns as `seconds.nanoseconds`, exactly (negative times keep the sign on the seconds).
pub fn epoch_text(ts_ns: i64) -> String {
    let secs = ts_ns.div_euclid(1_000_000_000);
    let nanos = ts_ns.rem_euclid(1_000_000_000);
    format!("{secs}.{nanos:09}")
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

impl MatchReport {
    /// JSON: for two captures one object (`captures`, `matches`, `clock`, `missing_syn`, `lost`,
    /// `unmatched_a`, `unmatched_b`, `flow`); for more, `captures`, `pairs`, `flow`.
    pub fn to_json(&self) -> Value {
        match (self.captures.len(), self.pairs.first()) {
            (2, Some(p)) => json!({
                "captures": self.captures,
                "matches": p.matches,
                "clock": p.clock,
                "missing_syn": p.missing_syn,
                "lost": p.lost,
                "unmatched_a": p.unmatched_a,
                "unmatched_b": p.unmatched_b,
                "flow": self.flow,
            }),
            _ => json!({
                "captures": self.captures,
                "pairs": self.pairs,
                "flow": self.flow,
            }),
        }
    }

    /// JSON of one view: `{captures, matches | missing_syn | lost | flow}` (with several pairs,
    /// the view's rows of every pair under `pairs: [{a, b, <view>}]`). For `--json` together
    /// with `--missing-syn`, `--lost` or `--flow`.
    pub fn to_json_view(&self, view: View) -> Value {
        if view == View::Flow {
            return json!({ "captures": self.captures, "flow": self.flow });
        }
        if view == View::PacketDiff {
            return match (self.captures.len(), self.packet_diff.first()) {
                (2, Some(p)) => json!({ "captures": self.captures, "packet_diff": p.streams }),
                _ => json!({ "captures": self.captures, "pairs": self.packet_diff }),
            };
        }
        let key = match view {
            View::Matches => "matches",
            View::MissingSyn => "missing_syn",
            View::Lost => "lost",
            View::Flow => "flow",
            View::PacketDiff => "packet_diff",
        };
        let rows = |p: &PairReport| -> Value {
            match view {
                View::Matches => json!(p.matches),
                View::MissingSyn => json!(p.missing_syn),
                _ => json!(p.lost),
            }
        };
        match (self.captures.len(), self.pairs.first()) {
            (2, Some(p)) => json!({ "captures": self.captures, key: rows(p) }),
            _ => {
                let pairs: Vec<Value> = self
                    .pairs
                    .iter()
                    .map(|p| json!({ "a": p.a, "b": p.b, key: rows(p) }))
                    .collect();
                json!({ "captures": self.captures, "pairs": pairs })
            }
        }
    }

    /// TSV of one view, header line first. With several pairs, the first columns name the pair.
    pub fn to_tsv(&self, view: View) -> String {
        let mut out = String::new();
        let label = |i: usize| {
            self.captures
                .get(i)
                .map(|c| c.label.clone())
                .unwrap_or_default()
        };
        match view {
            View::Matches => {
                out.push_str("a\tb\tproto\ta_stream\tb_stream\tmethod\tconfidence\ttranslation\tseq_offset_a_to_b\tseq_offset_b_to_a\ta_tuple\tb_tuple\tpackets_paired\tlost_a\tlost_b\tdelay_a_to_b_s\tdelay_b_to_a_s\tchanges\n");
                for p in &self.pairs {
                    for m in &p.matches {
                        let changes: Vec<String> = m
                            .changes
                            .iter()
                            .map(|c| format!("{} {} {}->{}", c.what, c.dir, c.a, c.b))
                            .collect();
                        out.push_str(&format!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                            label(p.a),
                            label(p.b),
                            m.proto,
                            m.a_stream,
                            m.b_stream,
                            m.method,
                            m.confidence,
                            opt(&m.translation),
                            opt(&m.seq_offset_a_to_b),
                            opt(&m.seq_offset_b_to_a),
                            m.a_tuple,
                            m.b_tuple,
                            opt(&m.packets_paired),
                            opt(&m.lost_a),
                            opt(&m.lost_b),
                            opt(&m.delay_a_to_b_s),
                            opt(&m.delay_b_to_a_s),
                            changes.join("; ")
                        ));
                    }
                }
                for p in &self.pairs {
                    if let Some(c) = &p.clock {
                        out.push_str(&format!(
                            "# clock {}->{}: offset_s {} drift_ppm {} delay_s {} samples {}\n",
                            label(p.a),
                            label(p.b),
                            c.offset_s,
                            c.drift_ppm,
                            opt(&c.delay_s),
                            c.samples
                        ));
                    }
                }
            }
            View::MissingSyn => {
                out.push_str("a\tb\ta_stream\tb_stream\tsyn_seq_raw\tsyns_a\tsyns_b\n");
                for p in &self.pairs {
                    for m in &p.missing_syn {
                        out.push_str(&format!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                            label(p.a),
                            label(p.b),
                            opt(&m.a_stream),
                            opt(&m.b_stream),
                            m.syn_seq_raw,
                            m.syns_a,
                            m.syns_b
                        ));
                    }
                }
            }
            View::Lost => {
                out.push_str("a\tb\tcapture\tframe\tstream\tproto\tdir\tseq_raw\tlen\n");
                for p in &self.pairs {
                    for l in &p.lost {
                        out.push_str(&format!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                            label(p.a),
                            label(p.b),
                            l.capture,
                            l.frame,
                            l.stream,
                            l.proto,
                            l.dir,
                            l.seq_raw,
                            l.len
                        ));
                    }
                }
            }
            View::Flow => {
                out.push_str("event\tproto");
                for c in &self.captures {
                    out.push_str(&format!(
                        "\t{0}.frame\t{0}.time\t{0}.stream\t{0}.client_port",
                        c.label
                    ));
                }
                for w in self.captures.windows(2) {
                    out.push_str(&format!("\tdelta_{}_{}_s", w[0].label, w[1].label));
                }
                out.push('\n');
                for r in &self.flow {
                    out.push_str(&format!("{}\t{}", r.event, r.proto));
                    for p in &r.points {
                        match p {
                            Some(p) => out.push_str(&format!(
                                "\t{}\t{}\t{}\t{}",
                                p.frame,
                                epoch_text(p.ts_ns),
                                p.stream,
                                p.client_port
                            )),
                            None => out.push_str("\t\t\t\t"),
                        }
                    }
                    for d in &r.deltas_s {
                        match d {
                            Some(d) => out.push_str(&format!("\t{d:.9}")),
                            None => out.push('\t'),
                        }
                    }
                    out.push('\n');
                }
            }
            View::PacketDiff => self.packet_diff_tsv(&mut out),
        }
        out
    }

    fn packet_diff_tsv(&self, out: &mut String) {
        let label = |i: usize| {
            self.captures
                .get(i)
                .map(|c| c.label.clone())
                .unwrap_or_default()
        };
        out.push_str("a\tb\tproto\ta_stream\tb_stream\tdir\tstatus");
        for side in ["a", "b"] {
            for f in PACKET_FIELDS {
                out.push_str(&format!("\t{side}.{f}"));
            }
        }
        out.push_str("\tdelta_s\tdiffers\n");
        for p in &self.packet_diff {
            for s in &p.streams {
                for r in &s.rows {
                    out.push_str(&format!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        label(p.a),
                        label(p.b),
                        s.proto,
                        s.a_stream,
                        s.b_stream,
                        r.dir,
                        r.status
                    ));
                    for side in [&r.a, &r.b] {
                        match side {
                            Some(f) => out.push_str(&format!(
                                "\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t0x{:02x}",
                                f.frame,
                                f.time,
                                f.src,
                                f.dst,
                                f.ip_id,
                                f.ttl,
                                f.dscp,
                                f.ecn,
                                f.seq,
                                f.ack,
                                f.len,
                                f.flags
                            )),
                            None => out.push_str(&"\t".repeat(PACKET_FIELDS.len())),
                        }
                    }
                    match r.delta_s {
                        Some(d) => out.push_str(&format!("\t{d:.9}")),
                        None => out.push('\t'),
                    }
                    out.push_str(&format!("\t{}\n", r.differs.join(",")));
                }
            }
        }
    }
}
