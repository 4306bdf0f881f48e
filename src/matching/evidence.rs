//! What links one stream of capture A to one stream of capture B: the evidence each matcher adds,
//! the method names it maps to, and the score and confidence derived from it.
//!
//! Scores are sums of fixed weights divided by how common the shared key is in capture B (a key
//! found in many streams says little), so every match can be explained by listing its evidence.

use serde::Serialize;

/// Bit set of the method names of the issue (`tuple`, `isn`, `ipid_seq`, `nat`, `seq_offset`,
/// `content`, `timing`, `udp_id`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Methods(pub u16);

impl Methods {
    /// Same 5-tuple (either orientation).
    pub const TUPLE: Methods = Methods(1);
    /// Same ISN (SYN or SYN-ACK raw sequence number, after any sequence offset).
    pub const ISN: Methods = Methods(2);
    /// Packets with the same IP ID, length and payload.
    pub const IPID_SEQ: Methods = Methods(4);
    /// Addresses/ports translated.
    pub const NAT: Methods = Methods(8);
    /// Sequence numbers shifted by a constant per direction.
    pub const SEQ_OFFSET: Methods = Methods(16);
    /// Application content (HTTP request, TLS hello, first bytes).
    pub const CONTENT: Methods = Methods(32);
    /// Turn pattern and timing.
    pub const TIMING: Methods = Methods(64);
    /// UDP identifiers (IP ID, DNS id + question, DHCP xid, QUIC connection ids).
    pub const UDP_ID: Methods = Methods(128);

    const NAMES: [(Methods, &'static str); 8] = [
        (Methods::TUPLE, "tuple"),
        (Methods::ISN, "isn"),
        (Methods::IPID_SEQ, "ipid_seq"),
        (Methods::NAT, "nat"),
        (Methods::SEQ_OFFSET, "seq_offset"),
        (Methods::CONTENT, "content"),
        (Methods::TIMING, "timing"),
        (Methods::UDP_ID, "udp_id"),
    ];

    /// Adds `other`'s bits.
    pub fn insert(&mut self, other: Methods) {
        self.0 |= other.0;
    }

    /// True when all of `other`'s bits are set.
    pub fn contains(self, other: Methods) -> bool {
        self.0 & other.0 == other.0
    }

    /// Names joined with `+` in the issue's order, e.g. `tuple+isn`.
    pub fn joined(self) -> String {
        let names: Vec<&str> = Self::NAMES
            .iter()
            .filter(|(m, _)| self.contains(*m))
            .map(|(_, n)| *n)
            .collect();
        names.join("+")
    }
}

/// Evidence gathered for one candidate pair (A stream index, B stream index).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evidence {
    /// Same 5-tuple.
    pub tuple: bool,
    /// Same client SYN ISN.
    pub syn_isn: bool,
    /// Same server SYN-ACK ISN.
    pub synack_isn: bool,
    /// Weighted count of packets with equal (direction, IP ID, length, payload, flags).
    pub ipid: f64,
    /// Raw count of such packets.
    pub ipid_packets: u32,
    /// Weighted count of equal (direction, length, payload hash) keys, length > 0.
    pub payload: f64,
    /// Raw count of such keys.
    pub payload_keys: u32,
    /// Weighted: the first ≤ 64 bytes of the client's data are equal.
    pub head_c2s: f64,
    /// Weighted: the first ≤ 64 bytes of the server's data are equal.
    pub head_s2c: f64,
    /// Weighted: HTTP request heads (line + Host) shared.
    pub requests: f64,
    /// Number of HTTP request heads shared.
    pub request_count: u32,
    /// Shared requests found in no other B stream.
    pub unique_requests: u32,
    /// Shared requests whose body bytes (in the head's segment) are equal too.
    pub bodies: u32,
    /// B's request carries an X-Forwarded-For naming A's client address.
    pub forwarded_for: bool,
    /// Same TLS ClientHello random.
    pub client_random: bool,
    /// Same TLS ServerHello random.
    pub server_random: bool,
    /// Same DNS id + question.
    pub dns: bool,
    /// Same DHCP xid.
    pub dhcp: bool,
    /// QUIC connection ids both streams carry.
    pub quic_cids: u32,
    /// Same turn pattern and close start (set by the timing matcher).
    pub timing: bool,
}

impl Evidence {
    /// The score: weights chosen so that one 32-bit random identifier (ISN, TLS random) alone is
    /// decisive (100), a shared tuple alone is weak (15), and packet/payload agreement grows with
    /// the number of packets but saturates.
    pub fn score(&self) -> f64 {
        let mut s = 0.0;
        if self.tuple {
            s += 15.0;
        }
        if self.syn_isn {
            s += 100.0;
        }
        if self.synack_isn {
            s += 100.0;
        }
        s += 6.0 * self.ipid.min(20.0);
        s += 4.0 * self.payload.min(25.0);
        s += 40.0 * self.head_c2s.min(1.0) + 30.0 * self.head_s2c.min(1.0);
        s += 60.0 * self.requests.min(3.0);
        s += 10.0 * f64::from(self.bodies.min(3));
        if self.forwarded_for {
            s += 20.0;
        }
        if self.client_random {
            s += 100.0;
        }
        if self.server_random {
            s += 100.0;
        }
        if self.dns {
            s += 60.0;
        }
        if self.dhcp {
            s += 60.0;
        }
        if self.quic_cids > 0 {
            // Connection ids are chosen at random (usually 8 bytes or more): decisive, like an
            // ISN.
            s += 100.0;
        }
        if self.timing {
            s += 30.0;
        }
        s
    }

    /// Content evidence (application fields) present.
    pub fn has_content(&self) -> bool {
        self.head_c2s > 0.0
            || self.head_s2c > 0.0
            || self.request_count > 0
            || self.client_random
            || self.server_random
    }

    /// Short human-readable list of the evidence, for the `evidence` field of a match.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.tuple {
            out.push("same 5-tuple".to_string());
        }
        if self.syn_isn {
            out.push("same SYN ISN".to_string());
        }
        if self.synack_isn {
            out.push("same SYN-ACK ISN".to_string());
        }
        if self.ipid_packets > 0 {
            out.push(format!(
                "{} packets with equal IP ID+length+payload",
                self.ipid_packets
            ));
        }
        if self.payload_keys > 0 {
            out.push(format!("{} equal payload hashes", self.payload_keys));
        }
        if self.head_c2s > 0.0 {
            out.push("equal first client bytes".to_string());
        }
        if self.head_s2c > 0.0 {
            out.push("equal first server bytes".to_string());
        }
        if self.request_count > 0 {
            out.push(format!(
                "{} equal HTTP request line+Host",
                self.request_count
            ));
        }
        if self.bodies > 0 {
            out.push(format!("{} equal request bodies", self.bodies));
        }
        if self.forwarded_for {
            out.push("X-Forwarded-For names A's client".to_string());
        }
        if self.client_random {
            out.push("same TLS ClientHello random".to_string());
        }
        if self.server_random {
            out.push("same TLS ServerHello random".to_string());
        }
        if self.dns {
            out.push("same DNS id+question".to_string());
        }
        if self.dhcp {
            out.push("same DHCP xid".to_string());
        }
        if self.quic_cids > 0 {
            out.push(format!("{} shared QUIC connection ids", self.quic_cids));
        }
        if self.timing {
            out.push("same turn pattern at the same time".to_string());
        }
        out
    }
}

/// Confidence in 0..1 from a score: 1 − e^(−score/40), rounded to 3 decimals.
pub fn confidence(score: f64) -> f64 {
    let c = 1.0 - (-score.max(0.0) / 40.0).exp();
    (c * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_join_in_issue_order() {
        let mut m = Methods::default();
        m.insert(Methods::ISN);
        m.insert(Methods::TUPLE);
        assert_eq!(m.joined(), "tuple+isn");
        m.insert(Methods::UDP_ID);
        assert!(m.contains(Methods::ISN));
        assert_eq!(m.joined(), "tuple+isn+udp_id");
        assert_eq!(Methods::default().joined(), "");
    }

    #[test]
    fn score_orders_evidence() {
        let tuple_only = Evidence {
            tuple: true,
            ..Default::default()
        };
        let isn = Evidence {
            syn_isn: true,
            ..Default::default()
        };
        assert!(isn.score() > tuple_only.score());
        assert!(confidence(isn.score()) > 0.9);
        assert!(confidence(tuple_only.score()) < 0.5);
        assert_eq!(confidence(0.0), 0.0);
    }
}
