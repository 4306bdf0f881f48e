//! Typed field values: the same occurrences [`Field::write`] formats, as values a display filter
//! can compare ([`FieldValue`]), with each field's Wireshark type ([`FieldKind`]).

use super::{Field, FieldContext};
use crate::capture::NO_INTERFACE;
use crate::decode::Layer;

/// A field's Wireshark type, as far as a display filter cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// An unsigned integer of `bits` bits (`FT_UINT8` … `FT_UINT64`, `FT_FRAMENUM`).
    Unsigned {
        /// Width in bits; literals above `2^bits - 1` are rejected.
        bits: u8,
    },
    /// `FT_BOOLEAN`.
    Boolean,
    /// `FT_IPv4`.
    Ipv4,
    /// `FT_IPv6`.
    Ipv6,
    /// `FT_ETHER`.
    Ether,
    /// `FT_ABSOLUTE_TIME` (nanoseconds since the Unix epoch).
    AbsoluteTime,
    /// `FT_RELATIVE_TIME` (nanoseconds).
    RelativeTime,
    /// `FT_STRING`.
    String,
}

/// One occurrence of a field in a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    /// Integers and frame numbers.
    Unsigned(u64),
    /// Booleans.
    Boolean(bool),
    /// An IPv4 address.
    Ipv4([u8; 4]),
    /// An IPv6 address.
    Ipv6([u8; 16]),
    /// A MAC address.
    Ether([u8; 6]),
    /// A time in nanoseconds (absolute: since the epoch; relative: a duration).
    Time(i64),
    /// A string.
    String(String),
}

impl Field {
    /// The field's Wireshark type (tshark 4.0's `-G fields`).
    pub fn kind(self) -> FieldKind {
        use Field::*;
        let bits = |bits| FieldKind::Unsigned { bits };
        match self {
            FrameNumber | FrameLen | FrameCapLen | FrameInterfaceId => bits(32),
            // tshark 4.0 types `frame.time_epoch` as a relative time (since 1970).
            FrameTimeEpoch | FrameTimeRelative => FieldKind::RelativeTime,
            FrameProtocols => FieldKind::String,
            EthSrc | EthDst => FieldKind::Ether,
            EthType | VlanEtype | SllEtype | GreProto => bits(16),
            VlanId | Ieee8021adId => bits(16),
            IpSrc | IpDst | IpAddr | ArpSrcProtoIpv4 | ArpDstProtoIpv4 => FieldKind::Ipv4,
            IpProto | IpTtl | IpHdrLen | IpDsfield | IpFlags => bits(8),
            IpId | IpLen | IpFragOffset | IpChecksum => bits(16),
            Ipv6Src | Ipv6Dst | Ipv6Addr => FieldKind::Ipv6,
            Ipv6Nxt | Ipv6Hlim => bits(8),
            Ipv6Plen => bits(16),
            TcpSrcport | TcpDstport | TcpPort | TcpFlags | TcpWindowSizeValue => bits(16),
            TcpStream | TcpSeqRaw | TcpAckRaw | TcpLen => bits(32),
            TcpHdrLen => bits(8),
            UdpSrcport | UdpDstport | UdpPort | UdpLength => bits(16),
            UdpStream => bits(32),
            IcmpType | IcmpCode | Icmpv6Type | Icmpv6Code => bits(8),
            ArpOpcode | DnsId => bits(16),
            EspSpi | EspSequence | AhSpi => bits(32),
            VxlanVni => bits(24),
            DnsFlagsResponse => FieldKind::Boolean,
        }
    }

    /// Appends this field's occurrences in the frame in `ctx` to `out`, outermost first: exactly
    /// the occurrences [`Field::write`] prints, as typed values.
    pub fn values(self, ctx: &FieldContext, out: &mut Vec<FieldValue>) {
        let meta = ctx.meta;
        let u = |v: u64| FieldValue::Unsigned(v);
        match self {
            Field::FrameNumber => out.push(u(meta.number.into())),
            Field::FrameTimeEpoch if meta.has_timestamp => out.push(FieldValue::Time(meta.ts_ns)),
            Field::FrameTimeRelative if meta.has_timestamp => {
                out.push(FieldValue::Time(meta.ts_ns.wrapping_sub(ctx.first_ts_ns)))
            }
            Field::FrameTimeEpoch | Field::FrameTimeRelative => {}
            Field::FrameLen => out.push(u(meta.wire_len.into())),
            Field::FrameCapLen => out.push(u(meta.caplen.into())),
            Field::FrameInterfaceId => {
                if ctx.has_interfaces && meta.interface_id != NO_INTERFACE {
                    out.push(u(meta.section_interface_id.into()));
                }
            }
            Field::FrameProtocols => {
                let mut s = String::new();
                self.write(ctx, &mut s);
                out.push(FieldValue::String(s));
            }
            _ => layer_values(self, ctx, out),
        }
    }
}

/// The values read from the layers (mirrors `field::layer_values`).
fn layer_values(field: Field, ctx: &FieldContext, out: &mut Vec<FieldValue>) {
    use FieldValue::{Ether, Ipv4, Ipv6, Unsigned as U};
    let (mut tcp_index, mut udp_index) = (0usize, 0usize);
    for layer in &ctx.frame.layers {
        match (field, layer) {
            (Field::EthSrc, Layer::Ethernet(e)) => out.push(Ether(e.src)),
            (Field::EthDst, Layer::Ethernet(e)) => out.push(Ether(e.dst)),
            (Field::EthType, Layer::Ethernet(e)) if e.ether_type > 1500 => {
                out.push(U(e.ether_type.into()))
            }
            (Field::VlanId, Layer::Vlan(v)) if v.tpid != 0x88a8 => out.push(U(v.id.into())),
            (Field::Ieee8021adId, Layer::Vlan(v)) if v.tpid == 0x88a8 => out.push(U(v.id.into())),
            (Field::VlanEtype, Layer::Vlan(v)) if v.tpid != 0x88a8 && v.ether_type > 1500 => {
                out.push(U(v.ether_type.into()))
            }
            (Field::SllEtype, Layer::Sll(s)) if s.protocol > 1500 => out.push(U(s.protocol.into())),
            (Field::IpSrc, Layer::Ipv4(ip)) => out.push(Ipv4(ip.src)),
            (Field::IpDst, Layer::Ipv4(ip)) => out.push(Ipv4(ip.dst)),
            (Field::IpAddr, Layer::Ipv4(ip)) => {
                out.push(Ipv4(ip.src));
                out.push(Ipv4(ip.dst));
            }
            (Field::IpProto, Layer::Ipv4(ip)) => out.push(U(ip.protocol.into())),
            (Field::IpId, Layer::Ipv4(ip)) => out.push(U(ip.id.into())),
            (Field::IpTtl, Layer::Ipv4(ip)) => out.push(U(ip.ttl.into())),
            (Field::IpLen, Layer::Ipv4(ip)) => out.push(U(ip.total_len.into())),
            (Field::IpHdrLen, Layer::Ipv4(ip)) => out.push(U(ip.header_len.into())),
            (Field::IpDsfield, Layer::Ipv4(ip)) => out.push(U(ip.tos.into())),
            (Field::IpFlags, Layer::Ipv4(ip)) => out.push(U(ip.flags.into())),
            (Field::IpFragOffset, Layer::Ipv4(ip)) => out.push(U((ip.frag_offset / 8).into())),
            (Field::IpChecksum, Layer::Ipv4(ip)) => out.push(U(ip.checksum.into())),
            (Field::Ipv6Src, Layer::Ipv6(ip)) => out.push(Ipv6(ip.src)),
            (Field::Ipv6Dst, Layer::Ipv6(ip)) => out.push(Ipv6(ip.dst)),
            (Field::Ipv6Addr, Layer::Ipv6(ip)) => {
                out.push(Ipv6(ip.src));
                out.push(Ipv6(ip.dst));
            }
            (Field::Ipv6Nxt, Layer::Ipv6(ip)) => out.push(U(ip.next_header.into())),
            (Field::Ipv6Hlim, Layer::Ipv6(ip)) => out.push(U(ip.hop_limit.into())),
            (Field::Ipv6Plen, Layer::Ipv6(ip)) => out.push(U(ip.payload_len.into())),
            (_, Layer::Tcp(t)) => {
                let stream = ctx.tcp_streams.get(tcp_index).copied();
                tcp_index += 1;
                match field {
                    Field::TcpSrcport => out.push(U(t.src_port.into())),
                    Field::TcpDstport => out.push(U(t.dst_port.into())),
                    Field::TcpPort => {
                        out.push(U(t.src_port.into()));
                        out.push(U(t.dst_port.into()));
                    }
                    Field::TcpStream => {
                        if let Some(s) = stream.filter(|&s| s != crate::flow::NO_STREAM) {
                            out.push(U(s.into()));
                        }
                    }
                    Field::TcpSeqRaw if !t.in_error => out.push(U(t.seq.into())),
                    Field::TcpAckRaw => out.push(U(t.ack.into())),
                    Field::TcpFlags => out.push(U(t.flags.into())),
                    Field::TcpLen if !t.in_error => out.push(U(t.payload_len.into())),
                    Field::TcpWindowSizeValue => out.push(U(t.window.into())),
                    Field::TcpHdrLen => out.push(U(t.header_len.into())),
                    _ => {}
                }
            }
            (Field::TcpSrcport, Layer::TcpPorts { src_port, .. }) => {
                out.push(U((*src_port).into()))
            }
            (Field::TcpDstport, Layer::TcpPorts { dst_port, .. }) => {
                out.push(U((*dst_port).into()))
            }
            (
                Field::TcpPort,
                Layer::TcpPorts {
                    src_port, dst_port, ..
                },
            ) => {
                out.push(U((*src_port).into()));
                out.push(U((*dst_port).into()));
            }
            (_, Layer::Udp(u)) => {
                let stream = ctx.udp_streams.get(udp_index).copied();
                udp_index += 1;
                match field {
                    Field::UdpSrcport => out.push(U(u.src_port.into())),
                    Field::UdpDstport => out.push(U(u.dst_port.into())),
                    Field::UdpPort => {
                        out.push(U(u.src_port.into()));
                        out.push(U(u.dst_port.into()));
                    }
                    Field::UdpStream => {
                        if let Some(s) = stream.filter(|&s| s != crate::flow::NO_STREAM) {
                            out.push(U(s.into()));
                        }
                    }
                    Field::UdpLength => out.push(U(u.length.into())),
                    _ => {}
                }
            }
            (Field::IcmpType, Layer::Icmp(i)) => out.push(U(i.icmp_type.into())),
            (Field::IcmpCode, Layer::Icmp(i)) => out.push(U(i.code.into())),
            (Field::Icmpv6Type, Layer::Icmpv6(i)) => out.push(U(i.icmp_type.into())),
            (Field::Icmpv6Code, Layer::Icmpv6(i)) => out.push(U(i.code.into())),
            (Field::ArpOpcode, Layer::Arp(a)) => out.push(U(a.opcode.into())),
            (Field::ArpSrcProtoIpv4, Layer::Arp(a)) => out.push(Ipv4(a.sender_ip)),
            (Field::ArpDstProtoIpv4, Layer::Arp(a)) => out.push(Ipv4(a.target_ip)),
            (Field::EspSpi, Layer::Esp { spi, .. }) => out.push(U((*spi).into())),
            (Field::EspSequence, Layer::Esp { sequence, .. }) => out.push(U((*sequence).into())),
            (Field::AhSpi, Layer::Ah { spi, .. }) => out.push(U((*spi).into())),
            (Field::GreProto, Layer::Gre { protocol, .. }) => out.push(U((*protocol).into())),
            (Field::VxlanVni, Layer::Vxlan { vni } | Layer::VxlanGpe { vni, .. }) => {
                out.push(U((*vni).into()))
            }
            (Field::DnsId, Layer::Dns(d)) => out.push(U(d.id.into())),
            (Field::DnsFlagsResponse, Layer::Dns(d)) => {
                out.push(FieldValue::Boolean(d.flags >> 15 != 0))
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::FrameMeta;
    use crate::decode::{DecodedFrame, Decoder};

    /// Ethernet / IPv4 / UDP 4789 / VXLAN / Ethernet / IPv4 / TCP SYN, and Ethernet / ARP.
    fn frames() -> Vec<Vec<u8>> {
        let mut inner = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];
        inner.extend([
            0x45, 0, 0, 40, 0x12, 0x34, 0x40, 0, 63, 6, 0, 0, 192, 168, 1, 1, 192, 168, 1, 2,
        ]);
        inner.extend([
            0x13, 0x88, 0, 80, 0, 0, 0, 9, 0, 0, 0, 0, 0x50, 0x02, 0x20, 0, 0, 0, 0, 0,
        ]);
        let mut vxlan = vec![0x08, 0, 0, 0, 0, 0, 0x2a, 0];
        vxlan.extend(inner);
        let udp_len = (8 + vxlan.len()) as u16;
        let mut p = vec![
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x00,
        ];
        p.extend([
            0x45, 0, 0, 0, 0xab, 0xcd, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ]);
        let total = (20 + udp_len).to_be_bytes();
        p[16] = total[0];
        p[17] = total[1];
        p.extend(40000u16.to_be_bytes());
        p.extend(4789u16.to_be_bytes());
        p.extend(udp_len.to_be_bytes());
        p.extend([0, 0]);
        p.extend(vxlan);
        let mut arp = vec![
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06,
        ];
        arp.extend([
            0, 1, 8, 0, 6, 4, 0, 1, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 10, 0, 0, 1,
        ]);
        arp.extend([0, 0, 0, 0, 0, 0, 10, 0, 0, 2]);
        vec![p, arp]
    }

    /// Every field has as many typed values as comma-separated formatted occurrences, and
    /// integer values print as the formatter's decimal or hex text.
    #[test]
    fn typed_values_mirror_the_formatter() {
        for data in frames() {
            let meta = FrameMeta {
                number: 3,
                ts_ns: 1_000_000_000,
                has_timestamp: true,
                caplen: data.len() as u32,
                wire_len: data.len() as u32,
                linktype: 1,
                ..FrameMeta::default()
            };
            let mut frame = DecodedFrame::default();
            Decoder::new().decode(&meta, &data, &mut frame);
            let ctx = FieldContext {
                meta: &meta,
                frame: &frame,
                data: &data,
                tcp_streams: &[4],
                udp_streams: &[9],
                first_ts_ns: 0,
                has_interfaces: false,
            };
            for (name, field) in Field::NAMES {
                let mut text = String::new();
                field.write(&ctx, &mut text);
                let mut values = Vec::new();
                field.values(&ctx, &mut values);
                let occurrences = if text.is_empty() {
                    0
                } else if *field == Field::FrameProtocols {
                    1
                } else {
                    text.split(',').count()
                };
                assert_eq!(values.len(), occurrences, "{name}: {text:?} vs {values:?}");
                for (v, t) in values.iter().zip(text.split(',')) {
                    if let FieldValue::Unsigned(u) = v {
                        let parsed = t
                            .strip_prefix("0x")
                            .map_or_else(|| t.parse().ok(), |h| u64::from_str_radix(h, 16).ok());
                        assert_eq!(parsed, Some(*u), "{name}");
                    }
                }
            }
        }
    }
}
