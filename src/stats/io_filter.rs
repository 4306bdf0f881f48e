//! Which frames an interval statistic counts: all, one TCP/UDP stream, an address, a port or a
//! protocol (a display-filter subset until the filter engine exists).

use std::net::IpAddr;

use crate::decode::{DnsFlavor, Layer};
use crate::flow::NO_STREAM;
use crate::pipeline::FrameContext;

/// A protocol an [`IoFilter`] can select.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoProtocol {
    /// Any TCP layer.
    Tcp,
    /// Any UDP layer.
    Udp,
    /// ICMP or ICMPv6 (not quoted in an error).
    Icmp,
    /// ARP.
    Arp,
    /// Port-53 DNS.
    Dns,
    /// ESP.
    Esp,
    /// IPv4.
    Ipv4,
    /// IPv6.
    Ipv6,
}

/// The frames an interval statistic counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IoFilter {
    /// Every frame.
    #[default]
    All,
    /// Frames with a TCP layer of this `tcp.stream`.
    TcpStream(u32),
    /// Frames with a UDP layer of this `udp.stream`.
    UdpStream(u32),
    /// Frames with an IP header from or to this address (`ip.addr` / `ipv6.addr`).
    Address(IpAddr),
    /// Frames with a TCP or UDP header from or to this port (`tcp.port` / `udp.port`).
    Port(u16),
    /// Frames carrying this protocol.
    Protocol(IoProtocol),
    /// Frames with an ESP header of this SPI (`esp.spi`): per-SPI packets and bytes per interval.
    EspSpi(u32),
}

impl IoFilter {
    /// Parses `tcp.stream==N`, `udp.stream==N`, `ip.addr==A` (or `ipv6.addr==A`, `addr==A`),
    /// `port==N` (or `tcp.port==N`, `udp.port==N`), or a protocol name (`tcp`, `udp`, `icmp`,
    /// `arp`, `dns`, `esp`, `ip`, `ipv6`), or `esp.spi==0x1234abcd` (hexadecimal, as tshark prints
    /// SPIs); an empty string is [`IoFilter::All`].
    pub fn parse(text: &str) -> Option<IoFilter> {
        let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if t.is_empty() {
            return Some(IoFilter::All);
        }
        if let Some((name, value)) = t.split_once("==") {
            return match name {
                "tcp.stream" => value.parse().ok().map(IoFilter::TcpStream),
                "udp.stream" => value.parse().ok().map(IoFilter::UdpStream),
                "ip.addr" | "ipv6.addr" | "addr" => value.parse().ok().map(IoFilter::Address),
                "port" | "tcp.port" | "udp.port" => value.parse().ok().map(IoFilter::Port),
                "esp.spi" => {
                    let v = value.trim_start_matches("0x").trim_start_matches("0X");
                    u32::from_str_radix(v, 16).ok().map(IoFilter::EspSpi)
                }
                _ => None,
            };
        }
        let p = match t.as_str() {
            "tcp" => IoProtocol::Tcp,
            "udp" => IoProtocol::Udp,
            "icmp" => IoProtocol::Icmp,
            "arp" => IoProtocol::Arp,
            "dns" => IoProtocol::Dns,
            "esp" => IoProtocol::Esp,
            "ip" => IoProtocol::Ipv4,
            "ipv6" => IoProtocol::Ipv6,
            _ => return None,
        };
        Some(IoFilter::Protocol(p))
    }

    /// Whether the frame passes.
    pub fn matches(&self, ctx: &FrameContext) -> bool {
        let layers = &ctx.frame.layers;
        match *self {
            IoFilter::All => true,
            IoFilter::TcpStream(s) => s != NO_STREAM && ctx.streams.tcp.contains(&s),
            IoFilter::UdpStream(s) => s != NO_STREAM && ctx.streams.udp.contains(&s),
            IoFilter::Address(a) => layers.iter().any(|l| match l {
                Layer::Ipv4(ip) if !ip.in_error => {
                    IpAddr::from(ip.src) == a || IpAddr::from(ip.dst) == a
                }
                Layer::Ipv6(ip) if !ip.in_error => {
                    IpAddr::from(ip.src) == a || IpAddr::from(ip.dst) == a
                }
                _ => false,
            }),
            IoFilter::Port(p) => layers.iter().any(|l| match l {
                Layer::Tcp(t) if !t.in_error => t.src_port == p || t.dst_port == p,
                Layer::Udp(u) if !u.in_error => u.src_port == p || u.dst_port == p,
                _ => false,
            }),
            IoFilter::EspSpi(spi) => layers
                .iter()
                .any(|l| matches!(l, Layer::Esp { spi: s, .. } if *s == spi)),
            IoFilter::Protocol(p) => layers.iter().any(|l| match (p, l) {
                (IoProtocol::Tcp, Layer::Tcp(_)) => true,
                (IoProtocol::Udp, Layer::Udp(_)) => true,
                (IoProtocol::Icmp, Layer::Icmp(i) | Layer::Icmpv6(i)) => !i.in_error,
                (IoProtocol::Arp, Layer::Arp(_)) => true,
                (IoProtocol::Dns, Layer::Dns(d)) => d.flavor == DnsFlavor::Dns,
                (IoProtocol::Esp, Layer::Esp { .. }) => true,
                (IoProtocol::Ipv4, Layer::Ipv4(_)) => true,
                (IoProtocol::Ipv6, Layer::Ipv6(_)) => true,
                _ => false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_filters() {
        assert_eq!(IoFilter::parse(""), Some(IoFilter::All));
        assert_eq!(
            IoFilter::parse("tcp.stream == 3"),
            Some(IoFilter::TcpStream(3))
        );
        assert_eq!(
            IoFilter::parse("udp.stream==0"),
            Some(IoFilter::UdpStream(0))
        );
        assert_eq!(
            IoFilter::parse("ip.addr==10.0.0.1"),
            Some(IoFilter::Address("10.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            IoFilter::parse("ipv6.addr==::1"),
            Some(IoFilter::Address("::1".parse().unwrap()))
        );
        assert_eq!(IoFilter::parse("port==443"), Some(IoFilter::Port(443)));
        assert_eq!(
            IoFilter::parse("dns"),
            Some(IoFilter::Protocol(IoProtocol::Dns))
        );
        assert_eq!(IoFilter::parse("port==99999"), None);
        assert_eq!(IoFilter::parse("frame.len>3"), None);
        assert_eq!(IoFilter::parse("http"), None);
        assert_eq!(
            IoFilter::parse("esp.spi==0x3d71315a"),
            Some(IoFilter::EspSpi(0x3d71315a))
        );
    }
}
