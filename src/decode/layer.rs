//! The decoded layer types. Small, owned, `Copy` where possible: no borrowed packet bytes, only
//! offsets into the frame so payload can be sliced again when needed.

use std::net::IpAddr;

/// One decoded protocol layer.
#[derive(Clone, Debug, PartialEq)]
pub enum Layer {
    /// Ethernet II / 802.3 header.
    Ethernet(EthernetLayer),
    /// 802.1Q / 802.1ad tag.
    Vlan(VlanLayer),
    /// Linux cooked capture v1 (113) or v2 (276).
    Sll(SllLayer),
    /// BSD loopback / null (0) and OpenBSD loop (108).
    Loopback {
        /// Address family value from the header.
        family: u32,
    },
    /// PPP (9) or the PPP part of PPPoE.
    Ppp {
        /// PPP protocol number.
        protocol: u16,
    },
    /// PPPoE session header.
    Pppoe {
        /// Session id.
        session_id: u16,
    },
    /// Cisco HDLC (104).
    CiscoHdlc {
        /// Protocol (ethertype-like).
        protocol: u16,
    },
    /// 802.11 data frame header (possibly behind radiotap), up to LLC/SNAP.
    Ieee80211 {
        /// Frame control field, as the two header bytes read big-endian (`wlan.fc`).
        frame_control: u16,
        /// Source address (SA) when the frame carries one (data frames), else transmitter.
        src: [u8; 6],
        /// Destination address (DA).
        dst: [u8; 6],
    },
    /// 802.2 LLC header, with the SNAP protocol id when SNAP follows.
    Llc {
        /// Destination service access point.
        dsap: u8,
        /// Source service access point.
        ssap: u8,
        /// SNAP protocol id (an ethertype) when `dsap == ssap == 0xaa`.
        snap_type: Option<u16>,
    },
    /// Radiotap header.
    Radiotap {
        /// Header length.
        length: u16,
    },
    /// One MPLS label stack entry.
    Mpls {
        /// 20-bit label.
        label: u32,
        /// Bottom of stack.
        bottom: bool,
        /// TTL.
        ttl: u8,
    },
    /// Ethernet pseudowire over MPLS (tshark's heuristic): the Ethernet frame follows, after a
    /// 4-byte control word when `control_word`.
    PwEth {
        /// A control word (first nibble 0) precedes the frame.
        control_word: bool,
    },
    /// IPv4 header.
    Ipv4(Ipv4Layer),
    /// IPv6 header (with extension headers summarised).
    Ipv6(Ipv6Layer),
    /// TCP header.
    Tcp(TcpLayer),
    /// A TCP header cut before its 16th byte: only the ports (and, inside an ICMP error, the
    /// sequence number) are known. tshark shows these fields but assigns no stream, so this is
    /// not a [`Layer::Tcp`].
    TcpPorts {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
        /// Sequence number, when inside an ICMP error and present.
        seq: Option<u32>,
        /// Inside an ICMP error (quoted header).
        in_error: bool,
    },
    /// UDP header.
    Udp(UdpLayer),
    /// ICMPv4.
    Icmp(IcmpLayer),
    /// ICMPv6.
    Icmpv6(IcmpLayer),
    /// ARP.
    Arp(ArpLayer),
    /// ESP (SPI and sequence; the rest is encrypted).
    Esp {
        /// Security parameter index.
        spi: u32,
        /// Sequence number.
        sequence: u32,
    },
    /// AH.
    Ah {
        /// Security parameter index.
        spi: u32,
        /// Sequence number.
        sequence: u32,
    },
    /// GRE.
    Gre {
        /// Protocol type carried.
        protocol: u16,
        /// Flags and version word (first two header bytes).
        flags_version: u16,
        /// Key field when present.
        key: Option<u32>,
    },
    /// ERSPAN (type II/III).
    Erspan {
        /// Session id.
        session_id: u16,
        /// ERSPAN version field (1 = type II, 2 = type III).
        version: u8,
    },
    /// VXLAN.
    Vxlan {
        /// VXLAN network identifier.
        vni: u32,
    },
    /// VXLAN-GPE (UDP 4790): VXLAN with a next-protocol field.
    VxlanGpe {
        /// VXLAN network identifier.
        vni: u32,
        /// Next protocol (1 IPv4, 2 IPv6, 3 Ethernet, 4 NSH, 5 MPLS).
        next_protocol: u8,
    },
    /// Cisco MetaData (ethertype 0x8909), carrying a security group tag.
    CiscoMetadata {
        /// Security group tag.
        sgt: u16,
    },
    /// Geneve.
    Geneve {
        /// Virtual network identifier.
        vni: u32,
    },
    /// DNS header (over UDP or TCP).
    Dns(DnsLayer),
    /// GTP-U (UDP 2152) header.
    Gtp {
        /// Message type (255 = G-PDU, which carries an IP packet).
        message_type: u8,
        /// Tunnel endpoint identifier.
        teid: u32,
    },
    /// Teredo (UDP 3544) encapsulation of IPv6 in UDP (authentication / origin headers skipped).
    Teredo,
    /// Network Service Header (ethertype 0x894f).
    Nsh {
        /// Next protocol (1 IPv4, 2 IPv6, 3 Ethernet).
        next_protocol: u8,
        /// Service path identifier.
        spi: u32,
        /// Service index.
        si: u8,
    },
    /// IPsec NAT traversal on UDP 4500 (tshark's `udpencap`): followed by ESP or ISAKMP, or a
    /// keepalive (one 0xff byte).
    UdpEncap {
        /// The payload is a NAT keepalive.
        keepalive: bool,
    },
    /// ISAKMP / IKE on UDP 500 or 4500 (only recognised, not decoded).
    Isakmp,
}

/// Ethernet header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EthernetLayer {
    /// Source MAC.
    pub src: [u8; 6],
    /// Destination MAC.
    pub dst: [u8; 6],
    /// Ethertype (or 802.3 length) as in the header (`eth.type`).
    pub ether_type: u16,
}

/// 802.1Q / 802.1ad tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VlanLayer {
    /// TPID that introduced the tag (0x8100, 0x88a8, 0x9100).
    pub tpid: u16,
    /// 12-bit VLAN id.
    pub id: u16,
    /// Priority code point.
    pub priority: u8,
    /// Drop eligible indicator.
    pub dei: bool,
    /// Ethertype following the tag.
    pub ether_type: u16,
}

/// Linux cooked capture header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SllLayer {
    /// 1 or 2.
    pub version: u8,
    /// Packet type (0 host, 4 outgoing ...).
    pub packet_type: u16,
    /// ARPHRD_ type.
    pub hatype: u16,
    /// Protocol (ethertype).
    pub protocol: u16,
    /// SLL2 interface index.
    pub ifindex: u32,
    /// Link-layer address of the sender (first `address_len` bytes are meaningful).
    pub address: [u8; 8],
    /// Link-layer address length from the header (at most 8 are kept).
    pub address_len: u8,
}

/// IPv4 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Layer {
    /// Source.
    pub src: [u8; 4],
    /// Destination.
    pub dst: [u8; 4],
    /// Protocol number.
    pub protocol: u8,
    /// Identification.
    pub id: u16,
    /// TTL.
    pub ttl: u8,
    /// DSCP (6 bits) and ECN (2 bits) as the header's second byte.
    pub tos: u8,
    /// Total length field.
    pub total_len: u16,
    /// Header length in bytes.
    pub header_len: u8,
    /// Flags (3 bits: reserved, DF, MF).
    pub flags: u8,
    /// Fragment offset in bytes.
    pub frag_offset: u16,
    /// Header checksum as in the header.
    pub checksum: u16,
    /// Offset of this header in the frame.
    pub offset: u32,
    /// Inside an ICMP error (quoted header).
    pub in_error: bool,
    /// This frame completed a fragmented datagram: the layers after this one were decoded from the
    /// reassembled payload (their offsets refer to it, not to the frame).
    pub reassembled: bool,
}

/// IPv6 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv6Layer {
    /// Source.
    pub src: [u8; 16],
    /// Destination.
    pub dst: [u8; 16],
    /// Next header of the fixed header.
    pub next_header: u8,
    /// Final upper-layer protocol after extension headers.
    pub protocol: u8,
    /// Hop limit.
    pub hop_limit: u8,
    /// Traffic class.
    pub traffic_class: u8,
    /// Flow label.
    pub flow_label: u32,
    /// Payload length field.
    pub payload_len: u16,
    /// Fragment header: (identification, offset in bytes, more fragments).
    pub fragment: Option<(u32, u16, bool)>,
    /// The extension headers walked, in order (their protocol numbers: 0 hop-by-hop, 43
    /// routing, 44 fragment, 60 destination options, 135 mobility, ...); the first
    /// `extension_count` entries are meaningful (at most 4 are kept).
    pub extensions: [u8; 4],
    /// How many extension headers were walked (may exceed 4).
    pub extension_count: u8,
    /// Offset of this header in the frame.
    pub offset: u32,
    /// Inside an ICMP error (quoted header).
    pub in_error: bool,
    /// This frame completed a fragmented datagram (see [`Ipv4Layer::reassembled`]).
    pub reassembled: bool,
}

/// TCP header plus where its payload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TcpLayer {
    /// Source address (of the enclosing IP layer).
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Raw sequence number.
    pub seq: u32,
    /// Raw acknowledgement number.
    pub ack: u32,
    /// Flags, 12 bits as tshark's `tcp.flags` (NS..FIN).
    pub flags: u16,
    /// Window field (unscaled).
    pub window: u16,
    /// Header length in bytes.
    pub header_len: u8,
    /// `tcp.len`: payload length according to the IP length (not the captured length).
    pub payload_len: u32,
    /// Offset of the payload in the frame (or in the reassembled datagram), and how many payload
    /// bytes are actually captured there.
    pub payload_offset: u32,
    /// Payload bytes present in the capture (`<= payload_len`).
    pub payload_captured: u32,
    /// Options from the header.
    pub options: TcpOptionsSummary,
    /// Inside an ICMP error (quoted header).
    pub in_error: bool,
}

/// The TCP options the analyses need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TcpOptionsSummary {
    /// Maximum segment size.
    pub mss: Option<u16>,
    /// Window scale shift.
    pub window_scale: Option<u8>,
    /// SACK permitted.
    pub sack_permitted: bool,
    /// Timestamps (TSval, TSecr).
    pub timestamps: Option<(u32, u32)>,
    /// Number of SACK blocks (the blocks themselves are decoded again when needed).
    pub sack_blocks: u8,
}

/// UDP header plus where its payload is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpLayer {
    /// Source address (of the enclosing IP layer).
    pub src: IpAddr,
    /// Destination address.
    pub dst: IpAddr,
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Length field.
    pub length: u16,
    /// Checksum field.
    pub checksum: u16,
    /// Offset of the payload in the frame (or reassembled datagram).
    pub payload_offset: u32,
    /// Payload length by the UDP length field (clamped to what the IP layer allows).
    pub payload_len: u32,
    /// Payload bytes present in the capture.
    pub payload_captured: u32,
    /// Inside an ICMP error (quoted header).
    pub in_error: bool,
}

/// ICMP / ICMPv6 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpLayer {
    /// Type.
    pub icmp_type: u8,
    /// Code.
    pub code: u8,
    /// Echo identifier, when an echo request/reply.
    pub ident: Option<u16>,
    /// Echo sequence number, when an echo request/reply.
    pub seq: Option<u16>,
    /// True when the message is an error that quotes an IP packet (dest unreachable, time
    /// exceeded, ...); the quoted layers follow this one.
    pub is_error: bool,
    /// Inside an ICMP error (an ICMP header quoted in another error).
    pub in_error: bool,
    /// Offset of the ICMP header in the frame (or reassembled datagram).
    pub offset: u32,
}

/// ARP (Ethernet/IPv4 form; other hardware types keep op only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpLayer {
    /// Opcode.
    pub opcode: u16,
    /// Sender hardware address.
    pub sender_mac: [u8; 6],
    /// Sender protocol address.
    pub sender_ip: [u8; 4],
    /// Target hardware address.
    pub target_mac: [u8; 6],
    /// Target protocol address.
    pub target_ip: [u8; 4],
}

/// DNS header summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DnsLayer {
    /// Transaction id.
    pub id: u16,
    /// Flags word.
    pub flags: u16,
    /// Question / answer / authority / additional counts.
    pub counts: [u16; 4],
    /// Offset of the DNS message in the frame (or reassembled datagram).
    pub offset: u32,
    /// Which protocol carries the DNS format (port 53, 5353 or 5355).
    pub flavor: DnsFlavor,
    /// Carried over TCP (the 2-byte length prefix precedes [`DnsLayer::offset`]).
    pub over_tcp: bool,
}

/// The protocols that share the DNS message format, as tshark names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsFlavor {
    /// DNS (port 53).
    Dns,
    /// Multicast DNS (port 5353).
    Mdns,
    /// Link-local multicast name resolution (port 5355).
    Llmnr,
}
