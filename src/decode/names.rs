//! Wireshark's names for the decoded layers: the display-filter name (`frame.protocols`) and the
//! packet-list "Protocol" column name.

use super::{DnsFlavor, Layer};

impl Layer {
    /// The protocol's display-filter name as tshark lists it in `frame.protocols` (`eth`, `vlan`,
    /// `ip`, `ipv6`, `tcp`, ...).
    pub fn filter_name(&self) -> &'static str {
        match self {
            Layer::Ethernet(_) => "eth",
            Layer::Vlan(v) if v.tpid == 0x88a8 => "ieee8021ad",
            Layer::Vlan(_) => "vlan",
            Layer::Sll(_) => "sll",
            Layer::Loopback { .. } => "null",
            Layer::Ppp { .. } => "ppp",
            Layer::Pppoe { .. } => "pppoes",
            Layer::CiscoHdlc { .. } => "chdlc",
            Layer::Ieee80211 { .. } => "wlan",
            Layer::Llc { .. } => "llc",
            Layer::Radiotap { .. } => "radiotap",
            Layer::Mpls { .. } => "mpls",
            Layer::PwEth { control_word: true } => "pwethheuristic:pwethcw",
            Layer::PwEth {
                control_word: false,
            } => "pwethheuristic:pwethnocw",
            Layer::Ipv4(_) => "ip",
            Layer::Ipv6(_) => "ipv6",
            Layer::Tcp(_) | Layer::TcpPorts { .. } => "tcp",
            Layer::Udp(_) => "udp",
            Layer::Icmp(_) => "icmp",
            Layer::Icmpv6(_) => "icmpv6",
            Layer::Arp(_) => "arp",
            Layer::Esp { .. } => "esp",
            Layer::Ah { .. } => "ah",
            Layer::Gre { .. } => "gre",
            Layer::Erspan { .. } => "erspan",
            Layer::Vxlan { .. } => "vxlan",
            Layer::Geneve { .. } => "geneve",
            Layer::Dns(d) => match d.flavor {
                DnsFlavor::Dns => "dns",
                DnsFlavor::Mdns => "mdns",
                DnsFlavor::Llmnr => "llmnr",
            },
            Layer::Gtp { .. } => "gtp",
            Layer::Teredo => "teredo",
            Layer::VxlanGpe { .. } => "vxlan",
            Layer::CiscoMetadata { .. } => "cmd",
            Layer::Nsh { .. } => "nsh",
            Layer::UdpEncap { .. } => "udpencap",
            Layer::Isakmp => "isakmp",
        }
    }

    /// The name Wireshark shows in the packet list's Protocol column when this is the highest
    /// decoded layer.
    pub fn column_name(&self) -> &'static str {
        match self {
            Layer::Ethernet(_) => "Ethernet",
            Layer::Vlan(v) if v.tpid == 0x88a8 => "802.1ad",
            Layer::Vlan(_) => "802.1Q",
            Layer::Sll(_) => "SLL",
            Layer::Loopback { .. } => "NULL",
            Layer::Ppp { .. } => "PPP",
            Layer::Pppoe { .. } => "PPPoES",
            Layer::CiscoHdlc { .. } => "CHDLC",
            Layer::Ieee80211 { .. } => "802.11",
            Layer::Llc { .. } => "LLC",
            Layer::Radiotap { .. } => "802.11",
            Layer::Mpls { .. } => "MPLS",
            Layer::PwEth { .. } => "PW Ethernet",
            Layer::Ipv4(_) => "IPv4",
            Layer::Ipv6(_) => "IPv6",
            Layer::Tcp(_) | Layer::TcpPorts { .. } => "TCP",
            Layer::Udp(_) => "UDP",
            Layer::Icmp(_) => "ICMP",
            Layer::Icmpv6(_) => "ICMPv6",
            Layer::Arp(_) => "ARP",
            Layer::Esp { .. } => "ESP",
            Layer::Ah { .. } => "AH",
            Layer::Gre { .. } => "GRE",
            Layer::Erspan { .. } => "ERSPAN",
            Layer::Vxlan { .. } => "VXLAN",
            Layer::Geneve { .. } => "Geneve",
            Layer::Dns(d) => match d.flavor {
                DnsFlavor::Dns => "DNS",
                DnsFlavor::Mdns => "MDNS",
                DnsFlavor::Llmnr => "LLMNR",
            },
            Layer::Gtp { .. } => "GTP",
            Layer::Teredo => "Teredo",
            Layer::VxlanGpe { .. } => "VXLAN",
            Layer::CiscoMetadata { .. } => "CMD",
            Layer::Nsh { .. } => "NSH",
            Layer::UdpEncap { .. } => "UDPENCAP",
            Layer::Isakmp => "ISAKMP",
        }
    }
}
