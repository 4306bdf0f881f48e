//! Encapsulations: GRE (with ERSPAN II/III and PPTP's enhanced GRE), VXLAN, Geneve, MPLS, PPPoE,
//! PPP and 802.2 LLC/SNAP.

use super::bytes::{be16, be32, u8_at};
use super::decoder::{captured, Walk};
use super::network::{ethernet, ethertype, ipv4, ipv6};
use super::Layer;

/// A GRE header (RFC 2784/2890, or version 1 as PPTP uses it), then its payload.
pub(crate) fn gre(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let (Some(flags_version), Some(protocol)) = (be16(bytes, 0), be16(bytes, 2)) else {
        w.truncated(off, "GRE");
        return;
    };
    let version = flags_version & 0x7;
    let mut len = 4usize;
    if flags_version & 0x8000 != 0 || (version == 0 && flags_version & 0x4000 != 0) {
        len += 4; // checksum + offset (the routing bit implies them too)
    }
    let mut key = None;
    if flags_version & 0x2000 != 0 {
        key = be32(bytes, len);
        len += 4;
    }
    let has_sequence = flags_version & 0x1000 != 0;
    if has_sequence {
        len += 4;
    }
    if version == 1 && flags_version & 0x0080 != 0 {
        len += 4; // acknowledgement number
    }
    if bytes.len() < len {
        w.truncated(off, "GRE");
        return;
    }
    if !w.push(
        Layer::Gre {
            protocol,
            flags_version,
            key,
        },
        off,
    ) {
        return;
    }
    let next = off + len;
    match protocol {
        // ERSPAN: type II when the sequence bit is set, type I (no header) otherwise.
        0x88be if has_sequence => erspan(w, data, next, end, false),
        0x88be => ethernet(w, data, next, end),
        0x22eb => erspan(w, data, next, end, true),
        0x880b => ppp(w, data, next, end),
        other => ethertype(w, data, next, end, other),
    }
}

/// An ERSPAN type II (8-byte) or type III (12-byte, plus an optional 8-byte platform subheader)
/// header, then the mirrored Ethernet frame.
fn erspan(w: &mut Walk, data: &[u8], off: usize, end: usize, type3: bool) {
    let bytes = captured(data, off, end);
    let (Some(word0), Some(word1)) = (be16(bytes, 0), be16(bytes, 2)) else {
        w.truncated(off, "ERSPAN");
        return;
    };
    let version = (word0 >> 12) as u8;
    let session_id = word1 & 0x03ff;
    let mut len = 8usize;
    if type3 {
        len = 12;
        if u8_at(bytes, 11).is_some_and(|b| b & 1 != 0) {
            len += 8;
        }
    }
    if bytes.len() < len {
        w.truncated(off, "ERSPAN");
        return;
    }
    if w.push(
        Layer::Erspan {
            session_id,
            version,
        },
        off,
    ) {
        ethernet(w, data, off + len, end);
    }
}

/// A VXLAN header, then Ethernet.
pub(crate) fn vxlan(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let Some(word) = be32(captured(data, off, end), 4) else {
        w.truncated(off, "VXLAN");
        return;
    };
    if w.push(Layer::Vxlan { vni: word >> 8 }, off) {
        ethernet(w, data, off + 8, end);
    }
}

/// A Geneve header and its options, then the protocol it names.
pub(crate) fn geneve(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let (Some(first), Some(protocol), Some(word)) =
        (u8_at(bytes, 0), be16(bytes, 2), be32(bytes, 4))
    else {
        w.truncated(off, "Geneve");
        return;
    };
    let len = 8 + usize::from(first & 0x3f) * 4;
    if bytes.len() < len {
        w.truncated(off, "Geneve");
        return;
    }
    if w.push(Layer::Geneve { vni: word >> 8 }, off) {
        ethertype(w, data, off + len, end, protocol);
    }
}

/// An MPLS label stack, then IPv4/IPv6 (by the first nibble) or a pseudowire Ethernet frame.
pub(crate) fn mpls(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let mut at = off;
    // At most 16 labels; each is 4 bytes.
    for _ in 0..16 {
        let Some(entry) = be32(captured(data, at, end), 0) else {
            w.truncated(at, "MPLS");
            return;
        };
        let bottom = entry & 0x100 != 0;
        let layer = Layer::Mpls {
            label: entry >> 12,
            bottom,
            ttl: (entry & 0xff) as u8,
        };
        if !w.push(layer, at) {
            return;
        }
        at += 4;
        if bottom {
            match u8_at(captured(data, at, end), 0).map(|b| b >> 4) {
                Some(4) => ipv4(w, data, at, end),
                Some(6) => ipv6(w, data, at, end),
                // Otherwise an Ethernet pseudowire; a zero nibble is its control word.
                Some(nibble) => {
                    let control_word = nibble == 0;
                    if w.push(Layer::PwEth { control_word }, at) {
                        ethernet(w, data, if control_word { at + 4 } else { at }, end);
                    }
                }
                None => {}
            }
            return;
        }
    }
    w.anomaly(at, "too_many_labels", "MPLS label stack deeper than 16");
}

/// PPPoE: discovery (0x8863) stops at the header, session (0x8864) continues into PPP.
pub(crate) fn pppoe(w: &mut Walk, data: &[u8], off: usize, end: usize, ether_type: u16) {
    let bytes = captured(data, off, end);
    let (Some(session_id), Some(length)) = (be16(bytes, 2), be16(bytes, 4)) else {
        w.truncated(off, "PPPoE");
        return;
    };
    if !w.push(Layer::Pppoe { session_id }, off) || ether_type != 0x8864 {
        return;
    }
    let stop = end.min(off + 6 + usize::from(length));
    ppp_protocol(w, data, off + 6, stop);
}

/// PPP with optional HDLC-like framing (0xff 0x03 address/control).
pub(crate) fn ppp(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let start = if bytes.starts_with(&[0xff, 0x03]) {
        off + 2
    } else {
        off
    };
    ppp_protocol(w, data, start, end);
}

/// A PPP protocol field (1 byte when compressed: an odd first byte), then its payload.
fn ppp_protocol(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let Some(first) = u8_at(bytes, 0) else {
        w.truncated(off, "PPP");
        return;
    };
    let (protocol, len) = if first & 1 == 1 {
        (u16::from(first), 1)
    } else {
        match be16(bytes, 0) {
            Some(p) => (p, 2),
            None => {
                w.truncated(off, "PPP");
                return;
            }
        }
    };
    if !w.push(Layer::Ppp { protocol }, off) {
        return;
    }
    let next = off + len;
    match protocol {
        0x0021 => ipv4(w, data, next, end),
        0x0057 => ipv6(w, data, next, end),
        0x0281 | 0x0283 => mpls(w, data, next, end),
        _ => {}
    }
}

/// 802.2 LLC; SNAP with an Ethernet-compatible OUI continues by ethertype.
pub(crate) fn llc(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let (Some(dsap), Some(ssap), Some(control)) =
        (u8_at(bytes, 0), u8_at(bytes, 1), u8_at(bytes, 2))
    else {
        w.truncated(off, "LLC");
        return;
    };
    let control_len = if control & 3 == 3 { 1 } else { 2 };
    let header = 2 + control_len;
    if dsap == 0xaa && ssap == 0xaa {
        let (Some(oui_hi), Some(oui_lo), Some(pid)) = (
            be16(bytes, header),
            u8_at(bytes, header + 2),
            be16(bytes, header + 3),
        ) else {
            w.truncated(off, "SNAP");
            return;
        };
        let oui = (u32::from(oui_hi) << 8) | u32::from(oui_lo);
        if !w.push(
            Layer::Llc {
                dsap,
                ssap,
                snap_type: Some(pid),
            },
            off,
        ) {
            return;
        }
        if oui == 0 || oui == 0xf8 {
            ethertype(w, data, off + header + 5, end, pid);
        }
        return;
    }
    w.push(
        Layer::Llc {
            dsap,
            ssap,
            snap_type: None,
        },
        off,
    );
}

/// GTP-U: a version-1 header (8 bytes, 12 with the optional fields, then extension headers); a
/// G-PDU carries an IP packet.
pub(crate) fn gtp_u(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let (Some(flags), Some(message_type), Some(teid)) =
        (u8_at(bytes, 0), u8_at(bytes, 1), be32(bytes, 4))
    else {
        w.truncated(off, "GTP");
        return;
    };
    if flags >> 5 != 1 {
        return; // not GTPv1: tshark's GTP-U dissector rejects it too
    }
    let mut len = 8usize;
    if flags & 0x07 != 0 {
        len = 12;
        // Extension headers: the byte before `len` names the next one; each gives its length in
        // 4-byte units first. Bounded by the captured bytes (each is at least 4 bytes).
        let mut next = u8_at(bytes, 11).unwrap_or(0);
        while next != 0 {
            let Some(units) = u8_at(bytes, len).filter(|u| *u > 0) else {
                w.truncated(off, "GTP extension");
                return;
            };
            len += usize::from(units) * 4;
            next = u8_at(bytes, len - 1).unwrap_or(0);
            if len > bytes.len() {
                break;
            }
        }
    }
    if bytes.len() < len {
        w.truncated(off, "GTP");
        return;
    }
    if !w.push(Layer::Gtp { message_type, teid }, off) || message_type != 0xff {
        return;
    }
    match u8_at(bytes, len).map(|b| b >> 4) {
        Some(4) => ipv4(w, data, off + len, end),
        Some(6) => ipv6(w, data, off + len, end),
        _ => {}
    }
}

/// Teredo: optional authentication (type 1) and origin indication (type 0) headers, then IPv6.
pub(crate) fn teredo(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let mut at = 0usize;
    if be16(bytes, 0) == Some(1) {
        let (Some(id_len), Some(auth_len)) = (u8_at(bytes, 2), u8_at(bytes, 3)) else {
            w.truncated(off, "Teredo");
            return;
        };
        at = 4 + usize::from(id_len) + usize::from(auth_len) + 9;
    }
    if be16(bytes, at) == Some(0) {
        at += 8;
    }
    if u8_at(bytes, at).map(|b| b >> 4) != Some(6) {
        return;
    }
    if w.push(Layer::Teredo, off) {
        ipv6(w, data, off + at, end);
    }
}

/// A Network Service Header, then the protocol it names.
pub(crate) fn nsh(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let (Some(word0), Some(next_protocol), Some(path)) =
        (be16(bytes, 0), u8_at(bytes, 3), be32(bytes, 4))
    else {
        w.truncated(off, "NSH");
        return;
    };
    let len = usize::from(word0 & 0x3f) * 4;
    if len < 8 || bytes.len() < len {
        w.anomaly(off, "bad_length", format!("NSH length {len}"));
        return;
    }
    let layer = Layer::Nsh {
        next_protocol,
        spi: path >> 8,
        si: (path & 0xff) as u8,
    };
    if !w.push(layer, off) {
        return;
    }
    match next_protocol {
        1 => ipv4(w, data, off + len, end),
        2 => ipv6(w, data, off + len, end),
        3 => ethernet(w, data, off + len, end),
        _ => {}
    }
}

/// VXLAN-GPE: flags, reserved, next protocol, VNI; then the protocol it names.
pub(crate) fn vxlan_gpe(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let (Some(next_protocol), Some(word)) = (u8_at(bytes, 3), be32(bytes, 4)) else {
        w.truncated(off, "VXLAN-GPE");
        return;
    };
    if !w.push(
        Layer::VxlanGpe {
            vni: word >> 8,
            next_protocol,
        },
        off,
    ) {
        return;
    }
    let next = off + 8;
    match next_protocol {
        1 => ipv4(w, data, next, end),
        2 => ipv6(w, data, next, end),
        3 => ethernet(w, data, next, end),
        4 => nsh(w, data, next, end),
        5 => mpls(w, data, next, end),
        _ => {}
    }
}

/// Cisco MetaData: version, length, option type, SGT, then an ethertype.
pub(crate) fn cisco_metadata(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let (Some(sgt), Some(next)) = (be16(bytes, 4), be16(bytes, 6)) else {
        w.truncated(off, "Cisco MetaData");
        return;
    };
    if w.push(Layer::CiscoMetadata { sgt }, off) {
        ethertype(w, data, off + 8, end, next);
    }
}
