//! Transport-layer lines of the details tree: TCP, UDP, ICMP and ICMPv6.

use super::node::{be16, bit, hex_colon, set_text, DetailNode};
use crate::decode::{IcmpLayer, TcpLayer, UdpLayer};

/// TCP flag bits as tshark 4.0 lists them under `tcp.flags`: (field, title, mask, byte of the
/// header holding the bit: 12 or 13).
const TCP_FLAG_LINES: [(&str, &str, u16, usize); 10] = [
    ("tcp.flags.res", "Reserved", 0xe00, 12),
    ("tcp.flags.ae", "Accurate ECN", 0x100, 12),
    ("tcp.flags.cwr", "Congestion Window Reduced", 0x080, 13),
    ("tcp.flags.ece", "ECN-Echo", 0x040, 13),
    ("tcp.flags.urg", "Urgent", 0x020, 13),
    ("tcp.flags.ack", "Acknowledgment", 0x010, 13),
    ("tcp.flags.push", "Push", 0x008, 13),
    ("tcp.flags.reset", "Reset", 0x004, 13),
    ("tcp.flags.syn", "Syn", 0x002, 13),
    ("tcp.flags.fin", "Fin", 0x001, 13),
];

/// The short names of the set flags ("SYN, ACK"), as in Wireshark's `Flags:` line.
pub(crate) fn flag_names(flags: u16) -> String {
    const NAMES: [(u16, &str); 9] = [
        (0x100, "AE"),
        (0x080, "CWR"),
        (0x040, "ECE"),
        (0x020, "URG"),
        (0x010, "ACK"),
        (0x008, "PSH"),
        (0x004, "RST"),
        (0x002, "SYN"),
        (0x001, "FIN"),
    ];
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(m, _)| flags & m != 0)
        .map(|(_, n)| *n)
        .collect();
    names.join(", ")
}

/// TCP header at `off`; `stream` is its `tcp.stream` when known.
pub(crate) fn tcp(t: &TcpLayer, data: &[u8], off: usize, stream: Option<u32>) -> DetailNode {
    let hl = usize::from(t.header_len);
    let mut n = DetailNode::protocol(
        "tcp",
        format!(
            "Transmission Control Protocol, Src Port: {}, Dst Port: {}, Len: {}",
            t.src_port, t.dst_port, t.payload_len
        ),
        off,
        hl,
    );
    n.add("tcp.srcport", "Source Port", t.src_port.to_string(), off, 2);
    n.add(
        "tcp.dstport",
        "Destination Port",
        t.dst_port.to_string(),
        off + 2,
        2,
    );
    if let Some(s) = stream {
        n.add("tcp.stream", "Stream index", s.to_string(), off, 0);
    }
    n.add(
        "tcp.len",
        "TCP Segment Len",
        t.payload_len.to_string(),
        off,
        0,
    );
    n.add(
        "tcp.seq_raw",
        "Sequence Number (raw)",
        t.seq.to_string(),
        off + 4,
        4,
    );
    n.add(
        "tcp.ack_raw",
        "Acknowledgment number (raw)",
        t.ack.to_string(),
        off + 8,
        4,
    );
    n.add_labelled(
        "tcp.hdr_len",
        format!("Header Length: {hl} bytes ({})", hl / 4),
        hl.to_string(),
        off + 12,
        1,
    );
    let names = flag_names(t.flags);
    let f = n.add_labelled(
        "tcp.flags",
        format!("Flags: 0x{:03x} ({names})", t.flags),
        format!("0x{:04x}", t.flags),
        off + 12,
        2,
    );
    for (field, title, mask, at) in TCP_FLAG_LINES {
        let on = t.flags & mask != 0;
        let value = if mask == 0xe00 {
            ((t.flags & mask) >> 9).to_string()
        } else {
            bit(on)
        };
        f.add_labelled(
            field,
            format!("{title}: {}", set_text(on)),
            value,
            off + at,
            1,
        );
    }
    n.add(
        "tcp.window_size_value",
        "Window",
        t.window.to_string(),
        off + 14,
        2,
    );
    if let Some(c) = be16(data, off + 16) {
        n.add(
            "tcp.checksum",
            "Checksum",
            format!("0x{c:04x}"),
            off + 16,
            2,
        );
    }
    if let Some(u) = be16(data, off + 18) {
        n.add(
            "tcp.urgent_pointer",
            "Urgent Pointer",
            u.to_string(),
            off + 18,
            2,
        );
    }
    let payload = t.payload_captured as usize;
    if payload > 0 && !t.in_error {
        let at = t.payload_offset as usize;
        let bytes = data.get(at..at.saturating_add(payload)).unwrap_or(&[]);
        n.add_labelled(
            "tcp.payload",
            format!("TCP payload ({payload} bytes)"),
            hex_colon(bytes),
            at,
            payload,
        );
    }
    n
}

/// UDP header at `off`; `stream` is its `udp.stream` when known.
pub(crate) fn udp(u: &UdpLayer, data: &[u8], off: usize, stream: Option<u32>) -> DetailNode {
    let mut n = DetailNode::protocol(
        "udp",
        format!(
            "User Datagram Protocol, Src Port: {}, Dst Port: {}",
            u.src_port, u.dst_port
        ),
        off,
        8,
    );
    n.add("udp.srcport", "Source Port", u.src_port.to_string(), off, 2);
    n.add(
        "udp.dstport",
        "Destination Port",
        u.dst_port.to_string(),
        off + 2,
        2,
    );
    n.add("udp.length", "Length", u.length.to_string(), off + 4, 2);
    if be16(data, off + 6).is_some() {
        n.add(
            "udp.checksum",
            "Checksum",
            format!("0x{:04x}", u.checksum),
            off + 6,
            2,
        );
    }
    if let Some(s) = stream {
        // tshark places the generated stream index after the header.
        n.add("udp.stream", "Stream index", s.to_string(), off + 8, 0);
    }
    n
}

/// ICMP (`v6` false) or ICMPv6 header at `off`.
pub(crate) fn icmp(i: &IcmpLayer, data: &[u8], off: usize, v6: bool) -> DetailNode {
    let (proto, title) = if v6 {
        ("icmpv6", "Internet Control Message Protocol v6")
    } else {
        ("icmp", "Internet Control Message Protocol")
    };
    let fields: [&'static str; 5] = if v6 {
        [
            "icmpv6.type",
            "icmpv6.code",
            "icmpv6.checksum",
            "icmpv6.echo.identifier",
            "icmpv6.echo.sequence_number",
        ]
    } else {
        [
            "icmp.type",
            "icmp.code",
            "icmp.checksum",
            "icmp.ident",
            "icmp.seq",
        ]
    };
    let len = if i.ident.is_some() { 8 } else { 4 };
    let mut n = DetailNode::protocol(proto, title.into(), off, len);
    n.add(fields[0], "Type", i.icmp_type.to_string(), off, 1);
    n.add(fields[1], "Code", i.code.to_string(), off + 1, 1);
    if let Some(c) = be16(data, off + 2) {
        n.add(fields[2], "Checksum", format!("0x{c:04x}"), off + 2, 2);
    }
    if let (Some(id), Some(seq)) = (i.ident, i.seq) {
        let id_title = if v6 { "Identifier" } else { "Identifier (BE)" };
        let seq_title = if v6 {
            "Sequence"
        } else {
            "Sequence Number (BE)"
        };
        // tshark shows the ICMPv6 identifier in hex, the ICMP one in decimal.
        let id_value = if v6 {
            format!("0x{id:04x}")
        } else {
            id.to_string()
        };
        n.add(fields[3], id_title, id_value, off + 4, 2);
        n.add(fields[4], seq_title, seq.to_string(), off + 6, 2);
    }
    n
}
