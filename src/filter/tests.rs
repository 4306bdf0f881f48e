//! Tests of the filter parser (every construct, error positions) and evaluator (over a generated
//! capture), plus a property test that no filter text panics the compiler.

use super::*;
use crate::pipeline::{FrameContext, Pipeline};
use crate::synth::{CapturePoint, Dir, Endpoint, IpIdCounters, TcpConversation, UdpExchange};

/// A generated capture: one TCP conversation 10.0.0.1:40000 → 10.0.0.2:80 (handshake, GET,
/// 3000-byte answer, close) then one UDP datagram pair 10.0.0.1:5353 ↔ 192.168.1.9:53.
fn capture() -> Vec<u8> {
    let ip = |s: &str| s.parse().expect("address");
    let tcp = TcpConversation::new(
        0,
        Endpoint::new(ip("10.0.0.1"), 40000),
        Endpoint::new(ip("10.0.0.2"), 80),
        1_700_000_000_000_000_000,
    )
    .message(
        Dir::ToServer,
        b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
    )
    .message(Dir::ToClient, vec![b'x'; 3000]);
    let udp = UdpExchange::new(
        1,
        Endpoint::new(ip("10.0.0.1"), 5353),
        Endpoint::new(ip("192.168.1.9"), 53),
        1_700_000_010_000_000_000,
    )
    .datagram(Dir::ToServer, b"ping".to_vec())
    .datagram(Dir::ToClient, b"pong".to_vec());
    let mut ids = IpIdCounters::new(1);
    let mut packets = tcp.packets(&mut ids);
    packets.extend(udp.packets(&mut ids));
    let mut pcap = Vec::new();
    CapturePoint::new("filter-test")
        .write_pcap(&packets, &mut pcap, crate::export::TsResolution::Nano)
        .expect("pcap");
    pcap
}

/// Frame numbers matching `text` in the generated capture, and the total frame count.
fn run(text: &str) -> (Vec<u32>, u32) {
    let filter = Filter::compile(text).unwrap_or_else(|e| panic!("{text}: {e}"));
    let mut ff = FrameFilter::new(filter);
    let mut hits = Vec::new();
    let mut total = 0;
    let mut pipeline = Pipeline::new();
    let mut visit = |c: &FrameContext| {
        total += 1;
        if ff.matches(c) {
            hits.push(c.meta.number);
        }
    };
    let pcap = capture();
    pipeline.push(&pcap, &mut visit);
    pipeline.finish(&mut visit);
    (hits, total)
}

fn hits(text: &str) -> Vec<u32> {
    run(text).0
}

fn error(text: &str) -> FilterError {
    match Filter::compile(text) {
        Ok(_) => panic!("`{text}` should be rejected"),
        Err(e) => e,
    }
}

#[test]
fn the_capture_has_tcp_then_udp_frames() {
    let (all, total) = run("");
    assert_eq!(all.len() as u32, total);
    let tcp = hits("tcp");
    let udp = hits("udp");
    assert!(tcp.len() >= 7, "handshake, data, acks, close: {tcp:?}");
    assert_eq!(udp.len(), 2);
    assert_eq!(tcp.len() + udp.len(), total as usize);
    assert!(tcp.iter().all(|n| !udp.contains(n)));
}

#[test]
fn logical_operators_and_their_word_forms() {
    let tcp = hits("tcp");
    let udp = hits("udp");
    let all = hits("frame");
    assert_eq!(hits("tcp or udp"), all);
    assert_eq!(hits("tcp || udp"), all);
    assert!(hits("tcp and udp").is_empty());
    assert!(hits("tcp && udp").is_empty());
    assert_eq!(hits("not tcp"), udp);
    assert_eq!(hits("!tcp"), udp);
    assert_eq!(hits("!!tcp"), tcp);
    assert_eq!(hits("tcp xor ip"), udp);
    assert_eq!(hits("tcp ^^ ip"), udp);
    assert!(hits("tcp xor tcp").is_empty());
    // `and` binds tighter than `or`; parentheses override.
    assert_eq!(hits("udp or tcp and frame.number == 1"), {
        let mut v = vec![1];
        v.extend(&udp);
        v
    });
    assert_eq!(hits("(udp or tcp) and frame.number == 1"), vec![1]);
}

#[test]
fn multi_valued_fields_follow_tshark_4_0() {
    let udp = hits("udp");
    // ip.addr holds source and destination.
    assert_eq!(hits("ip.addr == 192.168.1.9"), udp);
    // `!=`: present and no value equals; absent fields never match.
    assert!(hits("ip.addr != 10.0.0.1").is_empty());
    assert_eq!(hits("ip.addr ne 10.0.0.2"), udp);
    assert_eq!(hits("ip.addr all_ne 10.0.0.2"), udp);
    // `~=`: some value differs.
    assert_eq!(hits("ip.addr ~= 10.0.0.1"), hits("ip"));
    assert_eq!(hits("ip.addr any_ne 10.0.0.1"), hits("ip"));
    assert!(hits("ip.addr === 10.0.0.1").is_empty());
    assert!(hits("ip.addr all_eq 10.0.0.1").is_empty());
    assert_eq!(hits("tcp.port == 80"), hits("tcp"));
    assert_eq!(hits("tcp.port any_eq 40000"), hits("tcp"));
    assert!(hits("tcp.port != 80").is_empty());
    assert_eq!(hits("tcp.port ~= 80"), hits("tcp"));
}

#[test]
fn subnets_sets_ranges_and_masks() {
    let tcp = hits("tcp");
    let udp = hits("udp");
    assert_eq!(hits("ip.addr == 192.168.0.0/16"), udp);
    // Only the answer goes back into 10/8.
    assert_eq!(hits("ip.dst == 10.0.0.0/8 and udp"), udp[1..].to_vec());
    assert_eq!(hits("ip.addr == 0.0.0.0/0"), hits("ip"));
    assert_eq!(hits("ip.addr in {192.168.0.0/16, 172.16.0.0/12}"), udp);
    assert_eq!(hits("udp.port in {53, 67}"), udp);
    assert_eq!(hits("udp.port in {50..60}"), udp);
    assert_eq!(hits("udp.port in {1 .. 52, 54..100}"), Vec::<u32>::new());
    assert_eq!(hits("tcp.port not in {80}"), udp);
    assert_eq!(hits("frame.number in {1, 3..4}"), vec![1, 3, 4]);
    assert_eq!(hits("tcp.flags & 0x02"), hits("tcp.flags.syn == 1"));
    assert_eq!(hits("tcp.flags & 0x12 == 0x12"), vec![2]);
    assert_eq!(hits("tcp.flags == 0x002"), vec![1]);
    assert_eq!(hits("tcp.flags.syn == 1 and tcp.flags.ack == 0"), vec![1]);
    assert!(tcp.contains(&2));
}

#[test]
fn integer_literal_forms() {
    for f in [
        "tcp.dstport == 80",
        "tcp.dstport == 0x50",
        "tcp.dstport == 0120",
        "tcp.dstport == 0b1010000",
        "tcp.dstport == 'P'",
        "tcp.dstport eq 80",
    ] {
        assert_eq!(hits(f), hits("tcp.dstport == 80"), "{f}");
        assert!(!hits(f).is_empty(), "{f}");
    }
    assert!(hits("frame.number == -1").is_empty());
}

#[test]
fn ordering_operators_and_word_forms() {
    let n = run("").1;
    assert_eq!(hits("frame.number < 3"), vec![1, 2]);
    assert_eq!(hits("frame.number lt 3"), vec![1, 2]);
    assert_eq!(hits("frame.number <= 2"), vec![1, 2]);
    assert_eq!(hits("frame.number le 2"), vec![1, 2]);
    assert_eq!(hits(&format!("frame.number > {}", n - 1)), vec![n]);
    assert_eq!(hits(&format!("frame.number gt {}", n - 1)), vec![n]);
    assert_eq!(hits(&format!("frame.number >= {n}")), vec![n]);
    assert_eq!(hits(&format!("frame.number ge {n}")), vec![n]);
}

#[test]
fn field_to_field_comparisons() {
    let tcp = hits("tcp");
    let udp = hits("udp");
    assert!(hits("tcp.srcport == tcp.dstport").is_empty());
    assert_eq!(hits("frame.len == frame.cap_len"), hits("frame"));
    // Client→server segments have the higher source port.
    let up = hits("tcp.srcport > tcp.dstport");
    assert!(!up.is_empty() && up.iter().all(|n| tcp.contains(n)));
    assert_eq!(hits("ip.src != ip.dst"), hits("ip"));
    assert_eq!(hits("udp.srcport == udp.srcport"), udp);
}

#[test]
fn strings_bytes_contains_and_matches() {
    let get = hits("frame contains \"GET /index\"");
    assert_eq!(get.len(), 1);
    assert_eq!(hits("tcp contains \"GET\""), get);
    assert_eq!(hits("frame contains 47:45:54:20"), get);
    assert_eq!(hits("frame contains \"\\x47\\x45\\x54\""), get);
    assert_eq!(hits("frame contains r\"GET\""), get);
    assert_eq!(hits("frame matches \"GET /[a-z]+\\\\.html\""), get);
    assert_eq!(hits("frame ~ \"(?i)host: X\""), get);
    assert_eq!(
        hits("frame matches \"host: X\""),
        get,
        "case-insensitive by default"
    );
    assert!(hits("frame matches \"(?-i)host: X\"").is_empty());
    assert_eq!(hits("udp contains \"pong\"").len(), 1);
    assert_eq!(hits("frame.protocols contains \"udp\""), hits("udp"));
    assert_eq!(hits("frame.protocols matches \"ip:tcp$\""), hits("tcp"));
    assert_eq!(
        hits("frame.protocols == \"eth:ethertype:ip:udp\""),
        hits("udp")
    );
}

#[test]
fn mac_addresses_in_every_notation() {
    let all = hits("eth");
    assert!(!all.is_empty());
    let (mut macs, mut none) = (Vec::new(), Vec::new());
    for f in [
        "eth.addr == ff:ff:ff:ff:ff:ff",
        "eth.addr == ff-ff-ff-ff-ff-ff",
        "eth.addr == ffff.ffff.ffff",
    ] {
        none.push(hits(f));
    }
    assert!(none.windows(2).all(|w| w[0] == w[1]));
    for f in [
        "eth.addr == eth.src",
        "eth.addr == eth.dst",
        "eth.src ~= 00:00:00:00:00:00",
    ] {
        macs.push(hits(f));
    }
    assert!(macs.iter().all(|m| *m == all));
}

#[test]
fn times_absolute_epoch_and_relative() {
    let tcp = hits("tcp");
    let udp = hits("udp");
    // The UDP exchange starts 10 s after the TCP conversation (2023-11-14 22:13:20 UTC).
    assert_eq!(hits("frame.time_relative >= 10"), udp);
    assert_eq!(hits("frame.time_relative < 9.5"), tcp);
    assert_eq!(hits("frame.time_epoch >= 1700000010"), udp);
    assert_eq!(hits("frame.time >= \"2023-11-14 22:13:30\""), udp);
    assert_eq!(hits("frame.time >= \"2023-11-14T22:13:30Z\""), udp);
    assert_eq!(hits("frame.time < \"Nov 14, 2023 22:13:30\""), tcp);
    assert_eq!(
        hits("frame.time > \"Nov 14, 2023 22:13:19.999999999\""),
        hits("frame")
    );
}

#[test]
fn tcp_analysis_flags_and_values() {
    // The generated conversation is clean: no analysis flag but acks of earlier frames.
    assert!(hits("tcp.analysis.retransmission").is_empty());
    assert!(hits("tcp.analysis.flags").is_empty());
    let acks = hits("tcp.analysis.acks_frame");
    assert!(!acks.is_empty());
    assert_eq!(hits("tcp.seq == 0"), hits("tcp.flags.syn == 1"));
    assert_eq!(hits("tcp.analysis.ack_rtt >= 0"), acks);
    assert_eq!(
        Filter::compile("tcp.analysis.flags")
            .expect("ok")
            .requirement(),
        Requirement::TcpAnalysis
    );
}

#[test]
fn requirements_decide_between_index_and_decode() {
    let req = |t: &str| Filter::compile(t).expect("compiles").requirement();
    assert_eq!(
        req("frame.number > 3 and tcp.stream == 1"),
        Requirement::Index
    );
    assert_eq!(
        req("frame.time_relative < 1 or udp.stream in {1, 2}"),
        Requirement::Index
    );
    assert_eq!(req("ip.addr == 10.0.0.1"), Requirement::Decode);
    assert_eq!(req("tcp"), Requirement::Decode);
    assert_eq!(
        req("tcp.stream == 1 and tcp.analysis.lost_segment"),
        Requirement::TcpAnalysis
    );
}

/// Position and length of the error for `text`.
fn at(text: &str) -> (usize, usize) {
    let e = error(text);
    (e.position, e.length)
}

#[test]
fn errors_point_at_the_offending_token() {
    assert_eq!(at("foo.bar"), (0, 7));
    assert_eq!(at("tcp.port == 99999"), (12, 5));
    assert_eq!(at("tcp.stream in {0 1}"), (17, 1));
    assert_eq!(at("ip.addr == 10.0.0.1/33"), (11, 11));
    assert_eq!(at("ip.src == \"10.0.0.1\""), (10, 10));
    assert_eq!(at("eth.src == 1"), (11, 1));
    assert_eq!(at("frame.number == 1.5"), (16, 3));
    assert_eq!(at(")"), (0, 1));
    assert_eq!(at("tcp.port==80,443"), (12, 1));
    assert_eq!(at("ip.src == eth.src"), (10, 7));
    assert_eq!(at("ip.dst matches \"^10\""), (0, 6));
    assert_eq!(at("tcp.port = 80"), (9, 1));
    assert_eq!(at("frame[0:2] == 00:00"), (5, 1));
    // Positions count characters, not bytes.
    assert_eq!(at("frame contains \"é\" and fö"), (23, 2));
    // The end of the filter: no caret.
    for t in ["tcp.port ==", "(tcp", "tcp and", "tcp.port in {80", "not"] {
        let e = error(t);
        assert_eq!(e.message, "Unexpected end of filter expression.", "{t}");
        assert_eq!(e.length, 0);
    }
}

#[test]
fn errors_render_like_tshark() {
    let text = "tcp.port == 99999";
    let e = error(text);
    assert_eq!(
        e.render(text),
        "\"99999\" too big for this field, maximum 65535.\n    tcp.port == 99999\n                ^~~~~"
    );
    assert_eq!(
        error("\"abc\"").message,
        "\"abc\" is neither a field nor a protocol name."
    );
    assert_eq!(
        error("ip.addr == 10.0.1").message,
        "\"10.0.1\" is not a valid hostname or IPv4 address."
    );
    assert_eq!(
        error("frame.number == 08").message,
        "\"08\" is not a valid number."
    );
    assert_eq!(
        error("tcp.port in {}").message,
        "\"}\" was unexpected in this context."
    );
}

#[test]
fn regex_syntax_the_regex_crate_lacks_is_rejected() {
    // PCRE2 look-around and backreferences are not supported by the regex crate.
    let e = error("frame matches \"(?<=a)b\"");
    assert_eq!(e.position, 14);
    assert!(error("frame matches \"(a)\\\\1\"").length > 0);
}

#[test]
fn analysis_labels_are_known_to_the_session_module() {
    for name in [
        "tcp.analysis.flags",
        "tcp.analysis.retransmission",
        "tcp.analysis.zero_window_probe_ack",
    ] {
        assert!(crate::session::is_tcp_analysis_field(name), "{name}");
        assert!(Filter::compile(name).is_ok());
    }
    assert!(Filter::compile("tcp.analysis.retransmission == 1").is_err());
}

#[test]
fn hostile_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}tcp{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(Filter::compile(&deep).is_err());
    let nots = format!("{}tcp", "!".repeat(10_000));
    assert!(Filter::compile(&nots).is_err());
    assert!(Filter::compile(&format!("{}tcp{}", "(".repeat(50), ")".repeat(50))).is_ok());
}

proptest::proptest! {
    #[test]
    fn random_filter_text_never_panics(s in "[ -~éß]{0,60}") {
        let _ = Filter::compile(&s);
    }

    #[test]
    fn filter_shaped_text_never_panics(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "tcp", "ip.addr", "==", "!=", "~=", "in", "{", "}", ",", "..", "(", ")", "and", "or",
            "xor", "not", "!", "&&", "10.0.0.0/8", "0x1f", "\"a\\x4", "r\"", "'", "'a'", "&",
            "contains", "matches", "\"(\"", "aa:bb", "frame.time", "\"2020-13-40 99:99\"",
            "-", "1..", "::", "/129", "[", "tcp.analysis.flags", "eth.addr", " ",
        ]), 0..16)
    ) {
        let s = parts.join(" ");
        let _ = Filter::compile(&s);
        let joined = parts.concat();
        let _ = Filter::compile(&joined);
    }
}
