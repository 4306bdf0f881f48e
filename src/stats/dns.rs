//! DNS transactions: each query with its response (frame, rcode, answer count, latency), or
//! unanswered; retransmitted queries and responses are marked as tshark marks them.
//!
//! Matching follows tshark 4.0's DNS dissector: per transport conversation (`udp.stream` /
//! `tcp.stream`) the latest transaction with the same id is looked up; a query repeats (is a
//! retransmission of) a pending one if it comes less than [`RETRANSMISSION_TIMER_NS`] after it; a
//! response completes the transaction, and a second response is a retransmission. Only port-53 DNS
//! counts (mDNS and LLMNR are other protocols to tshark). Memory: one record per query.

use serde::Serialize;

use rustc_hash::FxHashMap;

use crate::decode::{DnsFlavor, Layer};
use crate::flow::NO_STREAM;
use crate::pipeline::FrameContext;
use crate::session::LayerAnalysis;

/// A repeated query within this time of the pending one is a retransmission (tshark's default
/// "retransmission timer", 5 s).
pub const RETRANSMISSION_TIMER_NS: i64 = 5_000_000_000;
/// Longest name kept (DNS names are at most 255 bytes on the wire).
const MAX_NAME: usize = 255;
/// Compression pointers followed at most.
const MAX_POINTERS: usize = 64;

/// One DNS transaction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DnsTransaction {
    /// Frame of the (first) query.
    pub query_frame: u32,
    /// Query time, epoch ns.
    pub query_time_ns: i64,
    /// Transaction id.
    pub id: u16,
    /// The first question's name (`dns.qry.name`), when it could be read.
    pub name: Option<String>,
    /// The first question's type (`dns.qry.type`).
    pub qtype: Option<u16>,
    /// `udp` or `tcp`.
    pub transport: &'static str,
    /// Client address (query source).
    pub client: String,
    /// Server address.
    pub server: String,
    /// Repeats of the query counted as retransmissions.
    pub query_retransmissions: u32,
    /// Frame of the response (`dns.response_in`).
    pub response_frame: Option<u32>,
    /// Response code.
    pub rcode: Option<u8>,
    /// Answer records in the response.
    pub answers: Option<u16>,
    /// Query → response, seconds (`dns.time`).
    pub latency: Option<f64>,
    /// Exact latency in ns.
    pub latency_ns: Option<i64>,
    /// Repeated responses.
    pub response_retransmissions: u32,
}

/// What tshark shows on one DNS frame about its transaction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DnsFrameLink {
    /// For a query: the response frame (`dns.response_in`).
    pub response_in: Option<u32>,
    /// For a response: the query frame (`dns.response_to`).
    pub response_to: Option<u32>,
    /// For a response: query → response time, ns (`dns.time`).
    pub time_ns: Option<i64>,
    /// `dns.retransmission`.
    pub retransmission: bool,
}

/// The DNS transactions of one capture.
#[derive(Default)]
pub struct DnsStats {
    /// (transport is tcp, stream, id) → index of the latest transaction.
    latest: FxHashMap<(bool, u32, u16), usize>,
    transactions: Vec<DnsTransaction>,
    /// Per DNS frame: (frame, transaction index, is response, retransmission, time).
    frames: Vec<(u32, usize, bool, bool, i64)>,
}

impl DnsStats {
    /// Empty statistics.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads the DNS messages of one frame. `tcp` is the frame's TCP analysis (may be empty): DNS in
    /// a retransmitted TCP segment is skipped, as tshark does not dissect it.
    pub fn observe(&mut self, ctx: &FrameContext, tcp: &[LayerAnalysis]) {
        let mut bytes: &[u8] = ctx.data;
        let mut transport: Option<(bool, u32)> = None;
        let (mut tcp_i, mut udp_i) = (0usize, 0usize);
        let mut addrs: Option<(String, String)> = None;
        for layer in &ctx.frame.layers {
            match layer {
                Layer::Ipv4(ip) => {
                    if ip.reassembled {
                        bytes = ctx.reassembled.unwrap_or(&[]);
                    }
                    addrs = Some((
                        std::net::IpAddr::from(ip.src).to_string(),
                        std::net::IpAddr::from(ip.dst).to_string(),
                    ));
                }
                Layer::Ipv6(ip) => {
                    if ip.reassembled {
                        bytes = ctx.reassembled.unwrap_or(&[]);
                    }
                    addrs = Some((
                        std::net::IpAddr::from(ip.src).to_string(),
                        std::net::IpAddr::from(ip.dst).to_string(),
                    ));
                }
                Layer::Tcp(_) => {
                    let retransmitted = tcp
                        .get(tcp_i)
                        .and_then(|l| l.analysis)
                        .is_some_and(|a| a.flags.reports("retransmission"));
                    transport = ctx
                        .streams
                        .tcp
                        .get(tcp_i)
                        .filter(|_| !retransmitted)
                        .map(|&s| (true, s));
                    tcp_i += 1;
                }
                Layer::Udp(_) => {
                    transport = ctx.streams.udp.get(udp_i).map(|&s| (false, s));
                    udp_i += 1;
                }
                Layer::Dns(d) if d.flavor == DnsFlavor::Dns => {
                    let Some((is_tcp, stream)) = transport.filter(|t| t.1 != NO_STREAM) else {
                        continue;
                    };
                    let message = bytes.get(d.offset as usize..).unwrap_or(&[]);
                    let question = if d.counts[0] > 0 {
                        parse_question(message)
                    } else {
                        None
                    };
                    let (src, dst) = addrs.clone().unwrap_or_default();
                    self.message(
                        ctx,
                        is_tcp,
                        stream,
                        d.id,
                        d.flags,
                        d.counts[1],
                        question,
                        src,
                        dst,
                    );
                }
                _ => {}
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn message(
        &mut self,
        ctx: &FrameContext,
        is_tcp: bool,
        stream: u32,
        id: u16,
        flags: u16,
        answers: u16,
        question: Option<(String, u16)>,
        src: String,
        dst: String,
    ) {
        let now = ctx.meta.ts_ns;
        let frame = ctx.meta.number;
        let key = (is_tcp, stream, id);
        let is_response = flags & 0x8000 != 0;
        let latest = self.latest.get(&key).copied();
        if !is_response {
            if let Some(i) = latest {
                let t = &mut self.transactions[i];
                if t.response_frame.is_none()
                    && now.saturating_sub(t.query_time_ns) < RETRANSMISSION_TIMER_NS
                {
                    t.query_retransmissions += 1;
                    self.frames.push((frame, i, false, true, now));
                    return;
                }
            }
            let (name, qtype) = question.map_or((None, None), |(n, t)| (Some(n), Some(t)));
            self.transactions.push(DnsTransaction {
                query_frame: frame,
                query_time_ns: now,
                id,
                name,
                qtype,
                transport: if is_tcp { "tcp" } else { "udp" },
                client: src,
                server: dst,
                query_retransmissions: 0,
                response_frame: None,
                rcode: None,
                answers: None,
                latency: None,
                latency_ns: None,
                response_retransmissions: 0,
            });
            let i = self.transactions.len() - 1;
            self.latest.insert(key, i);
            self.frames.push((frame, i, false, false, now));
        } else if let Some(i) = latest {
            let t = &mut self.transactions[i];
            if t.response_frame.is_none() {
                let latency = now.saturating_sub(t.query_time_ns);
                t.response_frame = Some(frame);
                t.rcode = Some((flags & 0x000f) as u8);
                t.answers = Some(answers);
                t.latency_ns = Some(latency);
                t.latency = Some(latency as f64 / 1e9);
                self.frames.push((frame, i, true, false, now));
            } else {
                t.response_retransmissions += 1;
                self.frames.push((frame, i, true, true, now));
            }
        }
    }

    /// Every query's transaction, in query order.
    pub fn transactions(&self) -> &[DnsTransaction] {
        &self.transactions
    }

    /// Writes one CSV line per transaction (header first); `unanswered` is 1 for queries without
    /// a response, latency in seconds with 9 decimals.
    pub fn write_csv<W: std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        writeln!(
            out,
            "query_frame,query_time,id,name,qtype,transport,client,server,response_frame,rcode,answers,latency,unanswered,query_retransmissions,response_retransmissions"
        )?;
        for t in &self.transactions {
            let opt = |v: Option<String>| v.unwrap_or_default();
            let name = t.name.clone().unwrap_or_default();
            let name = if name.contains([',', '"']) {
                format!("\"{}\"", name.replace('"', "\"\""))
            } else {
                name
            };
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                t.query_frame,
                crate::session::format_relative_time(t.query_time_ns),
                format_args!("0x{:04x}", t.id),
                name,
                opt(t.qtype.map(|v| v.to_string())),
                t.transport,
                t.client,
                t.server,
                opt(t.response_frame.map(|v| v.to_string())),
                opt(t.rcode.map(|v| v.to_string())),
                opt(t.answers.map(|v| v.to_string())),
                opt(t.latency_ns.map(crate::session::format_relative_time)),
                u8::from(t.response_frame.is_none()),
                t.query_retransmissions,
                t.response_retransmissions
            )?;
        }
        Ok(())
    }

    /// Queries without a response.
    pub fn unanswered(&self) -> impl Iterator<Item = &DnsTransaction> {
        self.transactions
            .iter()
            .filter(|t| t.response_frame.is_none())
    }

    /// What tshark (two-pass) shows on DNS frame `frame` about its transaction; None for frames
    /// that matched nothing (e.g. a response without a query).
    pub fn frame_link(&self, frame: u32) -> Option<DnsFrameLink> {
        let &(_, i, is_response, retransmission, ts) =
            self.frames.iter().find(|(f, ..)| *f == frame)?;
        let t = self.transactions.get(i)?;
        Some(if retransmission {
            // tshark links a repeated query or response to nothing, it only marks it.
            DnsFrameLink {
                retransmission,
                ..DnsFrameLink::default()
            }
        } else if is_response {
            DnsFrameLink {
                response_in: None,
                response_to: Some(t.query_frame),
                time_ns: Some(ts.saturating_sub(t.query_time_ns)),
                retransmission,
            }
        } else {
            DnsFrameLink {
                response_in: t.response_frame,
                response_to: None,
                time_ns: None,
                retransmission,
            }
        })
    }
}

/// The first question (name as tshark prints it, type) of a DNS message starting at `msg[0]`.
pub fn parse_question(msg: &[u8]) -> Option<(String, u16)> {
    let (name, end) = read_name(msg, 12)?;
    let qtype = u16::from_be_bytes([*msg.get(end)?, *msg.get(end + 1)?]);
    Some((name, qtype))
}

/// Reads a (possibly compressed) name at `pos`; returns it and the position after it.
fn read_name(msg: &[u8], mut pos: usize) -> Option<(String, usize)> {
    let mut name = String::new();
    let mut end = None;
    let mut hops = 0;
    loop {
        let len = *msg.get(pos)?;
        match len {
            0 => {
                end.get_or_insert(pos + 1);
                break;
            }
            l if l & 0xc0 == 0xc0 => {
                let target = usize::from(u16::from_be_bytes([l & 0x3f, *msg.get(pos + 1)?]));
                end.get_or_insert(pos + 2);
                hops += 1;
                if hops > MAX_POINTERS {
                    return None;
                }
                pos = target;
            }
            l if l & 0xc0 == 0 => {
                let label = msg.get(pos + 1..pos + 1 + usize::from(l))?;
                if !name.is_empty() {
                    name.push('.');
                }
                for &b in label {
                    if b.is_ascii_graphic() && b != b'.' && b != b'\\' {
                        name.push(char::from(b));
                    } else {
                        name.push_str(&format!("\\{b:03}"));
                    }
                }
                if name.len() > MAX_NAME * 4 {
                    return None;
                }
                pos += 1 + usize::from(l);
            }
            _ => return None,
        }
    }
    if name.is_empty() {
        name.push_str("<Root>");
    }
    Some((name, end?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_names_with_compression_and_root() {
        let mut m = vec![0u8; 12];
        m.extend_from_slice(&[3, b'w', b'w', b'w', 7]);
        m.extend_from_slice(b"example");
        m.extend_from_slice(&[3, b'c', b'o', b'm', 0, 0, 1, 0, 1]);
        assert_eq!(parse_question(&m), Some(("www.example.com".to_string(), 1)));
        let mut root = vec![0u8; 12];
        root.extend_from_slice(&[0, 0, 2, 0, 1]);
        assert_eq!(parse_question(&root), Some(("<Root>".to_string(), 2)));
        // A pointer loop ends without panicking.
        let mut lp = vec![0u8; 12];
        lp.extend_from_slice(&[0xc0, 12]);
        assert_eq!(parse_question(&lp), None);
        assert_eq!(parse_question(&[0u8; 5]), None);
    }
}
