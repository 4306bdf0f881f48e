//! Per-stream TCP session details: who is client and server, the state the connection reached,
//! handshake timing, per-direction counters and options, and request/response "packet lots".
//!
//! Fed frame by frame with the pipeline's [`FrameContext`] and the frame's TCP analysis (for
//! retransmission and zero-window counts). Memory: a small record per tracked stream plus one
//! [`PacketLot`] per direction change of data (bounded by the stream's data packets); track a
//! single stream with [`TcpSessionTracker::for_stream`] to keep it to one.
//!
//! JSON shape (`tracematch session FILE STREAM --json`): snake_case names; epoch times are `f64`
//! seconds rounded to 9 decimals (an `f64` cannot hold nanoseconds at today's epoch, so each time
//! also has an exact `*_ns` integer twin); durations and latencies are `f64` seconds.

use std::net::IpAddr;

use serde::Serialize;

use super::analysis_flags::AnalysisFlags;
use super::epoch_seconds::EpochSeconds;
use super::tcp_analysis::LayerAnalysis;
use crate::decode::{Layer, TcpLayer};
use crate::flow::NO_STREAM;
use crate::pipeline::FrameContext;

const TH_FIN: u16 = 0x001;
const TH_SYN: u16 = 0x002;
const TH_RST: u16 = 0x004;
const TH_ACK: u16 = 0x010;

/// Nanoseconds to seconds, rounded to 9 decimals.
fn secs(ns: i64) -> f64 {
    let s = ns as f64 / 1e9;
    (s * 1e9).round() / 1e9
}

/// The state a connection reached (the last one, in this order of progress; RESET wins).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SessionState {
    /// A SYN was seen, nothing answered it.
    SynSent,
    /// A SYN/ACK was seen, the handshake's final ACK not (yet).
    SynReceived,
    /// Handshake completed, or data flowed (mid-stream captures start here).
    Established,
    /// One side sent a FIN.
    FinWait,
    /// Both sides sent a FIN.
    Closed,
    /// A RST was seen.
    Reset,
}

/// An address and port.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Endpoint {
    /// Address as text.
    pub addr: String,
    /// Port.
    pub port: u16,
}

/// Counters and handshake options of one direction.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DirectionStats {
    /// Packets.
    pub packets: u64,
    /// IP bytes (IPv4 total length / IPv6 payload length + 40).
    pub ip_bytes: u64,
    /// TCP bytes (header + payload).
    pub tcp_bytes: u64,
    /// Payload bytes (`tcp.len`).
    pub payload_bytes: u64,
    /// Initial sequence number (from this side's SYN or SYN/ACK).
    pub isn: Option<u32>,
    /// Last acknowledgement number sent (raw).
    pub last_ack: Option<u32>,
    /// Window scale shift from the handshake.
    pub window_scale: Option<u8>,
    /// MSS from the handshake.
    pub mss: Option<u16>,
    /// SACK permitted in the handshake.
    pub sack_permitted: bool,
    /// Retransmissions (plain, fast or spurious, as tshark flags them).
    pub retransmissions: u64,
    /// Zero-window segments.
    pub zero_windows: u64,
}

/// A run of consecutive data packets in one direction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PacketLot {
    /// 1-based lot number within the session.
    pub number: u32,
    /// `client_to_server` or `server_to_client`.
    pub direction: &'static str,
    /// First frame of the lot.
    pub first_frame: u32,
    /// Time of the first packet, epoch seconds (nine decimals, exact).
    pub first_time: EpochSeconds,
    /// Exact time of the first packet, epoch ns.
    pub first_time_ns: i64,
    /// Data packets in the lot.
    pub packets: u64,
    /// Payload bytes.
    pub payload_bytes: u64,
    /// First to last packet, seconds.
    pub duration: f64,
    /// From the previous lot's last packet to this lot's first, seconds (None for the first lot):
    /// server think time when a response follows a request.
    pub gap_since_previous: Option<f64>,
    #[serde(skip)]
    last_ns: i64,
}

/// The details of one TCP session.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TcpSession {
    /// `tcp.stream`.
    pub stream: u32,
    /// The client: the source of the SYN, or of the first packet when no SYN was seen.
    pub client: Endpoint,
    /// The server.
    pub server: Endpoint,
    /// True when no SYN was seen (roles then follow the first packet).
    pub missed_syn: bool,
    /// How the roles were decided: `syn` or `first_packet`.
    pub roles_from: &'static str,
    /// The state reached.
    pub state: SessionState,
    /// Who sent the first FIN (`client` / `server`), if any.
    pub closed_by: Option<&'static str>,
    /// First packet, epoch seconds (nine decimals, exact).
    pub first_packet_time: EpochSeconds,
    /// First packet, epoch ns.
    pub first_packet_time_ns: i64,
    /// The SYN/ACK (connect) time, epoch seconds (nine decimals, exact).
    pub connect_time: Option<EpochSeconds>,
    /// SYN → SYN/ACK, seconds.
    pub syn_to_synack: Option<f64>,
    /// SYN/ACK → the client's first ACK, seconds.
    pub synack_to_ack: Option<f64>,
    /// Last packet, epoch seconds (nine decimals, exact).
    pub last_packet_time: EpochSeconds,
    /// Last packet, epoch ns.
    pub last_packet_time_ns: i64,
    /// First to last packet, seconds.
    pub duration: f64,
    /// Client → server.
    pub client_to_server: DirectionStats,
    /// Server → client.
    pub server_to_client: DirectionStats,
    /// Packet lots in time order.
    pub lots: Vec<PacketLot>,
}

/// Session under construction. Direction 0 is the endpoint first seen as source (A).
#[derive(Clone, Debug)]
struct SessionBuilder {
    endpoints: [(IpAddr, u16); 2],
    /// Which of the two endpoints is the client (index), decided by the first pure SYN.
    client: Option<usize>,
    first_ns: i64,
    last_ns: i64,
    syn_ns: Option<i64>,
    synack_ns: Option<i64>,
    ack_after_synack_ns: Option<i64>,
    fin_from: [bool; 2],
    first_fin: Option<usize>,
    rst: bool,
    saw_synack: bool,
    data_seen: bool,
    dirs: [DirectionStats; 2],
    lots: Vec<(usize, PacketLot)>,
    keep_lots: bool,
}

impl SessionBuilder {
    fn new(t: &TcpLayer, ts: i64, keep_lots: bool) -> Self {
        SessionBuilder {
            endpoints: [(t.src, t.src_port), (t.dst, t.dst_port)],
            client: None,
            first_ns: ts,
            last_ns: ts,
            syn_ns: None,
            synack_ns: None,
            ack_after_synack_ns: None,
            fin_from: [false; 2],
            first_fin: None,
            rst: false,
            saw_synack: false,
            data_seen: false,
            dirs: Default::default(),
            lots: Vec::new(),
            keep_lots,
        }
    }

    fn observe(&mut self, frame: u32, ts: i64, t: &TcpLayer, ip_bytes: u64, flags: AnalysisFlags) {
        let dir = usize::from((t.src, t.src_port) != self.endpoints[0]);
        self.last_ns = ts;
        let f = t.flags;
        let d = &mut self.dirs[dir];
        d.packets += 1;
        d.ip_bytes = d.ip_bytes.saturating_add(ip_bytes);
        d.tcp_bytes = d
            .tcp_bytes
            .saturating_add(u64::from(t.header_len) + u64::from(t.payload_len));
        d.payload_bytes = d.payload_bytes.saturating_add(u64::from(t.payload_len));
        if f & TH_ACK != 0 {
            d.last_ack = Some(t.ack);
        }
        if f & TH_SYN != 0 {
            d.isn.get_or_insert(t.seq);
            d.window_scale = d.window_scale.or(t.options.window_scale);
            d.mss = d.mss.or(t.options.mss);
            d.sack_permitted |= t.options.sack_permitted;
        }
        if flags.reports("retransmission") {
            d.retransmissions += 1;
        }
        if flags.contains(AnalysisFlags::ZERO_WINDOW) {
            d.zero_windows += 1;
        }
        match f & (TH_SYN | TH_ACK) {
            TH_SYN => {
                self.client.get_or_insert(dir);
                self.syn_ns.get_or_insert(ts);
            }
            x if x == TH_SYN | TH_ACK => {
                self.client.get_or_insert(1 - dir);
                self.saw_synack = true;
                self.synack_ns.get_or_insert(ts);
            }
            TH_ACK
                if self.saw_synack
                    && self.ack_after_synack_ns.is_none()
                    && Some(dir) == self.client =>
            {
                self.ack_after_synack_ns = Some(ts);
            }
            _ => {}
        }
        if f & TH_FIN != 0 {
            self.fin_from[dir] = true;
            self.first_fin.get_or_insert(dir);
        }
        if f & TH_RST != 0 {
            self.rst = true;
        }
        if t.payload_len > 0 {
            self.data_seen = true;
            if self.keep_lots {
                self.add_to_lot(dir, frame, ts, t.payload_len);
            }
        }
    }

    fn add_to_lot(&mut self, dir: usize, frame: u32, ts: i64, payload: u32) {
        if let Some((d, lot)) = self.lots.last_mut() {
            if *d == dir {
                lot.packets += 1;
                lot.payload_bytes = lot.payload_bytes.saturating_add(u64::from(payload));
                lot.last_ns = ts;
                lot.duration = secs(ts.saturating_sub(lot.first_time_ns));
                return;
            }
        }
        let gap = self
            .lots
            .last()
            .map(|(_, prev)| secs(ts.saturating_sub(prev.last_ns)));
        let number = self.lots.len() as u32 + 1;
        self.lots.push((
            dir,
            PacketLot {
                number,
                direction: "",
                first_frame: frame,
                first_time: EpochSeconds(ts),
                first_time_ns: ts,
                packets: 1,
                payload_bytes: u64::from(payload),
                duration: 0.0,
                gap_since_previous: gap,
                last_ns: ts,
            },
        ));
    }

    fn state(&self) -> SessionState {
        if self.rst {
            SessionState::Reset
        } else if self.fin_from[0] && self.fin_from[1] {
            SessionState::Closed
        } else if self.fin_from[0] || self.fin_from[1] {
            SessionState::FinWait
        } else if self.ack_after_synack_ns.is_some() || (self.syn_ns.is_none() && self.data_seen) {
            SessionState::Established
        } else if self.saw_synack {
            SessionState::SynReceived
        } else if self.syn_ns.is_some() {
            SessionState::SynSent
        } else {
            SessionState::Established
        }
    }

    fn finish(&self, stream: u32) -> TcpSession {
        let client = self.client.unwrap_or(0);
        let server = 1 - client;
        let ep = |i: usize| Endpoint {
            addr: self.endpoints[i].0.to_string(),
            port: self.endpoints[i].1,
        };
        let role = |dir: usize| {
            if dir == client {
                "client_to_server"
            } else {
                "server_to_client"
            }
        };
        let missed_syn = self.syn_ns.is_none();
        TcpSession {
            stream,
            client: ep(client),
            server: ep(server),
            missed_syn,
            roles_from: if self.client.is_some() {
                "syn"
            } else {
                "first_packet"
            },
            state: self.state(),
            closed_by: self
                .first_fin
                .map(|d| if d == client { "client" } else { "server" }),
            first_packet_time: EpochSeconds(self.first_ns),
            first_packet_time_ns: self.first_ns,
            connect_time: self.synack_ns.map(EpochSeconds),
            syn_to_synack: self
                .syn_ns
                .zip(self.synack_ns)
                .map(|(s, sa)| secs(sa.saturating_sub(s))),
            synack_to_ack: self
                .synack_ns
                .zip(self.ack_after_synack_ns)
                .map(|(sa, a)| secs(a.saturating_sub(sa))),
            last_packet_time: EpochSeconds(self.last_ns),
            last_packet_time_ns: self.last_ns,
            duration: secs(self.last_ns.saturating_sub(self.first_ns)),
            client_to_server: self.dirs[client].clone(),
            server_to_client: self.dirs[server].clone(),
            lots: self
                .lots
                .iter()
                .map(|(d, lot)| PacketLot {
                    direction: role(*d),
                    ..lot.clone()
                })
                .collect(),
        }
    }
}

/// Builds [`TcpSession`]s from the frames of a capture.
#[derive(Default)]
pub struct TcpSessionTracker {
    only: Option<u32>,
    keep_lots: bool,
    sessions: std::collections::BTreeMap<u32, SessionBuilder>,
}

impl TcpSessionTracker {
    /// Tracks every stream, with packet lots.
    pub fn new() -> Self {
        TcpSessionTracker {
            only: None,
            keep_lots: true,
            sessions: std::collections::BTreeMap::new(),
        }
    }

    /// Tracks every stream without packet lots (constant memory per stream).
    pub fn without_lots() -> Self {
        TcpSessionTracker {
            keep_lots: false,
            ..Self::new()
        }
    }

    /// Tracks only `stream`, with packet lots.
    pub fn for_stream(stream: u32) -> Self {
        TcpSessionTracker {
            only: Some(stream),
            ..Self::new()
        }
    }

    /// Counts one frame. `tcp` is the frame's TCP analysis from
    /// [`super::TcpAnalyzer::analyze_frame`] (one entry per TCP layer; may be empty, then no
    /// retransmission / zero-window counts). TCP headers quoted in ICMP errors are skipped.
    pub fn observe(&mut self, ctx: &FrameContext, tcp: &[LayerAnalysis]) {
        let mut ip_bytes = 0u64;
        let mut tcp_index = 0usize;
        for layer in &ctx.frame.layers {
            match layer {
                Layer::Ipv4(ip) => ip_bytes = u64::from(ip.total_len),
                Layer::Ipv6(ip) => ip_bytes = u64::from(ip.payload_len) + 40,
                Layer::Tcp(t) => {
                    let i = tcp_index;
                    tcp_index += 1;
                    let Some(&stream) = ctx.streams.tcp.get(i) else {
                        continue;
                    };
                    if t.in_error || stream == NO_STREAM || self.only.is_some_and(|s| s != stream) {
                        continue;
                    }
                    let flags = tcp
                        .get(i)
                        .and_then(|l| l.analysis)
                        .map(|a| a.flags)
                        .unwrap_or_default();
                    let keep_lots = self.keep_lots;
                    self.sessions
                        .entry(stream)
                        .or_insert_with(|| SessionBuilder::new(t, ctx.meta.ts_ns, keep_lots))
                        .observe(ctx.meta.number, ctx.meta.ts_ns, t, ip_bytes, flags);
                }
                _ => {}
            }
        }
    }

    /// The session of `stream`, if it was seen (and tracked).
    pub fn session(&self, stream: u32) -> Option<TcpSession> {
        self.sessions.get(&stream).map(|b| b.finish(stream))
    }

    /// Every tracked session, by stream number.
    pub fn sessions(&self) -> Vec<TcpSession> {
        self.sessions.iter().map(|(&i, b)| b.finish(i)).collect()
    }
}

impl TcpSession {
    /// Writes the session as readable text (the non-JSON form of `tracematch session`): one
    /// `name: value` line per fact, one line per direction, then the packet lots as a table.
    pub fn write_text<W: std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        let opt = |v: Option<f64>| v.map_or("-".to_string(), |s| format!("{s:.9}"));
        writeln!(out, "stream: {}", self.stream)?;
        writeln!(
            out,
            "client: {}:{}{}",
            self.client.addr,
            self.client.port,
            if self.missed_syn {
                " (no SYN seen: roles from the first packet)"
            } else {
                ""
            }
        )?;
        writeln!(out, "server: {}:{}", self.server.addr, self.server.port)?;
        let state = serde_json::to_value(self.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        writeln!(
            out,
            "state: {state}{}",
            self.closed_by
                .map(|c| format!(" (first FIN from {c})"))
                .unwrap_or_default()
        )?;
        writeln!(out, "first_packet: {}", self.first_packet_time)?;
        writeln!(
            out,
            "connect_time: {}",
            self.connect_time
                .map_or_else(|| "-".to_string(), |t| t.to_string())
        )?;
        writeln!(out, "syn_to_synack: {}", opt(self.syn_to_synack))?;
        writeln!(out, "synack_to_ack: {}", opt(self.synack_to_ack))?;
        writeln!(out, "last_packet: {}", self.last_packet_time)?;
        writeln!(out, "duration: {:.9}", self.duration)?;
        for (name, d) in [
            ("client_to_server", &self.client_to_server),
            ("server_to_client", &self.server_to_client),
        ] {
            let o = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
            writeln!(
                out,
                "{name}: packets={} ip_bytes={} tcp_bytes={} payload_bytes={} isn={} last_ack={} wscale={} mss={} sack_perm={} retransmissions={} zero_windows={}",
                d.packets,
                d.ip_bytes,
                d.tcp_bytes,
                d.payload_bytes,
                o(d.isn.map(|v| v.to_string())),
                o(d.last_ack.map(|v| v.to_string())),
                o(d.window_scale.map(|v| v.to_string())),
                o(d.mss.map(|v| v.to_string())),
                d.sack_permitted,
                d.retransmissions,
                d.zero_windows
            )?;
        }
        writeln!(
            out,
            "lots: {}\nlot\tdirection\tfirst_frame\tfirst_time\tpackets\tpayload_bytes\tduration\tgap",
            self.lots.len()
        )?;
        for l in &self.lots {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{:.9}\t{}",
                l.number,
                l.direction,
                l.first_frame,
                l.first_time,
                l.packets,
                l.payload_bytes,
                l.duration,
                opt(l.gap_since_previous)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::TcpOptionsSummary;
    use std::net::Ipv4Addr;

    fn seg(from_client: bool, flags: u16, seq: u32, ack: u32, len: u32) -> TcpLayer {
        let c = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let s = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        let (src, dst, sp, dp) = if from_client {
            (c, s, 40000, 80)
        } else {
            (s, c, 80, 40000)
        };
        TcpLayer {
            src,
            dst,
            src_port: sp,
            dst_port: dp,
            seq,
            ack,
            flags,
            window: 1000,
            header_len: 20,
            payload_len: len,
            payload_offset: 0,
            payload_captured: 0,
            options: TcpOptionsSummary {
                mss: (flags & TH_SYN != 0).then_some(1460),
                window_scale: (flags & TH_SYN != 0).then_some(7),
                sack_permitted: flags & TH_SYN != 0,
                ..TcpOptionsSummary::default()
            },
            in_error: false,
        }
    }

    fn build(segs: &[(bool, u16, u32, u32, u32, i64)]) -> TcpSession {
        let (first_from_client, ..) = segs[0];
        let s0 = seg(first_from_client, 0, 0, 0, 0);
        let mut b = SessionBuilder::new(&s0, segs[0].5, true);
        for (i, &(c, f, seq, ack, len, ts)) in segs.iter().enumerate() {
            b.observe(
                i as u32 + 1,
                ts,
                &seg(c, f, seq, ack, len),
                40 + u64::from(len),
                AnalysisFlags::empty(),
            );
        }
        b.finish(0)
    }

    const MS: i64 = 1_000_000;

    #[test]
    fn handshake_request_response_close() {
        let s = build(&[
            (true, TH_SYN, 100, 0, 0, 0),
            (false, TH_SYN | TH_ACK, 900, 101, 0, 10 * MS),
            (true, TH_ACK, 101, 901, 0, 12 * MS),
            (true, TH_ACK | 0x008, 101, 901, 300, 13 * MS),
            (false, TH_ACK, 901, 401, 0, 20 * MS),
            (false, TH_ACK, 901, 401, 1000, 120 * MS),
            (false, TH_ACK | 0x008, 1901, 401, 500, 121 * MS),
            (true, TH_FIN | TH_ACK, 401, 2401, 0, 130 * MS),
            (false, TH_FIN | TH_ACK, 2401, 402, 0, 131 * MS),
        ]);
        assert_eq!(s.client.port, 40000);
        assert!(!s.missed_syn);
        assert_eq!(s.roles_from, "syn");
        assert_eq!(s.state, SessionState::Closed);
        assert_eq!(s.closed_by, Some("client"));
        assert_eq!(s.syn_to_synack, Some(0.01));
        assert_eq!(s.synack_to_ack, Some(0.002));
        assert_eq!(s.duration, 0.131);
        assert_eq!(s.client_to_server.packets, 4);
        assert_eq!(s.client_to_server.payload_bytes, 300);
        assert_eq!(s.client_to_server.isn, Some(100));
        assert_eq!(s.server_to_client.isn, Some(900));
        assert_eq!(s.server_to_client.mss, Some(1460));
        assert_eq!(s.server_to_client.last_ack, Some(402));
        assert_eq!(s.lots.len(), 2);
        assert_eq!(s.lots[0].direction, "client_to_server");
        assert_eq!((s.lots[1].packets, s.lots[1].payload_bytes), (2, 1500));
        assert_eq!(s.lots[1].gap_since_previous, Some(0.107));
        assert_eq!(s.lots[1].duration, 0.001);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["state"], "CLOSED");
        assert_eq!(json["lots"][1]["gap_since_previous"], 0.107);
        assert_eq!(json["client_to_server"]["sack_permitted"], true);
        let mut text = Vec::new();
        s.write_text(&mut text).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("state: CLOSED (first FIN from client)"));
        assert!(text.contains("lots: 2"));
    }

    #[test]
    fn mid_stream_capture_has_no_syn_and_reset_wins() {
        let s = build(&[
            (false, TH_ACK, 5000, 77, 100, 0),
            (true, TH_ACK, 77, 5100, 0, MS),
            (true, TH_RST, 77, 0, 0, 2 * MS),
        ]);
        assert!(s.missed_syn);
        assert_eq!(s.roles_from, "first_packet");
        // The first packet's source is taken as client when no SYN says otherwise.
        assert_eq!(s.client.port, 80);
        assert_eq!(s.state, SessionState::Reset);
        assert_eq!(s.connect_time, None);
    }

    #[test]
    fn unanswered_syn_and_half_open_states() {
        assert_eq!(
            build(&[(true, TH_SYN, 1, 0, 0, 0)]).state,
            SessionState::SynSent
        );
        let s = build(&[
            (true, TH_SYN, 1, 0, 0, 0),
            (false, TH_SYN | TH_ACK, 9, 2, 0, MS),
        ]);
        assert_eq!(s.state, SessionState::SynReceived);
        assert_eq!(s.client.port, 40000);
        // A SYN/ACK alone still tells who the client is.
        let s = build(&[(false, TH_SYN | TH_ACK, 9, 2, 0, 0)]);
        assert_eq!(s.client.port, 40000);
        assert!(s.missed_syn);
    }
}
