//! One synthetic TCP connection, from handshake to close, as the client would see it.
//!
//! [`TcpConversation`] turns a list of application messages into [`LogicalPacket`]s: a handshake with
//! MSS / window scale / SACK-permitted / timestamp options, data segmented by the receiver's MSS,
//! ACKs, a FIN or RST close, and optional impairments (spurious retransmission, loss in transit with
//! a later retransmission, a segment missing from every capture, reordering, a zero window, a lost
//! SYN). Timestamps are on the client's side of the path: client-sent packets at their send time,
//! server-sent packets at their arrival; a [`super::CapturePoint`] shifts them for other points.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::packet::{flags, LogicalPacket, PacketRole, TcpOptions, Transport};

/// An IP address and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Endpoint {
    /// Address.
    pub ip: IpAddr,
    /// Port.
    pub port: u16,
}

impl Endpoint {
    /// An endpoint from an address and a port.
    pub fn new(ip: IpAddr, port: u16) -> Self {
        Self { ip, port }
    }
}

/// Per-host IPv4 identification counters: each host increments its own counter per packet sent,
/// starting from a value derived from the seed and the address.
#[derive(Clone, Debug, Default)]
pub struct IpIdCounters {
    seed: u64,
    next: BTreeMap<IpAddr, u16>,
}

impl IpIdCounters {
    /// Counters whose starting values depend on `seed`.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            next: BTreeMap::new(),
        }
    }

    /// Sets the next IP ID `host` will use.
    pub fn set(&mut self, host: IpAddr, next: u16) {
        self.next.insert(host, next);
    }

    /// The IP ID for the next packet sent by `host`.
    pub fn next_for(&mut self, host: IpAddr) -> u16 {
        let seed = self.seed;
        let entry = self.next.entry(host).or_insert_with(|| {
            let mut h = super::rng::XorShift64::new(seed ^ addr_bits(host));
            h.next_u32() as u16
        });
        let id = *entry;
        *entry = entry.wrapping_add(1);
        id
    }
}

fn addr_bits(ip: IpAddr) -> u64 {
    match ip {
        IpAddr::V4(a) => u64::from(u32::from(a)),
        IpAddr::V6(a) => {
            let v = u128::from(a);
            (v as u64) ^ ((v >> 64) as u64)
        }
    }
}

/// Direction of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    /// Client to server.
    ToServer,
    /// Server to client.
    ToClient,
}

/// How the connection ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Close {
    /// FIN from the client, FIN from the server, last ACK.
    Fin,
    /// FIN from the server first (until-close bodies), then the client's FIN and the last ACK.
    ServerFin,
    /// RST from the client.
    RstFromClient,
    /// RST from the server.
    RstFromServer,
    /// No close captured.
    Open,
}

/// A deviation from the clean exchange. `message` and `segment` are 0-based indices into the
/// conversation's messages and the message's segments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impairment {
    /// The segment is sent again (same bytes) after the message (spurious retransmission).
    Retransmit {
        /// Message index.
        message: usize,
        /// Segment index.
        segment: usize,
    },
    /// The segment is lost after the sender's capture point and retransmitted after the message.
    Lose {
        /// Message index.
        message: usize,
        /// Segment index.
        segment: usize,
    },
    /// The segment is missing from every capture and never retransmitted (a gap for followers).
    NotCaptured {
        /// Message index.
        message: usize,
        /// Segment index.
        segment: usize,
    },
    /// The segment is emitted after the following one (out of order).
    Reorder {
        /// Message index.
        message: usize,
        /// Segment index.
        segment: usize,
    },
    /// The receiver of the message advertises a zero window after the first segment, then a
    /// window update 200 ms later.
    ZeroWindow {
        /// Message index.
        message: usize,
    },
    /// The client's first SYN is lost in transit and retransmitted one second later.
    SynLost,
}

/// A synthetic TCP connection. Build with [`TcpConversation::new`], adjust the public fields, add
/// messages with [`TcpConversation::message`], then call [`TcpConversation::packets`].
#[derive(Clone, Debug)]
pub struct TcpConversation {
    /// Conversation index recorded on every packet.
    pub id: u32,
    /// Client (sends the SYN).
    pub client: Endpoint,
    /// Server.
    pub server: Endpoint,
    /// Time of the first packet, ns since the epoch.
    pub start_ns: i64,
    /// Round-trip time.
    pub rtt_ns: i64,
    /// Pause before each message after the first.
    pub think_ns: i64,
    /// Client initial sequence number.
    pub client_isn: u32,
    /// Server initial sequence number.
    pub server_isn: u32,
    /// MSS the client announces (limits server → client segments).
    pub client_mss: u16,
    /// MSS the server announces (limits client → server segments).
    pub server_mss: u16,
    /// Window scale shift offered by both sides (None: option absent).
    pub wscale: Option<u8>,
    /// SACK-permitted option in both SYNs.
    pub sack_perm: bool,
    /// Timestamp options on every segment.
    pub timestamps: bool,
    /// Receive window in bytes (before scaling).
    pub window: u32,
    /// TTL the client sends with.
    pub client_ttl: u8,
    /// TTL the server sends with.
    pub server_ttl: u8,
    /// Emit the three-way handshake (false: the capture starts mid-connection).
    pub handshake: bool,
    /// How the connection ends.
    pub close: Close,
    /// Application messages in order.
    pub messages: Vec<(Dir, Vec<u8>)>,
    /// Deviations from the clean exchange.
    pub impairments: Vec<Impairment>,
}

impl TcpConversation {
    /// A conversation with common defaults: RTT 20 ms, think time 5 ms, MSS 1460, window scale 7,
    /// SACK-permitted and timestamps on, FIN close, ISNs derived from the endpoints.
    pub fn new(id: u32, client: Endpoint, server: Endpoint, start_ns: i64) -> Self {
        let mut rng = super::rng::XorShift64::new(
            addr_bits(client.ip)
                ^ (u64::from(client.port) << 32)
                ^ addr_bits(server.ip)
                ^ u64::from(server.port),
        );
        Self {
            id,
            client,
            server,
            start_ns,
            rtt_ns: 20_000_000,
            think_ns: 5_000_000,
            client_isn: rng.next_u32(),
            server_isn: rng.next_u32(),
            client_mss: 1460,
            server_mss: 1460,
            wscale: Some(7),
            sack_perm: true,
            timestamps: true,
            window: 64_240,
            client_ttl: 64,
            server_ttl: 64,
            handshake: true,
            close: Close::Fin,
            messages: Vec::new(),
            impairments: Vec::new(),
        }
    }

    /// Appends a message.
    pub fn message(mut self, dir: Dir, bytes: impl Into<Vec<u8>>) -> Self {
        self.messages.push((dir, bytes.into()));
        self
    }

    /// Adds an impairment.
    pub fn impair(mut self, imp: Impairment) -> Self {
        self.impairments.push(imp);
        self
    }

    /// The packets of the conversation in emission order (timestamps non-decreasing except where
    /// an impairment reorders them). IP IDs come from `ids`.
    pub fn packets(&self, ids: &mut IpIdCounters) -> Vec<LogicalPacket> {
        let mut b = Builder::new(self, ids);
        b.run();
        b.out
    }
}

/// Mutable state while a conversation is turned into packets.
struct Builder<'a> {
    c: &'a TcpConversation,
    ids: &'a mut IpIdCounters,
    out: Vec<LogicalPacket>,
    t: i64,
    /// Next sequence number to send: [client, server].
    next_seq: [u32; 2],
    /// Last TSval seen from the other side: [client sees server, server sees client].
    last_tsval: [u32; 2],
}

const IDX_CLIENT: usize = 0;
const IDX_SERVER: usize = 1;

impl<'a> Builder<'a> {
    fn new(c: &'a TcpConversation, ids: &'a mut IpIdCounters) -> Self {
        Self {
            c,
            ids,
            out: Vec::new(),
            t: c.start_ns,
            next_seq: [c.client_isn, c.server_isn],
            last_tsval: [0, 0],
        }
    }

    fn half_rtt(&self) -> i64 {
        self.c.rtt_ns / 2
    }

    fn window_field(&self, window: u32, syn: bool) -> u16 {
        let shifted = match (syn, self.c.wscale) {
            (false, Some(ws)) => window >> ws.min(14),
            _ => window,
        };
        u16::try_from(shifted).unwrap_or(u16::MAX)
    }

    /// Emits one segment from `side` (0 client, 1 server).
    #[allow(clippy::too_many_arguments)]
    fn emit(
        &mut self,
        side: usize,
        ts: i64,
        seq: u32,
        f: u8,
        payload: &[u8],
        window: u32,
        role: PacketRole,
    ) {
        let (src, dst, ttl) = if side == IDX_CLIENT {
            (self.c.client, self.c.server, self.c.client_ttl)
        } else {
            (self.c.server, self.c.client, self.c.server_ttl)
        };
        let syn = f & flags::SYN != 0;
        let ack = if f & flags::ACK != 0 {
            self.next_seq[1 - side]
        } else {
            0
        };
        let tsval = (ts / 1_000_000) as u32
            ^ if side == IDX_CLIENT {
                0x1000_0000
            } else {
                0x5000_0000
            };
        let options = TcpOptions {
            mss: if syn {
                Some(if side == IDX_CLIENT {
                    self.c.client_mss
                } else {
                    self.c.server_mss
                })
            } else {
                None
            },
            sack_perm: syn && self.c.sack_perm,
            timestamps: if self.c.timestamps {
                Some((
                    tsval,
                    if f & flags::ACK != 0 {
                        self.last_tsval[1 - side]
                    } else {
                        0
                    },
                ))
            } else {
                None
            },
            wscale: if syn { self.c.wscale } else { None },
        };
        self.last_tsval[side] = tsval;
        let ip_id = self.ids.next_for(src.ip);
        self.out.push(LogicalPacket {
            ts_ns: ts,
            src: src.ip,
            dst: dst.ip,
            ttl,
            ip_id,
            vlan: None,
            transport: Transport::Tcp {
                src_port: src.port,
                dst_port: dst.port,
                seq,
                ack,
                flags: f,
                window: self.window_field(window, syn),
                options,
            },
            payload: payload.to_vec(),
            conversation: self.c.id,
            role,
        });
    }

    fn has(&self, imp: Impairment) -> bool {
        self.c.impairments.contains(&imp)
    }

    fn run(&mut self) {
        let c = self.c;
        let w = c.window;
        if c.handshake {
            let mut t = self.t;
            if self.has(Impairment::SynLost) {
                self.emit(
                    IDX_CLIENT,
                    t,
                    c.client_isn,
                    flags::SYN,
                    &[],
                    w,
                    PacketRole::LostInTransit,
                );
                t += 1_000_000_000;
                self.emit(
                    IDX_CLIENT,
                    t,
                    c.client_isn,
                    flags::SYN,
                    &[],
                    w,
                    PacketRole::Retransmission,
                );
            } else {
                self.emit(
                    IDX_CLIENT,
                    t,
                    c.client_isn,
                    flags::SYN,
                    &[],
                    w,
                    PacketRole::Normal,
                );
            }
            self.next_seq[IDX_CLIENT] = c.client_isn.wrapping_add(1);
            t += c.rtt_ns;
            self.emit(
                IDX_SERVER,
                t,
                c.server_isn,
                flags::SYN | flags::ACK,
                &[],
                w,
                PacketRole::Normal,
            );
            self.next_seq[IDX_SERVER] = c.server_isn.wrapping_add(1);
            t += 40_000;
            self.emit(
                IDX_CLIENT,
                t,
                self.next_seq[IDX_CLIENT],
                flags::ACK,
                &[],
                w,
                PacketRole::Normal,
            );
            self.t = t;
        } else {
            self.next_seq = [c.client_isn.wrapping_add(1), c.server_isn.wrapping_add(1)];
        }
        let mut prev_dir: Option<Dir> = None;
        for (mi, (dir, bytes)) in c.messages.iter().enumerate() {
            // A request goes out after think time; a reply arrives one RTT after the request.
            self.t += match (prev_dir, dir) {
                (None, _) => 30_000,
                (Some(Dir::ToServer), Dir::ToClient) => c.rtt_ns,
                (Some(_), _) => c.think_ns,
            };
            self.send_message(mi, *dir, bytes);
            prev_dir = Some(*dir);
        }
        self.t += c.think_ns.max(1_000);
        self.close();
    }

    fn send_message(&mut self, mi: usize, dir: Dir, bytes: &[u8]) {
        let c = self.c;
        let (side, mss) = match dir {
            Dir::ToServer => (IDX_CLIENT, c.server_mss),
            Dir::ToClient => (IDX_SERVER, c.client_mss),
        };
        let mss = usize::from(mss.max(1));
        let segments: Vec<&[u8]> = bytes.chunks(mss).collect();
        // Planned segments: (segment index, seq, bytes).
        let mut planned: Vec<(usize, u32, &[u8])> = Vec::with_capacity(segments.len());
        let mut seq = self.next_seq[side];
        for (si, s) in segments.iter().enumerate() {
            planned.push((si, seq, s));
            seq = seq.wrapping_add(s.len() as u32);
        }
        let mut order: Vec<usize> = (0..planned.len()).collect();
        for si in 0..planned.len() {
            if self.has(Impairment::Reorder {
                message: mi,
                segment: si,
            }) && si + 1 < planned.len()
            {
                if let (Some(a), Some(b)) = (
                    order.iter().position(|&x| x == si),
                    order.iter().position(|&x| x == si + 1),
                ) {
                    order.swap(a, b);
                }
            }
        }
        let last = planned.len().saturating_sub(1);
        let mut later: Vec<(usize, u32, &[u8], PacketRole)> = Vec::new();
        let mut sent = 0usize;
        for &i in &order {
            let Some(&(si, sseq, data)) = planned.get(i) else {
                continue;
            };
            let f = flags::ACK | if si == last { flags::PSH } else { 0 };
            let role = if self.has(Impairment::Lose {
                message: mi,
                segment: si,
            }) {
                later.push((si, sseq, data, PacketRole::Retransmission));
                PacketRole::LostInTransit
            } else {
                PacketRole::Normal
            };
            if self.has(Impairment::Retransmit {
                message: mi,
                segment: si,
            }) {
                later.push((si, sseq, data, PacketRole::Retransmission));
            }
            self.t += 12_000;
            if !self.has(Impairment::NotCaptured {
                message: mi,
                segment: si,
            }) {
                self.emit(side, self.t, sseq, f, data, c.window, role);
            } else {
                // Count the IP ID the sender used even though no capture saw the packet.
                let src = if side == IDX_CLIENT {
                    c.client.ip
                } else {
                    c.server.ip
                };
                self.ids.next_for(src);
            }
            sent += 1;
            if sent == 1 && self.has(Impairment::ZeroWindow { message: mi }) && planned.len() > 1 {
                self.zero_window(side, seq_after(sseq, data));
            }
            if sent.is_multiple_of(2) && !self.has(Impairment::ZeroWindow { message: mi }) {
                self.ack_from(1 - side, seq_after(sseq, data));
            }
        }
        self.next_seq[side] = seq;
        for (_, sseq, data, role) in later {
            self.t += c.rtt_ns.max(200_000_000);
            let f = flags::ACK | flags::PSH;
            self.emit(side, self.t, sseq, f, data, c.window, role);
        }
        if !bytes.is_empty() {
            self.ack_from(1 - side, seq);
        }
    }

    /// The receiver (`side`'s peer) closes its window after `acked`, then reopens it.
    fn zero_window(&mut self, side: usize, acked: u32) {
        let receiver = 1 - side;
        let saved = self.next_seq[side];
        self.next_seq[side] = acked;
        self.t += self.half_rtt().max(1_000);
        self.emit(
            receiver,
            self.t,
            self.next_seq[receiver],
            flags::ACK,
            &[],
            0,
            PacketRole::Normal,
        );
        self.t += 200_000_000;
        let w = self.c.window;
        self.emit(
            receiver,
            self.t,
            self.next_seq[receiver],
            flags::ACK,
            &[],
            w,
            PacketRole::Normal,
        );
        self.next_seq[side] = saved;
    }

    /// A pure ACK from `side` acknowledging up to `acked`.
    fn ack_from(&mut self, side: usize, acked: u32) {
        let peer = 1 - side;
        let saved = self.next_seq[peer];
        self.next_seq[peer] = acked;
        self.t += 25_000;
        let w = self.c.window;
        self.emit(
            side,
            self.t,
            self.next_seq[side],
            flags::ACK,
            &[],
            w,
            PacketRole::Normal,
        );
        self.next_seq[peer] = saved;
    }

    fn close(&mut self) {
        let c = self.c;
        let w = c.window;
        match c.close {
            Close::Fin | Close::ServerFin => {
                let (first, second) = if c.close == Close::Fin {
                    (IDX_CLIENT, IDX_SERVER)
                } else {
                    (IDX_SERVER, IDX_CLIENT)
                };
                self.emit(
                    first,
                    self.t,
                    self.next_seq[first],
                    flags::FIN | flags::ACK,
                    &[],
                    w,
                    PacketRole::Normal,
                );
                self.next_seq[first] = self.next_seq[first].wrapping_add(1);
                self.t += c.rtt_ns;
                self.emit(
                    second,
                    self.t,
                    self.next_seq[second],
                    flags::FIN | flags::ACK,
                    &[],
                    w,
                    PacketRole::Normal,
                );
                self.next_seq[second] = self.next_seq[second].wrapping_add(1);
                self.t += 30_000;
                self.emit(
                    first,
                    self.t,
                    self.next_seq[first],
                    flags::ACK,
                    &[],
                    w,
                    PacketRole::Normal,
                );
            }
            Close::RstFromClient => {
                self.emit(
                    IDX_CLIENT,
                    self.t,
                    self.next_seq[IDX_CLIENT],
                    flags::RST | flags::ACK,
                    &[],
                    0,
                    PacketRole::Normal,
                );
            }
            Close::RstFromServer => {
                self.emit(
                    IDX_SERVER,
                    self.t,
                    self.next_seq[IDX_SERVER],
                    flags::RST | flags::ACK,
                    &[],
                    0,
                    PacketRole::Normal,
                );
            }
            Close::Open => {}
        }
    }
}

fn seq_after(seq: u32, data: &[u8]) -> u32 {
    seq.wrapping_add(data.len() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(s: &str, p: u16) -> Endpoint {
        Endpoint::new(s.parse().unwrap(), p)
    }

    fn tcp_fields(p: &LogicalPacket) -> (u32, u32, u8) {
        match p.transport {
            Transport::Tcp {
                seq, ack, flags, ..
            } => (seq, ack, flags),
            Transport::Udp { .. } => panic!("udp"),
        }
    }

    #[test]
    fn handshake_data_and_fin_are_consistent() {
        let mut conv =
            TcpConversation::new(3, ep("10.0.0.1", 40000), ep("10.0.0.2", 80), 1_000_000_000)
                .message(Dir::ToServer, vec![b'a'; 3000])
                .message(Dir::ToClient, b"ok".to_vec());
        conv.client_isn = u32::MAX - 10; // wraps inside the data
        conv.server_mss = 1000;
        let mut ids = IpIdCounters::new(1);
        ids.set(conv.client.ip, 100);
        let pkts = conv.packets(&mut ids);
        let syn = &pkts[0];
        assert!(syn.is_syn());
        let Transport::Tcp { options, .. } = &syn.transport else {
            panic!()
        };
        assert_eq!(options.mss, Some(1460));
        assert!(options.sack_perm);
        assert_eq!(options.wscale, Some(7));
        assert!(options.timestamps.is_some());
        assert_eq!(syn.ip_id, 100);
        // Client data: three segments of 1000 bytes, contiguous sequence numbers across the wrap.
        let data: Vec<&LogicalPacket> = pkts
            .iter()
            .filter(|p| p.src == conv.client.ip && !p.payload.is_empty())
            .collect();
        assert_eq!(data.len(), 3);
        let mut expect = conv.client_isn.wrapping_add(1);
        for d in &data {
            assert_eq!(tcp_fields(d).0, expect);
            expect = expect.wrapping_add(d.payload.len() as u32);
        }
        // Client IP IDs increase by one per packet.
        let client_ids: Vec<u16> = pkts
            .iter()
            .filter(|p| p.src == conv.client.ip)
            .map(|p| p.ip_id)
            .collect();
        assert!(client_ids.windows(2).all(|w| w[1] == w[0].wrapping_add(1)));
        // Last packets: FIN from the client, FIN from the server, final ACK acknowledging the FIN.
        let n = pkts.len();
        assert_eq!(tcp_fields(&pkts[n - 3]).2, flags::FIN | flags::ACK);
        assert_eq!(tcp_fields(&pkts[n - 2]).2, flags::FIN | flags::ACK);
        let (_, last_ack, f) = tcp_fields(&pkts[n - 1]);
        assert_eq!(f, flags::ACK);
        assert_eq!(last_ack, tcp_fields(&pkts[n - 2]).0.wrapping_add(1));
        assert!(pkts.windows(2).all(|w| w[0].ts_ns <= w[1].ts_ns));
    }

    #[test]
    fn impairments_change_the_packet_list() {
        let base = TcpConversation::new(1, ep("10.0.0.1", 40000), ep("10.0.0.2", 80), 0)
            .message(Dir::ToServer, vec![1u8; 5000]);
        let clean = base.clone().packets(&mut IpIdCounters::new(1));
        let lost = base
            .clone()
            .impair(Impairment::Lose {
                message: 0,
                segment: 1,
            })
            .impair(Impairment::SynLost)
            .packets(&mut IpIdCounters::new(1));
        assert_eq!(
            lost.iter()
                .filter(|p| p.role == PacketRole::LostInTransit)
                .count(),
            2
        );
        assert_eq!(
            lost.iter()
                .filter(|p| p.role == PacketRole::Retransmission)
                .count(),
            2
        );
        let gap = base
            .clone()
            .impair(Impairment::NotCaptured {
                message: 0,
                segment: 2,
            })
            .packets(&mut IpIdCounters::new(1));
        let payload = |v: &[LogicalPacket]| v.iter().map(|p| p.payload.len()).sum::<usize>();
        assert_eq!(payload(&clean), 5000);
        assert_eq!(payload(&gap), 5000 - 1460);
        let reordered = base
            .clone()
            .impair(Impairment::Reorder {
                message: 0,
                segment: 0,
            })
            .packets(&mut IpIdCounters::new(1));
        let seqs: Vec<u32> = reordered
            .iter()
            .filter(|p| !p.payload.is_empty())
            .map(|p| tcp_fields(p).0)
            .collect();
        assert!(seqs[0] > seqs[1]);
        let zw = base
            .impair(Impairment::ZeroWindow { message: 0 })
            .packets(&mut IpIdCounters::new(1));
        assert!(zw
            .iter()
            .any(|p| matches!(p.transport, Transport::Tcp { window: 0, .. })));
    }
}
