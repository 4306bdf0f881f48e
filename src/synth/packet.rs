//! The logical packet of synthetic traffic and its rendering to Ethernet frame bytes.
//!
//! A [`LogicalPacket`] is what a host sent, before any capture point transforms it (NAT, TTL, clock).
//! [`render_frame`] turns it into Ethernet II (+ optional 802.1Q) / IPv4 or IPv6 / TCP or UDP bytes
//! with correct checksums, using etherparse's header types.

use std::net::IpAddr;

use etherparse::{
    EtherType, Ethernet2Header, IpNumber, Ipv4Header, Ipv6FlowLabel, Ipv6Header, SingleVlanHeader,
    TcpHeader, TcpOptionElement, UdpHeader, VlanId,
};

/// TCP flag bits as on the wire (FIN = 0x01 ... CWR = 0x80).
pub mod flags {
    /// FIN.
    pub const FIN: u8 = 0x01;
    /// SYN.
    pub const SYN: u8 = 0x02;
    /// RST.
    pub const RST: u8 = 0x04;
    /// PSH.
    pub const PSH: u8 = 0x08;
    /// ACK.
    pub const ACK: u8 = 0x10;
}

/// TCP options a synthetic segment carries (written in the usual Linux order).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcpOptions {
    /// Maximum segment size (SYN only).
    pub mss: Option<u16>,
    /// SACK permitted (SYN only).
    pub sack_perm: bool,
    /// Timestamps (TSval, TSecr).
    pub timestamps: Option<(u32, u32)>,
    /// Window scale shift (SYN only).
    pub wscale: Option<u8>,
}

/// Transport part of a logical packet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    /// A TCP segment.
    Tcp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
        /// Raw sequence number.
        seq: u32,
        /// Raw acknowledgment number.
        ack: u32,
        /// Flag bits ([`flags`]).
        flags: u8,
        /// Advertised window (unscaled field value).
        window: u16,
        /// Options.
        options: TcpOptions,
    },
    /// A UDP datagram.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
    },
}

/// Why a packet exists in the logical traffic (capture points may drop by it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PacketRole {
    /// An ordinary packet.
    #[default]
    Normal,
    /// Sent but lost in the network after the sender's capture point (later retransmitted).
    LostInTransit,
    /// A retransmission of earlier data.
    Retransmission,
}

/// One packet as its sender emitted it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogicalPacket {
    /// Send time, ns since the epoch, on the logical (true) clock.
    pub ts_ns: i64,
    /// Source address (both addresses must be the same family).
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// IPv4 TTL / IPv6 hop limit.
    pub ttl: u8,
    /// IPv4 identification (unused for IPv6).
    pub ip_id: u16,
    /// 802.1Q VLAN id, when tagged.
    pub vlan: Option<u16>,
    /// TCP or UDP header fields.
    pub transport: Transport,
    /// Application payload.
    pub payload: Vec<u8>,
    /// Index of the conversation that produced the packet (for capture-point predicates).
    pub conversation: u32,
    /// Role in the conversation.
    pub role: PacketRole,
}

impl LogicalPacket {
    /// True for a TCP segment with SYN set and ACK clear.
    pub fn is_syn(&self) -> bool {
        matches!(self.transport, Transport::Tcp { flags: f, .. } if f & flags::SYN != 0 && f & flags::ACK == 0)
    }

    /// (source port, destination port).
    pub fn ports(&self) -> (u16, u16) {
        match self.transport {
            Transport::Tcp {
                src_port, dst_port, ..
            }
            | Transport::Udp { src_port, dst_port } => (src_port, dst_port),
        }
    }

    /// Sets the ports.
    pub fn set_ports(&mut self, src: u16, dst: u16) {
        match &mut self.transport {
            Transport::Tcp {
                src_port, dst_port, ..
            }
            | Transport::Udp { src_port, dst_port } => {
                *src_port = src;
                *dst_port = dst;
            }
        }
    }
}

/// A locally administered MAC address derived from an IP address (stable per host).
pub fn mac_for(ip: IpAddr) -> [u8; 6] {
    let b = match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            [o[0], o[1], o[2], o[3]]
        }
        IpAddr::V6(a) => {
            let o = a.octets();
            [o[12], o[13], o[14], o[15]]
        }
    };
    [0x02, 0x00, b[0], b[1], b[2], b[3]]
}

fn tcp_option_elements(o: &TcpOptions) -> Vec<TcpOptionElement> {
    let mut v = Vec::with_capacity(8);
    if let Some(mss) = o.mss {
        v.push(TcpOptionElement::MaximumSegmentSize(mss));
    }
    if o.sack_perm {
        v.push(TcpOptionElement::SelectiveAcknowledgementPermitted);
    }
    if let Some((val, ecr)) = o.timestamps {
        if !o.sack_perm {
            v.push(TcpOptionElement::Noop);
            v.push(TcpOptionElement::Noop);
        }
        v.push(TcpOptionElement::Timestamp(val, ecr));
    }
    if let Some(ws) = o.wscale {
        v.push(TcpOptionElement::Noop);
        v.push(TcpOptionElement::WindowScale(ws));
    }
    v
}

/// Error rendering a packet (inconsistent address families or a payload too large for IP).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderError(pub String);

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot render synthetic packet: {}", self.0)
    }
}

impl std::error::Error for RenderError {}

fn err<E: std::fmt::Debug>(e: E) -> RenderError {
    RenderError(format!("{e:?}"))
}

/// Appends the frame bytes of `p` to `out` (cleared first).
pub fn render_frame(p: &LogicalPacket, out: &mut Vec<u8>) -> Result<(), RenderError> {
    out.clear();
    let ether_type = match p.src {
        IpAddr::V4(_) => EtherType::IPV4,
        IpAddr::V6(_) => EtherType::IPV6,
    };
    let eth = Ethernet2Header {
        source: mac_for(p.src),
        destination: mac_for(p.dst),
        ether_type: if p.vlan.is_some() {
            EtherType::VLAN_TAGGED_FRAME
        } else {
            ether_type
        },
    };
    eth.write(out).map_err(err)?;
    if let Some(vid) = p.vlan {
        let vlan = SingleVlanHeader {
            pcp: Default::default(),
            drop_eligible_indicator: false,
            vlan_id: VlanId::try_new(vid & 0x0fff).map_err(err)?,
            ether_type,
        };
        vlan.write(out).map_err(err)?;
    }
    // Transport header first (its length is needed by the IP header).
    enum L4 {
        Tcp(TcpHeader),
        Udp(UdpHeader),
    }
    let (l4, proto, l4_len) = match &p.transport {
        Transport::Tcp {
            src_port,
            dst_port,
            seq,
            ack,
            flags: f,
            window,
            options,
        } => {
            let mut h = TcpHeader::new(*src_port, *dst_port, *seq, *window);
            h.acknowledgment_number = *ack;
            h.fin = f & flags::FIN != 0;
            h.syn = f & flags::SYN != 0;
            h.rst = f & flags::RST != 0;
            h.psh = f & flags::PSH != 0;
            h.ack = f & flags::ACK != 0;
            h.set_options(&tcp_option_elements(options)).map_err(err)?;
            let len = h.header_len();
            (L4::Tcp(h), IpNumber::TCP, len)
        }
        Transport::Udp { src_port, dst_port } => {
            let len = u16::try_from(p.payload.len() + 8).map_err(err)?;
            let h = UdpHeader {
                source_port: *src_port,
                destination_port: *dst_port,
                length: len,
                checksum: 0,
            };
            (L4::Udp(h), IpNumber::UDP, 8)
        }
    };
    let ip_payload_len = u16::try_from(l4_len + p.payload.len()).map_err(err)?;
    match (p.src, p.dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let mut ip = Ipv4Header::new(ip_payload_len, p.ttl, proto, s.octets(), d.octets())
                .map_err(err)?;
            ip.identification = p.ip_id;
            ip.header_checksum = ip.calc_header_checksum();
            ip.write(out).map_err(err)?;
            match l4 {
                L4::Tcp(mut h) => {
                    h.checksum = h.calc_checksum_ipv4(&ip, &p.payload).map_err(err)?;
                    h.write(out).map_err(err)?;
                }
                L4::Udp(mut h) => {
                    h.checksum = h.calc_checksum_ipv4(&ip, &p.payload).map_err(err)?;
                    h.write(out).map_err(err)?;
                }
            }
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let ip = Ipv6Header {
                traffic_class: 0,
                flow_label: Ipv6FlowLabel::ZERO,
                payload_length: ip_payload_len,
                next_header: proto,
                hop_limit: p.ttl,
                source: s.octets(),
                destination: d.octets(),
            };
            ip.write(out).map_err(err)?;
            match l4 {
                L4::Tcp(mut h) => {
                    h.checksum = h.calc_checksum_ipv6(&ip, &p.payload).map_err(err)?;
                    h.write(out).map_err(err)?;
                }
                L4::Udp(mut h) => {
                    h.checksum = h.calc_checksum_ipv6(&ip, &p.payload).map_err(err)?;
                    h.write(out).map_err(err)?;
                }
            }
        }
        _ => {
            return Err(RenderError(
                "source and destination address families differ".into(),
            ))
        }
    }
    out.extend_from_slice(&p.payload);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};

    fn tcp_packet(src: &str, dst: &str) -> LogicalPacket {
        LogicalPacket {
            ts_ns: 0,
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            ttl: 64,
            ip_id: 0x1234,
            vlan: Some(42),
            transport: Transport::Tcp {
                src_port: 1000,
                dst_port: 80,
                seq: 7,
                ack: 9,
                flags: flags::SYN | flags::ACK,
                window: 1000,
                options: TcpOptions {
                    mss: Some(1460),
                    sack_perm: true,
                    timestamps: Some((1, 2)),
                    wscale: Some(7),
                },
            },
            payload: b"hi".to_vec(),
            conversation: 0,
            role: PacketRole::Normal,
        }
    }

    #[test]
    fn renders_tcp_v4_with_vlan_and_valid_checksums() {
        let p = tcp_packet("10.0.0.1", "10.0.0.2");
        let mut buf = Vec::new();
        render_frame(&p, &mut buf).unwrap();
        let s = SlicedPacket::from_ethernet(&buf).unwrap();
        let Some(NetSlice::Ipv4(ip)) = &s.net else {
            panic!("not ipv4")
        };
        assert_eq!(ip.header().identification(), 0x1234);
        assert_eq!(ip.header().ttl(), 64);
        assert_eq!(
            ip.header().to_header().calc_header_checksum(),
            ip.header().header_checksum()
        );
        let Some(TransportSlice::Tcp(tcp)) = &s.transport else {
            panic!("not tcp")
        };
        assert_eq!((tcp.sequence_number(), tcp.acknowledgment_number()), (7, 9));
        assert!(tcp.syn() && tcp.ack());
        assert_eq!(tcp.payload(), b"hi");
        let want = tcp
            .to_header()
            .calc_checksum_ipv4(&ip.header().to_header(), b"hi")
            .unwrap();
        assert_eq!(tcp.checksum(), want);
        assert_eq!(s.vlan_ids().first().map(|v| v.value()), Some(42));
    }

    #[test]
    fn renders_udp_v6_and_rejects_mixed_families() {
        let mut p = tcp_packet("2001:db8::1", "2001:db8::2");
        p.vlan = None;
        p.transport = Transport::Udp {
            src_port: 5353,
            dst_port: 53,
        };
        let mut buf = Vec::new();
        render_frame(&p, &mut buf).unwrap();
        let s = SlicedPacket::from_ethernet(&buf).unwrap();
        assert!(matches!(s.net, Some(NetSlice::Ipv6(_))));
        let Some(TransportSlice::Udp(udp)) = s.transport else {
            panic!("not udp")
        };
        assert_eq!(udp.payload(), b"hi");
        let _ = udp;
        p.dst = "10.0.0.1".parse().unwrap();
        let mut buf2 = Vec::new();
        assert!(render_frame(&p, &mut buf2).is_err());
    }
}
