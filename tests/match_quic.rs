//! QUIC through a PAT firewall, matched by connection ids: synthetic two-point captures (inside
//! and outside the firewall) of several QUIC-like connections (v1 long headers with connection
//! ids, then short headers; payload bytes random) from clients behind the firewall to a server on
//! UDP 443. Outside, the firewall has rewritten addresses, ports and IP IDs and decremented TTLs;
//! the connection ids are what it leaves alone. Every connection must be matched to its own
//! translated stream with `udp_id` among the methods and the shared connection ids in the
//! evidence, with no packet lost.

use std::io::BufWriter;
use std::net::{IpAddr, Ipv4Addr};

use tracematch::matching::{match_files, MatchOptions};
use tracematch::synth::{
    when, CapturePoint, Dir, Endpoint, IpIdCounters, LogicalPacket, PatMap, Transform, UdpExchange,
    XorShift64,
};

const FIREWALL: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 9);
const SERVER: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 44);
const CONNECTIONS: u32 = 6;

fn random(rng: &mut XorShift64, n: usize) -> Vec<u8> {
    (0..n).map(|_| (rng.next_u32() & 0xff) as u8).collect()
}

/// A v1 long header packet of `kind` (0 Initial, 2 Handshake) with `body` bytes.
fn long(kind: u8, dcid: &[u8], scid: &[u8], body: &[u8]) -> Vec<u8> {
    let mut v = vec![0xc3 | (kind << 4), 0, 0, 0, 1, dcid.len() as u8];
    v.extend_from_slice(dcid);
    v.push(scid.len() as u8);
    v.extend_from_slice(scid);
    if kind == 0 {
        v.push(0); // no token
    }
    v.extend_from_slice(&(0x4000u16 | body.len() as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// A short header packet to `dcid`.
fn short(dcid: &[u8], body: &[u8]) -> Vec<u8> {
    let mut v = vec![0x43];
    v.extend_from_slice(dcid);
    v.extend_from_slice(body);
    v
}

/// Connection `i`: handshake in long headers (coalesced with the first short header), then
/// short headers both ways.
fn connection(i: u32, client: Endpoint, server: Endpoint, start_ns: i64) -> UdpExchange {
    let mut rng = XorShift64::new(0x9e37_79b9 ^ u64::from(i));
    let original_dcid = random(&mut rng, 8);
    let client_cid = random(&mut rng, 8);
    let server_cid = random(&mut rng, 8);
    let mut hs = long(2, &client_cid, &server_cid, &random(&mut rng, 200));
    let mut server_hello = long(0, &client_cid, &server_cid, &random(&mut rng, 120));
    server_hello.append(&mut hs);
    let mut client_fin = long(2, &server_cid, &client_cid, &random(&mut rng, 60));
    client_fin.extend(short(&server_cid, &random(&mut rng, 90)));
    let mut x = UdpExchange::new(i, client, server, start_ns)
        .datagram(
            Dir::ToServer,
            long(0, &original_dcid, &client_cid, &random(&mut rng, 300)),
        )
        .datagram(Dir::ToClient, server_hello)
        .datagram(Dir::ToServer, client_fin);
    for k in 0..8 {
        let n = 40 + 10 * k;
        x = x
            .datagram(Dir::ToClient, short(&client_cid, &random(&mut rng, n)))
            .datagram(Dir::ToServer, short(&server_cid, &random(&mut rng, n / 2)));
    }
    x
}

/// The connections' packets (clients 10.9.0.2 and 10.9.0.3, ports from 50000) in time order.
fn traffic() -> Vec<LogicalPacket> {
    let server = Endpoint::new(IpAddr::V4(SERVER), 443);
    let mut ids = IpIdCounters::new(5);
    let mut out = Vec::new();
    for i in 0..CONNECTIONS {
        let host = IpAddr::V4(Ipv4Addr::new(10, 9, 0, 2 + (i % 2) as u8));
        let client = Endpoint::new(host, 50_000 + i as u16);
        // Overlapping connections, 3 ms apart.
        let start = 1_700_000_000_000_000_000 + i64::from(i) * 3_000_000;
        out.extend(connection(i, client, server, start).packets(&mut ids));
    }
    out.sort_by_key(|p| p.ts_ns);
    out
}

fn outside_point() -> CapturePoint {
    let fw = IpAddr::V4(FIREWALL);
    let mut point = CapturePoint::new("outside")
        .with(Transform::ShiftTime {
            when: when(move |p| p.dst == IpAddr::V4(SERVER)),
            ns: 1_500_000,
        })
        .with(Transform::ShiftTime {
            when: when(move |p| p.src == IpAddr::V4(SERVER)),
            ns: -1_500_000,
        });
    for (k, inside) in [2u8, 3].iter().enumerate() {
        point = point.with(Transform::SourceNat(PatMap::new(
            IpAddr::V4(Ipv4Addr::new(10, 9, 0, *inside)),
            fw,
            40_000 + 100 * k as u16,
        )));
    }
    point
        .with(Transform::TtlDecrement {
            when: when(move |p| p.src == fw),
            by: 1,
        })
        .with(Transform::IpIdRewrite {
            when: when(move |p| p.src == fw),
            seed: 4242,
        })
}

#[test]
fn quic_through_pat_is_matched_by_connection_ids() {
    let dir = std::env::temp_dir().join(format!("tracematch-match-quic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let inside_path = dir.join("inside.pcap");
    let outside_path = dir.join("outside.pcap");
    let packets = traffic();
    for (path, mut point) in [
        (&inside_path, CapturePoint::new("inside")),
        (&outside_path, outside_point()),
    ] {
        let f = std::fs::File::create(path).expect("create pcap");
        point
            .write_pcap(
                &packets,
                BufWriter::new(f),
                tracematch::export::TsResolution::Nano,
            )
            .expect("write pcap");
    }
    let paths = [
        inside_path.to_string_lossy().into_owned(),
        outside_path.to_string_lossy().into_owned(),
    ];
    let report = match_files(&paths, &[], &MatchOptions::default()).expect("match runs");
    let json = report.to_json();
    let _ = std::fs::remove_dir_all(&dir);
    let matches = json["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), CONNECTIONS as usize, "{json:#}");
    for m in matches {
        assert_eq!(m["proto"], "udp");
        // udp.stream numbers follow first-seen order at both points, and the connections start in
        // the same order at both: stream k is connection k on each side.
        assert_eq!(m["a_stream"], m["b_stream"], "{m:#}");
        let method = m["method"].as_str().expect("method");
        assert!(method.split('+').any(|x| x == "udp_id"), "{method}");
        assert!(method.split('+').any(|x| x == "nat"), "{method}");
        let evidence: Vec<&str> = m["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .filter_map(|e| e.as_str())
            .collect();
        assert!(
            evidence.contains(&"3 shared QUIC connection ids"),
            "original DCID, client CID and server CID: {evidence:?}"
        );
        let a_client = m["a_tuple"].as_str().and_then(|t| t.split("->").next());
        let b_client = m["b_tuple"].as_str().and_then(|t| t.split("->").next());
        let a_port: u16 = a_client
            .and_then(|c| c.rsplit(':').next())
            .and_then(|p| p.parse().ok())
            .expect("A client port");
        assert_eq!(
            u32::from(a_port - 50_000),
            m["a_stream"].as_u64().unwrap() as u32
        );
        assert!(
            b_client.is_some_and(|c| c.starts_with("203.0.113.9:")),
            "{m:#}"
        );
        assert_eq!(m["lost_a"], 0);
        assert_eq!(m["lost_b"], 0);
    }
    assert!(json["unmatched_a"].as_array().is_some_and(|v| v.is_empty()));
    assert!(json["unmatched_b"].as_array().is_some_and(|v| v.is_empty()));
}
