//! What the names in a filter refer to: tracematch's fields ([`crate::fields::Field`]), the
//! derived ones a filter also offers (`eth.addr`, `tcp.flags.*` bits, `tcp.analysis.*` from
//! [`crate::session`]) and protocol names (as `frame.protocols` lists them).

use crate::fields::{Field, FieldKind};

/// A field a filter can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldRef {
    /// A field of the field registry.
    Plain(Field),
    /// `eth.addr`: `eth.dst` and `eth.src` of every Ethernet layer.
    EthAddr,
    /// `frame.time`: the absolute arrival time.
    FrameTime,
    /// A `tcp.flags.*` bit (a boolean derived from `tcp.flags`), by mask.
    TcpFlag(u16),
    /// A `tcp.analysis.*` label (no value; existence only), by full name.
    AnalysisLabel(&'static str),
    /// A valued `tcp.analysis.*` / relative `tcp.seq` field, by full name.
    AnalysisValue(&'static str, FieldKind),
}

impl FieldRef {
    /// The value type, or `None` for labels.
    pub fn kind(self) -> Option<FieldKind> {
        match self {
            FieldRef::Plain(f) => Some(f.kind()),
            FieldRef::EthAddr => Some(FieldKind::Ether),
            FieldRef::FrameTime => Some(FieldKind::AbsoluteTime),
            FieldRef::TcpFlag(_) => Some(FieldKind::Boolean),
            FieldRef::AnalysisLabel(_) => None,
            FieldRef::AnalysisValue(_, k) => Some(k),
        }
    }

    /// Whether evaluating it needs the per-frame TCP analysis.
    pub fn needs_tcp_analysis(self) -> bool {
        matches!(
            self,
            FieldRef::AnalysisLabel(_) | FieldRef::AnalysisValue(..)
        )
    }
}

/// What a name in a filter means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    /// A field.
    Field(FieldRef),
    /// A protocol (`tcp`, `ip`, `frame`, …).
    Protocol(&'static str),
}

/// `tcp.flags.*` bits (tshark 4.0 names).
const TCP_FLAG_BITS: [(&str, u16); 10] = [
    ("tcp.flags.fin", 0x001),
    ("tcp.flags.syn", 0x002),
    ("tcp.flags.reset", 0x004),
    ("tcp.flags.push", 0x008),
    ("tcp.flags.ack", 0x010),
    ("tcp.flags.urg", 0x020),
    ("tcp.flags.ece", 0x040),
    ("tcp.flags.cwr", 0x080),
    ("tcp.flags.ns", 0x100),
    ("tcp.flags.res", 0xe00),
];

/// Valued fields computed by the TCP analysis, with their types.
const ANALYSIS_VALUES: [(&str, FieldKind); 12] = [
    ("tcp.seq", FieldKind::Unsigned { bits: 32 }),
    ("tcp.ack", FieldKind::Unsigned { bits: 32 }),
    ("tcp.nxtseq", FieldKind::Unsigned { bits: 32 }),
    ("tcp.window_size", FieldKind::Unsigned { bits: 32 }),
    ("tcp.analysis.acks_frame", FieldKind::Unsigned { bits: 32 }),
    (
        "tcp.analysis.bytes_in_flight",
        FieldKind::Unsigned { bits: 32 },
    ),
    (
        "tcp.analysis.duplicate_ack_num",
        FieldKind::Unsigned { bits: 32 },
    ),
    (
        "tcp.analysis.duplicate_ack_frame",
        FieldKind::Unsigned { bits: 32 },
    ),
    ("tcp.analysis.rto_frame", FieldKind::Unsigned { bits: 32 }),
    ("tcp.analysis.ack_rtt", FieldKind::RelativeTime),
    ("tcp.analysis.rto", FieldKind::RelativeTime),
    ("tcp.analysis.initial_rtt", FieldKind::RelativeTime),
];

/// Protocol names (the names `frame.protocols` can list, plus `frame`).
pub const PROTOCOLS: &[&str] = &[
    "frame",
    "eth",
    "ethertype",
    "vlan",
    "ieee8021ad",
    "sll",
    "null",
    "ppp",
    "pppoes",
    "chdlc",
    "wlan",
    "llc",
    "radiotap",
    "wlan_radio",
    "mpls",
    "pwethheuristic",
    "pwethcw",
    "pwethnocw",
    "ip",
    "ipv6",
    "ipv6.hopopts",
    "ipv6.routing",
    "ipv6.fraghdr",
    "ipv6.dstopts",
    "mipv6",
    "hip",
    "shim6",
    "tcp",
    "udp",
    "icmp",
    "icmpv6",
    "arp",
    "esp",
    "ah",
    "gre",
    "erspan",
    "vxlan",
    "geneve",
    "dns",
    "mdns",
    "llmnr",
    "gtp",
    "teredo",
    "cmd",
    "nsh",
    "udpencap",
    "isakmp",
    "data",
    "raw",
];

/// Resolves a name, or `None` when it is neither a field nor a protocol tracematch knows.
pub fn resolve(name: &str) -> Option<Name> {
    if let Some(f) = Field::parse(name) {
        return Some(Name::Field(FieldRef::Plain(f)));
    }
    if name == "eth.addr" {
        return Some(Name::Field(FieldRef::EthAddr));
    }
    if name == "frame.time" {
        return Some(Name::Field(FieldRef::FrameTime));
    }
    if let Some((_, bit)) = TCP_FLAG_BITS.iter().find(|(n, _)| *n == name) {
        return Some(Name::Field(FieldRef::TcpFlag(*bit)));
    }
    if let Some((n, kind)) = ANALYSIS_VALUES.iter().find(|(n, _)| *n == name) {
        return Some(Name::Field(FieldRef::AnalysisValue(n, *kind)));
    }
    if let Some(label) = ANALYSIS_LABELS.iter().find(|l| **l == name) {
        return Some(Name::Field(FieldRef::AnalysisLabel(label)));
    }
    PROTOCOLS
        .iter()
        .find(|p| **p == name)
        .map(|p| Name::Protocol(p))
}

/// `tcp.analysis.*` labels: the flags and `tcp.analysis.flags` (valued only by presence).
const ANALYSIS_LABELS: [&str; 16] = [
    "tcp.analysis.reused_ports",
    "tcp.analysis.retransmission",
    "tcp.analysis.fast_retransmission",
    "tcp.analysis.spurious_retransmission",
    "tcp.analysis.out_of_order",
    "tcp.analysis.lost_segment",
    "tcp.analysis.ack_lost_segment",
    "tcp.analysis.window_update",
    "tcp.analysis.window_full",
    "tcp.analysis.keep_alive",
    "tcp.analysis.keep_alive_ack",
    "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window_probe",
    "tcp.analysis.zero_window",
    "tcp.analysis.zero_window_probe_ack",
    "tcp.analysis.flags",
];
