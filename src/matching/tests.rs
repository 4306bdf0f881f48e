//! Scenario tests on hand-built inputs: a synthetic connection generator that emits the same
//! traffic as seen at two points, with the path's rewrites (NAT, sequence offsets, IP ID rewrite,
//! a proxy's re-segmentation), drops, SYN retransmissions, and a shifted, drifting clock at B.

use super::fingerprint::HttpRequestHead;
use super::input::{tcp_flags as F, MatchInput, DIR_C2S, DIR_S2C};
use super::pair::match_pair;
use super::test_support::{add_request, Builder};

/// The path between point A (client side) and point B (server side).
#[derive(Clone, Copy)]
struct PathModel {
    delay_ns: i64,
    /// B clock − A clock at `t0`.
    offset_ns: i64,
    drift_ppm: f64,
    t0: i64,
}

impl PathModel {
    fn plain() -> Self {
        PathModel {
            delay_ns: 200_000,
            offset_ns: 0,
            drift_ppm: 0.0,
            t0: 1_700_000_000_000_000_000,
        }
    }
    /// B's clock reading at true time t (true time = A's clock).
    fn b_clock(&self, t: i64) -> i64 {
        t + self.offset_ns + (self.drift_ppm * 1e-6 * (t - self.t0) as f64) as i64
    }
}

/// One connection as the generator emits it.
#[derive(Clone)]
struct Conn {
    stream_a: u32,
    stream_b: u32,
    client_a: &'static str,
    server_a: &'static str,
    client_b: &'static str,
    server_b: &'static str,
    isn_c: u32,
    isn_s: u32,
    /// Added to c2s seq (and taken off s2c acks) between A and B.
    seq_off: u32,
    ipid_rewrite: bool,
    start: i64,
    /// (request id, response segments).
    requests: Vec<(u32, u32)>,
    syns_a: u32,
    syns_b: u32,
    /// Indexes (in emission order, after the SYNs) of packets lost between the points.
    drop: Vec<usize>,
}

impl Conn {
    fn new(n: u32, start: i64) -> Self {
        Conn {
            stream_a: n,
            stream_b: n,
            client_a: "10.1.0.2:40000",
            server_a: "10.2.0.2:8000",
            client_b: "10.1.0.2:40000",
            server_b: "10.2.0.2:8000",
            isn_c: 1_000_000 + n * 7919,
            isn_s: 3_000_000_000u32.wrapping_add(n * 104_729),
            seq_off: 0,
            ipid_rewrite: false,
            start,
            requests: vec![(n * 10 + 1, 3)],
            syns_a: 1,
            syns_b: 1,
            drop: Vec::new(),
        }
    }
}

fn xorshift(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

/// Emits `c` into A and B. Returns the frames (A side) expected lost, via `lost_a` count.
fn emit(a: &mut Builder, b: &mut Builder, c: &Conn, path: PathModel, rng: &mut u64) {
    let sa = a.tcp_stream(c.stream_a, c.client_a, c.server_a);
    let sb = b.tcp_stream(c.stream_b, c.client_b, c.server_b);
    let mut t = c.start;
    let mut ipid = [(c.isn_c & 0xffff) as u16, (c.isn_s & 0xffff) as u16];
    // SYN retransmissions: all copies at A, the last `syns_b` at B.
    for k in 0..c.syns_a {
        let id = ipid[0];
        ipid[0] = ipid[0].wrapping_add(1);
        a.pkt(sa, DIR_C2S, c.isn_c, 0, 0, 0, F::SYN, t).ip_id = id;
        if k >= c.syns_a - c.syns_b {
            let bid = if c.ipid_rewrite {
                xorshift(rng) as u16
            } else {
                id
            };
            b.pkt(
                sb,
                DIR_C2S,
                c.isn_c.wrapping_add(c.seq_off),
                0,
                0,
                0,
                F::SYN,
                path.b_clock(t + path.delay_ns),
            )
            .ip_id = bid;
        }
        t += 1_000_000_000;
    }
    let mut cseq = c.isn_c.wrapping_add(1);
    let mut sseq = c.isn_s.wrapping_add(1);
    // (dir, seq, ack, len, content, flags)
    let mut pk: Vec<(u8, u32, u32, u32, u32, u8)> =
        vec![(DIR_S2C, c.isn_s, cseq, 0, 0, F::SYN | F::ACK)];
    pk.push((DIR_C2S, cseq, sseq, 0, 0, F::ACK));
    for &(req, segs) in &c.requests {
        pk.push((DIR_C2S, cseq, sseq, 120, 50_000 + req, F::ACK | F::PSH));
        cseq = cseq.wrapping_add(120);
        for s in 0..segs {
            // Response segments carry the same content in every connection (the same file).
            pk.push((DIR_S2C, sseq, cseq, 1448, 900 + s, F::ACK));
            sseq = sseq.wrapping_add(1448);
            pk.push((DIR_C2S, cseq, sseq, 0, 0, F::ACK));
        }
    }
    pk.push((DIR_C2S, cseq, sseq, 0, 0, F::ACK | F::FIN));
    pk.push((DIR_S2C, sseq, cseq.wrapping_add(1), 0, 0, F::ACK | F::FIN));
    pk.push((
        DIR_C2S,
        cseq.wrapping_add(1),
        sseq.wrapping_add(1),
        0,
        0,
        F::ACK,
    ));
    for (k, &(dir, seq, ack, len, content, flags)) in pk.iter().enumerate() {
        let id = ipid[usize::from(dir)];
        ipid[usize::from(dir)] = id.wrapping_add(1);
        let bid = if c.ipid_rewrite {
            xorshift(rng) as u16
        } else {
            id
        };
        let lost = c.drop.contains(&k);
        if dir == DIR_C2S {
            // A sees it first; B after the delay, in B's clock, with the offset applied.
            a.pkt(sa, dir, seq, ack, len, content, flags, t).ip_id = id;
            if !lost {
                let ack_b = if flags & F::ACK != 0 { ack } else { 0 };
                b.pkt(
                    sb,
                    dir,
                    seq.wrapping_add(c.seq_off),
                    ack_b,
                    len,
                    content,
                    flags,
                    path.b_clock(t + path.delay_ns),
                )
                .ip_id = bid;
            }
        } else {
            b.pkt(
                sb,
                dir,
                seq,
                ack.wrapping_add(c.seq_off),
                len,
                content,
                flags,
                path.b_clock(t),
            )
            .ip_id = bid;
            if !lost {
                a.pkt(sa, dir, seq, ack, len, content, flags, t + path.delay_ns)
                    .ip_id = id;
            }
        }
        t += 1_000_000 + (xorshift(rng) % 3_000_000) as i64;
    }
}

fn run(conns: &[Conn], path: PathModel) -> (MatchInput, MatchInput, super::pair::PairResult) {
    let mut a = Builder::new();
    let mut b = Builder::new();
    let mut rng = 0x1234_5678_9abc_def1u64;
    for c in conns {
        emit(&mut a, &mut b, c, path, &mut rng);
    }
    let (ia, ib) = (capturing_around(a.finish()), capturing_around(b.finish()));
    let r = match_pair(&ia, &ib);
    (ia, ib, r)
}

/// Real capture points start before the traffic and stop after it (their first and last frames
/// are ARP and the like): ten seconds of margin each side.
fn capturing_around(mut input: MatchInput) -> MatchInput {
    input.first_ts_ns = input.first_ts_ns.map(|t| t - 10_000_000_000);
    input.last_ts_ns = input.last_ts_ns.map(|t| t + 10_000_000_000);
    input
}

fn pairs_of(r: &super::pair::PairResult) -> Vec<(u32, u32)> {
    r.matches.iter().map(|m| (m.a_stream, m.b_stream)).collect()
}

#[test]
fn direct_same_tuple_and_isn() {
    let t0 = PathModel::plain().t0;
    let conns: Vec<Conn> = (0..6)
        .map(|n| {
            let mut c = Conn::new(n, t0 + i64::from(n) * 50_000_000);
            c.client_a = [
                "10.1.0.2:40000",
                "10.1.0.2:40001",
                "10.1.0.2:40002",
                "10.1.0.2:40003",
                "10.1.0.2:40004",
                "10.1.0.2:40005",
            ][n as usize];
            c.client_b = c.client_a;
            c
        })
        .collect();
    let (_, _, r) = run(&conns, PathModel::plain());
    assert_eq!(pairs_of(&r), (0..6).map(|n| (n, n)).collect::<Vec<_>>());
    for m in &r.matches {
        assert_eq!(m.methods.joined(), "tuple+isn+ipid_seq", "{m:?}");
        assert!(m.translation.is_none());
        assert_eq!(m.seq_offset_a_to_b(), Some(0));
        assert!(m.confidence > 0.99);
    }
    assert!(r.lost.is_empty());
    assert!(r.missing_syn.is_empty());
}

#[test]
fn nat_with_port_rewrite_reports_translation() {
    let t0 = PathModel::plain().t0;
    let clients = ["10.1.0.2:40000", "10.1.0.2:40001", "10.1.0.2:40002"];
    let outside = ["10.2.0.1:6108", "10.2.0.1:54053", "10.2.0.1:777"];
    let conns: Vec<Conn> = (0..3)
        .map(|n| {
            let mut c = Conn::new(n, t0 + i64::from(n) * 1_000_000);
            c.client_a = clients[n as usize];
            c.client_b = outside[n as usize];
            // B numbers its streams in another order.
            c.stream_b = 2 - n;
            c
        })
        .collect();
    let (_, _, r) = run(&conns, PathModel::plain());
    assert_eq!(pairs_of(&r), vec![(0, 2), (1, 1), (2, 0)]);
    for m in &r.matches {
        assert!(m.methods.contains(super::evidence::Methods::NAT));
        assert!(m.methods.contains(super::evidence::Methods::ISN));
        let n = m.a_stream as usize;
        assert_eq!(
            m.translation.as_deref(),
            Some(format!("{}->{}", clients[n], outside[n]).as_str())
        );
    }
}

#[test]
fn seq_scrub_with_ip_id_rewrite_reports_offsets() {
    let t0 = PathModel::plain().t0;
    let offsets = [1_798_907_516u32, 89_812_966, 3_946_826_376];
    let conns: Vec<Conn> = (0..3)
        .map(|n| {
            let mut c = Conn::new(n, t0 + i64::from(n) * 1_000_000);
            c.client_a = ["10.1.0.2:40000", "10.1.0.2:40001", "10.1.0.2:40002"][n as usize];
            c.client_b = ["10.2.0.1:11678", "10.2.0.1:64052", "10.2.0.1:7571"][n as usize];
            c.seq_off = offsets[n as usize];
            c.ipid_rewrite = true;
            // Three requests each, so there is payload to vote with.
            c.requests = vec![(n * 10 + 1, 2), (n * 10 + 2, 2), (n * 10 + 3, 1)];
            c
        })
        .collect();
    let (_, _, r) = run(&conns, PathModel::plain());
    assert_eq!(pairs_of(&r), vec![(0, 0), (1, 1), (2, 2)]);
    for m in &r.matches {
        let n = m.a_stream as usize;
        assert_eq!(m.seq_offset_a_to_b(), Some(offsets[n]), "{m:?}");
        assert_eq!(m.seq_offset_b_to_a(), Some(0));
        assert!(
            m.methods.contains(super::evidence::Methods::SEQ_OFFSET),
            "{}",
            m.methods.joined()
        );
        assert!(!m.methods.contains(super::evidence::Methods::IPID_SEQ));
        let p = m.pairing.as_ref().expect("packet level");
        assert!(!p.ip_id_kept);
        assert!(p.unpaired_a.is_empty() && p.unpaired_b.is_empty());
        assert!(m.changes.iter().any(|c| c.what == "ip_id"));
    }
}

#[test]
fn proxy_with_resegmentation_matches_by_content() {
    // A: client ↔ proxy front; B: proxy back ↔ server. New connection, new ISNs, other segment
    // sizes, X-Forwarded-For added: only the request line + Host links them.
    let t0 = PathModel::plain().t0;
    let mut a = Builder::new();
    let mut b = Builder::new();
    for n in 0..4u32 {
        let sa = a.tcp_stream(
            n,
            [
                "10.1.0.2:41112",
                "10.1.0.2:41128",
                "10.1.0.2:41134",
                "10.1.0.2:41150",
            ][n as usize],
            "10.1.0.1:80",
        );
        let sb = b.tcp_stream(
            3 - n,
            [
                "10.2.0.1:53778",
                "10.2.0.1:53782",
                "10.2.0.1:53800",
                "10.2.0.1:53798",
            ][n as usize],
            "10.2.0.2:8080",
        );
        let t = t0 + i64::from(n) * 10_000_000;
        a.pkt(sa, DIR_C2S, 100 + n, 0, 0, 0, F::SYN, t);
        a.pkt(
            sa,
            DIR_S2C,
            900 + n,
            101 + n,
            0,
            0,
            F::SYN | F::ACK,
            t + 1_000,
        );
        a.pkt(
            sa,
            DIR_C2S,
            101 + n,
            901 + n,
            90,
            7000 + n,
            F::ACK | F::PSH,
            t + 2_000,
        );
        b.pkt(sb, DIR_C2S, 5000 + n, 0, 0, 0, F::SYN, t + 3_000);
        b.pkt(
            sb,
            DIR_S2C,
            8000 + n,
            5001 + n,
            0,
            0,
            F::SYN | F::ACK,
            t + 4_000,
        );
        b.pkt(
            sb,
            DIR_C2S,
            5001 + n,
            8001 + n,
            115,
            8000 + n,
            F::ACK | F::PSH,
            t + 5_000,
        );
        // Response: 2 segments at B, 3 at A (re-segmented), the same bytes.
        b.pkt(sb, DIR_S2C, 8001 + n, 5116 + n, 1448, 1, F::ACK, t + 6_000);
        b.pkt(sb, DIR_S2C, 9449 + n, 5116 + n, 552, 2, F::ACK, t + 6_100);
        a.pkt(sa, DIR_S2C, 901 + n, 191 + n, 1000, 3, F::ACK, t + 7_000);
        a.pkt(sa, DIR_S2C, 1901 + n, 191 + n, 800, 4, F::ACK, t + 7_100);
        a.pkt(sa, DIR_S2C, 2701 + n, 191 + n, 200, 5, F::ACK, t + 7_200);
        let line = format!("GET /index.html?qs={} HTTP/1.1", 1000 + n);
        let head = HttpRequestHead {
            request_line: line.clone(),
            host: Some("www.test".to_string()),
            header_names: vec!["host".to_string()],
            ..Default::default()
        };
        add_request(&mut a.input.streams[sa as usize].content, head.clone());
        let mut with_xff = head;
        with_xff.forwarded_for = Some("10.1.0.2".to_string());
        with_xff.header_names.push("x-forwarded-for".to_string());
        add_request(&mut b.input.streams[sb as usize].content, with_xff);
    }
    let (ia, ib) = (a.finish(), b.finish());
    let r = match_pair(&ia, &ib);
    assert_eq!(pairs_of(&r), vec![(0, 3), (1, 2), (2, 1), (3, 0)]);
    for m in &r.matches {
        assert_eq!(m.methods.joined(), "nat+content", "{m:?}");
        assert!(m.link.evidence.forwarded_for, "XFF names the client");
        assert!(m.pairing.is_none());
        assert_eq!(m.seq_offset_a_to_b(), None);
        assert!(m
            .changes
            .iter()
            .any(|c| c.what == "http_header_added" && c.b == "x-forwarded-for"));
        assert!(m
            .changes
            .iter()
            .any(|c| c.what == "segments" && c.dir == "s2c"));
    }
    assert!(r.lost.is_empty(), "no loss is claimed across a proxy");
}

#[test]
fn shifted_drifting_clock_recovered() {
    let path = PathModel {
        delay_ns: 350_000,
        offset_ns: 41_828_000_000,
        drift_ppm: 50.0,
        t0: PathModel::plain().t0,
    };
    // 40 connections spread over 40 s.
    let conns: Vec<Conn> = (0..40)
        .map(|n| {
            let mut c = Conn::new(n, path.t0 + i64::from(n) * 1_000_000_000);
            c.requests = vec![(n * 10 + 1, 4), (n * 10 + 2, 2)];
            c
        })
        .collect();
    let (ia, _, r) = run(&conns, path);
    assert_eq!(ia.first_ts_ns, Some(path.t0 - 10_000_000_000));
    let c = r.clock.expect("clock");
    // B − A at A's first frame (10 s before the traffic, so the drift has moved it by −0.5 ms).
    let want = 41.828 + 50e-6 * -10.0;
    assert!(
        (c.offset_s - want).abs() < 0.001,
        "offset {} want {want}",
        c.offset_s
    );
    assert!((c.drift_ppm - 50.0).abs() < 5.0, "drift {}", c.drift_ppm);
    assert!(
        (c.delay_s.unwrap() - 0.00035).abs() < 0.0002,
        "delay {:?}",
        c.delay_s
    );
    // Per-stream corrected delays are the path delay.
    for m in &r.matches {
        let d = m.delay_a_to_b_s.unwrap();
        assert!((d - 0.00035).abs() < 0.0005, "stream delay {d}");
        assert!(m.c2s_a_to_b);
    }
}

#[test]
fn dropped_syns_are_listed_per_isn() {
    let t0 = PathModel::plain().t0;
    let mut conns = Vec::new();
    for n in 0..4u32 {
        let mut c = Conn::new(n, t0 + i64::from(n) * 5_000_000_000);
        c.client_a = [
            "10.1.0.2:41094",
            "10.1.0.2:41110",
            "10.1.0.2:41126",
            "10.1.0.2:41128",
        ][n as usize];
        c.client_b = c.client_a;
        (c.syns_a, c.syns_b) = [(2, 1), (1, 1), (3, 1), (1, 1)][n as usize];
        conns.push(c);
    }
    let (ia, _, r) = run(&conns, PathModel::plain());
    type Row = (Option<u32>, Option<u32>, u32, u32, u32);
    let got: Vec<Row> = r
        .missing_syn
        .iter()
        .map(|m| (m.a_stream, m.b_stream, m.syn_seq_raw, m.syns_a, m.syns_b))
        .collect();
    let isn = |n: usize| ia.streams[n].syn.unwrap().isn;
    assert_eq!(
        got,
        vec![
            (Some(0), Some(0), isn(0), 2, 1),
            (Some(2), Some(2), isn(2), 3, 1)
        ]
    );
    // SYN copies that never reached B are not "lost packets" of the stream: they are counted
    // here. (They do show in `lost`, as packets of a matched stream absent at B.)
    assert_eq!(r.lost.iter().filter(|l| l.capture == "a").count(), 3);
}

#[test]
fn lost_packets_listed_with_capture_and_frame() {
    let t0 = PathModel::plain().t0;
    let mut c = Conn::new(0, t0);
    c.requests = vec![(1, 5)];
    // Emission order after the SYN: 0 SYN-ACK, 1 ACK, 2 request, 3 seg, 4 ack, 5 seg, 6 ack ...
    c.drop = vec![3, 4, 6];
    let mut c2 = Conn::new(1, t0 + 2_000_000);
    c2.client_a = "10.1.0.2:40001";
    c2.client_b = c2.client_a;
    let (ia, ib, r) = run(&[c, c2], PathModel::plain());
    // Dropped s2c segment 3: present at B (server side), absent at A; dropped c2s 4 and 6:
    // present at A, absent at B.
    let lost: Vec<(&str, &str)> = r.lost.iter().map(|l| (l.capture, l.dir)).collect();
    assert_eq!(lost.len(), 3, "{:?}", r.lost);
    assert_eq!(lost.iter().filter(|x| **x == ("b", "s2c")).count(), 1);
    assert_eq!(lost.iter().filter(|x| **x == ("a", "c2s")).count(), 2);
    for l in &r.lost {
        let input = if l.capture == "a" { &ia } else { &ib };
        let p = input
            .packets
            .iter()
            .find(|p| p.frame == l.frame)
            .expect("frame exists");
        assert_eq!(input.streams[p.stream as usize].stream, l.stream);
        assert_eq!(l.stream, 0);
    }
    let m = &r.matches[0];
    assert_eq!(m.pairing.as_ref().map(|p| p.unpaired_a.len()), Some(2));
}

#[test]
fn udp_nat_matches_by_ip_id_and_payload() {
    let t0 = PathModel::plain().t0;
    let mut a = Builder::new();
    let mut b = Builder::new();
    for n in 0..5u32 {
        let sa = a.udp_stream(n, &format!("10.1.0.2:{}", 42000 + n), "10.2.0.2:5300");
        let sb = b.udp_stream(n, &format!("10.2.0.1:{}", 60000 + n * 7), "10.2.0.2:5300");
        let t = t0 + i64::from(n) * 1_000_000;
        a.pkt(sa, DIR_C2S, 0, 0, 30, 100 + n, 0, t).ip_id = 0x6e93 + n as u16;
        b.pkt(sb, DIR_C2S, 0, 0, 30, 100 + n, 0, t + 100_000).ip_id = 0x6e93 + n as u16;
        b.pkt(sb, DIR_S2C, 0, 0, 40, 200 + n, 0, t + 200_000).ip_id = 0xd1a9 + n as u16;
        a.pkt(sa, DIR_S2C, 0, 0, 40, 200 + n, 0, t + 300_000).ip_id = 0xd1a9 + n as u16;
    }
    let (ia, ib) = (a.finish(), b.finish());
    let r = match_pair(&ia, &ib);
    assert_eq!(pairs_of(&r), (0..5).map(|n| (n, n)).collect::<Vec<_>>());
    for m in &r.matches {
        assert_eq!(m.methods.joined(), "nat+udp_id");
        assert_eq!(m.seq_offset_a_to_b(), None);
    }
    let c = r.clock.expect("clock from UDP pairs");
    assert!(c.offset_s.abs() < 1e-6 && (c.delay_s.unwrap() - 0.0001).abs() < 1e-6);
}

fn request(line: &str) -> HttpRequestHead {
    HttpRequestHead {
        request_line: line.to_string(),
        host: Some("app.test".to_string()),
        header_names: vec!["host".to_string()],
        ..Default::default()
    }
}

#[test]
fn proxy_reusing_backend_connection_gives_several_rows() {
    // Two client connections at A; the proxy carries both requests over one back-end
    // connection at B.
    let t0 = PathModel::plain().t0;
    let mut a = Builder::new();
    let mut b = Builder::new();
    let sb = b.tcp_stream(0, "10.2.0.1:50000", "10.2.0.2:8080");
    for n in 0..2u32 {
        let sa = a.tcp_stream(
            n,
            ["10.1.0.2:41000", "10.1.0.2:41001"][n as usize],
            "10.1.0.1:80",
        );
        let t = t0 + i64::from(n) * 100_000_000;
        a.pkt(sa, DIR_C2S, 10 + n, 0, 0, 0, F::SYN, t);
        a.pkt(
            sa,
            DIR_C2S,
            11 + n,
            5,
            80,
            40 + n,
            F::ACK | F::PSH,
            t + 1_000,
        );
        a.pkt(
            sa,
            DIR_S2C,
            5,
            91 + n,
            300,
            60 + n,
            F::ACK | F::PSH,
            t + 9_000,
        );
        b.pkt(
            sb,
            DIR_C2S,
            700 + n * 95,
            9 + n * 300,
            95,
            80 + n,
            F::ACK | F::PSH,
            t + 3_000,
        );
        b.pkt(
            sb,
            DIR_S2C,
            9 + n * 300,
            795 + n * 95,
            300,
            60 + n,
            F::ACK | F::PSH,
            t + 6_000,
        );
        let line = format!("GET /item/{n} HTTP/1.1");
        add_request(&mut a.input.streams[sa as usize].content, request(&line));
        add_request(&mut b.input.streams[sb as usize].content, request(&line));
    }
    // A third client connection whose two requests went over two pooled back-end connections.
    let sb2 = b.tcp_stream(1, "10.2.0.1:50001", "10.2.0.2:8080");
    let sa = a.tcp_stream(2, "10.1.0.2:41002", "10.1.0.1:80");
    let t = t0 + 300_000_000;
    for (k, back) in [(0u32, sb), (1, sb2)] {
        let tk = t + i64::from(k) * 10_000_000;
        a.pkt(sa, DIR_C2S, 20 + k * 80, 5, 80, 90 + k, F::ACK | F::PSH, tk);
        b.pkt(
            back,
            DIR_C2S,
            900 + k * 95,
            700,
            95,
            95 + k,
            F::ACK | F::PSH,
            tk + 3_000,
        );
        let line = format!("GET /other/{k} HTTP/1.1");
        add_request(&mut a.input.streams[sa as usize].content, request(&line));
        add_request(&mut b.input.streams[back as usize].content, request(&line));
    }
    let (ia, ib) = (a.finish(), b.finish());
    let r = match_pair(&ia, &ib);
    assert_eq!(pairs_of(&r), vec![(0, 0), (1, 0), (2, 0), (2, 1)]);
    assert_eq!(r.matches.iter().filter(|m| m.link.shared).count(), 2);
    assert!(r
        .matches
        .iter()
        .all(|m| m.methods.contains(super::evidence::Methods::CONTENT)));
    // A proxy link is not the same connection: no SYN is "missing" because of it.
    assert_eq!(r.missing_syn, vec![]);
}

#[test]
fn reencrypting_proxy_matches_by_turn_pattern_and_time() {
    // Payload bytes differ at A and B (TLS terminated and re-encrypted), turn sizes and timing
    // agree. Two connections run at once, with distinct turn sizes; a third at A has the sizes
    // of the first but starts 10 s later and has no peer.
    let t0 = PathModel::plain().t0;
    let mut a = Builder::new();
    let mut b = Builder::new();
    let sizes = [[517u32, 1400, 80], [517, 1700, 90], [517, 1400, 80]];
    for n in 0..3u32 {
        let sa = a.tcp_stream(
            n,
            ["10.1.0.2:41000", "10.1.0.2:41001", "10.1.0.2:41002"][n as usize],
            "10.1.0.1:443",
        );
        let t = t0
            + if n == 2 {
                10_000_000_000
            } else {
                i64::from(n) * 1_000
            };
        let [c1, s1, c2] = sizes[n as usize];
        a.pkt(sa, DIR_C2S, 100, 1, c1, 1000 + n, F::ACK | F::PSH, t);
        a.pkt(
            sa,
            DIR_S2C,
            1,
            100 + c1,
            s1,
            2000 + n,
            F::ACK | F::PSH,
            t + 5_000_000,
        );
        a.pkt(
            sa,
            DIR_C2S,
            100 + c1,
            1 + s1,
            c2,
            3000 + n,
            F::ACK | F::PSH,
            t + 9_000_000,
        );
        if n < 2 {
            let sb = b.tcp_stream(
                n,
                ["10.2.0.1:50000", "10.2.0.1:50001"][n as usize],
                "10.2.0.2:8443",
            );
            b.pkt(
                sb,
                DIR_C2S,
                7000,
                9,
                c1,
                4000 + n,
                F::ACK | F::PSH,
                t + 1_000_000,
            );
            b.pkt(
                sb,
                DIR_S2C,
                9,
                7000 + c1,
                s1,
                5000 + n,
                F::ACK | F::PSH,
                t + 4_000_000,
            );
            b.pkt(
                sb,
                DIR_C2S,
                7000 + c1,
                9 + s1,
                c2,
                6000 + n,
                F::ACK | F::PSH,
                t + 9_500_000,
            );
        }
    }
    let (ia, ib) = (a.finish(), b.finish());
    let r = match_pair(&ia, &ib);
    assert_eq!(pairs_of(&r), vec![(0, 0), (1, 1)]);
    for m in &r.matches {
        assert_eq!(m.methods.joined(), "nat+timing");
    }
    assert_eq!(r.unmatched_a, vec![2]);
}

#[test]
fn report_json_has_the_issue_keys_for_two_and_three_captures() {
    use super::report::CaptureRef;
    use super::{match_inputs, MatchOptions};
    let t0 = PathModel::plain().t0;
    let mut c = Conn::new(0, t0);
    c.drop = vec![3];
    c.syns_a = 2;
    let mut a = Builder::new();
    let mut b = Builder::new();
    let mut rng = 7u64;
    emit(&mut a, &mut b, &c, PathModel::plain(), &mut rng);
    let (ia, ib) = (capturing_around(a.finish()), capturing_around(b.finish()));
    // A third point one hop further: B's packets 1 ms later.
    let mut ic = ib.clone();
    for p in &mut ic.packets {
        p.ts_ns += 1_000_000;
    }
    ic.first_ts_ns = ic.first_ts_ns.map(|t| t + 1_000_000);
    let caps = |n: usize| -> Vec<CaptureRef> {
        (0..n)
            .map(|i| CaptureRef {
                index: i,
                path: format!("p{i}.pcap"),
                label: format!("point{i}"),
            })
            .collect()
    };
    let two = match_inputs(&[ia.clone(), ib.clone()], caps(2), &MatchOptions::default()).to_json();
    let obj = two.as_object().unwrap();
    for k in ["captures", "matches", "clock", "missing_syn", "lost"] {
        assert!(obj.contains_key(k), "missing {k}");
    }
    assert_eq!(two["captures"][1]["label"], "point1");
    assert_eq!(two["captures"][1]["index"], 1);
    assert_eq!(two["captures"][1]["path"], "p1.pcap");
    let m = &two["matches"][0];
    for k in [
        "proto",
        "a_stream",
        "b_stream",
        "method",
        "confidence",
        "translation",
        "seq_offset_a_to_b",
        "seq_offset_b_to_a",
    ] {
        assert!(m.get(k).is_some(), "match lacks {k}");
    }
    assert_eq!(m["proto"], "tcp");
    assert!(m["translation"].is_null());
    for k in ["offset_s", "drift_ppm", "delay_s"] {
        assert!(two["clock"][k].is_number(), "clock lacks {k}");
    }
    let ms = &two["missing_syn"][0];
    assert_eq!(
        (ms["a_stream"].as_u64(), ms["b_stream"].as_u64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        (ms["syns_a"].as_u64(), ms["syns_b"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(ms["syn_seq_raw"].as_u64(), Some(u64::from(c.isn_c)));
    // Dropped SYN copy (A) and dropped packet 3 (the first response segment, s2c: present at B).
    let lost: Vec<(String, u64)> = two["lost"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["capture"].as_str().unwrap().to_string(),
                l["stream"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lost, vec![("a".to_string(), 0), ("b".to_string(), 0)]);

    let two_report = match_inputs(&[ia.clone(), ib.clone()], caps(2), &MatchOptions::default());
    let lost_view = two_report.to_json_view(super::report::View::Lost);
    assert_eq!(lost_view["lost"], two["lost"]);
    assert!(lost_view.get("matches").is_none());
    let tsv = two_report.to_tsv(super::report::View::Lost);
    assert_eq!(
        tsv.lines().count(),
        1 + two["lost"].as_array().unwrap().len()
    );
    assert!(tsv.starts_with("a\tb\tcapture\tframe\tstream"));
    let syn_tsv = two_report.to_tsv(super::report::View::MissingSyn);
    assert!(syn_tsv
        .lines()
        .nth(1)
        .unwrap()
        .starts_with("point0\tpoint1\t0\t0\t"));

    let three = match_inputs(&[ia, ib, ic], caps(3), &MatchOptions::default());
    let three_lost = three.to_json_view(super::report::View::Lost);
    assert_eq!(three_lost["pairs"].as_array().unwrap().len(), 3);
    let j = three.to_json();
    assert!(j.get("matches").is_none());
    let pairs: Vec<(u64, u64)> = j["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["a"].as_u64().unwrap(), p["b"].as_u64().unwrap()))
        .collect();
    assert_eq!(pairs, vec![(0, 1), (1, 2), (0, 2)]);
    for p in j["pairs"].as_array().unwrap() {
        for k in ["matches", "clock", "missing_syn", "lost"] {
            assert!(p.get(k).is_some(), "pair lacks {k}");
        }
    }
    // Flow: SYN, SYN-ACK, request, response first/last, FINs of the one stream.
    let events: Vec<&str> = three.flow.iter().map(|r| r.event).collect();
    assert_eq!(
        events,
        vec![
            "syn",
            "syn_ack",
            "request",
            "response_first",
            "response_last",
            "fin",
            "fin"
        ]
    );
    // The first SYN copy never left A's side.
    let present =
        |k: usize| -> Vec<bool> { three.flow[k].points.iter().map(Option::is_some).collect() };
    assert_eq!(present(0), vec![true, false, false]);
    for k in 1..events.len() {
        assert_eq!(present(k), vec![true, true, true], "row {k}");
    }
    // Request (c2s): 0.2 ms from A to B; C's clock reads 1 ms ahead of B's, removed as offset.
    let req = &three.flow[2];
    let d01 = req.deltas_s[0].unwrap();
    let d12 = req.deltas_s[1].unwrap();
    assert!((d01 - 0.0002).abs() < 0.0001, "A->B delta {d01}");
    assert!(d12.abs() < 0.0001, "B->C delta {d12}");
    let tsv = three.to_tsv(super::report::View::Flow);
    assert!(tsv.starts_with("event\tproto\tpoint0.frame\tpoint0.time"));
    assert_eq!(tsv.lines().count(), 1 + events.len());
}

#[test]
fn tcp_mode_proxy_is_not_one_connection_even_when_segments_pair() {
    // A byte-transparent proxy: the same segments on both sides, but both ISNs differ and the
    // far side's SYN carries another TCP timestamp clock. No packet pairing, so no "loss" and no
    // sequence offsets are claimed.
    let t0 = PathModel::plain().t0;
    let mut c = Conn::new(0, t0);
    c.client_b = "10.2.0.1:53778";
    c.seq_off = 12345;
    c.ipid_rewrite = true;
    c.requests = vec![(1, 4), (2, 4)];
    c.drop = vec![5];
    let mut a = Builder::new();
    let mut b = Builder::new();
    let mut rng = 3u64;
    emit(&mut a, &mut b, &c, PathModel::plain(), &mut rng);
    let (mut ia, mut ib) = (a.finish(), b.finish());
    let run = |ia: &MatchInput, ib: &MatchInput| match_pair(ia, ib);
    // Same SYN-ACK ISN and no timestamps: a sequence-shifting firewall, one connection.
    let r = run(&ia, &ib);
    assert!(r.matches[0].pairing.is_some());
    assert_eq!(r.lost.len(), 1);
    // Other SYN-ACK ISN and other TSvals: a proxy.
    for (input, ts, isn) in [(&mut ia, 1000u32, None), (&mut ib, 777_000, Some(99u32))] {
        let s = &mut input.streams[0];
        s.syn.as_mut().unwrap().tsval = Some(ts);
        s.synack.as_mut().unwrap().tsval = Some(ts + 1);
        if let Some(isn) = isn {
            s.synack.as_mut().unwrap().isn = isn;
        }
    }
    let r = run(&ia, &ib);
    assert_eq!(pairs_of(&r), vec![(0, 0)]);
    let m = &r.matches[0];
    assert!(m.pairing.is_none());
    assert_eq!(m.methods.joined(), "nat+content");
    assert_eq!((m.seq_offset_a_to_b(), m.seq_offset_b_to_a()), (None, None));
    assert!(r.lost.is_empty());
    // The clock comes from turn starts: same clocks, 0.2 ms each way.
    let c = r.clock.expect("clock from turns");
    assert_eq!(c.basis, "turns");
    assert!(c.offset_s.abs() < 1e-5, "offset {}", c.offset_s);
    assert!((c.delay_s.unwrap() - 0.0002).abs() < 1e-5);
}

#[test]
fn x_forwarded_for_tells_identical_requests_apart() {
    // Two clients send the same request at the same time; only the X-Forwarded-For the proxy
    // adds says which back-end connection carries which.
    let t0 = PathModel::plain().t0;
    let mut a = Builder::new();
    let mut b = Builder::new();
    let clients = ["10.1.0.2:41000", "10.1.0.3:41000"];
    let xff = ["10.1.0.3", "10.1.0.2"];
    for n in 0..2u32 {
        let sa = a.tcp_stream(n, clients[n as usize], "10.1.0.1:80");
        let sb = b.tcp_stream(
            n,
            ["10.2.0.1:50000", "10.2.0.1:50001"][n as usize],
            "10.2.0.2:8080",
        );
        a.pkt(sa, DIR_C2S, 1, 1, 80, 40 + n, F::ACK | F::PSH, t0);
        b.pkt(sb, DIR_C2S, 9, 9, 110, 70 + n, F::ACK | F::PSH, t0 + 1_000);
        add_request(
            &mut a.input.streams[sa as usize].content,
            request("GET / HTTP/1.1"),
        );
        let mut q = request("GET / HTTP/1.1");
        q.forwarded_for = Some(xff[n as usize].to_string());
        add_request(&mut b.input.streams[sb as usize].content, q);
    }
    let (ia, ib) = (a.finish(), b.finish());
    let r = match_pair(&ia, &ib);
    assert_eq!(pairs_of(&r), vec![(0, 1), (1, 0)]);
    assert!(r.matches.iter().all(|m| m.link.evidence.forwarded_for));
}

/// Random inputs (any streams, directions, sequence numbers, times, IDs): matching never panics
/// and gives the same answer twice.
mod never_panics {
    use super::super::input::{MatchInput, PacketRecord, Proto};
    use super::super::pair::match_pair;
    use super::Builder;
    use proptest::prelude::*;

    /// (stream, dir, seq, ack, len, flags, ts, ip id) of one random packet.
    type Spec = (u8, u8, u32, u32, u16, u8, i64, u16);

    fn input(spec: &[Spec], streams: u8) -> MatchInput {
        let mut b = Builder::new();
        let n = streams.max(1);
        for k in 0..n {
            let client = format!("10.0.0.{}:{}", k % 3, 40000 + u32::from(k % 5));
            if k % 4 == 3 {
                b.udp_stream(u32::from(k), &client, "10.9.9.9:53");
            } else {
                b.tcp_stream(u32::from(k), &client, "10.9.9.9:80");
            }
        }
        for &(s, dir, seq, ack, len, flags, ts, ip_id) in spec {
            let stream = u32::from(s % n);
            let udp = b.input.streams[stream as usize].proto == Proto::Udp;
            let p: &mut PacketRecord = b.pkt(
                stream,
                dir & 1,
                if udp { 0 } else { seq },
                if udp { 0 } else { ack },
                u32::from(len % 3000),
                u32::from(len % 7),
                if udp { 0 } else { flags },
                ts,
            );
            p.ip_id = ip_id % 8;
        }
        b.finish()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_inputs(
            a in proptest::collection::vec(any::<Spec>(), 0..80),
            b in proptest::collection::vec(any::<Spec>(), 0..80),
            na in 0u8..6, nb in 0u8..6,
        ) {
            let (ia, ib) = (input(&a, na), input(&b, nb));
            let r1 = match_pair(&ia, &ib);
            let r2 = match_pair(&ia, &ib);
            let _ = super::super::flow_table::flow_table(&[ia.clone(), ib.clone(), ia], &[&r1, &r2]);
            prop_assert_eq!(r1.matches, r2.matches);
            prop_assert_eq!(r1.lost, r2.lost);
            prop_assert_eq!(r1.missing_syn, r2.missing_syn);
        }
    }
}

#[test]
fn packets_before_the_other_capture_started_are_not_lost() {
    // B starts capturing in the middle of connection 0: its first packets are not "lost".
    let t0 = PathModel::plain().t0;
    let mut c0 = Conn::new(0, t0);
    c0.requests = vec![(1, 6)];
    let mut c1 = Conn::new(1, t0 + 1_000_000_000);
    c1.client_a = "10.1.0.2:40001";
    c1.client_b = c1.client_a;
    let mut a = Builder::new();
    let mut b = Builder::new();
    let mut rng = 9u64;
    for c in [&c0, &c1] {
        emit(&mut a, &mut b, c, PathModel::plain(), &mut rng);
    }
    let ia = a.finish();
    let mut ib = b.finish();
    let cut = t0 + 9_000_000; // B's first 9 ms are not captured
    ib.packets.retain(|p| p.ts_ns >= cut);
    ib.first_ts_ns = ib.packets.first().map(|p| p.ts_ns);
    let r = match_pair(&ia, &ib);
    assert_eq!(pairs_of(&r), vec![(0, 0), (1, 1)]);
    assert!(r.lost.is_empty(), "{:?}", r.lost);
    let m = &r.matches[0];
    assert!(
        !m.pairing.as_ref().unwrap().unpaired_a.is_empty(),
        "the early packets are unpaired"
    );
}

/// A client's first SYN dropped between the points, its retransmission crossing, on a path that
/// rewrites IP IDs (so only time tells the copies apart): the retransmission is the copy that
/// pairs with B's SYN, the first one is lost at A, and the attempt counts 2 SYNs at A, 1 at B.
#[test]
fn lost_first_syn_pairs_the_retransmission() {
    let t0 = PathModel::plain().t0;
    let mut conns = Vec::new();
    for n in 0..3u32 {
        let mut c = Conn::new(n, t0 + i64::from(n) * 5_000_000_000);
        c.client_a = ["10.1.0.2:41094", "10.1.0.2:41110", "10.1.0.2:41126"][n as usize];
        c.client_b = c.client_a;
        c.ipid_rewrite = true;
        (c.syns_a, c.syns_b) = [(2, 1), (1, 1), (3, 1)][n as usize];
        conns.push(c);
    }
    let (ia, ib, r) = run(&conns, PathModel::plain());
    let syn_frames = |input: &MatchInput, stream: u32| -> Vec<u32> {
        input
            .packets
            .iter()
            .filter(|p| p.stream == stream && p.flags == F::SYN)
            .map(|p| p.frame)
            .collect()
    };
    for (n, copies) in [(0u32, 2usize), (2, 3)] {
        let a_syns = syn_frames(&ia, n);
        let b_syns = syn_frames(&ib, n);
        assert_eq!((a_syns.len(), b_syns.len()), (copies, 1));
        let m = r.matches.iter().find(|m| m.a_stream == n).expect("matched");
        let p = m.pairing.as_ref().expect("packet level");
        let frame_of = |input: &MatchInput, i: u32| input.packets[i as usize].frame;
        let paired_syn: Vec<(u32, u32)> = p
            .pairs
            .iter()
            .map(|&(i, j)| (frame_of(&ia, i), frame_of(&ib, j)))
            .filter(|(fa, _)| a_syns.contains(fa))
            .collect();
        // The last copy crossed (the generator delivers the last `syns_b` copies).
        assert_eq!(paired_syn, vec![(*a_syns.last().unwrap(), b_syns[0])]);
        let lost_a: Vec<u32> = r
            .lost
            .iter()
            .filter(|l| l.capture == "a" && l.stream == n)
            .map(|l| l.frame)
            .collect();
        assert_eq!(lost_a, a_syns[..copies - 1].to_vec());
        let ms = r
            .missing_syn
            .iter()
            .find(|s| s.a_stream == Some(n))
            .expect("listed");
        assert_eq!((ms.syns_a, ms.syns_b), (copies as u32, 1));
    }
    assert!(r.lost.iter().all(|l| l.capture == "a"));
}

/// UDP flows whose first datagram was lost between the points: B's first packet of the flow is
/// the reply, so B (as [`super::input::MatchInputBuilder::finish`] orients a flow without
/// well-known port by its first packet) names the server as client. The same tuple reversed is
/// no translation, and the packets pair with the directions turned.
#[test]
fn udp_flow_seen_reply_first_is_the_same_tuple_not_nat() {
    let t0 = PathModel::plain().t0;
    let mut a = Builder::new();
    let mut b = Builder::new();
    for n in 0..4u32 {
        let client = format!("10.1.0.2:{}", 40000 + n);
        let sa = a.udp_stream(n, &client, "10.2.0.2:5300");
        // B's "client" is the server: its first packet there is the reply.
        let sb = b.udp_stream(n, "10.2.0.2:5300", &client);
        let t = t0 + i64::from(n) * 10_000_000;
        let id = [0x1000 + n as u16 * 16, 0x8000 + n as u16 * 16];
        // Query 1 leaves A and is lost before B.
        a.pkt(sa, DIR_C2S, 0, 0, 30, 100 + n, 0, t).ip_id = id[0];
        // Reply 1 (server to client): B first, then A.
        b.pkt(sb, DIR_C2S, 0, 0, 60, 200 + n, 0, t + 1_000_000)
            .ip_id = id[1];
        a.pkt(sa, DIR_S2C, 0, 0, 60, 200 + n, 0, t + 1_200_000)
            .ip_id = id[1];
        // Query 2 and reply 2 cross.
        a.pkt(sa, DIR_C2S, 0, 0, 30, 300 + n, 0, t + 2_000_000)
            .ip_id = id[0] + 1;
        b.pkt(sb, DIR_S2C, 0, 0, 30, 300 + n, 0, t + 2_200_000)
            .ip_id = id[0] + 1;
        b.pkt(sb, DIR_C2S, 0, 0, 60, 400 + n, 0, t + 3_000_000)
            .ip_id = id[1] + 1;
        a.pkt(sa, DIR_S2C, 0, 0, 60, 400 + n, 0, t + 3_200_000)
            .ip_id = id[1] + 1;
    }
    let (ia, ib) = (capturing_around(a.finish()), capturing_around(b.finish()));
    let r = match_pair(&ia, &ib);
    assert_eq!(pairs_of(&r), (0..4).map(|n| (n, n)).collect::<Vec<_>>());
    for m in &r.matches {
        assert_eq!(m.translation, None, "stream {}", m.a_stream);
        assert!(m.translations.is_empty());
        assert!(
            !m.methods.joined().contains("nat"),
            "{}",
            m.methods.joined()
        );
        assert!(m.methods.joined().starts_with("tuple"));
        let p = m.pairing.as_ref().expect("packet level");
        assert_eq!(p.pairs.len(), 3);
        // Query 2 is c2s at A and travels A→B.
        assert!(m.c2s_a_to_b);
    }
    // Only each flow's first query is lost (at A, client to server).
    let lost: Vec<(&str, &str, u32)> = r.lost.iter().map(|l| (l.capture, l.dir, l.len)).collect();
    assert_eq!(lost, vec![("a", "c2s", 30); 4]);
    let c = r.clock.expect("clock from the pairs");
    assert!(c.offset_s.abs() < 1e-6, "{}", c.offset_s);
}

/// A TCP connection seen mid-way at both points (no SYN), whose first data segment from the
/// client was lost between the points: B sees the server's data first and orients the stream
/// the other way. It is the same tuple, not a translation, and all other packets pair.
#[test]
fn tcp_stream_without_syn_seen_reply_first_pairs_turned() {
    let t0 = PathModel::plain().t0;
    let mut a = Builder::new();
    let mut b = Builder::new();
    let sa = a.tcp_stream(0, "10.1.0.2:40000", "10.2.0.2:8000");
    let sb = b.tcp_stream(0, "10.2.0.2:8000", "10.1.0.2:40000");
    let (c0, s0) = (5_000u32, 9_000_000u32);
    let d = 200_000i64;
    // A: c2s data (lost before B), s2c data, c2s data, s2c ack; B sees the last three.
    a.pkt(sa, DIR_C2S, c0, s0, 100, 1, F::ACK | F::PSH, t0)
        .ip_id = 11;
    b.pkt(sb, DIR_C2S, s0, c0, 500, 2, F::ACK | F::PSH, t0 + 1_000_000)
        .ip_id = 21;
    a.pkt(
        sa,
        DIR_S2C,
        s0,
        c0,
        500,
        2,
        F::ACK | F::PSH,
        t0 + 1_000_000 + d,
    )
    .ip_id = 21;
    a.pkt(
        sa,
        DIR_C2S,
        c0 + 100,
        s0 + 500,
        80,
        3,
        F::ACK | F::PSH,
        t0 + 2_000_000,
    )
    .ip_id = 12;
    b.pkt(
        sb,
        DIR_S2C,
        c0 + 100,
        s0 + 500,
        80,
        3,
        F::ACK | F::PSH,
        t0 + 2_000_000 + d,
    )
    .ip_id = 12;
    b.pkt(
        sb,
        DIR_C2S,
        s0 + 500,
        c0 + 180,
        0,
        0,
        F::ACK,
        t0 + 3_000_000,
    )
    .ip_id = 22;
    a.pkt(
        sa,
        DIR_S2C,
        s0 + 500,
        c0 + 180,
        0,
        0,
        F::ACK,
        t0 + 3_000_000 + d,
    )
    .ip_id = 22;
    let (ia, ib) = (capturing_around(a.finish()), capturing_around(b.finish()));
    let r = match_pair(&ia, &ib);
    assert_eq!(pairs_of(&r), vec![(0, 0)]);
    let m = &r.matches[0];
    assert_eq!(m.translation, None);
    assert!(
        !m.methods.joined().contains("nat"),
        "{}",
        m.methods.joined()
    );
    assert_eq!(m.pairing.as_ref().map(|p| p.pairs.len()), Some(3));
    assert_eq!(m.seq_offset_a_to_b(), Some(0));
    let lost: Vec<(&str, u32, &str)> = r.lost.iter().map(|l| (l.capture, l.frame, l.dir)).collect();
    assert_eq!(lost, vec![("a", 1, "c2s")]);
}

/// UDP flows through PAT whose first datagram was lost between the points: no tuple in common,
/// B sees each flow reply first. The IP IDs still link them (looked up with the direction
/// turned), the translation is the client's (inside → outside), and the packets pair.
#[test]
fn udp_flow_through_pat_seen_reply_first_matches_with_translation() {
    let t0 = PathModel::plain().t0;
    let mut a = Builder::new();
    let mut b = Builder::new();
    for n in 0..4u32 {
        let inside = format!("10.1.0.2:{}", 40000 + n);
        let outside = format!("10.2.0.1:{}", 61000 + n * 37);
        let sa = a.udp_stream(n, &inside, "10.2.0.2:5300");
        let sb = b.udp_stream(n, "10.2.0.2:5300", &outside);
        let t = t0 + i64::from(n) * 10_000_000;
        let id = [0x1000 + n as u16 * 16, 0x8000 + n as u16 * 16];
        a.pkt(sa, DIR_C2S, 0, 0, 30, 100 + n, 0, t).ip_id = id[0];
        b.pkt(sb, DIR_C2S, 0, 0, 60, 200 + n, 0, t + 1_000_000)
            .ip_id = id[1];
        a.pkt(sa, DIR_S2C, 0, 0, 60, 200 + n, 0, t + 1_200_000)
            .ip_id = id[1];
        a.pkt(sa, DIR_C2S, 0, 0, 30, 300 + n, 0, t + 2_000_000)
            .ip_id = id[0] + 1;
        b.pkt(sb, DIR_S2C, 0, 0, 30, 300 + n, 0, t + 2_200_000)
            .ip_id = id[0] + 1;
    }
    let (ia, ib) = (capturing_around(a.finish()), capturing_around(b.finish()));
    let r = match_pair(&ia, &ib);
    assert_eq!(pairs_of(&r), (0..4).map(|n| (n, n)).collect::<Vec<_>>());
    for m in &r.matches {
        let n = m.a_stream;
        assert_eq!(
            m.translation.as_deref(),
            Some(format!("10.1.0.2:{}->10.2.0.1:{}", 40000 + n, 61000 + n * 37).as_str())
        );
        assert_eq!(m.methods.joined(), "nat+udp_id");
        assert_eq!(m.pairing.as_ref().map(|p| p.pairs.len()), Some(2));
    }
    assert_eq!(r.lost.len(), 4);
    assert!(r.lost.iter().all(|l| l.capture == "a" && l.dir == "c2s"));
}
