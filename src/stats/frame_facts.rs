//! What the statistics need to know about one decoded frame, computed once per frame.

use crate::decode::{DecodedFrame, DnsFlavor, Layer};
use crate::session::LayerAnalysis;

const TH_FIN: u16 = 0x001;
const TH_SYN: u16 = 0x002;
const TH_RST: u16 = 0x004;
const TH_ACK: u16 = 0x010;

/// Protocol facts of one frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameFacts {
    /// TCP layers in the frame (tunnelled and ICMP-quoted ones included).
    pub tcp_layers: u32,
    /// Some TCP layer has SYN.
    pub syn: bool,
    /// Some TCP layer has SYN and ACK.
    pub synack: bool,
    /// Some TCP layer has RST.
    pub rst: bool,
    /// Some TCP layer has FIN.
    pub fin: bool,
    /// An ARP layer.
    pub arp: bool,
    /// An ICMP or ICMPv6 layer (not one quoted inside an error).
    pub icmp: bool,
    /// A DNS layer (port-53 DNS; not mDNS or LLMNR, which tshark names separately).
    pub dns: bool,
}

impl FrameFacts {
    /// The facts of `frame`, without TCP analysis.
    pub fn of(frame: &DecodedFrame) -> Self {
        Self::of_analyzed(frame, &[])
    }

    /// The facts of `frame` given its TCP analysis (one entry per TCP layer): like tshark, DNS
    /// carried in a retransmitted TCP segment is not dissected, so it does not count as DNS.
    pub fn of_analyzed(frame: &DecodedFrame, tcp: &[LayerAnalysis]) -> Self {
        let mut f = FrameFacts::default();
        let mut last_tcp_retransmitted = false;
        for layer in &frame.layers {
            match layer {
                Layer::Tcp(t) => {
                    last_tcp_retransmitted = tcp
                        .get(f.tcp_layers as usize)
                        .and_then(|l| l.analysis)
                        .is_some_and(|a| a.flags.reports("retransmission"));
                    f.tcp_layers += 1;
                    f.syn |= t.flags & TH_SYN != 0;
                    f.synack |= t.flags & (TH_SYN | TH_ACK) == (TH_SYN | TH_ACK);
                    f.rst |= t.flags & TH_RST != 0;
                    f.fin |= t.flags & TH_FIN != 0;
                }
                Layer::Arp(_) => f.arp = true,
                Layer::Icmp(i) | Layer::Icmpv6(i) if !i.in_error => f.icmp = true,
                Layer::Dns(d) if d.flavor == DnsFlavor::Dns => {
                    f.dns |= !(d.over_tcp && last_tcp_retransmitted);
                }
                _ => {}
            }
        }
        f
    }
}
