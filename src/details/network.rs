//! Network-layer lines of the details tree: IPv4, IPv6, ARP.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::node::{be16, bit, byte, mac, set_text, DetailNode};
use crate::decode::{ArpLayer, Ipv4Layer, Ipv6Layer};

/// IPv4 header at `off`.
pub(crate) fn ipv4(ip: &Ipv4Layer, off: usize) -> DetailNode {
    let src = Ipv4Addr::from(ip.src);
    let dst = Ipv4Addr::from(ip.dst);
    let hl = usize::from(ip.header_len);
    let mut n = DetailNode::protocol(
        "ip",
        format!("Internet Protocol Version 4, Src: {src}, Dst: {dst}"),
        off,
        hl,
    );
    n.add_labelled(
        "ip.version",
        "0100 .... = Version: 4".into(),
        "4".into(),
        off,
        1,
    );
    n.add_labelled(
        "ip.hdr_len",
        format!("Header Length: {hl} bytes ({})", hl / 4),
        hl.to_string(),
        off,
        1,
    );
    let ds = n.add(
        "ip.dsfield",
        "Differentiated Services Field",
        format!("0x{:02x}", ip.tos),
        off + 1,
        1,
    );
    ds.add(
        "ip.dsfield.dscp",
        "Differentiated Services Codepoint",
        (ip.tos >> 2).to_string(),
        off + 1,
        1,
    );
    ds.add(
        "ip.dsfield.ecn",
        "Explicit Congestion Notification",
        (ip.tos & 3).to_string(),
        off + 1,
        1,
    );
    n.add(
        "ip.len",
        "Total Length",
        ip.total_len.to_string(),
        off + 2,
        2,
    );
    n.add_labelled(
        "ip.id",
        format!("Identification: 0x{:04x} ({})", ip.id, ip.id),
        format!("0x{:04x}", ip.id),
        off + 4,
        2,
    );
    // `flags` holds the three bits (reserved, DF, MF) as the low bits, as tshark shows them.
    let f = n.add(
        "ip.flags",
        "Flags",
        format!("0x{:02x}", ip.flags & 7),
        off + 6,
        1,
    );
    f.add_labelled(
        "ip.flags.rb",
        format!("Reserved bit: {}", set_text(ip.flags & 4 != 0)),
        bit(ip.flags & 4 != 0),
        off + 6,
        1,
    );
    f.add_labelled(
        "ip.flags.df",
        format!("Don't fragment: {}", set_text(ip.flags & 2 != 0)),
        bit(ip.flags & 2 != 0),
        off + 6,
        1,
    );
    f.add_labelled(
        "ip.flags.mf",
        format!("More fragments: {}", set_text(ip.flags & 1 != 0)),
        bit(ip.flags & 1 != 0),
        off + 6,
        1,
    );
    n.add(
        "ip.frag_offset",
        "Fragment Offset",
        (ip.frag_offset / 8).to_string(),
        off + 6,
        2,
    );
    n.add("ip.ttl", "Time to Live", ip.ttl.to_string(), off + 8, 1);
    n.add_labelled(
        "ip.proto",
        format!(
            "Protocol: {} ({})",
            ip_protocol_name(ip.protocol),
            ip.protocol
        ),
        ip.protocol.to_string(),
        off + 9,
        1,
    );
    n.add(
        "ip.checksum",
        "Header Checksum",
        format!("0x{:04x}", ip.checksum),
        off + 10,
        2,
    );
    n.add("ip.src", "Source Address", src.to_string(), off + 12, 4);
    n.add(
        "ip.dst",
        "Destination Address",
        dst.to_string(),
        off + 16,
        4,
    );
    n
}

/// IPv6 fixed header at `off` (extension headers are not itemised).
pub(crate) fn ipv6(ip: &Ipv6Layer, data: &[u8], off: usize) -> DetailNode {
    let src = Ipv6Addr::from(ip.src);
    let dst = Ipv6Addr::from(ip.dst);
    let mut n = DetailNode::protocol(
        "ipv6",
        format!("Internet Protocol Version 6, Src: {src}, Dst: {dst}"),
        off,
        40,
    );
    let version = byte(data, off).map_or(6, |b| b >> 4);
    n.add_labelled(
        "ipv6.version",
        format!("Version: {version}"),
        version.to_string(),
        off,
        1,
    );
    n.add(
        "ipv6.tclass",
        "Traffic Class",
        format!("0x{:08x}", ip.traffic_class),
        off,
        4,
    );
    n.add(
        "ipv6.flow",
        "Flow Label",
        format!("0x{:06x}", ip.flow_label),
        off + 1,
        3,
    );
    n.add(
        "ipv6.plen",
        "Payload Length",
        ip.payload_len.to_string(),
        off + 4,
        2,
    );
    n.add_labelled(
        "ipv6.nxt",
        format!(
            "Next Header: {} ({})",
            ip_protocol_name(ip.next_header),
            ip.next_header
        ),
        ip.next_header.to_string(),
        off + 6,
        1,
    );
    n.add(
        "ipv6.hlim",
        "Hop Limit",
        ip.hop_limit.to_string(),
        off + 7,
        1,
    );
    n.add("ipv6.src", "Source Address", src.to_string(), off + 8, 16);
    n.add(
        "ipv6.dst",
        "Destination Address",
        dst.to_string(),
        off + 24,
        16,
    );
    n
}

/// ARP at `off` (Ethernet/IPv4 form).
pub(crate) fn arp(a: &ArpLayer, data: &[u8], off: usize) -> DetailNode {
    let op = match a.opcode {
        1 => "request",
        2 => "reply",
        _ => "other",
    };
    let mut n = DetailNode::protocol(
        "arp",
        format!("Address Resolution Protocol ({op})"),
        off,
        28,
    );
    if let (Some(hw), Some(proto)) = (be16(data, off), be16(data, off + 2)) {
        n.add("arp.hw.type", "Hardware type", hw.to_string(), off, 2);
        n.add(
            "arp.proto.type",
            "Protocol type",
            format!("0x{proto:04x}"),
            off + 2,
            2,
        );
    }
    if let (Some(hs), Some(ps)) = (byte(data, off + 4), byte(data, off + 5)) {
        n.add("arp.hw.size", "Hardware size", hs.to_string(), off + 4, 1);
        n.add(
            "arp.proto.size",
            "Protocol size",
            ps.to_string(),
            off + 5,
            1,
        );
    }
    n.add_labelled(
        "arp.opcode",
        format!("Opcode: {op} ({})", a.opcode),
        a.opcode.to_string(),
        off + 6,
        2,
    );
    // The addresses are only meaningful in the Ethernet/IPv4 form, 28 bytes captured.
    if data.len() >= off + 28 {
        n.add(
            "arp.src.hw_mac",
            "Sender MAC address",
            mac(&a.sender_mac),
            off + 8,
            6,
        );
        n.add(
            "arp.src.proto_ipv4",
            "Sender IP address",
            Ipv4Addr::from(a.sender_ip).to_string(),
            off + 14,
            4,
        );
        n.add(
            "arp.dst.hw_mac",
            "Target MAC address",
            mac(&a.target_mac),
            off + 18,
            6,
        );
        n.add(
            "arp.dst.proto_ipv4",
            "Target IP address",
            Ipv4Addr::from(a.target_ip).to_string(),
            off + 24,
            4,
        );
    }
    n
}

/// Short names of common IP protocol numbers (Wireshark's labels).
pub(crate) fn ip_protocol_name(p: u8) -> &'static str {
    match p {
        0 => "IPv6 Hop-by-Hop Option",
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        43 => "Routing Header for IPv6",
        44 => "Fragment Header for IPv6",
        47 => "Generic Routing Encapsulation",
        50 => "Encap Security Payload",
        51 => "Authentication Header",
        58 => "ICMPv6",
        59 => "IPv6 No Next Header",
        60 => "Destination Options for IPv6",
        132 => "SCTP",
        _ => "Unknown",
    }
}
