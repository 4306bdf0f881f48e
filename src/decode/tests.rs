//! Byte-literal tests of the decoder, per link type and layer, including truncated and malformed
//! headers (no panic, an anomaly, the layers before the problem kept).

use super::*;
use crate::capture::FrameMeta;

const MAC_A: [u8; 6] = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
const MAC_B: [u8; 6] = [0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb];

fn decode_with(d: &mut Decoder, linktype: u32, data: &[u8], wire_len: usize) -> DecodedFrame {
    let meta = FrameMeta {
        number: 1,
        caplen: data.len() as u32,
        wire_len: wire_len as u32,
        linktype,
        ..FrameMeta::default()
    };
    let mut out = DecodedFrame::default();
    d.decode(&meta, data, &mut out);
    out
}

fn decode(linktype: u32, data: &[u8]) -> DecodedFrame {
    decode_with(&mut Decoder::new(), linktype, data, data.len())
}

fn names(f: &DecodedFrame) -> Vec<&'static str> {
    f.layers.iter().map(Layer::filter_name).collect()
}

fn eth(ether_type: u16) -> Vec<u8> {
    let mut v = MAC_B.to_vec();
    v.extend_from_slice(&MAC_A);
    v.extend_from_slice(&ether_type.to_be_bytes());
    v
}

/// An IPv4 header (no options) with a correct total length for `payload_len`.
fn ipv4(protocol: u8, payload_len: usize, id: u16, flags_frag: u16) -> Vec<u8> {
    let total = (20 + payload_len) as u16;
    let mut v = vec![0x45, 0];
    v.extend_from_slice(&total.to_be_bytes());
    v.extend_from_slice(&id.to_be_bytes());
    v.extend_from_slice(&flags_frag.to_be_bytes());
    v.extend_from_slice(&[64, protocol, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
    v
}

fn ipv6(next: u8, payload_len: usize) -> Vec<u8> {
    let mut v = vec![0x60, 0, 0, 0];
    v.extend_from_slice(&(payload_len as u16).to_be_bytes());
    v.extend_from_slice(&[next, 64]);
    v.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    v.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    v
}

/// A TCP SYN header with an MSS option (24 bytes).
fn tcp_syn(src: u16, dst: u16) -> Vec<u8> {
    let mut v = src.to_be_bytes().to_vec();
    v.extend_from_slice(&dst.to_be_bytes());
    v.extend_from_slice(&1000u32.to_be_bytes());
    v.extend_from_slice(&0u32.to_be_bytes());
    v.extend_from_slice(&[0x60, 0x02, 0xfa, 0xf0, 0, 0, 0, 0, 2, 4, 0x05, 0xb4]);
    v
}

fn udp(src: u16, dst: u16, payload: &[u8]) -> Vec<u8> {
    let mut v = src.to_be_bytes().to_vec();
    v.extend_from_slice(&dst.to_be_bytes());
    v.extend_from_slice(&((8 + payload.len()) as u16).to_be_bytes());
    v.extend_from_slice(&[0, 0]);
    v.extend_from_slice(payload);
    v
}

fn ipv4_udp(src: u16, dst: u16, payload: &[u8]) -> Vec<u8> {
    let u = udp(src, dst, payload);
    let mut v = ipv4(17, u.len(), 1, 0);
    v.extend_from_slice(&u);
    v
}

fn tcp_of(f: &DecodedFrame) -> TcpLayer {
    *f.tcp_layers().next().expect("a TCP layer")
}

#[test]
fn ethernet_ipv4_tcp_syn_with_padding() {
    let mut p = eth(0x0800);
    let t = tcp_syn(51234, 80);
    p.extend(ipv4(6, t.len(), 0x1234, 0x4000));
    p.extend(&t);
    p.resize(64, 0); // Ethernet padding after the IP datagram
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ip", "tcp"]);
    assert!(f.anomalies.is_empty(), "{:?}", f.anomalies);
    let Layer::Ipv4(ip) = f.layers[1] else {
        panic!()
    };
    assert_eq!(
        (ip.id, ip.flags, ip.frag_offset, ip.ttl),
        (0x1234, 2, 0, 64)
    );
    let t = tcp_of(&f);
    assert_eq!(
        (t.src_port, t.dst_port, t.seq, t.flags, t.window),
        (51234, 80, 1000, 0x002, 64240)
    );
    assert_eq!(
        (t.header_len, t.payload_len, t.options.mss),
        (24, 0, Some(1460))
    );
    assert_eq!(t.src.to_string(), "10.0.0.1");
}

#[test]
fn tcp_len_follows_ip_length_when_snaplen_cut() {
    let mut p = eth(0x0800);
    let mut t = tcp_syn(1, 2);
    t[13] = 0x18; // PSH ACK
    p.extend(ipv4(6, t.len() + 1000, 1, 0));
    p.extend(&t);
    p.extend([0xab; 10]); // only 10 of 1000 payload bytes captured
    let f = decode_with(&mut Decoder::new(), 1, &p, p.len() + 990);
    let t = tcp_of(&f);
    assert_eq!((t.payload_len, t.payload_captured), (1000, 10));
}

#[test]
fn ipv4_total_length_zero_is_tso() {
    let mut p = eth(0x0800);
    let t = tcp_syn(1, 2);
    let mut ip = ipv4(6, t.len(), 1, 0);
    ip[2] = 0;
    ip[3] = 0;
    p.extend(ip);
    p.extend(&t);
    p.extend([0u8; 100]);
    assert_eq!(tcp_of(&decode(1, &p)).payload_len, 100);
}

#[test]
fn truncated_headers_keep_earlier_layers() {
    let f = decode(1, &eth(0x0800)[..10]);
    assert!(f.layers.is_empty());
    assert_eq!(f.anomalies[0].kind, "truncated");

    let mut p = eth(0x0800);
    p.extend(&ipv4(6, 24, 1, 0)[..12]);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth"]);
    assert_eq!(f.anomalies.len(), 1);
    assert_eq!(f.anomalies[0].offset, 14);

    let mut p = eth(0x0800);
    p.extend(ipv4(6, 24, 1, 0));
    p.extend(&tcp_syn(1, 2)[..10]);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ip", "tcp"]);
    assert_eq!(f.tcp_layers().count(), 0, "only the ports are known");
    assert_eq!(f.anomalies[0].offset, 34);
}

#[test]
fn malformed_tcp_data_offset_is_an_anomaly() {
    let mut p = eth(0x0800);
    let mut t = tcp_syn(1, 2);
    t[12] = 0x30; // data offset 3 words
    p.extend(ipv4(6, t.len(), 1, 0));
    p.extend(&t);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ip"]);
    assert_eq!(f.anomalies[0].kind, "bad_header");
}

#[test]
fn qinq_tags_are_two_vlan_layers() {
    let mut p = eth(0x88a8);
    p.extend([0x20, 0x2a, 0x81, 0x00]); // PCP 1, VLAN 42, inner TPID
    p.extend([0x00, 0x07, 0x08, 0x00]); // VLAN 7, IPv4
    p.extend(ipv4_udp(1000, 2000, b"x"));
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ieee8021ad", "vlan", "ip", "udp"]);
    let Layer::Vlan(outer) = f.layers[1] else {
        panic!()
    };
    let Layer::Vlan(inner) = f.layers[2] else {
        panic!()
    };
    assert_eq!((outer.tpid, outer.id, outer.priority), (0x88a8, 42, 1));
    assert_eq!((inner.id, inner.ether_type), (7, 0x0800));
}

#[test]
fn udp_dns_mdns_llmnr_headers() {
    let dns_header = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
    for (port, flavor) in [
        (53, DnsFlavor::Dns),
        (5353, DnsFlavor::Mdns),
        (5355, DnsFlavor::Llmnr),
    ] {
        let mut p = eth(0x0800);
        p.extend(ipv4_udp(40000, port, &dns_header));
        let f = decode(1, &p);
        let Some(Layer::Dns(d)) = f.layers.last() else {
            panic!("{:?}", f.layers)
        };
        assert_eq!(
            (d.id, d.flags, d.counts, d.flavor),
            (0x1234, 0x8180, [1, 1, 0, 0], flavor)
        );
    }
}

#[test]
fn icmp_echo_and_error_with_quoted_packet() {
    let mut p = eth(0x0800);
    let echo = [8, 0, 0, 0, 0x00, 0x2a, 0x00, 0x07];
    p.extend(ipv4(1, echo.len(), 1, 0));
    p.extend(echo);
    let f = decode(1, &p);
    let Some(Layer::Icmp(i)) = f.layers.last() else {
        panic!()
    };
    assert_eq!(
        (i.icmp_type, i.ident, i.seq, i.is_error),
        (8, Some(42), Some(7), false)
    );

    let quoted = ipv4_udp(33434, 33435, &[0; 4]);
    let mut icmp = vec![11, 0, 0, 0, 0, 0, 0, 0];
    icmp.extend(&quoted[..28]); // IP header + UDP header, as routers quote
    let mut p = eth(0x0800);
    p.extend(ipv4(1, icmp.len(), 2, 0));
    p.extend(&icmp);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ip", "icmp", "ip", "udp"]);
    let Layer::Ipv4(q) = f.layers[3] else {
        panic!()
    };
    assert!(q.in_error);
    let u = f.udp_layers().next().expect("quoted udp");
    assert!(u.in_error);
    assert_eq!(u.dst_port, 33435);
}

#[test]
fn icmpv6_error_quotes_ipv6() {
    let inner_udp = udp(1, 2, &[]);
    let mut inner = ipv6(17, inner_udp.len());
    inner.extend(&inner_udp);
    let mut icmp = vec![1, 4, 0, 0, 0, 0, 0, 0];
    icmp.extend(&inner);
    let mut p = eth(0x86dd);
    p.extend(ipv6(58, icmp.len()));
    p.extend(&icmp);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ipv6", "icmpv6", "ipv6", "udp"]);
}

#[test]
fn arp_request() {
    let mut p = eth(0x0806);
    p.extend([0, 1, 8, 0, 6, 4, 0, 1]);
    p.extend(MAC_A);
    p.extend([10, 0, 0, 2]);
    p.extend([0; 6]);
    p.extend([10, 0, 0, 1]);
    let f = decode(1, &p);
    let Some(Layer::Arp(a)) = f.layers.last() else {
        panic!()
    };
    assert_eq!(
        (a.opcode, a.sender_ip, a.target_ip, a.sender_mac),
        (1, [10, 0, 0, 2], [10, 0, 0, 1], MAC_A)
    );
}

#[test]
fn linux_cooked_v1_and_v2() {
    let mut p = vec![0, 0, 0, 1, 0, 6];
    p.extend(MAC_A);
    p.extend([0, 0, 0x08, 0x00]);
    p.extend(ipv4_udp(1, 2, b""));
    let f = decode(113, &p);
    assert_eq!(names(&f), ["sll", "ip", "udp"]);

    let mut p = vec![0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6];
    p.extend(MAC_A);
    p.extend([0, 0]);
    let u = udp(1, 2, b"");
    p.extend(ipv6(17, u.len()));
    p.extend(&u);
    let f = decode(276, &p);
    assert_eq!(names(&f), ["sll", "ipv6", "udp"]);
    let Layer::Sll(s) = f.layers[0] else { panic!() };
    assert_eq!((s.version, s.ifindex, s.packet_type), (2, 3, 4));
    assert_eq!(decode(276, &p[..12]).anomalies[0].kind, "truncated");
}

#[test]
fn loopback_families_in_both_byte_orders() {
    let ip = ipv4_udp(1, 2, b"");
    let mut le = vec![2, 0, 0, 0];
    le.extend(&ip);
    assert_eq!(names(&decode(0, &le)), ["null", "ip", "udp"]);
    let mut be = vec![0, 0, 0, 2];
    be.extend(&ip);
    assert_eq!(names(&decode(0, &be)), ["null", "ip", "udp"]);
    assert_eq!(names(&decode(108, &be)), ["null", "ip", "udp"]);
    let u = udp(1, 2, b"");
    let mut v6 = vec![30, 0, 0, 0];
    v6.extend(ipv6(17, u.len()));
    v6.extend(&u);
    assert_eq!(names(&decode(0, &v6)), ["null", "ipv6", "udp"]);
}

#[test]
fn raw_ip_link_types() {
    let ip = ipv4_udp(1, 2, b"");
    for lt in [101, 12, 14, 228] {
        assert_eq!(names(&decode(lt, &ip)), ["ip", "udp"], "linktype {lt}");
    }
    let u = udp(1, 2, b"");
    let mut v6 = ipv6(17, u.len());
    v6.extend(&u);
    for lt in [101, 229] {
        assert_eq!(names(&decode(lt, &v6)), ["ipv6", "udp"], "linktype {lt}");
    }
    assert_eq!(decode(101, &[0x15]).anomalies[0].kind, "bad_version");
}

#[test]
fn ppp_hdlc_framing_and_compressed_protocol() {
    let ip = ipv4_udp(1, 2, b"");
    let mut p = vec![0xff, 0x03, 0x00, 0x21];
    p.extend(&ip);
    assert_eq!(names(&decode(9, &p)), ["ppp", "ip", "udp"]);
    let mut p = vec![0x21];
    p.extend(&ip);
    assert_eq!(names(&decode(9, &p)), ["ppp", "ip", "udp"]);
}

#[test]
fn cisco_hdlc() {
    let mut p = vec![0x0f, 0x00, 0x08, 0x00];
    p.extend(ipv4_udp(1, 2, b""));
    assert_eq!(names(&decode(104, &p)), ["chdlc", "ip", "udp"]);
}

/// An 802.11 QoS data frame from the DS, with LLC/SNAP and an IPv4/UDP packet.
fn wlan_qos_data(flags: u8) -> Vec<u8> {
    let mut p = vec![0x88, flags, 0, 0];
    p.extend(MAC_B); // addr1 = DA
    p.extend(MAC_A); // addr2 = BSSID
    p.extend([1, 2, 3, 4, 5, 6]); // addr3 = SA
    p.extend([0, 0, 0, 0]); // sequence, QoS control
    p.extend([0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
    p.extend(ipv4_udp(1, 2, b""));
    p
}

#[test]
fn ieee80211_data_through_llc_snap() {
    let f = decode(105, &wlan_qos_data(0x02));
    assert_eq!(names(&f), ["wlan", "llc", "ip", "udp"]);
    let Layer::Ieee80211 { src, dst, .. } = f.layers[0] else {
        panic!()
    };
    assert_eq!((src, dst), ([1, 2, 3, 4, 5, 6], MAC_B));
    // Protected frames stop at the 802.11 header.
    assert_eq!(names(&decode(105, &wlan_qos_data(0x42))), ["wlan"]);
    // A cut header keeps the layer and says so.
    let f = decode(105, &wlan_qos_data(0x02)[..20]);
    assert_eq!(f.anomalies[0].kind, "truncated");
}

#[test]
fn radiotap_with_fcs() {
    // version, pad, length 9, present = Flags; flags = 0x10 (FCS at end)
    let mut p = vec![0, 0, 9, 0, 0x02, 0, 0, 0, 0x10];
    p.extend(wlan_qos_data(0x02));
    p.extend([0xde, 0xad, 0xbe, 0xef]);
    let f = decode(127, &p);
    assert_eq!(names(&f), ["radiotap", "wlan", "llc", "ip", "udp"]);
    assert_eq!(f.udp_layers().next().map(|u| u.payload_len), Some(0));
    assert_eq!(
        decode(127, &[0, 0, 200, 0, 0, 0, 0, 0]).anomalies[0].kind,
        "bad_length"
    );
}

#[test]
fn mpls_stack_then_ipv4() {
    let mut p = eth(0x8847);
    p.extend([0x00, 0x01, 0x00, 0x40]); // label 16
    p.extend([0x00, 0x02, 0x01, 0x3f]); // label 32, bottom
    p.extend(ipv4_udp(1, 2, b""));
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "mpls", "mpls", "ip", "udp"]);
    assert_eq!(
        f.layers[2],
        Layer::Mpls {
            label: 32,
            bottom: true,
            ttl: 63
        }
    );
}

#[test]
fn pppoe_session_to_ipv4() {
    let ip = ipv4_udp(1, 2, b"");
    let mut p = eth(0x8864);
    p.extend([0x11, 0x00, 0x12, 0x34]);
    p.extend(((ip.len() + 2) as u16).to_be_bytes());
    p.extend([0x00, 0x21]);
    p.extend(&ip);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "pppoes", "ppp", "ip", "udp"]);
    assert_eq!(f.layers[1], Layer::Pppoe { session_id: 0x1234 });
}

#[test]
fn gre_with_key_and_erspan_versions() {
    let inner = ipv4_udp(1, 2, b"");
    let mut gre = vec![0x20, 0x00, 0x08, 0x00, 0, 0, 0, 9];
    gre.extend(&inner);
    let mut p = eth(0x0800);
    p.extend(ipv4(47, gre.len(), 1, 0));
    p.extend(&gre);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ip", "gre", "ip", "udp"]);
    assert_eq!(
        f.layers[2],
        Layer::Gre {
            protocol: 0x0800,
            flags_version: 0x2000,
            key: Some(9)
        }
    );

    let mut mirrored = eth(0x0800);
    mirrored.extend(&inner);
    // ERSPAN II: GRE with sequence, 8-byte header (version 1, session 5).
    let mut gre = vec![
        0x10, 0x00, 0x88, 0xbe, 0, 0, 0, 1, 0x10, 0x00, 0x00, 0x05, 0, 0, 0, 0,
    ];
    gre.extend(&mirrored);
    let mut p = eth(0x0800);
    p.extend(ipv4(47, gre.len(), 1, 0));
    p.extend(&gre);
    let f = decode(1, &p);
    assert_eq!(
        names(&f),
        ["eth", "ip", "gre", "erspan", "eth", "ip", "udp"]
    );
    assert_eq!(
        f.layers[3],
        Layer::Erspan {
            session_id: 5,
            version: 1
        }
    );

    // ERSPAN III: 12-byte header without the platform subheader.
    let mut gre = vec![
        0x10, 0x00, 0x22, 0xeb, 0, 0, 0, 1, 0x20, 0x00, 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0, 0,
    ];
    gre.extend(&mirrored);
    let mut p = eth(0x0800);
    p.extend(ipv4(47, gre.len(), 1, 0));
    p.extend(&gre);
    let f = decode(1, &p);
    assert_eq!(
        names(&f),
        ["eth", "ip", "gre", "erspan", "eth", "ip", "udp"]
    );
    assert_eq!(
        f.layers[3],
        Layer::Erspan {
            session_id: 7,
            version: 2
        }
    );
}

#[test]
fn udp_tunnels_vxlan_geneve_gre() {
    let mut inner_eth = eth(0x0800);
    let mut t = tcp_syn(5, 6);
    t.truncate(20);
    t[12] = 0x50;
    inner_eth.extend(ipv4(6, t.len(), 3, 0));
    inner_eth.extend(&t);

    let mut vx = vec![0x08, 0, 0, 0, 0, 0, 0x64, 0];
    vx.extend(&inner_eth);
    let mut p = eth(0x0800);
    p.extend(ipv4_udp(40000, 4789, &vx));
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ip", "udp", "vxlan", "eth", "ip", "tcp"]);
    assert_eq!(f.layers[3], Layer::Vxlan { vni: 100 });

    let mut gn = vec![0x01, 0, 0x65, 0x58, 0, 0, 0x07, 0, 0, 0, 0, 0];
    gn.extend(&inner_eth);
    let mut p = eth(0x0800);
    p.extend(ipv4_udp(40000, 6081, &gn));
    let f = decode(1, &p);
    assert_eq!(
        names(&f),
        ["eth", "ip", "udp", "geneve", "eth", "ip", "tcp"]
    );

    let mut gu = vec![0, 0, 0x08, 0x00];
    gu.extend(&inner_eth[14..]);
    let mut p = eth(0x0800);
    p.extend(ipv4_udp(40000, 4754, &gu));
    assert_eq!(
        names(&decode(1, &p)),
        ["eth", "ip", "udp", "gre", "ip", "tcp"]
    );
}

#[test]
fn esp_and_ah() {
    let esp = [0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 5, 1, 2, 3, 4];
    let mut p = eth(0x0800);
    p.extend(ipv4(50, esp.len(), 1, 0));
    p.extend(esp);
    let f = decode(1, &p);
    assert_eq!(
        f.layers.last(),
        Some(&Layer::Esp {
            spi: 0xdeadbeef,
            sequence: 5
        })
    );

    let u = udp(1, 2, b"");
    let mut ah = vec![17, 4, 0, 0, 0, 0, 0x10, 0x01, 0, 0, 0, 3];
    ah.extend([0; 12]);
    ah.extend(&u);
    let mut p = eth(0x0800);
    p.extend(ipv4(51, ah.len(), 1, 0));
    p.extend(&ah);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ip", "ah", "udp"]);
    assert_eq!(
        f.layers[2],
        Layer::Ah {
            spi: 0x1001,
            sequence: 3
        }
    );
}

#[test]
fn ipv6_extension_headers_then_udp() {
    let u = udp(1, 2, b"abc");
    let mut ext = vec![60, 0, 1, 4, 0, 0, 0, 0]; // hop-by-hop → destination options
    ext.extend([17, 0, 1, 4, 0, 0, 0, 0]); // destination options → UDP
    let mut p = eth(0x86dd);
    p.extend(ipv6(0, ext.len() + u.len()));
    p.extend(&ext);
    p.extend(&u);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ipv6", "udp"]);
    let Layer::Ipv6(ip) = f.layers[1] else {
        panic!()
    };
    assert_eq!((ip.next_header, ip.protocol), (0, 17));
    // An extension header cut short.
    let f = decode(1, &p[..14 + 40 + 4]);
    assert_eq!(names(&f), ["eth", "ipv6"]);
    assert_eq!(f.anomalies[0].kind, "truncated");
}

#[test]
fn ipv4_fragments_reassemble_on_the_completing_frame() {
    let datagram = udp(2049, 1023, &[7u8; 40]); // 48 bytes: fragments of 24, 16, 8
    let frag = |off: usize, len: usize, more: bool| {
        let mut p = eth(0x0800);
        let ff = (off / 8) as u16 | if more { 0x2000 } else { 0 };
        p.extend(ipv4(17, len, 0x9c89, ff));
        p.extend(&datagram[off..off + len]);
        p
    };
    let mut d = Decoder::new();
    let f1 = decode_with(&mut d, 1, &frag(24, 16, true), 14 + 36);
    assert_eq!(names(&f1), ["eth", "ip"]);
    assert!(d.reassembled_payload().is_none());
    let f2 = decode_with(&mut d, 1, &frag(0, 24, true), 14 + 44);
    assert_eq!(names(&f2), ["eth", "ip"]);
    let f3 = decode_with(&mut d, 1, &frag(40, 8, false), 14 + 28);
    assert_eq!(names(&f3), ["eth", "ip", "udp"]);
    let Layer::Ipv4(ip) = f3.layers[1] else {
        panic!()
    };
    assert!(ip.reassembled);
    let u = f3.udp_layers().next().expect("udp");
    assert_eq!(
        (
            u.src_port,
            u.dst_port,
            u.length,
            u.payload_len,
            u.payload_offset
        ),
        (2049, 1023, 48, 40, 8)
    );
    assert_eq!(d.reassembled_payload(), Some(&datagram[..]));
    assert_eq!(d.pending_fragment_bytes(), 0);
    // A first fragment that is not all captured is decoded as is (tshark: no reassembly).
    let cut = frag(0, 24, true);
    let f = decode_with(&mut d, 1, &cut[..cut.len() - 4], cut.len());
    assert_eq!(names(&f), ["eth", "ip", "udp"]);
}

#[test]
fn ipv6_fragments_and_atomic_fragment() {
    let datagram = udp(5, 6, &[1u8; 16]);
    let frag = |off: usize, len: usize, more: bool| {
        let mut fh = vec![17, 0];
        fh.extend((((off / 8) as u16) << 3 | u16::from(more)).to_be_bytes());
        fh.extend(0xabcdu32.to_be_bytes());
        let mut p = eth(0x86dd);
        p.extend(ipv6(44, 8 + len));
        p.extend(fh);
        p.extend(&datagram[off..off + len]);
        p
    };
    let mut d = Decoder::new();
    assert_eq!(
        names(&decode_with(&mut d, 1, &frag(0, 16, true), 14 + 64)),
        ["eth", "ipv6"]
    );
    let f = decode_with(&mut d, 1, &frag(16, 8, false), 14 + 56);
    assert_eq!(names(&f), ["eth", "ipv6", "udp"]);
    assert_eq!(d.reassembled_payload(), Some(&datagram[..]));
    // Atomic fragment: offset 0 and no more fragments: decoded directly.
    let f = decode_with(&mut d, 1, &frag(0, 24, false), 14 + 72);
    assert_eq!(names(&f), ["eth", "ipv6", "udp"]);
    assert!(d.reassembled_payload().is_none());
}

#[test]
fn deep_nesting_is_bounded() {
    // 100 nested IP-in-IP headers.
    let mut p = Vec::new();
    for i in 0..100 {
        let rest = (100 - i - 1) * 20;
        p.extend(ipv4(4, rest, 1, 0));
    }
    let f = decode(101, &p);
    assert!(f.layers.len() <= super::decoder::MAX_LAYERS);
    assert!(f
        .anomalies
        .iter()
        .any(|a| a.kind == "too_deep" || a.kind == "too_many_layers"));
}

#[test]
fn unknown_link_type_is_an_anomaly() {
    let f = decode(147, &[1, 2, 3]);
    assert!(f.layers.is_empty());
    assert_eq!(f.anomalies[0].kind, "unknown_linktype");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    const LINKTYPES: &[u32] = &[
        0, 1, 9, 12, 14, 50, 101, 104, 105, 108, 113, 127, 228, 229, 274, 276, 999,
    ];

    proptest! {
        #[test]
        fn random_bytes_under_every_link_type(data in proptest::collection::vec(any::<u8>(), 0..200), extra in 0usize..2000) {
            let mut d = Decoder::new();
            for &lt in LINKTYPES {
                let f = decode_with(&mut d, lt, &data, data.len() + extra);
                prop_assert!(f.layers.len() <= super::super::decoder::MAX_LAYERS);
            }
        }

        #[test]
        fn mutated_valid_frames(pos in 0usize..120, byte in any::<u8>(), cut in 0usize..130) {
            let mut vx = vec![0x08, 0, 0, 0, 0, 0, 0x64, 0];
            let mut inner = eth(0x0800);
            inner.extend(ipv4_udp(1, 53, &[0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]));
            vx.extend(inner);
            let mut p = eth(0x0800);
            p.extend(ipv4_udp(40000, 4789, &vx));
            if let Some(b) = p.get_mut(pos) {
                *b = byte;
            }
            p.truncate(cut);
            let mut d = Decoder::new();
            let _ = decode_with(&mut d, 1, &p, p.len());
            let _ = decode_with(&mut d, 113, &p, p.len());
        }
    }
}

#[test]
fn layer_stays_small() {
    // The indexer pushes one Layer per header on every frame; keep the copy cheap.
    let size = std::mem::size_of::<Layer>();
    eprintln!("size_of::<Layer>() = {size}");
    assert!(size <= 96, "Layer is {size} bytes");
}

#[test]
fn tcp_cut_short_keeps_what_tshark_shows() {
    let t = tcp_syn(40000, 80);
    for (cut, full) in [(4, false), (8, false), (12, false), (16, true), (19, true)] {
        let mut p = eth(0x0800);
        p.extend(ipv4(6, t.len(), 1, 0));
        p.extend(&t[..cut]);
        let f = decode_with(&mut Decoder::new(), 1, &p, p.len() + t.len() - cut);
        assert_eq!(names(&f), ["eth", "ip", "tcp"], "cut at {cut}");
        assert_eq!(f.tcp_layers().next().is_some(), full, "cut at {cut}");
        assert_eq!(f.anomalies[0].kind, "truncated");
        if !full {
            assert_eq!(
                f.layers[2],
                Layer::TcpPorts {
                    src_port: 40000,
                    dst_port: 80,
                    seq: None,
                    in_error: false
                }
            );
        }
    }
    let mut p = eth(0x0800);
    p.extend(ipv4(6, t.len(), 1, 0));
    p.extend(&t[..2]);
    assert_eq!(names(&decode(1, &p)), ["eth", "ip"]);
}

#[test]
fn icmp_quote_of_eight_tcp_bytes_gives_ports_and_sequence() {
    let t = tcp_syn(40000, 80);
    let mut quoted = ipv4(6, t.len(), 1, 0);
    quoted.extend(&t[..8]);
    let mut icmp = vec![3, 3, 0, 0, 0, 0, 0, 0];
    icmp.extend(&quoted);
    let mut p = eth(0x0800);
    p.extend(ipv4(1, icmp.len(), 2, 0));
    p.extend(&icmp);
    let f = decode(1, &p);
    assert_eq!(names(&f), ["eth", "ip", "icmp", "ip", "tcp"]);
    assert_eq!(
        f.layers[4],
        Layer::TcpPorts {
            src_port: 40000,
            dst_port: 80,
            seq: Some(1000),
            in_error: true
        }
    );
    assert!(
        f.anomalies.is_empty(),
        "a short quote is normal: {:?}",
        f.anomalies
    );
}

#[test]
fn mpls_ethernet_pseudowire_with_and_without_control_word() {
    let mut inner = eth(0x0800);
    inner.extend(ipv4_udp(1, 2, b""));
    // A control word (first nibble 0) before the frame.
    let mut p = eth(0x8847);
    p.extend([0x00, 0x01, 0x01, 0x40]); // label 16, bottom
    p.extend([0, 0, 0, 0]);
    p.extend(&inner);
    let f = decode(1, &p);
    assert_eq!(
        names(&f),
        ["eth", "mpls", "pwethheuristic:pwethcw", "eth", "ip", "udp"]
    );
    // No control word: the frame starts right after the stack (its first nibble is not 0, 4, 6).
    let mut inner = eth(0x0800);
    inner[0] = 0xa0;
    inner.extend(ipv4_udp(1, 2, b""));
    let mut p = eth(0x8847);
    p.extend([0x00, 0x01, 0x01, 0x40]);
    p.extend(&inner);
    let f = decode(1, &p);
    assert_eq!(
        f.layers[2],
        Layer::PwEth {
            control_word: false
        }
    );
    assert_eq!(names(&f)[3..], ["eth", "ip", "udp"]);
}
