//! A large mixed TCP/UDP capture for the benchmark, written as a stream in constant memory.
//!
//! At most [`MAX_ACTIVE`] flows are open at once; each is a small state machine emitting one packet
//! per step (handshake, request/response turns segmented at 1460 bytes, ACKs, FIN close for TCP;
//! query/response datagrams for UDP). Payload bytes are slices of one seeded pool, so memory use does
//! not depend on the target size.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};

use super::capture_point::{when, CapturePoint, Transform};
use super::packet::{flags, render_frame, LogicalPacket, PacketRole, TcpOptions, Transport};
use super::rng::XorShift64;
use crate::export::{PcapNgWriter, PcapWriter, TsResolution};

/// Flows open at the same time (bounds memory).
pub const MAX_ACTIVE: usize = 256;
const MSS: u32 = 1460;
const POOL: usize = 64 * 1024;

/// What [`bulk`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BulkStats {
    /// Packets written.
    pub packets: u64,
    /// Bytes written (file size).
    pub bytes: u64,
    /// TCP connections started.
    pub tcp_streams: u64,
    /// UDP flows started.
    pub udp_streams: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Syn,
    SynAck,
    Ack,
    Request,
    Response,
    Fin1,
    Fin2,
    LastAck,
    Done,
}

#[derive(Clone, Debug)]
struct Flow {
    tcp: bool,
    client: Ipv4Addr,
    server: Ipv4Addr,
    cport: u16,
    sport: u16,
    phase: Phase,
    cseq: u32,
    sseq: u32,
    ip_id: [u16; 2],
    turns_left: u32,
    left: u32,
    resp_size: u32,
    since_ack: u32,
    ack_due: bool,
}

fn new_flow(index: u64, rng: &mut XorShift64, mean_payload: u64) -> Flow {
    let n = index + 1;
    let client = Ipv4Addr::new(10, (n >> 16) as u8, (n >> 8) as u8, n as u8);
    let server = Ipv4Addr::new(172, 16, (rng.below(4)) as u8, 1 + rng.below(60) as u8);
    let tcp = !rng.chance(1, 5);
    let total = if rng.chance(1, 100) {
        mean_payload * 40
    } else {
        mean_payload / 4 + rng.below(mean_payload)
    };
    let turns = 1 + rng.below(4) as u32;
    let resp_size = u32::try_from(total / u64::from(turns))
        .unwrap_or(u32::MAX)
        .max(1);
    let sport = if tcp {
        [5001u16, 9000, 33000, 44000][rng.below(4) as usize & 3]
    } else {
        [9999u16, 40001, 50002, 60003][rng.below(4) as usize & 3]
    };
    Flow {
        tcp,
        client,
        server,
        cport: 1024 + ((index * 7919) % 60_000) as u16,
        sport,
        phase: if tcp { Phase::Syn } else { Phase::Request },
        cseq: rng.next_u32(),
        sseq: rng.next_u32(),
        ip_id: [rng.next_u32() as u16, rng.next_u32() as u16],
        turns_left: turns,
        left: 60 + rng.below(400) as u32,
        resp_size,
        since_ack: 0,
        ack_due: false,
    }
}

/// Fills `p` with the flow's next packet and advances the flow. Returns false when the flow is done.
fn step(f: &mut Flow, p: &mut LogicalPacket, pool: &[u8], rng: &mut XorShift64) -> bool {
    let mut from_client = true;
    let mut fl = flags::ACK;
    let mut len = 0u32;
    let mut opts = TcpOptions::default();
    match f.phase {
        Phase::Syn => {
            fl = flags::SYN;
            opts = TcpOptions {
                mss: Some(1460),
                sack_perm: true,
                timestamps: None,
                wscale: Some(7),
            };
            f.phase = Phase::SynAck;
        }
        Phase::SynAck => {
            from_client = false;
            fl = flags::SYN | flags::ACK;
            opts = TcpOptions {
                mss: Some(1460),
                sack_perm: true,
                timestamps: None,
                wscale: Some(7),
            };
            f.phase = Phase::Ack;
        }
        Phase::Ack => f.phase = Phase::Request,
        Phase::Request => {
            len = f.left.min(MSS);
            f.left -= len;
            fl |= flags::PSH;
            if f.left == 0 {
                f.phase = Phase::Response;
                f.left = if f.tcp {
                    f.resp_size
                } else {
                    f.resp_size.min(1400)
                };
            }
        }
        Phase::Response => {
            if f.ack_due && f.tcp {
                // The client's delayed ACK for two segments.
                f.ack_due = false;
            } else {
                from_client = false;
                len = f.left.min(MSS);
                f.left -= len;
                f.since_ack += 1;
                if f.tcp && (f.since_ack == 2 || f.left == 0) {
                    f.since_ack = 0;
                    f.ack_due = true;
                }
                if f.left == 0 {
                    fl |= flags::PSH;
                }
            }
            if f.left == 0 && !f.ack_due {
                f.turns_left = f.turns_left.saturating_sub(1);
                if f.turns_left == 0 {
                    f.phase = if f.tcp { Phase::Fin1 } else { Phase::Done };
                } else {
                    f.phase = Phase::Request;
                    f.left = 40 + rng.below(300) as u32;
                }
            }
        }
        Phase::Fin1 => {
            fl |= flags::FIN;
            f.phase = Phase::Fin2;
        }
        Phase::Fin2 => {
            from_client = false;
            fl |= flags::FIN;
            f.phase = Phase::LastAck;
        }
        Phase::LastAck => f.phase = Phase::Done,
        Phase::Done => return false,
    }
    let side = usize::from(!from_client);
    let (src, dst, sp, dp) = if from_client {
        (f.client, f.server, f.cport, f.sport)
    } else {
        (f.server, f.client, f.sport, f.cport)
    };
    p.src = IpAddr::V4(src);
    p.dst = IpAddr::V4(dst);
    p.ttl = if from_client { 64 } else { 57 };
    p.ip_id = f.ip_id[side];
    f.ip_id[side] = f.ip_id[side].wrapping_add(1);
    p.payload.clear();
    let start = rng.below((POOL - MSS as usize) as u64) as usize;
    p.payload
        .extend_from_slice(pool.get(start..start + len as usize).unwrap_or(&[]));
    if f.tcp {
        let (seq, ack) = if from_client {
            (f.cseq, f.sseq)
        } else {
            (f.sseq, f.cseq)
        };
        let ack = if fl & flags::ACK != 0 { ack } else { 0 };
        p.transport = Transport::Tcp {
            src_port: sp,
            dst_port: dp,
            seq,
            ack,
            flags: fl,
            window: 502,
            options: opts,
        };
        let advance = len + u32::from(fl & (flags::SYN | flags::FIN) != 0);
        if from_client {
            f.cseq = f.cseq.wrapping_add(advance);
        } else {
            f.sseq = f.sseq.wrapping_add(advance);
        }
    } else {
        p.transport = Transport::Udp {
            src_port: sp,
            dst_port: dp,
        };
        if p.payload.is_empty() {
            // UDP has no pure ACKs; never reached with the phases above, but stay bounded.
            return f.phase != Phase::Done;
        }
    }
    true
}

/// The container [`bulk_as`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkFormat {
    /// Classic pcap, µs timestamps.
    Pcap,
    /// pcapng: one section, one Ethernet interface (µs), Enhanced Packet Blocks.
    Pcapng,
}

/// The writer behind [`bulk_as`]: either container, with the bytes each record adds to the file.
enum BulkSink<W: Write> {
    Pcap(PcapWriter<W>),
    Pcapng(PcapNgWriter<W>),
}

impl<W: Write> BulkSink<W> {
    /// Opens the container; returns the sink and the bytes of its file header.
    fn open(out: W, format: BulkFormat) -> std::io::Result<(Self, u64)> {
        match format {
            BulkFormat::Pcap => Ok((
                BulkSink::Pcap(PcapWriter::new(out, 1, 262_144, TsResolution::Micro)?),
                24,
            )),
            BulkFormat::Pcapng => {
                let mut w = PcapNgWriter::new(out)?;
                w.add_interface(1, 262_144, false)?;
                // Section Header Block (28) + Interface Description Block without options (20).
                Ok((BulkSink::Pcapng(w), 48))
            }
        }
    }

    /// Writes one packet; returns the bytes it added to the file.
    fn write(&mut self, ts_ns: i64, frame: &[u8], wire_len: u32) -> std::io::Result<u64> {
        let len = frame.len() as u64;
        match self {
            BulkSink::Pcap(w) => w.write_packet(ts_ns, frame, wire_len).map(|_| 16 + len),
            BulkSink::Pcapng(w) => w
                .write_packet(0, ts_ns, frame, wire_len, None)
                .map(|_| 32 + len.div_ceil(4) * 4),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            BulkSink::Pcap(w) => w.into_inner().map(drop),
            BulkSink::Pcapng(w) => w.into_inner().map(drop),
        }
    }
}

/// Writes a classic pcap (Ethernet, µs) of mixed TCP/UDP traffic to `out` until at least
/// `target_bytes` are written and at least `streams` flows were started. Memory use is constant
/// (at most [`MAX_ACTIVE`] open flows and one 64 KiB payload pool). Wrap `out` in a `BufWriter`.
pub fn bulk<W: Write>(
    out: W,
    target_bytes: u64,
    streams: u64,
    seed: u64,
) -> std::io::Result<BulkStats> {
    bulk_as(out, target_bytes, streams, seed, BulkFormat::Pcap)
}

/// [`bulk`] in the chosen container (the same packets either way).
pub fn bulk_as<W: Write>(
    out: W,
    target_bytes: u64,
    streams: u64,
    seed: u64,
    format: BulkFormat,
) -> std::io::Result<BulkStats> {
    let (mut w, header_bytes) = BulkSink::open(out, format)?;
    let mut frame = Vec::with_capacity(2048);
    let stats = generate(target_bytes, streams, seed, header_bytes, &mut |p| {
        write_frame(&mut w, p, &mut frame)
    })?;
    w.finish()?;
    Ok(stats)
}

/// The second capture point of [`bulk_pair`]: a firewall hop away from the first, with its own
/// clock (41.828 s ahead, drifting 30 ppm), TTLs 3 lower, IP IDs rewritten (a counter per source
/// host) and about one packet in 2000 lost before it.
pub fn bulk_second_point() -> CapturePoint {
    CapturePoint::new("far")
        .with(Transform::Drop(when(|p| p.ip_id % 2000 == 7)))
        .with(Transform::TtlDecrement {
            when: when(|_| true),
            by: 3,
        })
        .with(Transform::IpIdRewrite {
            when: when(|_| true),
            seed: 2,
        })
        .with(Transform::Clock {
            offset_ns: 41_828_000_000,
            drift_ppm: 30.0,
            epoch_ns: START_NS,
        })
}

/// The benchmark pair: the traffic of [`bulk`] (same arguments, same bytes in `out_a`) and the
/// same traffic as `point_b` sees it in `out_b` (see [`bulk_second_point`]). `point_b` must keep
/// packet order (a constant or slowly drifting clock does). Memory: that of [`bulk`] plus the
/// point's per-host IP ID counters. Returns the stats of A and of B (B's `bytes` and `packets`
/// count what B got; its stream counts are A's).
pub fn bulk_pair<A: Write, B: Write>(
    out_a: A,
    out_b: B,
    target_bytes: u64,
    streams: u64,
    seed: u64,
    point_b: &mut CapturePoint,
) -> std::io::Result<(BulkStats, BulkStats)> {
    let (mut wa, header_bytes) = BulkSink::open(out_a, BulkFormat::Pcap)?;
    let (mut wb, _) = BulkSink::open(out_b, BulkFormat::Pcap)?;
    let mut frame = Vec::with_capacity(2048);
    let mut b = BulkStats {
        bytes: header_bytes,
        ..BulkStats::default()
    };
    let a = generate(target_bytes, streams, seed, header_bytes, &mut |p| {
        let written = write_frame(&mut wa, p, &mut frame)?;
        if let Some(q) = point_b.observe(p) {
            b.bytes += write_frame(&mut wb, &q, &mut frame)?;
            b.packets += 1;
        }
        Ok(written)
    })?;
    wa.finish()?;
    wb.finish()?;
    b.tcp_streams = a.tcp_streams;
    b.udp_streams = a.udp_streams;
    Ok((a, b))
}

/// Renders `p` and writes it; returns the bytes it added to the file.
fn write_frame<W: Write>(
    w: &mut BulkSink<W>,
    p: &LogicalPacket,
    frame: &mut Vec<u8>,
) -> std::io::Result<u64> {
    render_frame(p, frame).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    let len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
    w.write(p.ts_ns, frame, len)
}

/// First packet time of the generated traffic.
const START_NS: i64 = 1_600_000_000_000_000_000;

/// Generates the traffic, calling `emit` per packet in time order (it returns the bytes it wrote,
/// which count towards `target_bytes`, after the `header_bytes` of the file header).
fn generate(
    target_bytes: u64,
    streams: u64,
    seed: u64,
    header_bytes: u64,
    emit: &mut dyn FnMut(&LogicalPacket) -> std::io::Result<u64>,
) -> std::io::Result<BulkStats> {
    let mut rng = XorShift64::new(seed);
    let pool: Vec<u8> = (0..POOL).map(|_| rng.next_u32() as u8).collect();
    let mut stats = BulkStats {
        bytes: header_bytes,
        ..BulkStats::default()
    };
    let per_stream = (target_bytes / streams.max(1)).max(300);
    // Payload is most of the file; leave room for headers and handshakes.
    let mean_payload = (per_stream / 2).max(100);
    let mut active: Vec<Flow> = Vec::with_capacity(MAX_ACTIVE);
    let mut started = 0u64;
    let mut ts: i64 = START_NS;
    let mut scratch = LogicalPacket {
        ts_ns: 0,
        src: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        dst: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        ttl: 64,
        ip_id: 0,
        vlan: None,
        transport: Transport::Udp {
            src_port: 0,
            dst_port: 0,
        },
        payload: Vec::with_capacity(MSS as usize),
        conversation: 0,
        role: PacketRole::Normal,
    };
    loop {
        let want_more = stats.bytes < target_bytes || started < streams;
        while want_more && active.len() < MAX_ACTIVE {
            let f = new_flow(started, &mut rng, mean_payload);
            if f.tcp {
                stats.tcp_streams += 1;
            } else {
                stats.udp_streams += 1;
            }
            started += 1;
            active.push(f);
        }
        if active.is_empty() {
            break;
        }
        let i = rng.below(active.len() as u64) as usize;
        let Some(flow) = active.get_mut(i) else { break };
        if !step(flow, &mut scratch, &pool, &mut rng) {
            active.swap_remove(i);
            continue;
        }
        ts += 1_000 + rng.below(20_000) as i64;
        scratch.ts_ns = ts;
        stats.bytes += emit(&scratch)?;
        stats.packets += 1;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_is_deterministic_and_reaches_its_targets() {
        let mut a = Vec::new();
        let sa = bulk(&mut a, 2_000_000, 1_000, 42).unwrap();
        let mut b = Vec::new();
        let sb = bulk(&mut b, 2_000_000, 1_000, 42).unwrap();
        assert_eq!(a, b);
        assert_eq!(sa, sb);
        assert!(sa.bytes >= 2_000_000);
        assert_eq!(sa.bytes, a.len() as u64);
        assert!(sa.tcp_streams + sa.udp_streams >= 1_000);
        assert!(sa.udp_streams > 0 && sa.tcp_streams > sa.udp_streams);
        let mut c = Vec::new();
        bulk(&mut c, 2_000_000, 1_000, 43).unwrap();
        assert_ne!(a, c);
    }

    #[test]
    fn bulk_pair_writes_the_same_traffic_and_its_far_view() {
        let mut single = Vec::new();
        bulk(&mut single, 1_000_000, 500, 7).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let (sa, sb) =
            bulk_pair(&mut a, &mut b, 1_000_000, 500, 7, &mut bulk_second_point()).unwrap();
        assert_eq!(a, single, "A is exactly the single-point capture");
        assert_eq!(sa.bytes, a.len() as u64);
        assert_eq!(sb.bytes, b.len() as u64);
        assert!(sb.packets < sa.packets, "some packets are lost before B");
        assert!(
            sb.packets * 1000 > sa.packets * 995,
            "about 1 in 2000 is lost"
        );
    }

    #[test]
    fn pcapng_bulk_reads_back_as_written_and_counts_its_bytes() {
        let mut ng = Vec::new();
        let sn = bulk_as(&mut ng, 1_000_000, 500, 7, BulkFormat::Pcapng).unwrap();
        assert_eq!(sn.bytes, ng.len() as u64);
        assert_eq!(&ng[..4], &[0x0a, 0x0d, 0x0d, 0x0a]);
        let mut ix = crate::pipeline::Indexer::new();
        ix.push(&ng);
        ix.finish();
        let s = ix.summary();
        assert!(s.error.is_none(), "{:?}", s.error);
        assert_eq!(s.frames, sn.packets);
        assert_eq!(u64::from(s.tcp_streams), sn.tcp_streams);
        assert_eq!(u64::from(s.udp_streams), sn.udp_streams);
    }
}
