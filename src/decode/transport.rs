//! Transport and the headers they lead to: TCP (with an options summary), UDP and its port-based
//! payloads (VXLAN, Geneve, GRE-in-UDP, IPsec NAT-T, DNS/mDNS/LLMNR), ICMP and ICMPv6 (errors
//! continue into the quoted packet), ESP.

use std::net::IpAddr;

use etherparse::err::tcp::HeaderSliceError;
use etherparse::{TcpHeaderSlice, TcpOptionElement, UdpHeaderSlice};

use super::bytes::{be16, be32, u8_at};
use super::decoder::{captured, Walk};
use super::network::{ipv4, ipv6};
use super::tunnel::{geneve, gre, gtp_u, teredo, vxlan, vxlan_gpe};
use super::{DnsFlavor, DnsLayer, IcmpLayer, Layer, TcpLayer, TcpOptionsSummary, UdpLayer};

/// A TCP header. `end` is the reported end of the IP payload, so `tcp.len` follows the IP length.
pub(crate) fn tcp(w: &mut Walk, data: &[u8], off: usize, end: usize, src: IpAddr, dst: IpAddr) {
    let bytes = captured(data, off, end);
    let parsed = TcpHeaderSlice::from_slice(bytes);
    let header = match &parsed {
        Ok(h) => Some(h),
        // tshark reads the fixed fields up to the window (16 bytes) before anything that can
        // fail; a header cut after them still gives the whole TCP layer (without options).
        Err(HeaderSliceError::Len(_)) if bytes.len() >= 16 && bytes[12] >> 4 >= 5 => {
            w.truncated(off, "TCP");
            None
        }
        // Cut before that: tshark shows the ports (and, inside an ICMP error, the sequence
        // number) and nothing else.
        Err(HeaderSliceError::Len(_)) if bytes.len() >= 4 => {
            let layer = Layer::TcpPorts {
                src_port: be16(bytes, 0).unwrap_or(0),
                dst_port: be16(bytes, 2).unwrap_or(0),
                seq: if w.in_error { be32(bytes, 4) } else { None },
                in_error: w.in_error,
            };
            w.push(layer, off);
            if !w.in_error {
                w.truncated(off, "TCP");
            }
            return;
        }
        Err(e) => {
            w.anomaly(off, "bad_header", format!("TCP: {e}"));
            return;
        }
    };
    let field16 = |at: usize| be16(bytes, at).unwrap_or(0);
    let field32 = |at: usize| be32(bytes, at).unwrap_or(0);
    let data_offset = bytes.get(12).map_or(5, |b| b >> 4);
    let header_len = usize::from(data_offset) * 4;
    let reported = end.saturating_sub(off);
    if reported < header_len {
        w.anomaly(off, "bad_length", "TCP header longer than the IP payload");
    }
    let payload_offset = off + header_len;
    let payload_len = reported.saturating_sub(header_len);
    let payload_captured = data.len().min(end).saturating_sub(payload_offset);
    let mut options = TcpOptionsSummary::default();
    for option in header.into_iter().flat_map(|h| h.options_iterator()) {
        match option {
            Ok(TcpOptionElement::MaximumSegmentSize(mss)) => options.mss = Some(mss),
            Ok(TcpOptionElement::WindowScale(shift)) => options.window_scale = Some(shift),
            Ok(TcpOptionElement::SelectiveAcknowledgementPermitted) => {
                options.sack_permitted = true
            }
            Ok(TcpOptionElement::Timestamp(a, b)) => options.timestamps = Some((a, b)),
            Ok(TcpOptionElement::SelectiveAcknowledgement(_, rest)) => {
                options.sack_blocks = 1 + rest.iter().filter(|b| b.is_some()).count() as u8;
            }
            Ok(_) => {}
            Err(_) => {
                w.anomaly(off + 20, "bad_option", "TCP options malformed");
                break;
            }
        }
    }
    let flags = u16::from_be_bytes([
        bytes.get(12).map_or(0, |b| b & 0x0f),
        bytes.get(13).copied().unwrap_or(0),
    ]);
    let layer = TcpLayer {
        src,
        dst,
        src_port: field16(0),
        dst_port: field16(2),
        seq: field32(4),
        ack: field32(8),
        flags,
        window: field16(14),
        header_len: data_offset * 4,
        payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
        payload_offset: u32::try_from(payload_offset).unwrap_or(u32::MAX),
        payload_captured: u32::try_from(payload_captured).unwrap_or(u32::MAX),
        options,
        in_error: w.in_error,
    };
    if !w.push(Layer::Tcp(layer), off) || w.in_error || payload_captured == 0 {
        return;
    }
    let (low, high) = ordered(layer.src_port, layer.dst_port);
    for port in [low, high] {
        if let Some(flavor) = dns_flavor(port) {
            // DNS over TCP: a 2-byte length, then the message (only when it is all here).
            let stop = end.min(data.len());
            if let Some(len) = be16(data, payload_offset) {
                if payload_offset + 2 + usize::from(len) <= stop && len >= 12 {
                    dns(w, data, payload_offset + 2, stop, flavor, true);
                }
            }
            return;
        }
    }
}

/// The ports in the order tshark tries them (lower first).
fn ordered(a: u16, b: u16) -> (u16, u16) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

/// The DNS-format protocol registered on `port`.
fn dns_flavor(port: u16) -> Option<DnsFlavor> {
    match port {
        53 => Some(DnsFlavor::Dns),
        5353 => Some(DnsFlavor::Mdns),
        5355 => Some(DnsFlavor::Llmnr),
        _ => None,
    }
}

/// A UDP header and its port-based payload.
pub(crate) fn udp(w: &mut Walk, data: &[u8], off: usize, end: usize, src: IpAddr, dst: IpAddr) {
    let h = match UdpHeaderSlice::from_slice(captured(data, off, end)) {
        Ok(h) => h,
        Err(_) => {
            w.truncated(off, "UDP");
            return;
        }
    };
    let length = h.length();
    let reported = end.saturating_sub(off);
    let mut udp_end = end;
    if usize::from(length) >= 8 && usize::from(length) <= reported {
        udp_end = off + usize::from(length);
    } else if length != 0 && !w.in_error {
        // (A header quoted in an ICMP error is expected to be cut short.)
        w.anomaly(
            off,
            "bad_length",
            format!("UDP length {length} (IP payload {reported})"),
        );
    }
    let payload_offset = off + 8;
    let payload_len = udp_end.saturating_sub(payload_offset);
    let payload_captured = data.len().min(udp_end).saturating_sub(payload_offset);
    let layer = UdpLayer {
        src,
        dst,
        src_port: h.source_port(),
        dst_port: h.destination_port(),
        length,
        checksum: h.checksum(),
        payload_offset: u32::try_from(payload_offset).unwrap_or(u32::MAX),
        payload_len: u32::try_from(payload_len).unwrap_or(u32::MAX),
        payload_captured: u32::try_from(payload_captured).unwrap_or(u32::MAX),
        in_error: w.in_error,
    };
    if !w.push(Layer::Udp(layer), off) || w.in_error || payload_captured == 0 {
        return;
    }
    let (low, high) = ordered(layer.src_port, layer.dst_port);
    for port in [low, high] {
        if udp_port(w, data, payload_offset, udp_end, port) {
            return;
        }
    }
}

/// Decodes a UDP payload by the protocol registered on `port`; false when none is.
fn udp_port(w: &mut Walk, data: &[u8], off: usize, end: usize, port: u16) -> bool {
    match port {
        4789 => w.nested(off, |w| vxlan(w, data, off, end)),
        4790 => w.nested(off, |w| vxlan_gpe(w, data, off, end)),
        6081 => w.nested(off, |w| geneve(w, data, off, end)),
        4754 => w.nested(off, |w| gre(w, data, off, end)),
        2152 => w.nested(off, |w| gtp_u(w, data, off, end)),
        3544 => w.nested(off, |w| teredo(w, data, off, end)),
        500 => {
            w.push(Layer::Isakmp, off);
        }
        4500 => nat_t(w, data, off, end),
        _ => match dns_flavor(port) {
            Some(flavor) => dns(w, data, off, end, flavor, false),
            None => return false,
        },
    }
    true
}

/// UDP 4500: a NAT keepalive (one 0xff byte), ISAKMP (zero non-ESP marker) or ESP.
fn nat_t(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let keepalive = bytes == [0xff];
    if !w.push(Layer::UdpEncap { keepalive }, off) || keepalive {
        return;
    }
    if be32(bytes, 0) == Some(0) {
        // A zero non-ESP marker precedes ISAKMP.
        w.push(Layer::Isakmp, off + 4);
    } else {
        esp(w, data, off, end);
    }
}

/// A DNS header (12 bytes) at `off`.
fn dns(w: &mut Walk, data: &[u8], off: usize, end: usize, flavor: DnsFlavor, over_tcp: bool) {
    let bytes = captured(data, off, end);
    let (Some(id), Some(flags), Some(qd), Some(an), Some(ns), Some(ar)) = (
        be16(bytes, 0),
        be16(bytes, 2),
        be16(bytes, 4),
        be16(bytes, 6),
        be16(bytes, 8),
        be16(bytes, 10),
    ) else {
        w.truncated(off, "DNS");
        return;
    };
    let layer = DnsLayer {
        id,
        flags,
        counts: [qd, an, ns, ar],
        offset: u32::try_from(off).unwrap_or(u32::MAX),
        flavor,
        over_tcp,
    };
    w.push(Layer::Dns(layer), off);
}

/// ESP: SPI and sequence number; the rest is encrypted.
pub(crate) fn esp(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let (Some(spi), Some(sequence)) = (be32(bytes, 0), be32(bytes, 4)) else {
        w.truncated(off, "ESP");
        return;
    };
    w.push(Layer::Esp { spi, sequence }, off);
}

/// ICMP (`v6` false) or ICMPv6. Error messages continue into the quoted IP packet, whose layers
/// get `in_error: true`.
pub(crate) fn icmp(w: &mut Walk, data: &[u8], off: usize, end: usize, v6: bool) {
    let bytes = captured(data, off, end);
    let (Some(icmp_type), Some(code)) = (u8_at(bytes, 0), u8_at(bytes, 1)) else {
        w.truncated(off, if v6 { "ICMPv6" } else { "ICMP" });
        return;
    };
    let echo = if v6 {
        matches!(icmp_type, 128 | 129)
    } else {
        matches!(icmp_type, 0 | 8 | 13 | 14 | 15 | 16 | 17 | 18)
    };
    let is_error = if v6 {
        matches!(icmp_type, 1..=4)
    } else {
        matches!(icmp_type, 3 | 4 | 5 | 11 | 12)
    };
    let (ident, seq) = if echo {
        (be16(bytes, 4), be16(bytes, 6))
    } else {
        (None, None)
    };
    let layer = IcmpLayer {
        icmp_type,
        code,
        ident,
        seq,
        is_error,
        in_error: w.in_error,
        offset: u32::try_from(off).unwrap_or(u32::MAX),
    };
    let pushed = w.push(
        if v6 {
            Layer::Icmpv6(layer)
        } else {
            Layer::Icmp(layer)
        },
        off,
    );
    if !pushed || !is_error || w.in_error || bytes.len() <= 8 {
        return;
    }
    let quoted = off + 8;
    w.in_error = true;
    w.nested(quoted, |w| {
        if v6 {
            ipv6(w, data, quoted, end);
        } else {
            ipv4(w, data, quoted, end);
        }
    });
    w.in_error = false;
}
