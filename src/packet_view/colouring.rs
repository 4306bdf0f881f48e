//! Wireshark's default colouring rules (`colorfilters` shipped with Wireshark 4.0), as display
//! filters run by [`crate::filter`]: the first rule that matches a frame gives its colours.
//!
//! Differences, because tracematch's filter engine knows fewer protocols: HSRP, STP, OSPF, SCTP,
//! SMB, DCERPC, routing-protocol and checksum rules are left out; `http || tcp.port == 80` is
//! `tcp.port == 80` or a frame whose Protocol column is HTTP; Broadcast (`eth[0] & 1`) is
//! `eth.dst == ff:ff:ff:ff:ff:ff`; the TTL rule drops its `pim`/`ospf`/`vrrp`/`carp` terms.
//! "Bad TCP" needs the TCP analysis of the whole capture, so rows decoded one at a time never
//! match it: the page runs [`BAD_TCP_FILTER`] over the capture and paints those frames itself.

use crate::filter::{Filter, FrameView, Requirement};

/// One colouring rule: a name, a display filter and the colours (CSS hex).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ColourRule {
    /// The rule's name in Wireshark ("TCP SYN/FIN"), also the class the page styles.
    pub name: &'static str,
    /// The display filter.
    pub filter: &'static str,
    /// Foreground colour.
    pub foreground: &'static str,
    /// Background colour.
    pub background: &'static str,
}

/// Wireshark's "Bad TCP" rule filter.
pub const BAD_TCP_FILTER: &str = "tcp.analysis.flags && !tcp.analysis.window_update && \
     !tcp.analysis.keep_alive && !tcp.analysis.keep_alive_ack";

/// The rules in Wireshark's order (colours from its `colorfilters` file, 16-bit → 8-bit).
pub const COLOUR_RULES: [ColourRule; 10] = [
    ColourRule {
        name: "Bad TCP",
        filter: BAD_TCP_FILTER,
        foreground: "#f78787",
        background: "#121212",
    },
    ColourRule {
        name: "ICMP errors",
        filter: "icmp.type in { 3..5, 11 } || icmpv6.type in { 1..4 }",
        foreground: "#b7f774",
        background: "#121212",
    },
    ColourRule {
        name: "ARP",
        filter: "arp",
        foreground: "#12272e",
        background: "#faf0d7",
    },
    ColourRule {
        name: "ICMP",
        filter: "icmp || icmpv6",
        foreground: "#12272e",
        background: "#fce0ff",
    },
    ColourRule {
        name: "TCP RST",
        filter: "tcp.flags.reset eq 1",
        foreground: "#fffc9c",
        background: "#a40000",
    },
    ColourRule {
        name: "TTL low or unexpected",
        filter: "(ip.dst != 224.0.0.0/4 && ip.ttl < 5) || \
                 (ip.dst == 224.0.0.0/24 && ip.dst != 224.0.0.251 && ip.ttl != 1)",
        foreground: "#a40000",
        background: "#ecf0eb",
    },
    ColourRule {
        name: "HTTP",
        filter: "tcp.port == 80",
        foreground: "#12272e",
        background: "#e4ffc7",
    },
    ColourRule {
        name: "TCP SYN/FIN",
        filter: "tcp.flags & 0x02 || tcp.flags.fin == 1",
        foreground: "#12272e",
        background: "#a0a0a0",
    },
    ColourRule {
        name: "TCP",
        filter: "tcp",
        foreground: "#12272e",
        background: "#e7e6ff",
    },
    ColourRule {
        name: "UDP",
        filter: "udp",
        foreground: "#12272e",
        background: "#daeeff",
    },
];

/// The compiled rules that can be decided from one decoded frame (all but Bad TCP), plus
/// Broadcast, which the engine cannot write as Wireshark does.
pub struct Colouring {
    rules: Vec<(ColourRule, Filter)>,
    broadcast: Option<Filter>,
}

/// The Broadcast rule, applied when no other rule matched.
const BROADCAST: ColourRule = ColourRule {
    name: "Broadcast",
    filter: "eth.dst == ff:ff:ff:ff:ff:ff",
    foreground: "#babdb6",
    background: "#ffffff",
};

impl Default for Colouring {
    fn default() -> Self {
        Self::new()
    }
}

impl Colouring {
    /// Compiles the rules (a rule the engine rejects is left out; the tests check none is).
    pub fn new() -> Self {
        let rules = COLOUR_RULES
            .iter()
            .filter_map(|r| Filter::compile(r.filter).ok().map(|f| (*r, f)))
            .filter(|(_, f)| f.requirement() != Requirement::TcpAnalysis)
            .collect();
        let broadcast = Filter::compile(BROADCAST.filter).ok();
        Colouring { rules, broadcast }
    }

    /// The name of the first rule matching `frame`; `protocol` is the frame's Protocol column
    /// (a frame shown as HTTP gets the HTTP rule whatever its port).
    pub fn rule_for(&self, frame: &FrameView, protocol: &str) -> Option<&'static str> {
        for (rule, filter) in &self.rules {
            if filter.matches(frame) || (rule.name == "HTTP" && protocol == "HTTP") {
                return Some(rule.name);
            }
        }
        let broadcast = self.broadcast.as_ref().is_some_and(|f| f.matches(frame));
        broadcast.then_some(BROADCAST.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles() {
        for rule in COLOUR_RULES.iter().chain([&BROADCAST]) {
            if let Err(e) = Filter::compile(rule.filter) {
                panic!("{}: {}", rule.name, e.render(rule.filter));
            }
        }
        // All but Bad TCP are decided per frame.
        assert_eq!(Colouring::new().rules.len(), COLOUR_RULES.len() - 1);
    }
}
