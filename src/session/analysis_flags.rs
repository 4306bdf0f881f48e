//! The per-segment TCP analysis flags (tshark's `tcp.analysis.*` expert flags) as a small bit set,
//! with the field names and the order tshark prints them in.

/// A set of TCP analysis flags for one TCP segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct AnalysisFlags(u16);

impl AnalysisFlags {
    /// `tcp.analysis.retransmission`: the segment does not advance the sequence number.
    pub const RETRANSMISSION: Self = Self(0x0001);
    /// `tcp.analysis.lost_segment`: "previous segment not captured".
    pub const LOST_SEGMENT: Self = Self(0x0002);
    /// `tcp.analysis.ack_lost_segment`: "ACKed unseen segment".
    pub const ACK_LOST_SEGMENT: Self = Self(0x0004);
    /// `tcp.analysis.keep_alive`.
    pub const KEEP_ALIVE: Self = Self(0x0008);
    /// `tcp.analysis.duplicate_ack`.
    pub const DUPLICATE_ACK: Self = Self(0x0010);
    /// `tcp.analysis.zero_window`.
    pub const ZERO_WINDOW: Self = Self(0x0020);
    /// `tcp.analysis.zero_window_probe`.
    pub const ZERO_WINDOW_PROBE: Self = Self(0x0040);
    /// `tcp.analysis.zero_window_probe_ack`.
    pub const ZERO_WINDOW_PROBE_ACK: Self = Self(0x0080);
    /// `tcp.analysis.keep_alive_ack`.
    pub const KEEP_ALIVE_ACK: Self = Self(0x0100);
    /// `tcp.analysis.out_of_order`.
    pub const OUT_OF_ORDER: Self = Self(0x0200);
    /// `tcp.analysis.fast_retransmission` (tshark also reports `retransmission` for it).
    pub const FAST_RETRANSMISSION: Self = Self(0x0400);
    /// `tcp.analysis.window_update`.
    pub const WINDOW_UPDATE: Self = Self(0x0800);
    /// `tcp.analysis.window_full`.
    pub const WINDOW_FULL: Self = Self(0x1000);
    /// `tcp.analysis.reused_ports`.
    pub const REUSED_PORTS: Self = Self(0x2000);
    /// `tcp.analysis.spurious_retransmission` (tshark also reports `retransmission` for it).
    pub const SPURIOUS_RETRANSMISSION: Self = Self(0x4000);

    /// No flag.
    pub const fn empty() -> Self {
        Self(0)
    }

    /// True when no flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// True when every flag of `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: Self) {
        self.0 |= other.0;
    }

    /// The raw bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether tshark reports the field `name` (a `tcp.analysis.*` flag field name without the
    /// prefix, e.g. `"retransmission"`) for a segment with these flags. Fast and spurious
    /// retransmissions also raise the plain `retransmission` expert item, as tshark 4.0 does.
    pub fn reports(self, name: &str) -> bool {
        match name {
            "retransmission" => {
                self.contains(Self::RETRANSMISSION)
                    || self.contains(Self::FAST_RETRANSMISSION)
                    || self.contains(Self::SPURIOUS_RETRANSMISSION)
            }
            _ => FLAG_NAMES
                .iter()
                .any(|(n, f)| *n == name && self.contains(*f)),
        }
    }

    /// The names of the flags set, in tshark's print order (for summaries and expert info).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        FLAG_NAMES
            .iter()
            .filter(move |(_, f)| self.contains(*f))
            .map(|(n, _)| *n)
    }
}

/// Every flag with its `tcp.analysis.` field name, in the order tshark prints them.
pub const FLAG_NAMES: [(&str, AnalysisFlags); 15] = [
    ("reused_ports", AnalysisFlags::REUSED_PORTS),
    ("retransmission", AnalysisFlags::RETRANSMISSION),
    ("fast_retransmission", AnalysisFlags::FAST_RETRANSMISSION),
    (
        "spurious_retransmission",
        AnalysisFlags::SPURIOUS_RETRANSMISSION,
    ),
    ("out_of_order", AnalysisFlags::OUT_OF_ORDER),
    ("lost_segment", AnalysisFlags::LOST_SEGMENT),
    ("ack_lost_segment", AnalysisFlags::ACK_LOST_SEGMENT),
    ("window_update", AnalysisFlags::WINDOW_UPDATE),
    ("window_full", AnalysisFlags::WINDOW_FULL),
    ("keep_alive", AnalysisFlags::KEEP_ALIVE),
    ("keep_alive_ack", AnalysisFlags::KEEP_ALIVE_ACK),
    ("duplicate_ack", AnalysisFlags::DUPLICATE_ACK),
    ("zero_window_probe", AnalysisFlags::ZERO_WINDOW_PROBE),
    ("zero_window", AnalysisFlags::ZERO_WINDOW),
    (
        "zero_window_probe_ack",
        AnalysisFlags::ZERO_WINDOW_PROBE_ACK,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_and_spurious_also_report_retransmission() {
        let mut f = AnalysisFlags::empty();
        assert!(!f.reports("retransmission"));
        f.insert(AnalysisFlags::FAST_RETRANSMISSION);
        assert!(f.reports("retransmission"));
        assert!(f.reports("fast_retransmission"));
        assert!(!f.reports("spurious_retransmission"));
        let s = AnalysisFlags::SPURIOUS_RETRANSMISSION;
        assert!(s.reports("retransmission") && s.reports("spurious_retransmission"));
    }

    #[test]
    fn names_follow_print_order() {
        let mut f = AnalysisFlags::ZERO_WINDOW;
        f.insert(AnalysisFlags::REUSED_PORTS);
        assert_eq!(
            f.names().collect::<Vec<_>>(),
            vec!["reused_ports", "zero_window"]
        );
        assert!(!f.reports("nonsense"));
    }
}
