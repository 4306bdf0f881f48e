//! Link layers: the dispatch on LINKTYPE_* and the headers that only appear as a capture's link
//! layer (Linux cooked v1/v2, BSD loopback, raw IP, PPP, Cisco HDLC, 802.3br mPackets, 802.11 and
//! radiotap). Ethernet itself is in [`super::network`] because tunnels carry it too.

use super::bytes::{be16, be32, le16, le32, mac_at, u8_at};
use super::decoder::{captured, Walk};
use super::network::{ethernet, ethertype, ipv4, ipv6};
use super::tunnel::{llc, ppp};
use super::{Layer, SllLayer};

/// Decodes a frame of link type `linktype`; `end` is its reported (wire) length.
pub(crate) fn dispatch(w: &mut Walk, linktype: u32, data: &[u8], end: usize) {
    match linktype {
        1 => ethernet(w, data, 0, end),
        274 => mpacket(w, data, end),
        0 => null(w, data, end, false),
        108 => null(w, data, end, true),
        113 => sll(w, data, end),
        276 => sll2(w, data, end),
        101 | 12 | 14 => raw_ip(w, data, end),
        228 => ipv4(w, data, 0, end),
        229 => ipv6(w, data, 0, end),
        9 | 50 => ppp(w, data, 0, end),
        104 => cisco_hdlc(w, data, end),
        105 => ieee80211(w, data, 0, end),
        127 => radiotap(w, data, end),
        other => w.anomaly(
            0,
            "unknown_linktype",
            format!("link type {other} is not decoded"),
        ),
    }
}

/// Raw IP: the version nibble chooses IPv4 or IPv6.
fn raw_ip(w: &mut Walk, data: &[u8], end: usize) {
    match u8_at(data, 0).map(|b| b >> 4) {
        Some(4) => ipv4(w, data, 0, end),
        Some(6) => ipv6(w, data, 0, end),
        Some(v) => w.anomaly(0, "bad_version", format!("raw IP: IP version {v}")),
        None => w.truncated(0, "raw IP"),
    }
}

/// BSD loopback (`big_endian` false: host order, guessed as tshark does) and OpenBSD loop
/// (always network order).
fn null(w: &mut Walk, data: &[u8], end: usize, big_endian: bool) {
    let (Some(le), Some(be)) = (le32(data, 0), be32(data, 0)) else {
        w.truncated(0, "loopback");
        return;
    };
    // A host-order value written on a little-endian machine has its low byte first: when the
    // big-endian reading is large and the little-endian one small, the file came from such a host.
    let family = if big_endian || be <= 0xffff { be } else { le };
    if !w.push(Layer::Loopback { family }, 0) {
        return;
    }
    match family {
        2 => ipv4(w, data, 4, end),
        10 | 24 | 28 | 30 => ipv6(w, data, 4, end),
        _ => {}
    }
}

/// Linux cooked capture v1 (16-byte header).
fn sll(w: &mut Walk, data: &[u8], end: usize) {
    let (Some(packet_type), Some(hatype), Some(protocol)) =
        (be16(data, 0), be16(data, 2), be16(data, 14))
    else {
        w.truncated(0, "Linux cooked capture");
        return;
    };
    let layer = SllLayer {
        version: 1,
        packet_type,
        hatype,
        protocol,
        ifindex: 0,
        address: sll_address(data, 6),
        address_len: u8_at(data, 5).unwrap_or(0),
    };
    if w.push(Layer::Sll(layer), 0) {
        sll_payload(w, data, 16, end, hatype, protocol);
    }
}

/// Linux cooked capture v2 (20-byte header).
fn sll2(w: &mut Walk, data: &[u8], end: usize) {
    let (Some(protocol), Some(ifindex), Some(hatype), Some(packet_type)) =
        (be16(data, 0), be32(data, 4), be16(data, 8), u8_at(data, 10))
    else {
        w.truncated(0, "Linux cooked capture v2");
        return;
    };
    if data.len() < 20 {
        w.truncated(0, "Linux cooked capture v2");
        return;
    }
    let layer = SllLayer {
        version: 2,
        packet_type: packet_type.into(),
        hatype,
        protocol,
        ifindex,
        address: sll_address(data, 12),
        address_len: u8_at(data, 11).unwrap_or(0),
    };
    if w.push(Layer::Sll(layer), 0) {
        sll_payload(w, data, 20, end, hatype, protocol);
    }
}

/// The 8-byte address field of a cooked header at `at`.
fn sll_address(data: &[u8], at: usize) -> [u8; 8] {
    data.get(at..at + 8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .unwrap_or_default()
}

/// The payload of a cooked header: an ethertype, or 802.2 LLC for protocol 4.
fn sll_payload(w: &mut Walk, data: &[u8], off: usize, end: usize, hatype: u16, protocol: u16) {
    match (hatype, protocol) {
        // ARPHRD_IPGRE: the protocol is a GRE protocol type, decoded like an ethertype.
        (_, 0x0004) => llc(w, data, off, end),
        (_, p) if p >= 0x0600 => ethertype(w, data, off, end, p),
        _ => {}
    }
}

/// Cisco HDLC: address, control, then an ethertype.
fn cisco_hdlc(w: &mut Walk, data: &[u8], end: usize) {
    let Some(protocol) = be16(data, 2) else {
        w.truncated(0, "Cisco HDLC");
        return;
    };
    // 0x8035 is SLARP here, not RARP.
    if w.push(Layer::CiscoHdlc { protocol }, 0) && protocol != 0x8035 {
        ethertype(w, data, 4, end, protocol);
    }
}

/// 802.3br mPacket: preamble and SMD, an Ethernet frame, the mCRC.
fn mpacket(w: &mut Walk, data: &[u8], end: usize) {
    let Some(smd) = u8_at(data, 7) else {
        w.truncated(0, "mPacket");
        return;
    };
    match smd {
        // SMD-E (express) and SMD-S0..S3 (start of a preemptable frame).
        0xd5 | 0xe6 | 0x4c | 0x7f | 0xb3 => ethernet(w, data, 8, end.saturating_sub(4)),
        _ => {}
    }
}

/// Radiotap: a little-endian header of stated length; its Flags field says whether an FCS ends
/// the frame.
fn radiotap(w: &mut Walk, data: &[u8], end: usize) {
    let Some(length) = le16(data, 2) else {
        w.truncated(0, "radiotap");
        return;
    };
    if usize::from(length) < 8 || data.len() < usize::from(length) {
        w.anomaly(0, "bad_length", format!("radiotap length {length}"));
        return;
    }
    if !w.push(Layer::Radiotap { length }, 0) {
        return;
    }
    let header = captured(data, 0, usize::from(length));
    let end = if radiotap_has_fcs(header) {
        end.saturating_sub(4)
    } else {
        end
    };
    ieee80211(w, data, usize::from(length), end);
}

/// Whether the radiotap Flags field (bit 1 of the first presence word) has the FCS bit (0x10).
fn radiotap_has_fcs(header: &[u8]) -> bool {
    let Some(first) = le32(header, 4) else {
        return false;
    };
    if first & 0b10 == 0 {
        return false;
    }
    // Skip every presence word (bit 31 chains another one); bounded by the header length.
    let mut at = 4usize;
    while let Some(word) = le32(header, at) {
        at += 4;
        if word & 0x8000_0000 == 0 {
            break;
        }
    }
    if first & 1 != 0 {
        // TSFT: 8 bytes aligned to 8.
        at = at.next_multiple_of(8) + 8;
    }
    u8_at(header, at).is_some_and(|flags| flags & 0x10 != 0)
}

/// An 802.11 frame; data frames continue through LLC/SNAP.
pub(crate) fn ieee80211(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let (Some(b0), Some(b1)) = (u8_at(bytes, 0), u8_at(bytes, 1)) else {
        w.truncated(off, "802.11");
        return;
    };
    let frame_control = u16::from_be_bytes([b0, b1]);
    let frame_type = (b0 >> 2) & 3;
    let subtype = b0 >> 4;
    let to_ds = b1 & 0x01 != 0;
    let from_ds = b1 & 0x02 != 0;
    let addr1 = mac_at(bytes, 4).unwrap_or_default();
    let addr2 = mac_at(bytes, 10).unwrap_or_default();
    if frame_type != 2 {
        w.push(
            Layer::Ieee80211 {
                frame_control,
                src: addr2,
                dst: addr1,
            },
            off,
        );
        return;
    }
    let mut header_len = 24usize;
    if to_ds && from_ds {
        header_len += 6;
    }
    let qos = subtype & 0x8 != 0;
    if qos {
        header_len += 2;
        if b1 & 0x80 != 0 {
            header_len += 4;
        }
    }
    let (Some(addr3), true) = (mac_at(bytes, 16), bytes.len() >= header_len) else {
        w.push(
            Layer::Ieee80211 {
                frame_control,
                src: addr2,
                dst: addr1,
            },
            off,
        );
        w.truncated(off, "802.11");
        return;
    };
    let addr4 = mac_at(bytes, 24).unwrap_or_default();
    let (src, dst) = match (to_ds, from_ds) {
        (false, false) => (addr2, addr1),
        (true, false) => (addr2, addr3),
        (false, true) => (addr3, addr1),
        (true, true) => (addr4, addr3),
    };
    if !w.push(
        Layer::Ieee80211 {
            frame_control,
            src,
            dst,
        },
        off,
    ) {
        return;
    }
    let null_data = subtype & 0x4 != 0;
    let protected = b1 & 0x40 != 0;
    let amsdu =
        qos && u8_at(bytes, if to_ds && from_ds { 30 } else { 24 }).is_some_and(|q| q & 0x80 != 0);
    if null_data || protected || amsdu {
        return;
    }
    llc(w, data, off + header_len, end);
}
