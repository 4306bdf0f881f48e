//! Synthetic UDP exchanges, including DNS-like query/response pairs with a transaction id.

use std::net::Ipv4Addr;

use super::packet::{LogicalPacket, PacketRole, Transport};
use super::tcp_conversation::{Dir, Endpoint, IpIdCounters};

/// A series of datagrams between two endpoints; replies arrive one RTT after the datagram before.
#[derive(Clone, Debug)]
pub struct UdpExchange {
    /// Conversation index recorded on every packet.
    pub id: u32,
    /// Client (sends the first datagram).
    pub client: Endpoint,
    /// Server.
    pub server: Endpoint,
    /// Time of the first datagram.
    pub start_ns: i64,
    /// Round-trip time.
    pub rtt_ns: i64,
    /// TTL of client datagrams.
    pub client_ttl: u8,
    /// TTL of server datagrams.
    pub server_ttl: u8,
    /// Datagrams in order.
    pub datagrams: Vec<(Dir, Vec<u8>)>,
}

impl UdpExchange {
    /// An exchange with RTT 10 ms and TTL 64.
    pub fn new(id: u32, client: Endpoint, server: Endpoint, start_ns: i64) -> Self {
        Self {
            id,
            client,
            server,
            start_ns,
            rtt_ns: 10_000_000,
            client_ttl: 64,
            server_ttl: 64,
            datagrams: Vec::new(),
        }
    }

    /// Appends a datagram.
    pub fn datagram(mut self, dir: Dir, bytes: impl Into<Vec<u8>>) -> Self {
        self.datagrams.push((dir, bytes.into()));
        self
    }

    /// A DNS A-record lookup of `name` answered with `answer`.
    pub fn dns_lookup(
        id: u32,
        client: Endpoint,
        server: Endpoint,
        start_ns: i64,
        txid: u16,
        name: &str,
        answer: Ipv4Addr,
    ) -> Self {
        Self::new(id, client, server, start_ns)
            .datagram(Dir::ToServer, dns_query(txid, name))
            .datagram(Dir::ToClient, dns_response(txid, name, answer))
    }

    /// The datagrams as logical packets.
    pub fn packets(&self, ids: &mut IpIdCounters) -> Vec<LogicalPacket> {
        let mut t = self.start_ns;
        let mut out = Vec::with_capacity(self.datagrams.len());
        let mut prev: Option<Dir> = None;
        for (dir, bytes) in &self.datagrams {
            t += match (prev, dir) {
                (None, _) => 0,
                (Some(Dir::ToServer), Dir::ToClient) => self.rtt_ns,
                _ => 1_000_000,
            };
            prev = Some(*dir);
            let (src, dst, ttl) = match dir {
                Dir::ToServer => (self.client, self.server, self.client_ttl),
                Dir::ToClient => (self.server, self.client, self.server_ttl),
            };
            out.push(LogicalPacket {
                ts_ns: t,
                src: src.ip,
                dst: dst.ip,
                ttl,
                ip_id: ids.next_for(src.ip),
                vlan: None,
                transport: Transport::Udp {
                    src_port: src.port,
                    dst_port: dst.port,
                },
                payload: bytes.clone(),
                conversation: self.id,
                role: PacketRole::Normal,
            });
        }
        out
    }
}

fn push_name(out: &mut Vec<u8>, name: &str) {
    for label in name.split('.').filter(|l| !l.is_empty()) {
        let bytes = label.as_bytes();
        let len = bytes.len().min(63);
        out.push(len as u8);
        out.extend_from_slice(&bytes[..len]);
    }
    out.push(0);
}

/// A DNS query for the A record of `name` (recursion desired).
pub fn dns_query(txid: u16, name: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(32 + name.len());
    v.extend_from_slice(&txid.to_be_bytes());
    v.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    push_name(&mut v, name);
    v.extend_from_slice(&[0, 1, 0, 1]);
    v
}

/// A DNS response answering the A query for `name` with `answer` (TTL 300).
pub fn dns_response(txid: u16, name: &str, answer: Ipv4Addr) -> Vec<u8> {
    let mut v = Vec::with_capacity(48 + name.len());
    v.extend_from_slice(&txid.to_be_bytes());
    v.extend_from_slice(&[0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
    push_name(&mut v, name);
    v.extend_from_slice(&[0, 1, 0, 1]);
    v.extend_from_slice(&[0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4]);
    v.extend_from_slice(&answer.octets());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_lookup_has_matching_txid_and_reply_after_rtt() {
        let c = Endpoint::new("10.0.0.1".parse().unwrap(), 5000);
        let s = Endpoint::new("10.0.0.53".parse().unwrap(), 53);
        let x = UdpExchange::dns_lookup(
            1,
            c,
            s,
            100,
            0xbeef,
            "www.example.com",
            Ipv4Addr::new(1, 2, 3, 4),
        );
        let p = x.packets(&mut IpIdCounters::new(0));
        assert_eq!(p.len(), 2);
        assert_eq!(&p[0].payload[0..2], &[0xbe, 0xef]);
        assert_eq!(&p[1].payload[0..2], &[0xbe, 0xef]);
        assert_eq!(p[1].ts_ns - p[0].ts_ns, x.rtt_ns);
        assert_eq!(&p[0].payload[12..17], b"\x03www\x07");
        assert_eq!(&p[1].payload[p[1].payload.len() - 4..], &[1, 2, 3, 4]);
        assert_eq!(p[1].ports(), (53, 5000));
    }
}
