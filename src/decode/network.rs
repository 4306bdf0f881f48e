//! Ethernet, the ethertype dispatch (VLAN, ARP, IPv4, IPv6, MPLS, PPPoE, bridged Ethernet), IPv4
//! and IPv6 headers (options, extension headers, fragments) and the IP protocol dispatch.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use etherparse::{
    ArpPacketSlice, Ethernet2HeaderSlice, IpAuthHeaderSlice, Ipv4HeaderSlice,
    Ipv6FragmentHeaderSlice, Ipv6HeaderSlice, Ipv6RawExtHeaderSlice, SingleVlanHeaderSlice,
};

use super::bytes::be16;
use super::decoder::{captured, Walk};
use super::defrag::{FragKey, Fragment};
use super::transport::{esp, icmp, tcp, udp};
use super::tunnel::{cisco_metadata, gre, llc, mpls, nsh, pppoe};
use super::{ArpLayer, EthernetLayer, Ipv4Layer, Ipv6Layer, Layer, VlanLayer};

/// An Ethernet II / 802.3 header at `off`.
pub(crate) fn ethernet(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let Ok(h) = Ethernet2HeaderSlice::from_slice(captured(data, off, end)) else {
        w.truncated(off, "Ethernet");
        return;
    };
    let ether_type = h.ether_type().0;
    let layer = EthernetLayer {
        src: h.source(),
        dst: h.destination(),
        ether_type,
    };
    if !w.push(Layer::Ethernet(layer), off) {
        return;
    }
    let next = off + 14;
    if ether_type <= 1500 {
        // 802.3: a length, then 802.2 LLC (the length bounds the payload, trailers excluded).
        let stop = end.min(next + usize::from(ether_type));
        llc(w, data, next, stop);
    } else {
        ethertype(w, data, next, end, ether_type);
    }
}

/// Dispatches on an ethertype (or a PPP/GRE protocol with the same values).
pub(crate) fn ethertype(w: &mut Walk, data: &[u8], off: usize, end: usize, ether_type: u16) {
    w.nested(off, |w| match ether_type {
        0x0800 => ipv4(w, data, off, end),
        0x86dd => ipv6(w, data, off, end),
        0x0806 | 0x8035 => arp(w, data, off, end),
        0x8100 | 0x88a8 | 0x9100 | 0x9200 => vlan(w, data, off, end, ether_type),
        0x8847 | 0x8848 => mpls(w, data, off, end),
        0x8863 | 0x8864 => pppoe(w, data, off, end, ether_type),
        0x6558 => ethernet(w, data, off, end),
        0x894f => nsh(w, data, off, end),
        0x8909 => cisco_metadata(w, data, off, end),
        _ => {}
    });
}

/// An 802.1Q / 802.1ad tag.
fn vlan(w: &mut Walk, data: &[u8], off: usize, end: usize, tpid: u16) {
    let Ok(h) = SingleVlanHeaderSlice::from_slice(captured(data, off, end)) else {
        w.truncated(off, "802.1Q");
        return;
    };
    let layer = VlanLayer {
        tpid,
        id: h.vlan_identifier().value(),
        priority: h.priority_code_point().value(),
        dei: h.drop_eligible_indicator(),
        ether_type: h.ether_type().0,
    };
    w.vlan_id = layer.id;
    if !w.push(Layer::Vlan(layer), off) {
        return;
    }
    if layer.ether_type <= 1500 {
        let stop = end.min(off + 4 + usize::from(layer.ether_type));
        llc(w, data, off + 4, stop);
    } else {
        ethertype(w, data, off + 4, end, layer.ether_type);
    }
}

/// ARP; the Ethernet/IPv4 form fills the addresses, other forms keep the opcode only.
fn arp(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let Ok(a) = ArpPacketSlice::from_slice(bytes) else {
        // The fixed part alone still gives the opcode.
        match be16(bytes, 6) {
            Some(opcode) => {
                let layer = ArpLayer {
                    opcode,
                    sender_mac: [0; 6],
                    sender_ip: [0; 4],
                    target_mac: [0; 6],
                    target_ip: [0; 4],
                };
                w.push(Layer::Arp(layer), off);
                w.truncated(off, "ARP");
            }
            None => w.truncated(off, "ARP"),
        }
        return;
    };
    let mac = |s: &[u8]| <[u8; 6]>::try_from(s).unwrap_or_default();
    let ip = |s: &[u8]| <[u8; 4]>::try_from(s).unwrap_or_default();
    let layer = ArpLayer {
        opcode: a.operation().0,
        sender_mac: mac(a.sender_hw_addr()),
        sender_ip: ip(a.sender_protocol_addr()),
        target_mac: mac(a.target_hw_addr()),
        target_ip: ip(a.target_protocol_addr()),
    };
    w.push(Layer::Arp(layer), off);
}

/// Whether an IPv4 address is private (RFC 1918) or link-local (tshark adds the VLAN id to the
/// fragment key then).
fn private_or_link_local(a: [u8; 4]) -> bool {
    let a = Ipv4Addr::from(a);
    a.is_private() || a.is_link_local()
}

/// An IPv4 header, its fragment handling, then the protocol it carries.
pub(crate) fn ipv4(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let h = match Ipv4HeaderSlice::from_slice(bytes) {
        Ok(h) => h,
        Err(e) => {
            w.anomaly(off, "bad_header", format!("IPv4: {e}"));
            return;
        }
    };
    let header_len = usize::from(h.ihl()) * 4;
    let reported = end.saturating_sub(off);
    let mut total_len = usize::from(h.total_len());
    if total_len < header_len {
        if total_len == 0 {
            // TCP segmentation offload: tshark takes the reported length.
            total_len = reported;
        } else {
            w.anomaly(
                off,
                "bad_length",
                format!("IPv4 total length {total_len} < header length {header_len}"),
            );
            total_len = header_len;
        }
    }
    let ip_end = off.saturating_add(total_len).min(end);
    let frag = h.fragments_offset().value();
    let layer = Ipv4Layer {
        src: h.source(),
        dst: h.destination(),
        protocol: h.protocol().0,
        id: h.identification(),
        ttl: h.ttl(),
        tos: bytes.get(1).copied().unwrap_or(0),
        total_len: h.total_len(),
        header_len: h.ihl() * 4,
        flags: bytes.get(6).map_or(0, |b| b >> 5),
        frag_offset: frag.wrapping_mul(8),
        checksum: h.header_checksum(),
        offset: u32::try_from(off).unwrap_or(u32::MAX),
        in_error: w.in_error,
        reassembled: false,
    };
    let layer_index = w.out.layers.len();
    if !w.push(Layer::Ipv4(layer), off) {
        return;
    }
    let src = IpAddr::V4(Ipv4Addr::from(layer.src));
    let dst = IpAddr::V4(Ipv4Addr::from(layer.dst));
    let payload = off + header_len;
    let more = h.more_fragments();
    if more || frag != 0 {
        let payload_len = total_len.saturating_sub(header_len);
        let all_captured =
            payload.saturating_add(payload_len) <= data.len().min(end) && payload_len > 0;
        if !w.in_error && !w.in_reassembled && all_captured {
            let vlan = if private_or_link_local(layer.src) || private_or_link_local(layer.dst) {
                w.vlan_id
            } else {
                0
            };
            let key = FragKey::V4 {
                src: layer.src,
                dst: layer.dst,
                id: layer.id,
                protocol: layer.protocol,
                vlan,
            };
            let fragment = Fragment {
                offset: u32::from(frag) * 8,
                bytes: captured(data, payload, payload + payload_len),
                more,
            };
            reassemble(
                w,
                key,
                fragment,
                layer_index,
                layer.protocol,
                src,
                dst,
                payload,
            );
            return;
        }
        if frag != 0 {
            return;
        }
    }
    ip_proto(w, data, payload, ip_end, layer.protocol, src, dst);
}

/// Adds a fragment; when it completes the datagram, decodes the protocol from the reassembled
/// bytes and marks the IP layer at `layer_index` as reassembled.
#[allow(clippy::too_many_arguments)]
fn reassemble(
    w: &mut Walk,
    key: FragKey,
    fragment: Fragment,
    layer_index: usize,
    protocol: u8,
    src: IpAddr,
    dst: IpAddr,
    offset: usize,
) {
    let mut buf = std::mem::take(w.reassembled);
    match w.defrag.add(key, fragment, w.frame_number, &mut buf) {
        Ok(true) => {
            match w.out.layers.get_mut(layer_index) {
                Some(Layer::Ipv4(l)) => l.reassembled = true,
                Some(Layer::Ipv6(l)) => l.reassembled = true,
                _ => {}
            }
            w.reassembled_valid = true;
            w.in_reassembled = true;
            let len = buf.len();
            ip_proto(w, &buf, 0, len, protocol, src, dst);
            w.in_reassembled = false;
        }
        Ok(false) => {}
        Err(reason) => w.anomaly(offset, "fragment", reason),
    }
    *w.reassembled = buf;
}

/// IPv6 extension headers tshark dissects as part of IPv6 (hop-by-hop, routing, destination
/// options, mobility, HIP, shim6): all share the `(next, len in 8-byte units - 1)` form.
fn is_generic_ext(next: u8) -> bool {
    matches!(next, 0 | 43 | 60 | 135 | 139 | 140)
}

/// An IPv6 header, its extension headers and fragment handling, then the upper protocol.
pub(crate) fn ipv6(w: &mut Walk, data: &[u8], off: usize, end: usize) {
    let bytes = captured(data, off, end);
    let h = match Ipv6HeaderSlice::from_slice(bytes) {
        Ok(h) => h,
        Err(e) => {
            w.anomaly(off, "bad_header", format!("IPv6: {e}"));
            return;
        }
    };
    let payload_len = usize::from(h.payload_length());
    let reported = end.saturating_sub(off + 40);
    let plen = if payload_len == 0 {
        reported
    } else {
        payload_len
    };
    let ip_end = (off + 40).saturating_add(plen).min(end);
    let mut layer = Ipv6Layer {
        src: h.source(),
        dst: h.destination(),
        next_header: h.next_header().0,
        protocol: h.next_header().0,
        hop_limit: h.hop_limit(),
        traffic_class: h.traffic_class(),
        flow_label: h.flow_label().value(),
        payload_len: h.payload_length(),
        fragment: None,
        extensions: [0; 4],
        extension_count: 0,
        offset: u32::try_from(off).unwrap_or(u32::MAX),
        in_error: w.in_error,
        reassembled: false,
    };
    // Walk the extension headers (each at least 8 bytes, so at most plen / 8 of them).
    let mut next = layer.next_header;
    let mut at = off + 40;
    let mut truncated_ext = false;
    let note = |layer: &mut Ipv6Layer, next: u8| {
        if let Some(slot) = layer.extensions.get_mut(usize::from(layer.extension_count)) {
            *slot = next;
        }
        layer.extension_count = layer.extension_count.saturating_add(1);
    };
    for _ in 0..64 {
        if is_generic_ext(next) {
            match Ipv6RawExtHeaderSlice::from_slice(captured(data, at, ip_end)) {
                Ok(e) => {
                    note(&mut layer, next);
                    next = e.next_header().0;
                    at += e.slice().len();
                }
                Err(_) => {
                    truncated_ext = true;
                    break;
                }
            }
        } else if next == 44 {
            match Ipv6FragmentHeaderSlice::from_slice(captured(data, at, ip_end)) {
                Ok(f) => {
                    note(&mut layer, next);
                    layer.fragment = Some((
                        f.identification(),
                        f.fragment_offset().value().wrapping_mul(8),
                        f.more_fragments(),
                    ));
                    next = f.next_header().0;
                    at += 8;
                    break;
                }
                Err(_) => {
                    truncated_ext = true;
                    break;
                }
            }
        } else {
            break;
        }
    }
    layer.protocol = next;
    let layer_index = w.out.layers.len();
    if !w.push(Layer::Ipv6(layer), off) {
        return;
    }
    if truncated_ext {
        w.truncated(at, "IPv6 extension");
        return;
    }
    let src = IpAddr::V6(Ipv6Addr::from(layer.src));
    let dst = IpAddr::V6(Ipv6Addr::from(layer.dst));
    if let Some((id, frag_off, more)) = layer.fragment {
        // tshark dissects atomic fragments (offset 0, no more fragments) directly.
        if frag_off != 0 || more {
            let len = ip_end.saturating_sub(at);
            let all_captured = ip_end <= data.len() && len > 0;
            if !w.in_error && !w.in_reassembled && all_captured {
                let key = FragKey::V6 {
                    src: layer.src,
                    dst: layer.dst,
                    id,
                };
                let fragment = Fragment {
                    offset: u32::from(frag_off),
                    bytes: captured(data, at, ip_end),
                    more,
                };
                reassemble(w, key, fragment, layer_index, next, src, dst, at);
                return;
            }
            if frag_off != 0 {
                return;
            }
        }
    }
    ip_proto(w, data, at, ip_end, next, src, dst);
}

/// Dispatches on an IP protocol number; `src`/`dst` are the enclosing IP addresses.
pub(crate) fn ip_proto(
    w: &mut Walk,
    data: &[u8],
    off: usize,
    end: usize,
    protocol: u8,
    src: IpAddr,
    dst: IpAddr,
) {
    w.nested(off, |w| match protocol {
        6 => tcp(w, data, off, end, src, dst),
        17 => udp(w, data, off, end, src, dst),
        1 => icmp(w, data, off, end, false),
        58 => icmp(w, data, off, end, true),
        4 => ipv4(w, data, off, end),
        41 => ipv6(w, data, off, end),
        47 => gre(w, data, off, end),
        50 => esp(w, data, off, end),
        51 => ah(w, data, off, end, src, dst),
        _ => {}
    });
}

/// An IPsec authentication header, then the protocol it protects.
fn ah(w: &mut Walk, data: &[u8], off: usize, end: usize, src: IpAddr, dst: IpAddr) {
    let h = match IpAuthHeaderSlice::from_slice(captured(data, off, end)) {
        Ok(h) => h,
        Err(e) => {
            w.anomaly(off, "bad_header", format!("AH: {e}"));
            return;
        }
    };
    let layer = Layer::Ah {
        spi: h.spi(),
        sequence: h.sequence_number(),
    };
    if w.push(layer, off) {
        let next = off + h.slice().len();
        ip_proto(w, data, next, end, h.next_header().0, src, dst);
    }
}
