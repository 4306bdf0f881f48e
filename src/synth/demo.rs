//! The demo capture pair: one client behind a PAT firewall talking to two servers, captured at the
//! client and at the servers' switch (clock 41.828 s ahead, a few SYNs lost before the server side).

use std::io::BufWriter;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use super::capture_point::{when, CapturePoint, PatMap, Transform};
use super::http_message::{
    http_conversation, request_bytes, response_bytes, Body, ContentCoding, Framing, HttpExchange,
};
use super::packet::{LogicalPacket, PacketRole};
use super::rng::XorShift64;
use super::tcp_conversation::{Close, Dir, Endpoint, Impairment, IpIdCounters, TcpConversation};
use super::udp_exchange::UdpExchange;
use crate::export::TsResolution;

/// The client's address (inside the firewall).
pub const DEMO_CLIENT: Ipv4Addr = Ipv4Addr::new(192, 168, 10, 23);
/// The firewall's outside address (PAT).
pub const DEMO_FIREWALL: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 7);
/// The web server.
pub const DEMO_WEB: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 10);
/// The second server: DNS, an API on 8080 and a raw TCP service on 5001.
pub const DEMO_APP: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 20);
/// Server clock minus client clock.
pub const DEMO_CLOCK_OFFSET_NS: i64 = 41_828_000_000;
/// One-way delay between the two capture points.
pub const DEMO_ONE_WAY_DELAY_NS: i64 = 3_000_000;

/// What [`demo_pair`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    /// Connections (TCP and UDP exchanges) in the logical traffic.
    pub connections: usize,
    /// Packets in client.pcap.
    pub client_packets: u64,
    /// Packets in server.pcap.
    pub server_packets: u64,
    /// SYNs seen at the client but lost before the server side.
    pub dropped_syns: usize,
}

fn text(seed: u64, len: usize) -> Vec<u8> {
    const WORDS: [&str; 12] = [
        "packet", "stream", "match", "follow", "offset", "window", "segment", "capture", "server",
        "client", "clock", "trace",
    ];
    let mut rng = XorShift64::new(seed);
    let mut out = Vec::with_capacity(len + 16);
    while out.len() < len {
        let i = usize::try_from(rng.below(WORDS.len() as u64)).unwrap_or(0);
        out.extend_from_slice(WORDS.get(i).copied().unwrap_or("x").as_bytes());
        out.push(if rng.chance(1, 12) { b'\n' } else { b' ' });
    }
    out.truncate(len);
    out
}

/// The logical traffic of the demo, in emission order.
pub fn demo_traffic() -> Vec<LogicalPacket> {
    let client = IpAddr::V4(DEMO_CLIENT);
    let web = IpAddr::V4(DEMO_WEB);
    let app = IpAddr::V4(DEMO_APP);
    let mut ids = IpIdCounters::new(0x5eed);
    let mut out = Vec::new();
    let t0: i64 = 1_700_000_000_000_000_000;
    let mut port = 51_000u16;
    let codings: [&[ContentCoding]; 8] = [
        &[],
        &[ContentCoding::Gzip],
        &[ContentCoding::DeflateZlib],
        &[ContentCoding::DeflateRaw],
        &[ContentCoding::Br],
        &[ContentCoding::Gzip, ContentCoding::Gzip],
        &[ContentCoding::XGzip],
        &[ContentCoding::Zstd],
    ];
    for i in 0..40u32 {
        let id = i;
        let start = t0 + i64::from(i) * 250_000_000;
        port = port.wrapping_add(7);
        let c = Endpoint::new(client, port);
        match i % 5 {
            // DNS lookups.
            0 => {
                let name = format!("host{i}.example.net");
                let x = UdpExchange::dns_lookup(
                    id,
                    Endpoint::new(client, port),
                    Endpoint::new(app, 53),
                    start,
                    0x1000 + i as u16,
                    &name,
                    Ipv4Addr::new(198, 51, 100, 10),
                );
                out.extend(x.packets(&mut ids));
            }
            // HTTP to the web server: one or more exchanges, various codings and framings.
            1 | 2 => {
                let n = 1 + (i % 3) as usize;
                let mut xs = Vec::new();
                for k in 0..n {
                    let idx = (i as usize + k) % codings.len();
                    let mut body = Body::plain(text(
                        u64::from(i * 10 + k as u32),
                        800 + 700 * (i as usize % 6),
                    ));
                    for &cd in codings.get(idx).copied().unwrap_or(&[]) {
                        body = body.coded(cd);
                    }
                    if k % 2 == 1 {
                        body = body.framed(Framing::Chunked(512));
                    }
                    xs.push(HttpExchange::get(
                        &format!("/page/{i}/{k}.txt"),
                        "www.example.net",
                        "text/plain",
                        body,
                    ));
                }
                let conv = TcpConversation::new(id, c, Endpoint::new(web, 80), start);
                let mut conv = http_conversation(conv, &xs, i % 10 == 2);
                if i % 8 == 1 {
                    conv.impairments.push(Impairment::SynLost);
                }
                if i == 11 {
                    conv.impairments.push(Impairment::Lose {
                        message: 1,
                        segment: 1,
                    });
                }
                out.extend(conv.packets(&mut ids));
            }
            // API on 8080: POST with a JSON body, response until close.
            3 => {
                let req = request_bytes(
                    "POST",
                    "/api/v1/items",
                    "api.example.net",
                    &[("Content-Type", "application/json")],
                    Some(&Body::plain(format!("{{\"item\":{i}}}").into_bytes())),
                );
                let resp = response_bytes(
                    201,
                    "Created",
                    &[("Content-Type", "application/json")],
                    Some(
                        &Body::plain(format!("{{\"id\":{}}}", 1000 + i).into_bytes())
                            .framed(Framing::UntilClose),
                    ),
                );
                let mut conv = http_conversation(
                    TcpConversation::new(id, c, Endpoint::new(app, 8080), start),
                    &[HttpExchange {
                        request: req,
                        response: resp,
                    }],
                    false,
                );
                if i == 13 {
                    conv.impairments.push(Impairment::SynLost);
                }
                out.extend(conv.packets(&mut ids));
            }
            // A binary protocol on 5001: several turns, one reset.
            _ => {
                let mut conv = TcpConversation::new(id, c, Endpoint::new(app, 5001), start);
                for turn in 0..3u32 {
                    conv = conv
                        .message(
                            Dir::ToServer,
                            text(u64::from(i * 100 + turn), 64 + 40 * turn as usize),
                        )
                        .message(
                            Dir::ToClient,
                            text(u64::from(i * 100 + turn + 50), 2000 + 500 * turn as usize),
                        );
                }
                if i == 19 {
                    conv.close = Close::RstFromServer;
                    conv.impairments.push(Impairment::Retransmit {
                        message: 1,
                        segment: 0,
                    });
                }
                if i == 24 {
                    conv.impairments.push(Impairment::Reorder {
                        message: 3,
                        segment: 0,
                    });
                }
                out.extend(conv.packets(&mut ids));
            }
        }
    }
    out
}

/// The client-side capture point (sees everything the client sent, and what reached it).
pub fn demo_client_point() -> CapturePoint {
    let client = IpAddr::V4(DEMO_CLIENT);
    CapturePoint::new("client")
        .with(Transform::Drop(when(move |p| {
            p.role == PacketRole::LostInTransit && p.dst == client
        })))
        .with(Transform::TtlDecrement {
            when: when(move |p| p.dst == client),
            by: 9,
        })
}

/// The server-side capture point: after the PAT firewall, with its own clock.
pub fn demo_server_point() -> CapturePoint {
    let client = IpAddr::V4(DEMO_CLIENT);
    let fw = IpAddr::V4(DEMO_FIREWALL);
    CapturePoint::new("server")
        .with(Transform::Drop(when(move |p| {
            p.role == PacketRole::LostInTransit && p.src == client
        })))
        .with(Transform::ShiftTime {
            when: when(move |p| p.src == client),
            ns: DEMO_ONE_WAY_DELAY_NS,
        })
        .with(Transform::ShiftTime {
            when: when(move |p| p.dst == client),
            ns: -DEMO_ONE_WAY_DELAY_NS,
        })
        .with(Transform::SourceNat(PatMap::new(client, fw, 40_000)))
        .with(Transform::TtlDecrement {
            when: when(move |p| p.src == fw),
            by: 8,
        })
        .with(Transform::IpIdRewrite {
            when: when(move |p| p.src == fw),
            seed: 77,
        })
        .with(Transform::Clock {
            offset_ns: DEMO_CLOCK_OFFSET_NS,
            drift_ppm: 0.0,
            epoch_ns: 0,
        })
}

/// Writes `client.pcap` and `server.pcap` (µs timestamps) into `out_dir`.
pub fn demo_pair(out_dir: &Path) -> std::io::Result<DemoSummary> {
    let traffic = demo_traffic();
    let connections = traffic
        .iter()
        .map(|p| p.conversation)
        .max()
        .map_or(0, |m| m as usize + 1);
    let dropped_syns = traffic
        .iter()
        .filter(|p| p.is_syn() && p.role == PacketRole::LostInTransit)
        .count();
    std::fs::create_dir_all(out_dir)?;
    let client_file = BufWriter::new(std::fs::File::create(out_dir.join("client.pcap"))?);
    let client_packets =
        demo_client_point().write_pcap(&traffic, client_file, TsResolution::Micro)?;
    let server_file = BufWriter::new(std::fs::File::create(out_dir.join("server.pcap"))?);
    let server_packets =
        demo_server_point().write_pcap(&traffic, server_file, TsResolution::Micro)?;
    Ok(DemoSummary {
        connections,
        client_packets,
        server_packets,
        dropped_syns,
    })
}
