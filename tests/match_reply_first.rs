//! UDP flows whose first datagram was lost between two capture points, end to end through
//! synthetic pcaps: at the server-side point each flow's first packet is the server's reply, so
//! that capture orients the flow the other way round (no SYN, no well-known port). The match must
//! still be the same tuple (no translation, no `nat`), or through PAT the client's translation,
//! and every datagram but the lost one must pair.

use std::io::BufWriter;
use std::net::{IpAddr, Ipv4Addr};

use tracematch::matching::{match_files, MatchOptions};
use tracematch::synth::{
    when, CapturePoint, Dir, Endpoint, IpIdCounters, LogicalPacket, PatMap, Transform, UdpExchange,
};

const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 1, 0, 2);
const SERVER: Ipv4Addr = Ipv4Addr::new(10, 2, 0, 2);
const FIREWALL: Ipv4Addr = Ipv4Addr::new(10, 2, 0, 1);
const FLOWS: u32 = 5;

/// Flow n: query 1, reply 1, query 2, reply 2 (payloads name the flow and the datagram). Flow 0
/// is a beacon that crosses whole: both points capture from before the first lost query (a
/// packet lost before the other point's first frame is not called lost).
fn traffic() -> Vec<LogicalPacket> {
    let server = Endpoint::new(IpAddr::V4(SERVER), 5300);
    let mut ids = IpIdCounters::new(11);
    let mut out = Vec::new();
    for n in 0..=FLOWS {
        let client = Endpoint::new(IpAddr::V4(CLIENT), 40_000 + n as u16);
        let start = 1_700_000_000_000_000_000 + i64::from(n) * 50_000_000;
        let first = if n == 0 { "beacon" } else { "query 1" };
        let x = UdpExchange::new(n, client, server, start)
            .datagram(Dir::ToServer, format!("{first} of flow {n}").into_bytes())
            .datagram(
                Dir::ToClient,
                format!("reply 1 of flow {n}, longer").into_bytes(),
            )
            .datagram(Dir::ToServer, format!("query 2 of flow {n}").into_bytes())
            .datagram(
                Dir::ToClient,
                format!("reply 2 of flow {n}, longer").into_bytes(),
            );
        out.extend(x.packets(&mut ids));
    }
    out.sort_by_key(|p| p.ts_ns);
    out
}

/// The server-side point: 1 ms from the client, every flow's first query lost on the way; with
/// `pat`, the firewall in between translates the client's address and port.
fn server_point(pat: bool) -> CapturePoint {
    let mut point = CapturePoint::new("server")
        .with(Transform::Drop(when(|p| {
            p.payload.starts_with(b"query 1 ")
        })))
        .with(Transform::ShiftTime {
            when: when(|p| p.dst == IpAddr::V4(SERVER)),
            ns: 1_000_000,
        })
        .with(Transform::ShiftTime {
            when: when(|p| p.src == IpAddr::V4(SERVER)),
            ns: -1_000_000,
        });
    if pat {
        point = point.with(Transform::SourceNat(PatMap::new(
            IpAddr::V4(CLIENT),
            IpAddr::V4(FIREWALL),
            61_000,
        )));
    }
    point
}

/// Writes both points' pcaps and returns the match report's JSON.
fn run(pat: bool) -> serde_json::Value {
    let dir = std::env::temp_dir().join(format!(
        "tracematch-match-reply-first-{}-{pat}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let a_path = dir.join("client.pcap");
    let b_path = dir.join("server.pcap");
    let packets = traffic();
    for (path, mut point) in [
        (&a_path, CapturePoint::new("client")),
        (&b_path, server_point(pat)),
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
        a_path.to_string_lossy().into_owned(),
        b_path.to_string_lossy().into_owned(),
    ];
    let report = match_files(&paths, &[], &MatchOptions::default()).expect("match runs");
    let _ = std::fs::remove_dir_all(&dir);
    report.to_json()
}

/// Checks what both variants share: one match per flow (stream k is flow k at both points), all
/// datagrams paired but the lost first queries, each listed as lost at A, client to server.
fn check_common(json: &serde_json::Value) {
    let matches = json["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), FLOWS as usize + 1, "{json:#}");
    for m in matches {
        assert_eq!(m["proto"], "udp");
        assert_eq!(m["a_stream"], m["b_stream"], "{m:#}");
    }
    let lost = json["lost"].as_array().expect("lost");
    assert_eq!(lost.len(), FLOWS as usize, "{lost:#?}");
    for l in lost {
        assert_eq!(l["capture"], "a", "{l:#}");
        assert_eq!(l["dir"], "c2s", "{l:#}");
    }
    assert!(json["unmatched_a"].as_array().is_some_and(|v| v.is_empty()));
    assert!(json["unmatched_b"].as_array().is_some_and(|v| v.is_empty()));
}

#[test]
fn same_tuple_seen_reply_first_is_no_translation() {
    let json = run(false);
    check_common(&json);
    for m in json["matches"].as_array().expect("matches") {
        assert!(m["translation"].is_null(), "{m:#}");
        let method = m["method"].as_str().expect("method");
        assert!(!method.split('+').any(|x| x == "nat"), "{method}");
        assert!(method.split('+').any(|x| x == "tuple"), "{method}");
    }
}

#[test]
fn pat_seen_reply_first_reports_the_client_translation() {
    let json = run(true);
    check_common(&json);
    for m in json["matches"].as_array().expect("matches") {
        let n = m["a_stream"].as_u64().expect("a_stream");
        let t = m["translation"].as_str().expect("a translation");
        let (inside, outside) = t.split_once("->").expect("a->b");
        assert_eq!(inside, format!("{CLIENT}:{}", 40_000 + n), "{m:#}");
        assert!(outside.starts_with(&format!("{FIREWALL}:")), "{m:#}");
        let method = m["method"].as_str().expect("method");
        assert!(method.split('+').any(|x| x == "nat"), "{method}");
    }
}
