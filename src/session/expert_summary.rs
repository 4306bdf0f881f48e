//! Expert Info summary of the TCP analysis: how many frames carry each `tcp.analysis.*` finding,
//! with tshark's severity, and the first frames of each (to click to).

use serde::Serialize;

use super::analysis_flags::{AnalysisFlags, FLAG_NAMES};
use super::tcp_analysis::LayerAnalysis;

/// Frames remembered per finding.
pub const FRAMES_PER_FINDING: usize = 1000;

/// tshark's expert severity of a TCP analysis finding (`epan/dissectors/packet-tcp.c`
/// `ei_tcp_analysis_*` registrations).
pub fn severity(flag: &str) -> &'static str {
    match flag {
        "out_of_order" | "lost_segment" | "ack_lost_segment" | "window_full" | "zero_window" => {
            "warning"
        }
        "window_update" => "chat",
        _ => "note",
    }
}

/// One row of the summary.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExpertRow {
    /// `note`, `warning` or `chat`.
    pub severity: &'static str,
    /// The finding (`tcp.analysis.` field name without the prefix).
    pub kind: &'static str,
    /// Frames with the finding.
    pub count: u64,
    /// The first [`FRAMES_PER_FINDING`] of them.
    pub frames: Vec<u32>,
}

/// Counts findings frame by frame.
#[derive(Clone, Debug, Default)]
pub struct ExpertSummary {
    rows: Vec<ExpertRow>,
}

impl ExpertSummary {
    /// An empty summary.
    pub fn new() -> Self {
        ExpertSummary {
            rows: FLAG_NAMES
                .iter()
                .map(|(kind, _)| ExpertRow {
                    severity: severity(kind),
                    kind,
                    count: 0,
                    frames: Vec::new(),
                })
                .collect(),
        }
    }

    /// Counts one frame's TCP analysis (a finding on several layers counts once).
    pub fn observe(&mut self, frame: u32, layers: &[LayerAnalysis]) {
        let mut flags = AnalysisFlags::empty();
        for a in layers.iter().filter_map(|l| l.analysis) {
            flags.insert(a.flags);
        }
        if flags.is_empty() {
            return;
        }
        for row in &mut self.rows {
            if flags.names().any(|n| n == row.kind) {
                row.count += 1;
                if row.frames.len() < FRAMES_PER_FINDING {
                    row.frames.push(frame);
                }
            }
        }
    }

    /// Findings that occurred, warnings first, then notes, then chats; by count within a severity.
    pub fn rows(&self) -> Vec<ExpertRow> {
        let rank = |s: &str| match s {
            "warning" => 0,
            "note" => 1,
            _ => 2,
        };
        let mut rows: Vec<ExpertRow> = self.rows.iter().filter(|r| r.count > 0).cloned().collect();
        rows.sort_by(|a, b| {
            rank(a.severity)
                .cmp(&rank(b.severity))
                .then(b.count.cmp(&a.count))
                .then(a.kind.cmp(b.kind))
        });
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::super::tcp_analysis::TcpAnalysis;
    use super::*;

    fn layer(flags: AnalysisFlags) -> LayerAnalysis {
        LayerAnalysis {
            raw_seq: 0,
            raw_ack: 0,
            tcp_flags: 0x10,
            raw_window: 0,
            payload_len: 0,
            analysis: Some(TcpAnalysis {
                flags,
                ..TcpAnalysis::default()
            }),
        }
    }

    #[test]
    fn counts_and_orders_by_severity() {
        let mut s = ExpertSummary::new();
        s.observe(3, &[layer(AnalysisFlags::DUPLICATE_ACK)]);
        s.observe(
            4,
            &[
                layer(AnalysisFlags::DUPLICATE_ACK),
                layer(AnalysisFlags::DUPLICATE_ACK),
            ],
        );
        s.observe(9, &[layer(AnalysisFlags::LOST_SEGMENT)]);
        s.observe(10, &[layer(AnalysisFlags::empty())]);
        let rows = s.rows();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].kind, rows[0].severity, rows[0].count),
            ("lost_segment", "warning", 1)
        );
        assert_eq!(
            (rows[1].kind, rows[1].count, rows[1].frames.clone()),
            ("duplicate_ack", 2, vec![3, 4])
        );
    }
}
