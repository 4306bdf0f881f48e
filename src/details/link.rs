//! Link-layer lines of the details tree: Ethernet II, 802.1Q tags, Linux cooked capture.

use super::node::{be16, byte, mac, DetailNode};
use crate::decode::{EthernetLayer, SllLayer, VlanLayer};

/// Ethernet II: destination, source, type (14 bytes at `off`).
pub(crate) fn ethernet(e: &EthernetLayer, off: usize) -> DetailNode {
    let mut n = DetailNode::protocol(
        "eth",
        format!("Ethernet II, Src: {}, Dst: {}", mac(&e.src), mac(&e.dst)),
        off,
        14,
    );
    n.add("eth.dst", "Destination", mac(&e.dst), off, 6);
    n.add("eth.src", "Source", mac(&e.src), off + 6, 6);
    n.add(
        "eth.type",
        "Type",
        format!("0x{:04x}", e.ether_type),
        off + 12,
        2,
    );
    n
}

/// 802.1Q / 802.1ad tag: the 4 bytes after the TPID that introduced it. `off` is where the decoder
/// placed the tag (the TCI, the TPID being the previous layer's type field).
pub(crate) fn vlan(v: &VlanLayer, off: usize) -> DetailNode {
    let (name, id_field, title) = if v.tpid == 0x88a8 {
        (
            "ieee8021ad",
            "ieee8021ad.id",
            "802.1ad Provider Bridge (Q-in-Q)",
        )
    } else {
        ("vlan", "vlan.id", "802.1Q Virtual LAN")
    };
    let mut n = DetailNode::protocol(
        name,
        format!(
            "{title}, PRI: {}, DEI: {}, ID: {}",
            v.priority,
            u8::from(v.dei),
            v.id
        ),
        off,
        4,
    );
    if name == "vlan" {
        n.add("vlan.priority", "Priority", v.priority.to_string(), off, 2);
        n.add("vlan.dei", "DEI", u8::from(v.dei).to_string(), off, 2);
    }
    n.add(id_field, "ID", v.id.to_string(), off, 2);
    if name == "vlan" {
        n.add(
            "vlan.etype",
            "Type",
            format!("0x{:04x}", v.ether_type),
            off + 2,
            2,
        );
    }
    n
}

/// Linux cooked capture v1 (16 bytes) or v2 (20 bytes) at `off`.
pub(crate) fn sll(s: &SllLayer, data: &[u8], off: usize) -> DetailNode {
    let v2 = s.version == 2;
    let len = if v2 { 20 } else { 16 };
    let title = if v2 {
        "Linux cooked capture v2"
    } else {
        "Linux cooked capture v1"
    };
    let mut n = DetailNode::protocol("sll", title.into(), off, len);
    if v2 {
        n.add(
            "sll.etype",
            "Protocol",
            format!("0x{:04x}", s.protocol),
            off,
            2,
        );
        n.add(
            "sll.ifindex",
            "Interface index",
            s.ifindex.to_string(),
            off + 4,
            4,
        );
        n.add(
            "sll.hatype",
            "Link-layer address type",
            s.hatype.to_string(),
            off + 8,
            2,
        );
        let pkttype = byte(data, off + 10).unwrap_or(0);
        n.add(
            "sll.pkttype",
            "Packet type",
            pkttype.to_string(),
            off + 10,
            1,
        );
        n.add(
            "sll.halen",
            "Link-layer address length",
            s.address_len.to_string(),
            off + 11,
            1,
        );
    } else {
        n.add(
            "sll.pkttype",
            "Packet type",
            s.packet_type.to_string(),
            off,
            2,
        );
        n.add(
            "sll.hatype",
            "Link-layer address type",
            s.hatype.to_string(),
            off + 2,
            2,
        );
        let halen = be16(data, off + 4).unwrap_or(0);
        n.add(
            "sll.halen",
            "Link-layer address length",
            halen.to_string(),
            off + 4,
            2,
        );
        n.add(
            "sll.etype",
            "Protocol",
            format!("0x{:04x}", s.protocol),
            off + 14,
            2,
        );
    }
    n
}
