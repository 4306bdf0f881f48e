//! The field registry: every supported tshark field name, compiled to a [`Field`], and how each
//! one's values are found in a decoded frame and formatted.

use std::fmt::Write;
use std::net::Ipv6Addr;

use super::format::{mac, seconds};
use super::FieldContext;
use crate::capture::{RecordKind, NO_INTERFACE};
use crate::decode::Layer;

/// A supported tshark field (see [`Field::NAMES`] for the names).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// `frame.number`
    FrameNumber,
    /// `frame.time_epoch`
    FrameTimeEpoch,
    /// `frame.time_relative`
    FrameTimeRelative,
    /// `frame.len`
    FrameLen,
    /// `frame.cap_len`
    FrameCapLen,
    /// `frame.interface_id`
    FrameInterfaceId,
    /// `frame.protocols`
    FrameProtocols,
    /// `eth.src`
    EthSrc,
    /// `eth.dst`
    EthDst,
    /// `eth.type`
    EthType,
    /// `vlan.id`
    VlanId,
    /// `vlan.etype`
    VlanEtype,
    /// `ieee8021ad.id`
    Ieee8021adId,
    /// `sll.etype`
    SllEtype,
    /// `ip.src`
    IpSrc,
    /// `ip.dst`
    IpDst,
    /// `ip.addr`
    IpAddr,
    /// `ip.proto`
    IpProto,
    /// `ip.id`
    IpId,
    /// `ip.ttl`
    IpTtl,
    /// `ip.len`
    IpLen,
    /// `ip.hdr_len`
    IpHdrLen,
    /// `ip.dsfield`
    IpDsfield,
    /// `ip.flags`
    IpFlags,
    /// `ip.frag_offset`
    IpFragOffset,
    /// `ip.checksum`
    IpChecksum,
    /// `ipv6.src`
    Ipv6Src,
    /// `ipv6.dst`
    Ipv6Dst,
    /// `ipv6.addr`
    Ipv6Addr,
    /// `ipv6.nxt`
    Ipv6Nxt,
    /// `ipv6.hlim`
    Ipv6Hlim,
    /// `ipv6.plen`
    Ipv6Plen,
    /// `tcp.srcport`
    TcpSrcport,
    /// `tcp.dstport`
    TcpDstport,
    /// `tcp.port`
    TcpPort,
    /// `tcp.stream`
    TcpStream,
    /// `tcp.seq_raw`
    TcpSeqRaw,
    /// `tcp.ack_raw`
    TcpAckRaw,
    /// `tcp.flags`
    TcpFlags,
    /// `tcp.len`
    TcpLen,
    /// `tcp.window_size_value`
    TcpWindowSizeValue,
    /// `tcp.hdr_len`
    TcpHdrLen,
    /// `udp.srcport`
    UdpSrcport,
    /// `udp.dstport`
    UdpDstport,
    /// `udp.port`
    UdpPort,
    /// `udp.stream`
    UdpStream,
    /// `udp.length`
    UdpLength,
    /// `icmp.type`
    IcmpType,
    /// `icmp.code`
    IcmpCode,
    /// `icmpv6.type`
    Icmpv6Type,
    /// `icmpv6.code`
    Icmpv6Code,
    /// `arp.opcode`
    ArpOpcode,
    /// `arp.src.proto_ipv4`
    ArpSrcProtoIpv4,
    /// `arp.dst.proto_ipv4`
    ArpDstProtoIpv4,
    /// `esp.spi`
    EspSpi,
    /// `esp.sequence`
    EspSequence,
    /// `ah.spi`
    AhSpi,
    /// `gre.proto`
    GreProto,
    /// `vxlan.vni`
    VxlanVni,
    /// `dns.id`
    DnsId,
    /// `dns.flags.response`
    DnsFlagsResponse,
}

impl Field {
    /// Every supported field with its tshark name.
    pub const NAMES: &'static [(&'static str, Field)] = &[
        ("frame.number", Field::FrameNumber),
        ("frame.time_epoch", Field::FrameTimeEpoch),
        ("frame.time_relative", Field::FrameTimeRelative),
        ("frame.len", Field::FrameLen),
        ("frame.cap_len", Field::FrameCapLen),
        ("frame.interface_id", Field::FrameInterfaceId),
        ("frame.protocols", Field::FrameProtocols),
        ("eth.src", Field::EthSrc),
        ("eth.dst", Field::EthDst),
        ("eth.type", Field::EthType),
        ("vlan.id", Field::VlanId),
        ("vlan.etype", Field::VlanEtype),
        ("ieee8021ad.id", Field::Ieee8021adId),
        ("sll.etype", Field::SllEtype),
        ("ip.src", Field::IpSrc),
        ("ip.dst", Field::IpDst),
        ("ip.addr", Field::IpAddr),
        ("ip.proto", Field::IpProto),
        ("ip.id", Field::IpId),
        ("ip.ttl", Field::IpTtl),
        ("ip.len", Field::IpLen),
        ("ip.hdr_len", Field::IpHdrLen),
        ("ip.dsfield", Field::IpDsfield),
        ("ip.flags", Field::IpFlags),
        ("ip.frag_offset", Field::IpFragOffset),
        ("ip.checksum", Field::IpChecksum),
        ("ipv6.src", Field::Ipv6Src),
        ("ipv6.dst", Field::Ipv6Dst),
        ("ipv6.addr", Field::Ipv6Addr),
        ("ipv6.nxt", Field::Ipv6Nxt),
        ("ipv6.hlim", Field::Ipv6Hlim),
        ("ipv6.plen", Field::Ipv6Plen),
        ("tcp.srcport", Field::TcpSrcport),
        ("tcp.dstport", Field::TcpDstport),
        ("tcp.port", Field::TcpPort),
        ("tcp.stream", Field::TcpStream),
        ("tcp.seq_raw", Field::TcpSeqRaw),
        ("tcp.ack_raw", Field::TcpAckRaw),
        ("tcp.flags", Field::TcpFlags),
        ("tcp.len", Field::TcpLen),
        ("tcp.window_size_value", Field::TcpWindowSizeValue),
        ("tcp.hdr_len", Field::TcpHdrLen),
        ("udp.srcport", Field::UdpSrcport),
        ("udp.dstport", Field::UdpDstport),
        ("udp.port", Field::UdpPort),
        ("udp.stream", Field::UdpStream),
        ("udp.length", Field::UdpLength),
        ("icmp.type", Field::IcmpType),
        ("icmp.code", Field::IcmpCode),
        ("icmpv6.type", Field::Icmpv6Type),
        ("icmpv6.code", Field::Icmpv6Code),
        ("arp.opcode", Field::ArpOpcode),
        ("arp.src.proto_ipv4", Field::ArpSrcProtoIpv4),
        ("arp.dst.proto_ipv4", Field::ArpDstProtoIpv4),
        ("esp.spi", Field::EspSpi),
        ("esp.sequence", Field::EspSequence),
        ("ah.spi", Field::AhSpi),
        ("gre.proto", Field::GreProto),
        ("vxlan.vni", Field::VxlanVni),
        ("dns.id", Field::DnsId),
        ("dns.flags.response", Field::DnsFlagsResponse),
    ];

    /// The field called `name`, if supported.
    pub fn parse(name: &str) -> Option<Field> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
    }

    /// The field's tshark name.
    pub fn name(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("", |(n, _)| n)
    }

    /// Appends this field's values for the frame in `ctx`, comma-joined, outermost first.
    pub fn write(self, ctx: &FieldContext, out: &mut String) {
        let meta = ctx.meta;
        match self {
            Field::FrameNumber => push_display(out, meta.number),
            // Records without a timestamp (pcapng Simple Packet Blocks) have no time fields.
            Field::FrameTimeEpoch if meta.has_timestamp => {
                out.push_str(&crate::capture::format_time_epoch(meta))
            }
            Field::FrameTimeRelative if meta.has_timestamp => {
                seconds(out, meta.ts_ns.wrapping_sub(ctx.first_ts_ns))
            }
            Field::FrameTimeEpoch | Field::FrameTimeRelative => {}
            Field::FrameLen => push_display(out, meta.wire_len),
            Field::FrameCapLen => push_display(out, meta.caplen),
            Field::FrameInterfaceId => {
                if ctx.has_interfaces && meta.interface_id != NO_INTERFACE {
                    // tshark prints the section-local interface number.
                    push_display(out, meta.section_interface_id);
                }
            }
            Field::FrameProtocols => protocols(ctx, out),
            _ => layer_values(self, ctx, out),
        }
    }
}

/// Appends a `Display` value.
fn push_display(out: &mut String, v: impl std::fmt::Display) {
    let _ = write!(out, "{v}");
}

/// `frame.protocols`: the decoded layers' filter names, with tshark's `ethertype` and
/// `wlan_radio` pseudo-protocols and IPv6 extension headers where tshark lists them. Application
/// protocols the decoder does not know (and tshark's `data` for undissected payload, apart from
/// ICMP echo data) are not listed.
fn protocols(ctx: &FieldContext, out: &mut String) {
    let mut first = true;
    if matches!(ctx.meta.linktype, 101 | 12 | 14) && !ctx.frame.layers.is_empty() {
        out.push_str("raw");
        first = false;
    }
    if ctx.meta.kind != RecordKind::Packet {
        // tshark shows custom / journal blocks as undissected data.
        out.push_str("data");
        return;
    }
    let mut previous: Option<&Layer> = None;
    for layer in &ctx.frame.layers {
        // tshark 4.0 does not list VXLAN-GPE in frame.protocols (its dissector adds no
        // protocol item there).
        if matches!(layer, Layer::VxlanGpe { .. }) {
            continue;
        }
        // tshark lists an MPLS label stack once.
        let repeat_mpls = matches!(
            (previous, layer),
            (Some(Layer::Mpls { .. }), Layer::Mpls { .. })
        );
        previous = Some(layer);
        if repeat_mpls {
            continue;
        }
        if !first {
            out.push(':');
        }
        first = false;
        out.push_str(layer.filter_name());
        match layer {
            Layer::Ipv6(ip) => {
                for ext in ip.extensions.iter().take(usize::from(ip.extension_count)) {
                    out.push(':');
                    out.push_str(match ext {
                        0 => "ipv6.hopopts",
                        43 => "ipv6.routing",
                        44 => "ipv6.fraghdr",
                        60 => "ipv6.dstopts",
                        135 => "mipv6",
                        139 => "hip",
                        _ => "shim6",
                    });
                }
            }
            // tshark lists the echo payload as "data".
            Layer::Icmp(i) | Layer::Icmpv6(i)
                if i.ident.is_some() && !i.in_error && ctx.data.len() > i.offset as usize + 8 =>
            {
                out.push_str(":data");
            }
            Layer::Ethernet(e) if e.ether_type > 1500 => out.push_str(":ethertype"),
            Layer::Vlan(v) if v.ether_type > 1500 => out.push_str(":ethertype"),
            Layer::Sll(_) | Layer::CiscoMetadata { .. } => out.push_str(":ethertype"),
            Layer::Radiotap { .. } => out.push_str(":wlan_radio"),
            _ => {}
        }
    }
}

/// Joins occurrences with commas.
struct Joiner<'o> {
    out: &'o mut String,
    first: bool,
}

impl Joiner<'_> {
    /// Starts the next occurrence.
    fn next(&mut self) -> &mut String {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out
    }
}

/// The fields read from the layers.
fn layer_values(field: Field, ctx: &FieldContext, out: &mut String) {
    let mut j = Joiner { out, first: true };
    let (mut tcp_index, mut udp_index) = (0usize, 0usize);
    for layer in &ctx.frame.layers {
        match (field, layer) {
            (Field::EthSrc, Layer::Ethernet(e)) => mac(j.next(), &e.src),
            (Field::EthDst, Layer::Ethernet(e)) => mac(j.next(), &e.dst),
            (Field::EthType, Layer::Ethernet(e)) if e.ether_type > 1500 => {
                let _ = write!(j.next(), "0x{:04x}", e.ether_type);
            }
            // tshark decodes 0x88a8 tags with its 802.1ad dissector (`ieee8021ad.*` fields).
            (Field::VlanId, Layer::Vlan(v)) if v.tpid != 0x88a8 => push_display(j.next(), v.id),
            (Field::Ieee8021adId, Layer::Vlan(v)) if v.tpid == 0x88a8 => {
                push_display(j.next(), v.id)
            }
            (Field::VlanEtype, Layer::Vlan(v)) if v.tpid != 0x88a8 && v.ether_type > 1500 => {
                let _ = write!(j.next(), "0x{:04x}", v.ether_type);
            }
            (Field::SllEtype, Layer::Sll(s)) if s.protocol > 1500 => {
                let _ = write!(j.next(), "0x{:04x}", s.protocol);
            }
            (Field::IpSrc, Layer::Ipv4(ip)) => push_ipv4(j.next(), ip.src),
            (Field::IpDst, Layer::Ipv4(ip)) => push_ipv4(j.next(), ip.dst),
            (Field::IpAddr, Layer::Ipv4(ip)) => {
                push_ipv4(j.next(), ip.src);
                push_ipv4(j.next(), ip.dst);
            }
            (Field::IpProto, Layer::Ipv4(ip)) => push_display(j.next(), ip.protocol),
            (Field::IpId, Layer::Ipv4(ip)) => {
                let _ = write!(j.next(), "0x{:04x}", ip.id);
            }
            (Field::IpTtl, Layer::Ipv4(ip)) => push_display(j.next(), ip.ttl),
            (Field::IpLen, Layer::Ipv4(ip)) => push_display(j.next(), ip.total_len),
            (Field::IpHdrLen, Layer::Ipv4(ip)) => push_display(j.next(), ip.header_len),
            (Field::IpDsfield, Layer::Ipv4(ip)) => {
                let _ = write!(j.next(), "0x{:02x}", ip.tos);
            }
            (Field::IpFlags, Layer::Ipv4(ip)) => {
                let _ = write!(j.next(), "0x{:02x}", ip.flags);
            }
            (Field::IpFragOffset, Layer::Ipv4(ip)) => push_display(j.next(), ip.frag_offset / 8),
            (Field::IpChecksum, Layer::Ipv4(ip)) => {
                let _ = write!(j.next(), "0x{:04x}", ip.checksum);
            }
            (Field::Ipv6Src, Layer::Ipv6(ip)) => push_display(j.next(), Ipv6Addr::from(ip.src)),
            (Field::Ipv6Dst, Layer::Ipv6(ip)) => push_display(j.next(), Ipv6Addr::from(ip.dst)),
            (Field::Ipv6Addr, Layer::Ipv6(ip)) => {
                push_display(j.next(), Ipv6Addr::from(ip.src));
                push_display(j.next(), Ipv6Addr::from(ip.dst));
            }
            (Field::Ipv6Nxt, Layer::Ipv6(ip)) => push_display(j.next(), ip.next_header),
            (Field::Ipv6Hlim, Layer::Ipv6(ip)) => push_display(j.next(), ip.hop_limit),
            (Field::Ipv6Plen, Layer::Ipv6(ip)) => push_display(j.next(), ip.payload_len),
            (_, Layer::Tcp(t)) => {
                let stream = ctx.tcp_streams.get(tcp_index).copied();
                tcp_index += 1;
                match field {
                    Field::TcpSrcport => push_display(j.next(), t.src_port),
                    Field::TcpDstport => push_display(j.next(), t.dst_port),
                    Field::TcpPort => {
                        push_display(j.next(), t.src_port);
                        push_display(j.next(), t.dst_port);
                    }
                    Field::TcpStream => {
                        if let Some(s) = stream.filter(|&s| s != crate::flow::NO_STREAM) {
                            push_display(j.next(), s);
                        }
                    }
                    // tshark shows the raw sequence number of an ICMP-quoted header as
                    // `tcp.seq` only, and no `tcp.len` for it.
                    Field::TcpSeqRaw if !t.in_error => push_display(j.next(), t.seq),
                    Field::TcpAckRaw => push_display(j.next(), t.ack),
                    Field::TcpFlags => {
                        let _ = write!(j.next(), "0x{:04x}", t.flags);
                    }
                    Field::TcpLen if !t.in_error => push_display(j.next(), t.payload_len),
                    Field::TcpWindowSizeValue => push_display(j.next(), t.window),
                    Field::TcpHdrLen => push_display(j.next(), t.header_len),
                    _ => {}
                }
            }
            (Field::TcpSrcport, Layer::TcpPorts { src_port, .. }) => {
                push_display(j.next(), src_port)
            }
            (Field::TcpDstport, Layer::TcpPorts { dst_port, .. }) => {
                push_display(j.next(), dst_port)
            }
            (
                Field::TcpPort,
                Layer::TcpPorts {
                    src_port, dst_port, ..
                },
            ) => {
                push_display(j.next(), src_port);
                push_display(j.next(), dst_port);
            }
            (_, Layer::Udp(u)) => {
                let stream = ctx.udp_streams.get(udp_index).copied();
                udp_index += 1;
                match field {
                    Field::UdpSrcport => push_display(j.next(), u.src_port),
                    Field::UdpDstport => push_display(j.next(), u.dst_port),
                    Field::UdpPort => {
                        push_display(j.next(), u.src_port);
                        push_display(j.next(), u.dst_port);
                    }
                    Field::UdpStream => {
                        if let Some(s) = stream.filter(|&s| s != crate::flow::NO_STREAM) {
                            push_display(j.next(), s);
                        }
                    }
                    Field::UdpLength => push_display(j.next(), u.length),
                    _ => {}
                }
            }
            (Field::IcmpType, Layer::Icmp(i)) => push_display(j.next(), i.icmp_type),
            (Field::IcmpCode, Layer::Icmp(i)) => push_display(j.next(), i.code),
            (Field::Icmpv6Type, Layer::Icmpv6(i)) => push_display(j.next(), i.icmp_type),
            (Field::Icmpv6Code, Layer::Icmpv6(i)) => push_display(j.next(), i.code),
            (Field::ArpOpcode, Layer::Arp(a)) => push_display(j.next(), a.opcode),
            (Field::ArpSrcProtoIpv4, Layer::Arp(a)) => push_ipv4(j.next(), a.sender_ip),
            (Field::ArpDstProtoIpv4, Layer::Arp(a)) => push_ipv4(j.next(), a.target_ip),
            (Field::EspSpi, Layer::Esp { spi, .. }) => {
                let _ = write!(j.next(), "0x{spi:08x}");
            }
            (Field::EspSequence, Layer::Esp { sequence, .. }) => push_display(j.next(), sequence),
            (Field::AhSpi, Layer::Ah { spi, .. }) => {
                let _ = write!(j.next(), "0x{spi:08x}");
            }
            (Field::GreProto, Layer::Gre { protocol, .. }) => {
                let _ = write!(j.next(), "0x{protocol:04x}");
            }
            (Field::VxlanVni, Layer::Vxlan { vni } | Layer::VxlanGpe { vni, .. }) => {
                push_display(j.next(), vni)
            }
            (Field::DnsId, Layer::Dns(d)) => {
                let _ = write!(j.next(), "0x{:04x}", d.id);
            }
            (Field::DnsFlagsResponse, Layer::Dns(d)) => push_display(j.next(), d.flags >> 15),
            _ => {}
        }
    }
}

/// Appends a dotted-quad IPv4 address.
fn push_ipv4(out: &mut String, a: [u8; 4]) {
    let _ = write!(out, "{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
}
