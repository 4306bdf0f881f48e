//! IP endpoints, as Wireshark's Statistics → Endpoints (IPv4 / IPv6) table: per address, packets and
//! bytes in total, sent (Tx) and received (Rx), plus the number of distinct peers (IP
//! conversations) the address took part in.
//!
//! Like tshark's `-z endpoints,ip`, every IP header of a frame counts (tunnels count once per
//! header), except headers quoted inside ICMP errors; bytes are the frame's wire length. Memory:
//! one row per address and one entry per address pair.

use std::net::IpAddr;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::decode::Layer;
use crate::pipeline::FrameContext;

/// One endpoint row.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EndpointRow {
    /// Address as tshark prints it.
    pub address: String,
    /// Packets sent or received.
    pub packets: u64,
    /// Bytes sent or received.
    pub bytes: u64,
    /// Packets sent.
    pub tx_packets: u64,
    /// Bytes sent.
    pub tx_bytes: u64,
    /// Packets received.
    pub rx_packets: u64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Distinct peers (IP conversations).
    pub conversations: u64,
    /// First frame the address appeared in.
    pub first_frame: u32,
}

#[derive(Clone, Debug)]
struct Counters {
    addr: IpAddr,
    row: EndpointRow,
}

/// The endpoint table of one capture.
#[derive(Default)]
pub struct EndpointTable {
    index: FxHashMap<IpAddr, usize>,
    rows: Vec<Counters>,
    pairs: FxHashSet<(IpAddr, IpAddr)>,
}

impl EndpointTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    fn row(&mut self, addr: IpAddr, frame: u32) -> &mut EndpointRow {
        let next = self.rows.len();
        let i = *self.index.entry(addr).or_insert(next);
        if i == next {
            self.rows.push(Counters {
                addr,
                row: EndpointRow {
                    address: addr.to_string(),
                    first_frame: frame,
                    ..EndpointRow::default()
                },
            });
        }
        &mut self.rows[i].row
    }

    /// Counts the IP headers of one frame.
    pub fn observe(&mut self, ctx: &FrameContext) {
        let len = u64::from(ctx.meta.wire_len);
        let frame = ctx.meta.number;
        for layer in &ctx.frame.layers {
            let (src, dst) = match layer {
                Layer::Ipv4(ip) if !ip.in_error => (IpAddr::from(ip.src), IpAddr::from(ip.dst)),
                Layer::Ipv6(ip) if !ip.in_error => (IpAddr::from(ip.src), IpAddr::from(ip.dst)),
                _ => continue,
            };
            let tx = self.row(src, frame);
            tx.tx_packets += 1;
            tx.tx_bytes = tx.tx_bytes.saturating_add(len);
            let rx = self.row(dst, frame);
            rx.rx_packets += 1;
            rx.rx_bytes = rx.rx_bytes.saturating_add(len);
            let pair = if src <= dst { (src, dst) } else { (dst, src) };
            if self.pairs.insert(pair) {
                self.row(src, frame).conversations += 1;
                if src != dst {
                    self.row(dst, frame).conversations += 1;
                }
            }
        }
    }

    /// The rows of one family (IPv4 when `v6` is false), most packets first, then first seen.
    pub fn rows(&self, v6: bool) -> Vec<EndpointRow> {
        let mut rows: Vec<Counters> = self
            .rows
            .iter()
            .filter(|c| c.addr.is_ipv6() == v6)
            .cloned()
            .map(|mut c| {
                // A packet to itself counts as sent and as received, as in Wireshark.
                c.row.packets = c.row.tx_packets.saturating_add(c.row.rx_packets);
                c.row.bytes = c.row.tx_bytes.saturating_add(c.row.rx_bytes);
                c
            })
            .collect();
        rows.sort_by(|a, b| {
            b.row
                .packets
                .cmp(&a.row.packets)
                .then(a.row.first_frame.cmp(&b.row.first_frame))
        });
        rows.into_iter().map(|c| c.row).collect()
    }

    /// Writes both families as CSV (header first; IPv4 rows, then IPv6).
    pub fn write_csv<W: std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        writeln!(
            out,
            "address,packets,bytes,tx_packets,tx_bytes,rx_packets,rx_bytes,conversations"
        )?;
        for r in self.rows(false).into_iter().chain(self.rows(true)) {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{}",
                r.address,
                r.packets,
                r.bytes,
                r.tx_packets,
                r.tx_bytes,
                r.rx_packets,
                r.rx_bytes,
                r.conversations
            )?;
        }
        Ok(())
    }
}
