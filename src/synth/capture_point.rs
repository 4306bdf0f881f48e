//! A capture point: the same logical traffic as seen at one place in the network.
//!
//! A [`CapturePoint`] applies its [`Transform`]s, in the order added, to each [`LogicalPacket`]
//! (each transform sees the previous one's output): NAT/PAT, DNAT, TTL decrement, time shifts
//! (path delay), clock offset and drift, per-endpoint sequence offsets, IP ID rewrite, drops and a
//! VLAN tag. [`CapturePoint::write_pcap`] renders the result in time order.

use std::collections::BTreeMap;
use std::io::Write;
use std::net::IpAddr;
use std::sync::Arc;

use crate::export::{PcapWriter, TsResolution};

use super::packet::{render_frame, LogicalPacket, Transport};
use super::rng::XorShift64;
use super::tcp_conversation::Endpoint;

/// A test on a packet (as transformed so far).
pub type Predicate = Arc<dyn Fn(&LogicalPacket) -> bool + Send + Sync>;

/// Wraps a closure as a [`Predicate`].
pub fn when<F: Fn(&LogicalPacket) -> bool + Send + Sync + 'static>(f: F) -> Predicate {
    Arc::new(f)
}

/// Port address translation state: inside (address, port) pairs get outside ports in first-seen order.
#[derive(Clone, Debug)]
pub struct PatMap {
    inside: IpAddr,
    outside: IpAddr,
    next_port: u16,
    ports: BTreeMap<u16, u16>,
}

impl PatMap {
    /// Maps `inside` to `outside`, giving out ports from `first_port` upwards.
    pub fn new(inside: IpAddr, outside: IpAddr, first_port: u16) -> Self {
        Self {
            inside,
            outside,
            next_port: first_port,
            ports: BTreeMap::new(),
        }
    }

    fn outside_port(&mut self, inside_port: u16) -> u16 {
        if let Some(&p) = self.ports.get(&inside_port) {
            return p;
        }
        let p = self.next_port;
        self.next_port = self.next_port.checked_add(1).unwrap_or(1024);
        self.ports.insert(inside_port, p);
        p
    }
}

/// One change a capture point applies.
#[derive(Clone)]
pub enum Transform {
    /// Source NAT with port translation: the inside address (either direction) becomes the outside
    /// address, its ports outside ports.
    SourceNat(PatMap),
    /// Destination NAT: `public` (either direction) becomes `private`.
    DestinationNat {
        /// Address and port the client uses.
        public: Endpoint,
        /// Address and port the server has.
        private: Endpoint,
    },
    /// Decrement the TTL of matching packets.
    TtlDecrement {
        /// Which packets.
        when: Predicate,
        /// By how much (saturating at 0).
        by: u8,
    },
    /// Add `ns` to the timestamps of matching packets (path delay).
    ShiftTime {
        /// Which packets.
        when: Predicate,
        /// Shift in ns (may be negative).
        ns: i64,
    },
    /// The point's clock: `ts + offset + (ts - epoch) * drift_ppm / 1e6`.
    Clock {
        /// Constant offset in ns.
        offset_ns: i64,
        /// Drift in parts per million.
        drift_ppm: f64,
        /// Instant at which the drift term is zero.
        epoch_ns: i64,
    },
    /// A middlebox adds `offset` to the sequence numbers sent by `endpoint` (and to the ACKs sent to it).
    SeqOffset {
        /// Whose sequence space is shifted.
        endpoint: Endpoint,
        /// Offset added.
        offset: u32,
    },
    /// Rewrite the IP ID of matching packets: per source host, a counter from a seeded start.
    IpIdRewrite {
        /// Which packets.
        when: Predicate,
        /// Seed of the starting values.
        seed: u64,
    },
    /// Drop matching packets (not seen at this point).
    Drop(Predicate),
    /// Tag every packet with this 802.1Q VLAN id.
    Vlan(u16),
}

/// A named place where traffic is captured.
#[derive(Clone)]
pub struct CapturePoint {
    /// Name (for reports).
    pub name: String,
    transforms: Vec<Transform>,
    ip_ids: BTreeMap<IpAddr, u16>,
}

impl CapturePoint {
    /// A point that sees the logical traffic unchanged.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            transforms: Vec::new(),
            ip_ids: BTreeMap::new(),
        }
    }

    /// Adds a transform (applied after those added before).
    pub fn with(mut self, t: Transform) -> Self {
        self.transforms.push(t);
        self
    }

    /// The packet as seen here, or None when dropped.
    pub fn observe(&mut self, p: &LogicalPacket) -> Option<LogicalPacket> {
        let mut p = p.clone();
        let mut ip_ids = std::mem::take(&mut self.ip_ids);
        let mut keep = true;
        for t in &mut self.transforms {
            match t {
                Transform::SourceNat(map) => {
                    let (sp, dp) = p.ports();
                    if p.src == map.inside {
                        let np = map.outside_port(sp);
                        p.src = map.outside;
                        p.set_ports(np, dp);
                    } else if p.dst == map.inside {
                        let np = map.outside_port(dp);
                        p.dst = map.outside;
                        p.set_ports(sp, np);
                    }
                }
                Transform::DestinationNat { public, private } => {
                    let (sp, dp) = p.ports();
                    if p.dst == public.ip && dp == public.port {
                        p.dst = private.ip;
                        p.set_ports(sp, private.port);
                    } else if p.src == public.ip && sp == public.port {
                        p.src = private.ip;
                        p.set_ports(private.port, dp);
                    }
                }
                Transform::TtlDecrement { when, by } => {
                    if when(&p) {
                        p.ttl = p.ttl.saturating_sub(*by);
                    }
                }
                Transform::ShiftTime { when, ns } => {
                    if when(&p) {
                        p.ts_ns = p.ts_ns.saturating_add(*ns);
                    }
                }
                Transform::Clock {
                    offset_ns,
                    drift_ppm,
                    epoch_ns,
                } => {
                    let since = p.ts_ns.saturating_sub(*epoch_ns) as f64;
                    let drift = (since * *drift_ppm / 1e6) as i64;
                    p.ts_ns = p.ts_ns.saturating_add(*offset_ns).saturating_add(drift);
                }
                Transform::SeqOffset { endpoint, offset } => {
                    let (sp, dp) = p.ports();
                    let from = p.src == endpoint.ip && sp == endpoint.port;
                    let to = p.dst == endpoint.ip && dp == endpoint.port;
                    if let Transport::Tcp {
                        seq, ack, flags, ..
                    } = &mut p.transport
                    {
                        if from {
                            *seq = seq.wrapping_add(*offset);
                        } else if to && *flags & super::packet::flags::ACK != 0 {
                            *ack = ack.wrapping_add(*offset);
                        }
                    }
                }
                Transform::IpIdRewrite { when, seed } => {
                    if when(&p) {
                        let s = *seed;
                        let e = ip_ids
                            .entry(p.src)
                            .or_insert_with(|| XorShift64::new(s).next_u32() as u16);
                        p.ip_id = *e;
                        *e = e.wrapping_add(1);
                    }
                }
                Transform::Drop(pred) => {
                    if pred(&p) {
                        keep = false;
                        break;
                    }
                }
                Transform::Vlan(vid) => p.vlan = Some(*vid),
            }
        }
        self.ip_ids = ip_ids;
        keep.then_some(p)
    }

    /// Observes `packets` (in the given order, which drives PAT port allocation), sorts the result
    /// by timestamp (stable) and writes it as a classic Ethernet pcap. Returns the packets written.
    pub fn write_pcap<W: Write>(
        &mut self,
        packets: &[LogicalPacket],
        out: W,
        resolution: TsResolution,
    ) -> std::io::Result<u64> {
        let mut seen: Vec<LogicalPacket> = packets.iter().filter_map(|p| self.observe(p)).collect();
        seen.sort_by_key(|p| p.ts_ns);
        let mut w = PcapWriter::new(out, 1, 262_144, resolution)?;
        let mut buf = Vec::with_capacity(2048);
        for p in &seen {
            render_frame(p, &mut buf)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            let len = u32::try_from(buf.len()).unwrap_or(u32::MAX);
            w.write_packet(p.ts_ns, &buf, len)?;
        }
        let n = w.packets();
        w.into_inner()?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::super::packet::PacketRole;
    use super::super::tcp_conversation::{Dir, IpIdCounters, TcpConversation};
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn nat_clock_seq_ttl_drop_vlan() {
        let client = Endpoint::new(ip("192.168.1.5"), 50000);
        let public = Endpoint::new(ip("198.51.100.1"), 80);
        let private = Endpoint::new(ip("10.9.9.9"), 8080);
        let conv = TcpConversation::new(0, client, public, 1_000_000_000)
            .message(Dir::ToServer, b"GET".to_vec());
        let pkts = conv
            .clone()
            .impair(super::super::tcp_conversation::Impairment::SynLost)
            .packets(&mut IpIdCounters::new(2));
        let mut point = CapturePoint::new("outside")
            .with(Transform::SourceNat(PatMap::new(
                client.ip,
                ip("203.0.113.7"),
                61000,
            )))
            .with(Transform::DestinationNat { public, private })
            .with(Transform::SeqOffset {
                endpoint: Endpoint::new(ip("203.0.113.7"), 61000),
                offset: 1000,
            })
            .with(Transform::TtlDecrement {
                when: when(|p| p.src == ip("203.0.113.7")),
                by: 1,
            })
            .with(Transform::Clock {
                offset_ns: 41_828_000_000,
                drift_ppm: 0.0,
                epoch_ns: 0,
            })
            .with(Transform::Drop(when(|p| {
                p.role == PacketRole::LostInTransit
            })))
            .with(Transform::Vlan(7));
        let seen: Vec<LogicalPacket> = pkts.iter().filter_map(|p| point.observe(p)).collect();
        assert_eq!(seen.len(), pkts.len() - 1);
        let first = &seen[0];
        assert_eq!((first.src, first.dst), (ip("203.0.113.7"), private.ip));
        assert_eq!(first.ports(), (61000, 8080));
        assert_eq!(first.ttl, 63);
        assert_eq!(first.vlan, Some(7));
        assert_eq!(first.ts_ns, pkts[1].ts_ns + 41_828_000_000);
        let Transport::Tcp { seq, .. } = first.transport else {
            panic!()
        };
        assert_eq!(seq, conv.client_isn.wrapping_add(1000));
        // The SYN-ACK's ACK acknowledges the shifted sequence space; its source is the private server.
        let Transport::Tcp { ack, .. } = seen[1].transport else {
            panic!()
        };
        assert_eq!(ack, conv.client_isn.wrapping_add(1001));
        assert_eq!(seen[1].src, private.ip);
        assert_eq!(seen[1].ttl, 64);
    }
}
