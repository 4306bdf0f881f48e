//! The packet-list description of a decoded frame, in Wireshark's style: Source, Destination,
//! Protocol and Info columns.
//!
//! What differs from Wireshark, by design (this runs on one frame, without per-stream state):
//! TCP sequence and acknowledgement numbers are the raw values (Wireshark shows relative ones)
//! and `Win=` is the raw window field (Wireshark multiplies it by the scale from the handshake);
//! with those two set aside, TCP Info agrees with tshark run with
//! `-o tcp.relative_sequence_numbers:FALSE -o tcp.analyze_sequence_numbers:FALSE
//! -o tcp.desegment_tcp_streams:FALSE` on every TCP frame of the corpus;
//! no "[TCP segment of a reassembled PDU]", retransmission or "(reply in N)" notes; the TLS
//! version comes from the record header (a TLS 1.3 session shows as TLSv1.2); HTTP Info lacks the
//! "(content type)" suffix; DNS lists the first question and the answers (data for A, AAAA,
//! CNAME, NS, PTR, MX, SOA only). Only HTTP, TLS and DNS are recognised above the transport
//! layer (`tests/decode_corpus.rs` checks all this against tshark's columns).

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::bytes::{be16, u8_at};
use super::{DecodedFrame, DnsFlavor, DnsLayer, IcmpLayer, Layer, TcpLayer};
use crate::capture::FrameMeta;

/// The four text columns of a packet-list row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Description {
    /// Source address (innermost IP outside ICMP quotes, else MAC).
    pub source: String,
    /// Destination address.
    pub destination: String,
    /// Protocol column (`TCP`, `HTTP`, `TLSv1.2`, `DNS`, ...).
    pub protocol: String,
    /// Info column.
    pub info: String,
}

/// Describes a frame whose transport layers (if any) were decoded from the frame's bytes.
pub fn describe(meta: &FrameMeta, frame: &DecodedFrame, data: &[u8]) -> Description {
    describe_with(meta, frame, data, None)
}

/// Describes a frame; `reassembled` is the decoder's [`super::Decoder::reassembled_payload`] for
/// this frame, which the layers after a reassembled IP layer refer to.
pub fn describe_with(
    meta: &FrameMeta,
    frame: &DecodedFrame,
    data: &[u8],
    reassembled: Option<&[u8]>,
) -> Description {
    let _ = meta;
    let mut d = Description::default();
    addresses(frame, &mut d);
    // The highest layer outside an ICMP quote decides the Protocol and Info columns.
    let mut top = None;
    let mut in_reassembled = false;
    let mut top_in_reassembled = false;
    let mut ip_ttl = None;
    let mut ip_fragment = None;
    for (i, layer) in frame.layers.iter().enumerate() {
        match layer {
            Layer::Ipv4(ip) if !ip.in_error => {
                in_reassembled |= ip.reassembled;
                ip_ttl = Some(ip.ttl);
                ip_fragment =
                    (!ip.reassembled && (ip.flags & 1 != 0 || ip.frag_offset != 0)).then_some(*ip);
            }
            Layer::Ipv6(ip) if !ip.in_error => {
                in_reassembled |= ip.reassembled;
                ip_ttl = Some(ip.hop_limit);
                ip_fragment = None;
            }
            _ => {}
        }
        if !in_error(layer) {
            top = Some(i);
            top_in_reassembled = in_reassembled;
        }
    }
    let Some(top) = top else {
        d.protocol = "Frame".into();
        return d;
    };
    let bytes = if top_in_reassembled {
        reassembled.unwrap_or(&[])
    } else {
        data
    };
    let layer = &frame.layers[top];
    d.protocol = layer.column_name().into();
    match layer {
        Layer::Tcp(t) => tcp_info(t, bytes, &mut d),
        Layer::Udp(u) => {
            let _ = write!(
                d.info,
                "{} → {} Len={}",
                u.src_port, u.dst_port, u.payload_len
            );
        }
        Layer::Dns(dns) => dns_info(dns, bytes, &mut d.info),
        Layer::Icmp(icmp) => icmp_info(icmp, ip_ttl, &mut d.info),
        Layer::Icmpv6(icmp) => icmpv6_info(icmp, ip_ttl, bytes, &mut d.info),
        Layer::Arp(a) => match a.opcode {
            1 if a.sender_ip == a.target_ip && a.target_mac == [0; 6] => {
                let _ = write!(
                    d.info,
                    "ARP Announcement for {}",
                    Ipv4Addr::from(a.target_ip)
                );
            }
            1 if a.sender_ip == a.target_ip => {
                let _ = write!(
                    d.info,
                    "Gratuitous ARP for {} (Request)",
                    Ipv4Addr::from(a.target_ip)
                );
            }
            1 if a.sender_ip == [0; 4] => {
                let _ = write!(
                    d.info,
                    "Who has {}? (ARP Probe)",
                    Ipv4Addr::from(a.target_ip)
                );
            }
            2 if a.sender_ip == a.target_ip => {
                let _ = write!(
                    d.info,
                    "Gratuitous ARP for {} (Reply)",
                    Ipv4Addr::from(a.sender_ip)
                );
            }
            1 => {
                let _ = write!(
                    d.info,
                    "Who has {}? Tell {}",
                    Ipv4Addr::from(a.target_ip),
                    Ipv4Addr::from(a.sender_ip)
                );
            }
            2 => {
                let _ = write!(
                    d.info,
                    "{} is at {}",
                    Ipv4Addr::from(a.sender_ip),
                    mac(&a.sender_mac)
                );
            }
            op => {
                let _ = write!(d.info, "ARP opcode {op}");
            }
        },
        Layer::Esp { spi, .. } => {
            let _ = write!(d.info, "ESP (SPI=0x{spi:08x})");
        }
        Layer::Ipv4(ip) => match ip_fragment {
            Some(f) => {
                let _ = write!(
                    d.info,
                    "Fragmented IP protocol (proto={} {}, off={}, ID={:04x})",
                    ip_proto_name(f.protocol),
                    f.protocol,
                    f.frag_offset,
                    f.id
                );
            }
            None => {
                let _ = write!(
                    d.info,
                    "{} → {} protocol {}",
                    Ipv4Addr::from(ip.src),
                    Ipv4Addr::from(ip.dst),
                    ip.protocol
                );
            }
        },
        Layer::Ipv6(ip) if ip.protocol == 59 => d.info = "IPv6 no next header".into(),
        Layer::UdpEncap { keepalive: true } => d.info = "NAT-keepalive".into(),
        Layer::Ethernet(e) => {
            d.protocol = format!("0x{:04x}", e.ether_type);
            d.info = "Ethernet II".into();
        }
        other => d.info = other.column_name().into(),
    }
    d
}

/// Layers inside an ICMP error's quote.
fn in_error(layer: &Layer) -> bool {
    match layer {
        Layer::Ipv4(l) => l.in_error,
        Layer::Ipv6(l) => l.in_error,
        Layer::Tcp(l) => l.in_error,
        Layer::Udp(l) => l.in_error,
        Layer::Icmp(l) | Layer::Icmpv6(l) => l.in_error,
        Layer::TcpPorts { in_error, .. } => *in_error,
        _ => false,
    }
}

/// Source and destination as the last address-setting layer leaves them (IP outside ICMP
/// quotes, Ethernet, 802.11, Linux cooked capture), as Wireshark's columns do.
fn addresses(frame: &DecodedFrame, d: &mut Description) {
    for layer in &frame.layers {
        let (source, destination) = match layer {
            Layer::Ipv4(l) if !l.in_error => (
                Ipv4Addr::from(l.src).to_string(),
                Ipv4Addr::from(l.dst).to_string(),
            ),
            Layer::Ipv6(l) if !l.in_error => (
                Ipv6Addr::from(l.src).to_string(),
                Ipv6Addr::from(l.dst).to_string(),
            ),
            Layer::Ethernet(e) => (mac(&e.src), mac(&e.dst)),
            Layer::Ieee80211 { src, dst, .. } => (mac(src), mac(dst)),
            Layer::Sll(s) => {
                let len = usize::from(s.address_len).min(8);
                let hex: Vec<String> = s.address[..len]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                (hex.join(":"), String::new())
            }
            _ => continue,
        };
        d.source = source;
        d.destination = destination;
    }
}

fn mac(m: &[u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

/// Wireshark's short names of IP protocols (the fragment info).
fn ip_proto_name(p: u8) -> &'static str {
    match p {
        1 => "ICMP",
        2 => "IGMP",
        4 => "IPIP",
        6 => "TCP",
        17 => "UDP",
        41 => "IPv6",
        47 => "Generic Routing Encapsulation",
        50 => "Encap Security Payload",
        51 => "Authentication Header",
        58 => "ICMPv6",
        132 => "SCTP",
        _ => "Unknown",
    }
}

/// TCP's Info, or HTTP/TLS when the payload starts one.
fn tcp_info(t: &TcpLayer, bytes: &[u8], d: &mut Description) {
    let start = t.payload_offset as usize;
    let payload = bytes
        .get(start..start.saturating_add(t.payload_captured as usize))
        .unwrap_or(&[]);
    if !payload.is_empty() {
        if is_http_port(t.src_port) || is_http_port(t.dst_port) {
            if let Some(line) = http_first_line(payload) {
                d.protocol = "HTTP".into();
                d.info = format!("{} ", String::from_utf8_lossy(line));
                return;
            }
        }
        if let Some((version, info)) = tls_records(payload) {
            d.protocol = version.into();
            d.info = info;
            return;
        }
    }
    let info = &mut d.info;
    let _ = write!(info, "{} → {} [", t.src_port, t.dst_port);
    const NAMES: [&str; 9] = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"];
    let mut first = true;
    for (bit, name) in NAMES.iter().enumerate() {
        if t.flags & (1 << bit) != 0 {
            if !first {
                info.push_str(", ");
            }
            info.push_str(name);
            first = false;
        }
    }
    if first {
        info.push_str("<None>");
    }
    let _ = write!(info, "] Seq={}", t.seq);
    if t.flags & 0x010 != 0 {
        let _ = write!(info, " Ack={}", t.ack);
    }
    let _ = write!(info, " Win={}", t.window);
    if t.flags & 0x020 != 0 {
        let start = t.payload_offset as usize;
        let header_start = start.saturating_sub(usize::from(t.header_len));
        let _ = write!(info, " Urg={}", be16(bytes, header_start + 18).unwrap_or(0));
    }
    let _ = write!(info, " Len={}", t.payload_len);
    // Options in header order when the header is at hand, else from the summary.
    let header_start = start.saturating_sub(usize::from(t.header_len));
    match bytes.get(header_start + 20..start) {
        Some(options) if usize::from(t.header_len) > 20 => tcp_options_info(options, info),
        _ => {
            let o = &t.options;
            if let Some(mss) = o.mss {
                let _ = write!(info, " MSS={mss}");
            }
            if o.sack_permitted {
                info.push_str(" SACK_PERM");
            }
            if let Some((a, b)) = o.timestamps {
                let _ = write!(info, " TSval={a} TSecr={b}");
            }
            if let Some(ws) = o.window_scale {
                let _ = write!(info, " WS={}", 1u32 << ws.min(14));
            }
        }
    }
}

/// Appends Wireshark's option notes (`MSS=`, `SACK_PERM`, `TSval= TSecr=`, `WS=`, `SLE= SRE=`).
fn tcp_options_info(options: &[u8], info: &mut String) {
    let mut at = 0usize;
    // Each step consumes at least one byte.
    while let Some(kind) = u8_at(options, at) {
        match kind {
            0 => break,
            1 => {
                at += 1;
                continue;
            }
            _ => {}
        }
        let Some(len) = u8_at(options, at + 1).map(usize::from).filter(|l| *l >= 2) else {
            break;
        };
        let body = options.get(at + 2..at + len).unwrap_or(&[]);
        match (kind, body.len()) {
            (2, 2) => {
                let _ = write!(info, " MSS={}", u16::from_be_bytes([body[0], body[1]]));
            }
            (3, 1) => {
                let _ = write!(info, " WS={}", 1u32 << body[0].min(14));
            }
            (4, 0) => info.push_str(" SACK_PERM"),
            // TCP Fast Open: a cookie request, or a cookie.
            (34, 0) => info.push_str(" TFO=R"),
            (34, _) => info.push_str(" TFO=C"),
            (8, 8) => {
                let a = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
                let b = u32::from_be_bytes([body[4], body[5], body[6], body[7]]);
                let _ = write!(info, " TSval={a} TSecr={b}");
            }
            (5, n) if n % 8 == 0 => {
                for block in body.chunks_exact(8) {
                    let l = u32::from_be_bytes([block[0], block[1], block[2], block[3]]);
                    let r = u32::from_be_bytes([block[4], block[5], block[6], block[7]]);
                    let _ = write!(info, " SLE={l} SRE={r}");
                }
            }
            _ => {}
        }
        at += len;
    }
}

fn is_http_port(p: u16) -> bool {
    matches!(p, 80 | 8080 | 8000 | 3128 | 8008 | 8888)
}

/// The first line of an HTTP request or response, if the payload starts one.
fn http_first_line(payload: &[u8]) -> Option<&[u8]> {
    const STARTS: [&[u8]; 10] = [
        b"GET ",
        b"POST ",
        b"HEAD ",
        b"PUT ",
        b"DELETE ",
        b"OPTIONS ",
        b"CONNECT ",
        b"TRACE ",
        b"PATCH ",
        b"HTTP/",
    ];
    if !STARTS.iter().any(|s| payload.starts_with(s)) {
        return None;
    }
    let end = payload
        .iter()
        .position(|&b| b == b'\r' || b == b'\n')
        .unwrap_or(payload.len());
    payload.get(..end)
}

/// The TLS records at the start of a payload: the version name of the first and the message
/// names (`Client Hello`, `Application Data`, ...).
fn tls_records(payload: &[u8]) -> Option<(&'static str, String)> {
    let (Some(content), Some(version)) = (u8_at(payload, 0), be16(payload, 1)) else {
        return None;
    };
    if !(20..=23).contains(&content) || !(0x0300..=0x0304).contains(&version) {
        return None;
    }
    let name = match version {
        0x0300 => "SSLv3",
        0x0301 => "TLSv1",
        0x0302 => "TLSv1.1",
        0x0303 => "TLSv1.2",
        _ => "TLSv1.3",
    };
    let mut info = String::new();
    let mut at = 0usize;
    // At most 16 records described.
    for _ in 0..16 {
        let (Some(content), Some(len)) = (u8_at(payload, at), be16(payload, at + 3)) else {
            break;
        };
        if !(20..=23).contains(&content) {
            break;
        }
        let body = payload.get(at + 5..).unwrap_or(&[]);
        let body = body.get(..usize::from(len)).unwrap_or(body);
        if !info.is_empty() {
            info.push_str(", ");
        }
        match content {
            20 => info.push_str("Change Cipher Spec"),
            21 => info.push_str(if len == 2 { "Alert" } else { "Encrypted Alert" }),
            23 => info.push_str("Application Data"),
            _ => handshake_names(body, &mut info),
        }
        at += 5 + usize::from(len);
    }
    Some((name, info))
}

/// Names the handshake messages of one record.
fn handshake_names(body: &[u8], info: &mut String) {
    let mut at = 0usize;
    let mut first = true;
    for _ in 0..16 {
        let Some(kind) = u8_at(body, at) else { break };
        let Some(len) = body
            .get(at + 1..at + 4)
            .map(|b| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
        else {
            break;
        };
        let Some(name) = crate::app::tls::handshake_type_name(kind) else {
            if first {
                info.push_str("Encrypted Handshake Message");
            }
            return;
        };
        if !first {
            info.push_str(", ");
        }
        info.push_str(name);
        first = false;
        at += 4 + len;
        if at > body.len() {
            break;
        }
    }
    if first {
        info.push_str("Encrypted Handshake Message");
    }
}

/// DNS's Info: `Standard query 0x1234 A example.com` / `Standard query response 0x1234 ...`.
fn dns_info(dns: &DnsLayer, bytes: &[u8], info: &mut String) {
    let response = dns.flags & 0x8000 != 0;
    let opcode = (dns.flags >> 11) & 0xf;
    let kind = match opcode {
        0 => "Standard query",
        1 => "Inverse query",
        2 => "Server status request",
        4 => "Zone change notification",
        5 => "Dynamic update",
        _ => "Unknown operation",
    };
    let _ = write!(
        info,
        "{kind}{} 0x{:04x}",
        if response { " response" } else { "" },
        dns.id
    );
    if response {
        let rcode = match dns.flags & 0xf {
            0 => "",
            1 => " Format error",
            2 => " Server failure",
            3 => " No such name",
            4 => " Not implemented",
            5 => " Refused",
            _ => " Unknown error",
        };
        info.push_str(rcode);
    }
    if dns.counts[0] == 0 {
        return;
    }
    let message = bytes.get(dns.offset as usize..).unwrap_or(&[]);
    let mut name = String::new();
    let Some(after) = dns_name(message, 12, &mut name) else {
        return;
    };
    let Some(qtype) = be16(message, after) else {
        return;
    };
    let _ = write!(
        info,
        " {} {}",
        dns_type_name(qtype),
        if name.is_empty() { "<Root>" } else { &name }
    );
    if dns.flavor == DnsFlavor::Mdns {
        // Wireshark notes the unicast-response bit of mDNS questions.
        let unicast = be16(message, after + 2).is_some_and(|class| class & 0x8000 != 0);
        info.push_str(if unicast {
            ", \"QU\" question"
        } else {
            ", \"QM\" question"
        });
    }
    if !response {
        return;
    }
    // Skip the remaining questions, then list the answers.
    let mut at = after + 4;
    for _ in 1..dns.counts[0].min(64) {
        let Some(next) = dns_name(message, at, &mut String::new()) else {
            return;
        };
        at = next + 4;
    }
    for _ in 0..dns.counts[1].min(64) {
        let Some(next) = dns_name(message, at, &mut String::new()) else {
            return;
        };
        let (Some(rtype), Some(rdlen)) = (be16(message, next), be16(message, next + 8)) else {
            return;
        };
        let rdata = next + 10;
        let Some(rd) = message.get(rdata..rdata + usize::from(rdlen)) else {
            return;
        };
        let _ = write!(info, " {}", dns_type_name(rtype));
        let mut target = String::new();
        match rtype {
            1 if rd.len() == 4 => {
                let _ = write!(info, " {}", Ipv4Addr::new(rd[0], rd[1], rd[2], rd[3]));
            }
            28 => {
                if let Ok(a) = <[u8; 16]>::try_from(rd) {
                    let _ = write!(info, " {}", Ipv6Addr::from(a));
                }
            }
            2 | 5 | 6 | 12 | 47 if dns_name(message, rdata, &mut target).is_some() => {
                let _ = write!(info, " {target}");
            }
            15 => {
                if let (Some(pref), Some(_)) = (
                    be16(message, rdata),
                    dns_name(message, rdata + 2, &mut target),
                ) {
                    let _ = write!(info, " {pref} {target}");
                }
            }
            _ => {}
        }
        at = rdata + usize::from(rdlen);
    }
}

/// Reads a (possibly compressed) DNS name at `at`; returns the offset after it in place.
fn dns_name(message: &[u8], mut at: usize, out: &mut String) -> Option<usize> {
    let mut after = None;
    // At most 128 labels or pointers.
    for _ in 0..128 {
        let len = u8_at(message, at)?;
        match len {
            0 => return Some(after.unwrap_or(at + 1)),
            l if l & 0xc0 == 0xc0 => {
                let target = usize::from(be16(message, at)? & 0x3fff);
                after.get_or_insert(at + 2);
                at = target;
            }
            l => {
                let label = message.get(at + 1..at + 1 + usize::from(l))?;
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&String::from_utf8_lossy(label));
                at += 1 + usize::from(l);
            }
        }
    }
    None
}

fn dns_type_name(t: u16) -> String {
    let name = match t {
        1 => "A",
        2 => "NS",
        5 => "CNAME",
        6 => "SOA",
        12 => "PTR",
        13 => "HINFO",
        15 => "MX",
        16 => "TXT",
        28 => "AAAA",
        33 => "SRV",
        35 => "NAPTR",
        41 => "OPT",
        43 => "DS",
        46 => "RRSIG",
        47 => "NSEC",
        48 => "DNSKEY",
        64 => "SVCB",
        65 => "HTTPS",
        255 => "ANY",
        257 => "CAA",
        _ => return format!("Unknown ({t})"),
    };
    name.to_owned()
}

/// ICMP's Info.
fn icmp_info(icmp: &IcmpLayer, ttl: Option<u8>, info: &mut String) {
    let code = icmp.code;
    match icmp.icmp_type {
        0 | 8 => {
            let kind = if icmp.icmp_type == 8 {
                "request"
            } else {
                "reply"
            };
            let (id, seq) = (icmp.ident.unwrap_or(0), icmp.seq.unwrap_or(0));
            // Wireshark pads the type name to 20 characters.
            let name = format!("Echo (ping) {kind}");
            let _ = write!(
                info,
                "{name:<20} id=0x{id:04x}, seq={seq}/{}",
                seq.swap_bytes()
            );
            if let Some(ttl) = ttl {
                let _ = write!(info, ", ttl={ttl}");
            }
        }
        3 => {
            let why = match code {
                0 => "Network unreachable",
                1 => "Host unreachable",
                2 => "Protocol unreachable",
                3 => "Port unreachable",
                4 => "Fragmentation needed",
                5 => "Source route failed",
                6 => "Destination network unknown",
                7 => "Destination host unknown",
                9 => "Destination network administratively prohibited",
                10 => "Destination host administratively prohibited",
                13 => "Communication administratively filtered",
                _ => "Unknown code",
            };
            let _ = write!(info, "Destination unreachable ({why})");
        }
        11 => info.push_str(if code == 1 {
            "Time-to-live exceeded (Fragment reassembly time exceeded)"
        } else {
            "Time-to-live exceeded (Time to live exceeded in transit)"
        }),
        5 => info.push_str("Redirect"),
        4 => info.push_str("Source quench (flow control)"),
        12 => info.push_str("Parameter problem"),
        13 => info.push_str("Timestamp request"),
        14 => info.push_str("Timestamp reply"),
        t => {
            let _ = write!(info, "Unknown ICMP (obsolete or malformed?) type {t}");
        }
    }
}

/// ICMPv6's Info.
fn icmpv6_info(icmp: &IcmpLayer, hop_limit: Option<u8>, bytes: &[u8], info: &mut String) {
    let message = bytes.get(icmp.offset as usize..).unwrap_or(&[]);
    let target = || {
        message
            .get(8..24)
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
            .map(Ipv6Addr::from)
    };
    // Neighbor discovery options start after the fixed part; find a link-layer address option.
    let lladdr = |start: usize, wanted: u8| {
        let mut at = start;
        for _ in 0..32 {
            let (Some(kind), Some(units)) = (u8_at(message, at), u8_at(message, at + 1)) else {
                return None;
            };
            if units == 0 {
                return None;
            }
            if kind == wanted {
                return message
                    .get(at + 2..at + 8)
                    .and_then(|b| <[u8; 6]>::try_from(b).ok());
            }
            at += usize::from(units) * 8;
        }
        None
    };
    match icmp.icmp_type {
        133 => {
            info.push_str("Router Solicitation");
            if let Some(m) = lladdr(8, 1) {
                let _ = write!(info, " from {}", mac(&m));
            }
            return;
        }
        134 => {
            info.push_str("Router Advertisement");
            if let Some(m) = lladdr(16, 1) {
                let _ = write!(info, " from {}", mac(&m));
            }
            return;
        }
        135 => {
            info.push_str("Neighbor Solicitation");
            if let Some(t) = target() {
                let _ = write!(info, " for {t}");
            }
            if let Some(m) = lladdr(24, 1) {
                let _ = write!(info, " from {}", mac(&m));
            }
            return;
        }
        136 => {
            info.push_str("Neighbor Advertisement");
            if let Some(t) = target() {
                let _ = write!(info, " {t}");
            }
            let flags = u8_at(message, 4).unwrap_or(0);
            let names: Vec<&str> = [(0x80, "rtr"), (0x40, "sol"), (0x20, "ovr")]
                .iter()
                .filter(|(bit, _)| flags & bit != 0)
                .map(|(_, n)| *n)
                .collect();
            if !names.is_empty() {
                let _ = write!(info, " ({})", names.join(", "));
            }
            if let Some(m) = lladdr(24, 2) {
                let _ = write!(info, " is at {}", mac(&m));
            }
            return;
        }
        _ => {}
    }
    match icmp.icmp_type {
        128 | 129 => {
            let kind = if icmp.icmp_type == 128 {
                "request"
            } else {
                "reply"
            };
            let _ = write!(
                info,
                "Echo (ping) {kind} id=0x{:04x}, seq={}",
                icmp.ident.unwrap_or(0),
                icmp.seq.unwrap_or(0)
            );
            if let Some(h) = hop_limit {
                let _ = write!(info, ", hop limit={h}");
            }
        }
        1 => info.push_str("Destination Unreachable"),
        2 => info.push_str("Packet Too Big"),
        3 => info.push_str("Time Exceeded"),
        4 => info.push_str("Parameter Problem"),
        130 => info.push_str("Multicast Listener Query"),
        131 => info.push_str("Multicast Listener Report"),
        137 => info.push_str("Redirect"),
        143 => info.push_str("Multicast Listener Report Message v2"),
        t => {
            let _ = write!(info, "Unknown ICMPv6 type {t}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::{
        ArpLayer, DnsLayer, EthernetLayer, Ipv4Layer, TcpOptionsSummary, UdpLayer,
    };

    fn ipv4(src: [u8; 4], dst: [u8; 4], protocol: u8) -> Ipv4Layer {
        Ipv4Layer {
            src,
            dst,
            protocol,
            id: 0x9c89,
            ttl: 64,
            tos: 0,
            total_len: 40,
            header_len: 20,
            flags: 0,
            frag_offset: 0,
            checksum: 0,
            offset: 14,
            in_error: false,
            reassembled: false,
        }
    }

    fn frame(layers: Vec<Layer>) -> DecodedFrame {
        DecodedFrame {
            layers,
            anomalies: Vec::new(),
        }
    }

    fn eth() -> Layer {
        Layer::Ethernet(EthernetLayer {
            src: [0, 0x11, 0x22, 0x33, 0x44, 0x55],
            dst: [0xff; 6],
            ether_type: 0x0800,
        })
    }

    #[test]
    fn tcp_syn_info_lists_flags_and_options_in_header_order() {
        // Ethernet + IPv4 + TCP SYN with MSS, SACK_PERM, TS, NOP, WS=7.
        let mut data = vec![0u8; 34];
        data.extend([
            0xc8, 0x22, 0x00, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0xa0, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
        ]);
        data.extend([
            2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 5, 0, 0, 0, 0, 1, 3, 3, 7,
        ]);
        let tcp = TcpLayer {
            src: Ipv4Addr::new(10, 0, 0, 1).into(),
            dst: Ipv4Addr::new(10, 0, 0, 2).into(),
            src_port: 51234,
            dst_port: 80,
            seq: 0,
            ack: 0,
            flags: 0x002,
            window: 64240,
            header_len: 40,
            payload_len: 0,
            payload_offset: 74,
            payload_captured: 0,
            options: TcpOptionsSummary::default(),
            in_error: false,
        };
        let f = frame(vec![
            eth(),
            Layer::Ipv4(ipv4([10, 0, 0, 1], [10, 0, 0, 2], 6)),
            Layer::Tcp(tcp),
        ]);
        let d = describe(&FrameMeta::default(), &f, &data);
        assert_eq!(
            (
                d.source.as_str(),
                d.destination.as_str(),
                d.protocol.as_str()
            ),
            ("10.0.0.1", "10.0.0.2", "TCP")
        );
        assert_eq!(
            d.info,
            "51234 → 80 [SYN] Seq=0 Win=64240 Len=0 MSS=1460 SACK_PERM TSval=5 TSecr=0 WS=128"
        );
        // Without the header bytes the summary gives the options.
        let mut t2 = tcp;
        t2.flags = 0x011;
        t2.ack = 7;
        t2.options = TcpOptionsSummary {
            mss: Some(536),
            window_scale: Some(2),
            ..Default::default()
        };
        let f = frame(vec![eth(), Layer::Tcp(t2)]);
        let d = describe(&FrameMeta::default(), &f, &[]);
        assert_eq!(
            d.info,
            "51234 → 80 [FIN, ACK] Seq=0 Ack=7 Win=64240 Len=0 MSS=536 WS=4"
        );
    }

    #[test]
    fn http_and_tls_are_named_from_the_payload() {
        let mut data = vec![0u8; 54];
        data.extend(b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
        let tcp = TcpLayer {
            src: Ipv4Addr::new(10, 0, 0, 1).into(),
            dst: Ipv4Addr::new(10, 0, 0, 2).into(),
            src_port: 40000,
            dst_port: 80,
            seq: 1,
            ack: 1,
            flags: 0x018,
            window: 100,
            header_len: 20,
            payload_len: (data.len() - 54) as u32,
            payload_offset: 54,
            payload_captured: (data.len() - 54) as u32,
            options: TcpOptionsSummary::default(),
            in_error: false,
        };
        let f = frame(vec![
            eth(),
            Layer::Ipv4(ipv4([10, 0, 0, 1], [10, 0, 0, 2], 6)),
            Layer::Tcp(tcp),
        ]);
        let d = describe(&FrameMeta::default(), &f, &data);
        assert_eq!(
            (d.protocol.as_str(), d.info.as_str()),
            ("HTTP", "GET /index.html HTTP/1.1 ")
        );

        let mut data = vec![0u8; 54];
        data.extend([22, 3, 1, 0, 6, 1, 0, 0, 2, 3, 3]);
        let mut t = tcp;
        t.dst_port = 443;
        t.payload_len = 11;
        t.payload_captured = 11;
        let f = frame(vec![eth(), Layer::Tcp(t)]);
        let d = describe(&FrameMeta::default(), &f, &data);
        assert_eq!(
            (d.protocol.as_str(), d.info.as_str()),
            ("TLSv1", "Client Hello")
        );
    }

    #[test]
    fn udp_arp_icmp_esp_dns_fragment() {
        let udp = UdpLayer {
            src: Ipv4Addr::new(10, 0, 0, 1).into(),
            dst: Ipv4Addr::new(10, 0, 0, 2).into(),
            src_port: 54325,
            dst_port: 161,
            length: 34,
            checksum: 0,
            payload_offset: 42,
            payload_len: 26,
            payload_captured: 26,
            in_error: false,
        };
        let f = frame(vec![
            eth(),
            Layer::Ipv4(ipv4([10, 0, 0, 1], [10, 0, 0, 2], 17)),
            Layer::Udp(udp),
        ]);
        assert_eq!(
            describe(&FrameMeta::default(), &f, &[]).info,
            "54325 → 161 Len=26"
        );

        let arp = ArpLayer {
            opcode: 1,
            sender_mac: [0, 0x11, 0x22, 0x33, 0x44, 0x08],
            sender_ip: [10, 0, 8, 100],
            target_mac: [0; 6],
            target_ip: [10, 0, 8, 1],
        };
        let d = describe(
            &FrameMeta::default(),
            &frame(vec![eth(), Layer::Arp(arp)]),
            &[],
        );
        assert_eq!(
            (d.protocol.as_str(), d.info.as_str()),
            ("ARP", "Who has 10.0.8.1? Tell 10.0.8.100")
        );
        assert_eq!(
            (d.source.as_str(), d.destination.as_str()),
            ("00:11:22:33:44:55", "ff:ff:ff:ff:ff:ff")
        );
        let reply = ArpLayer { opcode: 2, ..arp };
        let d = describe(
            &FrameMeta::default(),
            &frame(vec![eth(), Layer::Arp(reply)]),
            &[],
        );
        assert_eq!(d.info, "10.0.8.100 is at 00:11:22:33:44:08");

        let echo = IcmpLayer {
            icmp_type: 8,
            code: 0,
            ident: Some(0x0c4d),
            seq: Some(1),
            is_error: false,
            in_error: false,
            offset: 34,
        };
        let f = frame(vec![
            eth(),
            Layer::Ipv4(ipv4([10, 0, 0, 1], [10, 0, 0, 2], 1)),
            Layer::Icmp(echo),
        ]);
        assert_eq!(
            describe(&FrameMeta::default(), &f, &[]).info,
            "Echo (ping) request  id=0x0c4d, seq=1/256, ttl=64"
        );

        // An ICMP error: the quoted packet does not change the columns.
        let error = IcmpLayer {
            icmp_type: 11,
            ident: None,
            seq: None,
            is_error: true,
            ..echo
        };
        let mut quoted = ipv4([12, 4, 4, 4], [12, 1, 1, 1], 17);
        quoted.in_error = true;
        let quoted_udp = UdpLayer {
            in_error: true,
            ..udp
        };
        let f = frame(vec![
            Layer::Ipv4(ipv4([10, 5, 0, 1], [12, 4, 4, 4], 1)),
            Layer::Icmp(error),
            Layer::Ipv4(quoted),
            Layer::Udp(quoted_udp),
        ]);
        let d = describe(&FrameMeta::default(), &f, &[]);
        assert_eq!(
            (d.source.as_str(), d.protocol.as_str()),
            ("10.5.0.1", "ICMP")
        );
        assert_eq!(
            d.info,
            "Time-to-live exceeded (Time to live exceeded in transit)"
        );

        let f = frame(vec![
            eth(),
            Layer::Esp {
                spi: 0x48dac2e4,
                sequence: 1,
            },
        ]);
        assert_eq!(
            describe(&FrameMeta::default(), &f, &[]).info,
            "ESP (SPI=0x48dac2e4)"
        );

        let mut msg = vec![0u8; 42];
        msg.extend([0x39, 0x27, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
        msg.extend(b"\x05daisy\x06ubuntu\x03com\x00\x00\x01\x00\x01");
        let dns = DnsLayer {
            id: 0x3927,
            flags: 0x0100,
            counts: [1, 0, 0, 0],
            offset: 42,
            flavor: DnsFlavor::Dns,
            over_tcp: false,
        };
        let f = frame(vec![eth(), Layer::Udp(udp), Layer::Dns(dns)]);
        let d = describe(&FrameMeta::default(), &f, &msg);
        assert_eq!(
            (d.protocol.as_str(), d.info.as_str()),
            ("DNS", "Standard query 0x3927 A daisy.ubuntu.com")
        );

        let mut frag = ipv4([192, 168, 0, 254], [192, 168, 0, 2], 17);
        frag.flags = 1;
        frag.frag_offset = 1480;
        let d = describe(
            &FrameMeta::default(),
            &frame(vec![eth(), Layer::Ipv4(frag)]),
            &[],
        );
        assert_eq!(
            (d.protocol.as_str(), d.info.as_str()),
            (
                "IPv4",
                "Fragmented IP protocol (proto=UDP 17, off=1480, ID=9c89)"
            )
        );
    }

    #[test]
    fn hostile_offsets_do_not_panic() {
        let dns = DnsLayer {
            id: 1,
            flags: 0x8000,
            counts: [9, 9, 0, 0],
            offset: u32::MAX,
            flavor: DnsFlavor::Mdns,
            over_tcp: false,
        };
        let f = frame(vec![Layer::Dns(dns)]);
        let _ = describe(&FrameMeta::default(), &f, &[1, 2, 3]);
        // A self-referencing compression pointer.
        let mut msg = vec![0, 1, 0x80, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0xc0, 12];
        msg.extend([0, 1, 0, 1]);
        let dns = DnsLayer { offset: 0, ..dns };
        let _ = describe(&FrameMeta::default(), &frame(vec![Layer::Dns(dns)]), &msg);
    }
}
