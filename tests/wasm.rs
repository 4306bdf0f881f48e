//! The wasm build of the core and its web glue, run by `wasm-bindgen-test-runner` in Node, in
//! headless Chromium (`WASM_BINDGEN_USE_BROWSER=1`) and in a dedicated worker
//! (`WASM_BINDGEN_USE_DEDICATED_WORKER=1`); see scripts/test.sh.
//!
//! The captures are built here in memory (etherparse's packet builder inside a classic pcap), so the
//! expected frames, streams and conversations follow from how they were built.
#![cfg(target_arch = "wasm32")]

use serde_json::Value;
use tracematch::pipeline::{ConvKind, Indexer};
use tracematch::web::js_value::{to_json_text, MAX_SAFE_INTEGER};
use tracematch::web::CaptureHandle;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

/// One packet to put in the test capture.
struct Packet {
    ts_usec: u64,
    src: [u8; 4],
    dst: [u8; 4],
    proto: Proto,
    payload: &'static [u8],
}

enum Proto {
    /// TCP with (src port, dst port, seq, flags as "S", "SA", "A", "PA", "FA").
    Tcp(u16, u16, u32, &'static str),
    /// UDP with (src port, dst port).
    Udp(u16, u16),
}

const A: [u8; 4] = [10, 0, 0, 1];
const B: [u8; 4] = [10, 0, 0, 2];
const C: [u8; 4] = [10, 0, 0, 3];
const D: [u8; 4] = [10, 0, 0, 4];

/// Two TCP connections, two UDP flows, three IP address pairs; 12 frames.
/// Frame numbers (1-based) per stream are listed in the tests below.
fn packets() -> Vec<Packet> {
    use Proto::*;
    let t0 = 1_700_000_000_000_000u64;
    let p = |dt: u64, src, dst, proto, payload| Packet {
        ts_usec: t0 + dt,
        src,
        dst,
        proto,
        payload,
    };
    vec![
        p(0, A, B, Tcp(40000, 80, 1000, "S"), b""),   // 1  tcp 0
        p(10, B, A, Tcp(80, 40000, 5000, "SA"), b""), // 2  tcp 0
        p(20, A, B, Tcp(40000, 80, 1001, "A"), b""),  // 3  tcp 0
        p(30, A, C, Udp(5353, 53), b"query"),         // 4  udp 0
        p(
            40,
            A,
            B,
            Tcp(40000, 80, 1001, "PA"),
            b"GET / HTTP/1.0\r\n\r\n",
        ), // 5 tcp 0
        p(50, C, A, Udp(53, 5353), b"answer"),        // 6  udp 0
        p(60, A, B, Tcp(40001, 443, 7000, "S"), b""), // 7  tcp 1
        p(70, B, A, Tcp(443, 40001, 9000, "SA"), b""), // 8  tcp 1
        p(80, D, A, Udp(123, 123), b"ntp"),           // 9  udp 1
        p(
            90,
            B,
            A,
            Tcp(80, 40000, 5001, "PA"),
            b"HTTP/1.0 200 OK\r\n\r\n",
        ), // 10 tcp 0
        p(100, A, B, Tcp(40000, 80, 1019, "FA"), b""), // 11 tcp 0
        p(110, B, A, Tcp(80, 40000, 5020, "FA"), b""), // 12 tcp 0
    ]
}

/// An Ethernet frame for `p`, built with etherparse.
fn frame(p: &Packet) -> Vec<u8> {
    let base = etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4(p.src, p.dst, 64);
    let mut out = Vec::new();
    match p.proto {
        Proto::Tcp(sport, dport, seq, flags) => {
            let mut b = base.tcp(sport, dport, seq, 65535);
            if flags.contains('S') {
                b = b.syn();
            }
            if flags.contains('A') {
                b = b.ack(1);
            }
            if flags.contains('P') {
                b = b.psh();
            }
            if flags.contains('F') {
                b = b.fin();
            }
            b.write(&mut out, p.payload)
                .expect("building a tcp test frame");
        }
        Proto::Udp(sport, dport) => {
            base.udp(sport, dport)
                .write(&mut out, p.payload)
                .expect("building a udp test frame");
        }
    }
    out
}

/// A little-endian microsecond classic pcap holding `packets`, Ethernet link type.
fn pcap(packets: &[Packet]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&65535u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    for p in packets {
        let data = frame(p);
        out.extend_from_slice(&((p.ts_usec / 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&((p.ts_usec % 1_000_000) as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&data);
    }
    out
}

/// Indexes `bytes` through the JavaScript handle in chunks of `chunk` bytes.
fn index_with_handle(bytes: &[u8], chunk: usize) -> CaptureHandle {
    let mut handle = CaptureHandle::new();
    for piece in bytes.chunks(chunk) {
        handle.push(piece);
    }
    handle.finish();
    handle
}

fn json(value: Result<JsValue, wasm_bindgen::JsError>) -> Value {
    let value = value.unwrap_or_else(|_| panic!("the handle returned an error"));
    serde_wasm_bindgen::from_value(value).expect("a JSON-compatible value")
}

const TCP0: [u32; 7] = [1, 2, 3, 5, 10, 11, 12];
const TCP1: [u32; 2] = [7, 8];
const UDP0: [u32; 2] = [4, 6];
const UDP1: [u32; 1] = [9];

#[wasm_bindgen_test]
fn the_core_indexes_an_in_memory_capture_in_wasm() {
    let bytes = pcap(&packets());
    let mut ix = Indexer::new();
    ix.push(&bytes);
    ix.finish();
    let summary = ix.summary();
    assert_eq!(summary.frames, 12);
    assert!(summary.complete, "read whole: {:?}", summary.error);
    assert_eq!(summary.error, None);
    assert_eq!((summary.tcp_streams, summary.udp_streams), (2, 2));
    assert_eq!(ix.frames_of_stream(ConvKind::Tcp, 0), TCP0.to_vec());
    assert_eq!(ix.frames_of_stream(ConvKind::Tcp, 1), TCP1.to_vec());
    assert_eq!(ix.frames_of_stream(ConvKind::Udp, 0), UDP0.to_vec());
    assert_eq!(ix.frames_of_stream(ConvKind::Udp, 1), UDP1.to_vec());
    assert_eq!(ix.conversations(ConvKind::Ip).len(), 3);
}

#[wasm_bindgen_test]
fn the_handle_returns_plain_objects_with_the_conversation_columns() {
    let bytes = pcap(&packets());
    let handle = index_with_handle(&bytes, 64 * 1024);

    let summary = json(handle.summary());
    assert_eq!(summary["frames"], 12);
    assert_eq!(summary["tcp_streams"], 2);
    assert_eq!(summary["complete"], true);
    assert_eq!(summary["error"], Value::Null);
    // Epoch nanoseconds exceed 2^53: they arrive as exact decimal strings.
    assert_eq!(summary["first_ts_ns"], "1700000000000000000");
    assert_eq!(summary["last_ts_ns"], "1700000000000110000");

    let tcp = json(handle.conversations("tcp"));
    let rows = tcp.as_array().expect("an array of rows");
    assert_eq!(rows.len(), 2);
    let first = &rows[0];
    assert_eq!(first["stream"], 0);
    assert_eq!(first["addr_a"], "10.0.0.1");
    assert_eq!(first["port_a"], 40000);
    assert_eq!(first["addr_b"], "10.0.0.2");
    assert_eq!(first["port_b"], 80);
    assert_eq!(first["frames"], 7);
    assert_eq!(first["frames_a_to_b"], 4);
    assert_eq!(first["frames_b_to_a"], 3);
    assert_eq!(rows[1]["stream"], 1);
    assert_eq!(rows[1]["frames"], 2);

    let udp = json(handle.conversations("udp"));
    let udp = udp.as_array().expect("an array of rows");
    assert_eq!(udp.len(), 2);
    assert_eq!(udp[1]["addr_a"], "10.0.0.4");
    assert_eq!(udp[1]["frames_b_to_a"], 0);

    let ip = json(handle.conversations("ip"));
    let ip = ip.as_array().expect("an array of rows");
    assert_eq!(ip.len(), 3);
    assert_eq!(ip[0]["stream"], Value::Null);
    assert_eq!(ip[0]["frames"], 9);

    assert_eq!(handle.frames_of_stream("tcp", 0).ok(), Some(TCP0.to_vec()));
    assert_eq!(handle.frames_of_stream("udp", 1).ok(), Some(UDP1.to_vec()));
    assert!(handle.conversations("sctp").is_err());
}

#[wasm_bindgen_test]
fn chunk_size_does_not_change_the_results() {
    let bytes = pcap(&packets());
    let whole = index_with_handle(&bytes, bytes.len());
    for chunk in [1, 7, 100] {
        let pieces = index_with_handle(&bytes, chunk);
        assert_eq!(
            json(pieces.summary()),
            json(whole.summary()),
            "chunk {chunk}"
        );
        for kind in ["tcp", "udp", "ip"] {
            assert_eq!(
                json(pieces.conversations(kind)),
                json(whole.conversations(kind)),
                "chunk {chunk}, {kind}"
            );
        }
    }
}

#[wasm_bindgen_test]
fn a_capture_cut_short_keeps_the_frames_before_the_damage() {
    let bytes = pcap(&packets());
    let cut = &bytes[..bytes.len() - 5];
    let handle = index_with_handle(cut, 4096);
    let summary = json(handle.summary());
    assert_eq!(summary["frames"], 11);
    assert_eq!(summary["complete"], false);
    let error = summary["error"].as_str().expect("an error message");
    assert!(error.contains("offset"), "{error}");
}

#[wasm_bindgen_test]
fn cancel_keeps_what_was_indexed() {
    let bytes = pcap(&packets());
    let half = bytes.len() / 2;
    let mut handle = CaptureHandle::new();
    handle.push(&bytes[..half]);
    handle.cancel();
    let summary = json(handle.summary());
    assert_eq!(summary["cancelled"], true);
    let frames = summary["frames"].as_u64().expect("frames");
    assert!(frames > 0 && frames < 12, "{frames}");
    let progress = json(handle.progress());
    assert_eq!(progress["frames"], frames);
}

#[wasm_bindgen_test]
fn unsafe_integers_become_exact_strings() {
    #[derive(serde::Serialize)]
    struct Sample {
        ts: i64,
        neg: i64,
        small: u32,
        edge: u64,
        list: (u64, f64),
        keyed: std::collections::BTreeMap<u64, &'static str>,
    }
    let text = to_json_text(&Sample {
        ts: 1_193_676_055_856_435_000,
        neg: -9_007_199_254_740_993,
        small: 42,
        edge: MAX_SAFE_INTEGER,
        list: (u64::MAX, 1.5),
        keyed: [(u64::MAX, "x")].into_iter().collect(),
    })
    .expect("serializable");
    assert_eq!(
        text,
        r#"{"ts":"1193676055856435000","neg":"-9007199254740993","small":42,"edge":9007199254740991,"list":["18446744073709551615",1.5],"keyed":{"18446744073709551615":"x"}}"#
    );
}

/// True where `FileReaderSync` exists (dedicated workers); the File tests need it.
fn in_worker() -> bool {
    js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("FileReaderSync")).unwrap_or(false)
}

fn file_of(bytes: &[u8], name: &str) -> web_sys::File {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::File::new_with_u8_array_sequence(&parts, name).expect("a File")
}

#[wasm_bindgen_test]
fn file_source_reads_any_range_of_a_file() {
    use tracematch::capture::random_access::ByteSource;
    use tracematch::web::file_source::{FileSource, READ_AHEAD};
    if !in_worker() {
        web_sys::console::log_1(
            &"SKIPPED: FileSource needs a worker (WASM_BINDGEN_USE_DEDICATED_WORKER=1)".into(),
        );
        return;
    }
    let len = (READ_AHEAD as usize) * 2 + 1234;
    let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    let mut source =
        FileSource::new(file_of(&bytes, "data.bin")).expect("FileReaderSync in a worker");
    assert_eq!(source.len(), len as u64);
    for (offset, size) in [
        (0usize, 10usize),
        (5, 100),
        (READ_AHEAD as usize - 3, 10),
        (len - 4, 10),
        (17, len),
    ] {
        let mut buf = vec![0u8; size];
        let n = source.read_at(offset as u64, &mut buf).expect("a read");
        let want = size.min(len - offset);
        assert_eq!(n, want, "read at {offset} size {size}");
        assert_eq!(&buf[..n], &bytes[offset..offset + n], "bytes at {offset}");
    }
    let mut buf = [0u8; 4];
    assert_eq!(
        source.read_at(len as u64 + 10, &mut buf).expect("a read"),
        0
    );
}

#[wasm_bindgen_test]
fn packet_rows_read_frames_back_from_the_file() {
    if !in_worker() {
        web_sys::console::log_1(
            &"SKIPPED: packetRows needs a worker (WASM_BINDGEN_USE_DEDICATED_WORKER=1)".into(),
        );
        return;
    }
    let list = packets();
    let bytes = pcap(&list);
    let handle = index_with_handle(&bytes, 4096);
    let rows = json(handle.packet_rows(&TCP0, file_of(&bytes, "t.pcap")));
    let rows = rows.as_array().expect("an array of rows");
    assert_eq!(rows.len(), TCP0.len());
    for (row, &number) in rows.iter().zip(TCP0.iter()) {
        assert_eq!(row["number"], number);
        let p = &list[number as usize - 1];
        assert_eq!(row["length"], frame(p).len() as u64);
        let ts = (p.ts_usec * 1000).to_string();
        assert_eq!(row["ts_ns"], ts.as_str());
        let dotted = |a: [u8; 4]| format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]);
        assert_eq!(row["source"], dotted(p.src).as_str());
        assert_eq!(row["destination"], dotted(p.dst).as_str());
        let Proto::Tcp(sport, dport, _, _) = p.proto else {
            panic!("frame {number} of a TCP stream is not TCP");
        };
        let info = row["info"].as_str().expect("an info column");
        if row["protocol"] == "TCP" {
            assert!(
                info.contains(&format!("{sport} → {dport}")),
                "info of frame {number}: {info}"
            );
        }
    }
    // Frame 5 carries an HTTP request (GET /), frame 10 the response; the others are bare TCP.
    let protocols: Vec<&str> = rows.iter().filter_map(|r| r["protocol"].as_str()).collect();
    assert_eq!(
        protocols,
        ["TCP", "TCP", "TCP", "HTTP", "HTTP", "TCP", "TCP"]
    );
    let request = rows[3]["info"].as_str().unwrap_or("");
    assert!(request.contains("GET /"), "{request}");
    // A file that is not the one indexed (here: empty) cannot give the frames back.
    assert!(handle
        .packet_rows(&[1], file_of(&[], "empty.pcap"))
        .is_err());
}

#[wasm_bindgen_test]
fn check_filter_reports_the_offending_position() {
    let Ok(ok) = tracematch::web::filter_handle::check_filter("tcp.port == 80") else {
        panic!("check_filter failed");
    };
    assert!(ok.is_null());
    let problem = json(tracematch::web::filter_handle::check_filter(
        "tcp.port == 80 && foo.bar",
    ));
    // tshark puts its caret under "foo.bar", the 19th character.
    assert_eq!(problem["position"], 18);
    assert_eq!(problem["length"], 7);
    assert!(tracematch::web::FilterHandle::new("ip.addr ==").is_err());
}

#[wasm_bindgen_test]
fn filter_handle_selects_a_streams_frames_and_its_conversation() {
    let bytes = pcap(&packets());
    let Ok(mut handle) = tracematch::web::FilterHandle::new("tcp.stream == 0") else {
        panic!("the filter does not compile");
    };
    for chunk in bytes.chunks(1000) {
        handle.push(chunk);
    }
    handle.finish();
    assert_eq!(handle.matches(), TCP0.to_vec());
    assert_eq!(handle.frames_read() as usize, packets().len());
    let tcp = json(handle.conversations("tcp"));
    let rows = tcp.as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["stream"], 0);
    assert_eq!(rows[0]["frames"], TCP0.len() as u64);
    assert!(handle.conversations("sctp").is_err());
}

#[wasm_bindgen_test]
fn filter_handle_plans_over_the_index_and_reads_back_only_candidates() {
    let bytes = pcap(&packets());
    let compiled = |text: &str| {
        tracematch::web::FilterHandle::new(text)
            .unwrap_or_else(|_| panic!("{text} does not compile"))
    };
    // An index still being built answers nothing: the full pass.
    let mut partial = CaptureHandle::new();
    partial.push(&bytes);
    assert_eq!(
        compiled("tcp.stream == 0").plan_over(&partial, true),
        "full"
    );
    let capture = index_with_handle(&bytes, 4096);
    assert_eq!(
        compiled("tcp.stream == 0").plan_over(&capture, true),
        "index"
    );
    assert_eq!(
        compiled("tcp.stream == 0 and tcp.flags.syn == 1").plan_over(&capture, true),
        "preselect"
    );
    assert_eq!(compiled("udp.port == 53").plan_over(&capture, true), "full");
    if !in_worker() {
        web_sys::console::log_1(
            &"SKIPPED: reading back needs a worker (WASM_BINDGEN_USE_DEDICATED_WORKER=1)".into(),
        );
        return;
    }
    for (text, want) in [
        ("tcp.stream == 0", TCP0.to_vec()),
        ("tcp.stream == 0 and frame.number > 3", vec![5, 10, 11, 12]),
    ] {
        let mut handle = compiled(text);
        assert_ne!(handle.plan_over(&capture, true), "full", "{text}");
        let mut state = String::new();
        for _ in 0..100 {
            state = handle
                .read_back(&capture, file_of(&bytes, "t.pcap"), 2)
                .unwrap_or_else(|_| panic!("{text}: reading back failed"));
            if state != "more" {
                break;
            }
        }
        assert_eq!(state, "done", "{text}");
        assert_eq!(handle.matches(), want, "{text}");
        let tcp = json(handle.conversations("tcp"));
        let rows = tcp.as_array().expect("rows");
        assert_eq!(rows.len(), 1, "{text}");
        assert_eq!(rows[0]["frames"], want.len() as u64, "{text}");
        let progress = json(handle.read_back_progress(&capture));
        assert_eq!(progress["read"], progress["total"], "{text}");
    }
}

#[wasm_bindgen_test]
fn frame_details_read_the_frame_back_with_its_tree() {
    if !in_worker() {
        web_sys::console::log_1(
            &"SKIPPED: frameDetails needs a worker (WASM_BINDGEN_USE_DEDICATED_WORKER=1)".into(),
        );
        return;
    }
    let list = packets();
    let bytes = pcap(&list);
    let handle = index_with_handle(&bytes, 4096);
    let Ok(details) = handle.frame_details(1, file_of(&bytes, "t.pcap")) else {
        panic!("frame 1 has no details");
    };
    let tree = js_sys::Reflect::get(&details, &"tree".into()).expect("tree");
    let tree: Value =
        serde_json::from_str(&String::from(js_sys::JSON::stringify(&tree).expect("json")))
            .expect("tree json");
    let frame_bytes = js_sys::Reflect::get(&details, &"bytes".into()).expect("bytes");
    let frame_bytes = js_sys::Uint8Array::new(&frame_bytes).to_vec();
    assert_eq!(frame_bytes, frame(&list[0]));
    let ip = tree
        .as_array()
        .and_then(|t| t.iter().find(|n| n["field"] == "ip"))
        .expect("an ip line");
    let src = ip["children"]
        .as_array()
        .and_then(|c| c.iter().find(|n| n["field"] == "ip.src"))
        .expect("ip.src");
    let a = list[0].src;
    assert_eq!(
        src["value"],
        format!("{}.{}.{}.{}", a[0], a[1], a[2], a[3]).as_str()
    );
    let at = src["offset"].as_u64().expect("offset") as usize;
    assert_eq!(frame_bytes[at..at + 4], a);
    let Ok(missing) = handle.frame_details(9999, file_of(&bytes, "t.pcap")) else {
        panic!("an unknown frame is not an error");
    };
    assert!(missing.is_null());
}

/// Feeds captures to the page's match handle in `chunk`-byte slices and runs it; returns the
/// handle (for per-packet diffs of that run) and the report.
fn match_with_handle(
    captures: &[(&str, &[u8])],
    chunk: usize,
) -> (tracematch::web::MatchHandle, Value) {
    let mut handle = tracematch::web::MatchHandle::new();
    for (name, bytes) in captures {
        assert!(handle.begin(name, name).is_ok());
        for piece in bytes.chunks(chunk) {
            assert!(handle.push(piece).is_ok());
        }
        assert!(handle.end_capture().is_ok());
    }
    let report = json(handle.run());
    (handle, report)
}

#[wasm_bindgen_test]
fn the_match_handle_forwards_to_the_matcher() {
    let a = pcap(&packets());
    // The same traffic seen 5 s later on another clock.
    let shifted: Vec<Packet> = packets()
        .into_iter()
        .map(|p| Packet {
            ts_usec: p.ts_usec + 5_000_000,
            ..p
        })
        .collect();
    let b = pcap(&shifted);
    let (handle, got) = match_with_handle(&[("a.pcap", &a), ("b.pcap", &b)], 7);
    // The core called directly on the same bytes.
    let input = |bytes: &[u8]| {
        let mut f = tracematch::matching::MatchInputFeeder::new();
        f.push(bytes);
        f.finish()
    };
    let reference = |i: usize, name: &str| tracematch::matching::CaptureRef {
        index: i,
        path: name.to_string(),
        label: name.to_string(),
    };
    // The page asks for the flow table also for two captures, and for per-packet diffs.
    let options = tracematch::matching::MatchOptions {
        flow_for_two: true,
        packet_diff: true,
    };
    let report = tracematch::matching::match_inputs(
        &[input(&a), input(&b)],
        vec![reference(0, "a.pcap"), reference(1, "b.pcap")],
        &options,
    );
    let direct = report.to_json();
    // Through the same JavaScript conversion, so that 1.0 and 1 compare as JavaScript sees them.
    assert_eq!(got, json(tracematch::web::js_value::to_js(&direct)));
    assert!(got["flow"].as_array().is_some_and(|f| !f.is_empty()));
    // The handle's per-packet diff of a match is the core's.
    let diff = report
        .packet_diff
        .first()
        .and_then(|p| p.streams.first())
        .expect("a packet-level match");
    let from_handle = json(handle.packet_diff(0, diff.proto, diff.a_stream, diff.b_stream));
    assert_eq!(from_handle, json(tracematch::web::js_value::to_js(diff)));
    assert!(
        handle.packet_diff(1, "tcp", 0, 0).is_err(),
        "no second pair"
    );
    assert!(
        handle.packet_diff(0, "sctp", 0, 0).is_err(),
        "unknown protocol"
    );
    let mut pairs: Vec<(String, u64, u64)> = got["matches"]
        .as_array()
        .expect("matches")
        .iter()
        .map(|m| {
            (
                m["proto"].as_str().unwrap_or("").to_string(),
                m["a_stream"].as_u64().unwrap_or(u64::MAX),
                m["b_stream"].as_u64().unwrap_or(u64::MAX),
            )
        })
        .collect();
    pairs.sort();
    let expected: Vec<(String, u64, u64)> =
        [("tcp", 0, 0), ("tcp", 1, 1), ("udp", 0, 0), ("udp", 1, 1)]
            .iter()
            .map(|(p, x, y)| (p.to_string(), *x, *y))
            .collect();
    assert_eq!(pairs, expected);
    assert_eq!(got["captures"][1]["label"], "b.pcap");
}

#[wasm_bindgen_test]
fn the_match_handle_refuses_misuse() {
    let mut handle = tracematch::web::MatchHandle::new();
    assert!(handle.push(b"x").is_err(), "push before begin");
    assert!(handle.end_capture().is_err(), "end before begin");
    assert!(handle.begin("a", "a").is_ok());
    assert!(handle.begin("b", "b").is_err(), "begin twice");
    assert!(handle.end_capture().is_ok());
    assert!(handle.run().is_err(), "one capture is not enough");
}

/// Takes `key` (a `Uint8Array`) out of a handle result; returns its bytes and the rest as JSON.
fn split_bytes(value: JsValue, key: &str) -> (Vec<u8>, Value) {
    let k = JsValue::from_str(key);
    let bytes = js_sys::Reflect::get(&value, &k).expect("a property");
    let bytes = js_sys::Uint8Array::new(&bytes).to_vec();
    js_sys::Reflect::delete_property(&value.clone().into(), &k).expect("deletable");
    (
        bytes,
        serde_wasm_bindgen::from_value(value).expect("JSON-compatible"),
    )
}

#[wasm_bindgen_test]
fn follow_pages_give_the_stream_chunk_by_chunk_with_directions() {
    let bytes = pcap(&packets());
    let mut handle = index_with_handle(&bytes, 4096);
    let mut source: &[u8] = &bytes;

    // Paging before a stream was started is an error, and so is a stream that does not exist.
    assert!(handle.follow_next_from(100, &mut source).is_err());
    assert!(handle.follow_start_from("tcp", 7, &mut source).is_err());
    assert!(handle.follow_start_from("sctp", 0, &mut source).is_err());

    let header = json(handle.follow_start_from("tcp", 0, &mut source));
    assert_eq!(header["proto"], "tcp");
    assert_eq!(header["stream"], 0);
    assert_eq!(header["node0"]["address"], "10.0.0.1");
    assert_eq!(header["node0"]["port"], 40000);
    assert_eq!(header["node1"]["address"], "10.0.0.2");
    assert_eq!(header["node1"]["port"], 80);
    assert_eq!(header["frames"], TCP0.len());

    // Pages of 1 byte: one chunk each (a chunk is never split), in stream order.
    let request = b"GET / HTTP/1.0\r\n\r\n";
    let response = b"HTTP/1.0 200 OK\r\n\r\n";
    let page = handle.follow_next_from(1, &mut source).expect("page 1");
    let (data, page) = split_bytes(page, "bytes");
    assert_eq!(data, request);
    assert_eq!(page["done"], false);
    let chunks = page["chunks"].as_array().expect("chunks");
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0]["frame"], 5);
    assert_eq!(chunks[0]["dir"], 0);
    assert_eq!(chunks[0]["offset"], 0);
    assert_eq!(chunks[0]["len"], request.len());
    assert_eq!(chunks[0]["gap_missing"], Value::Null);
    assert_eq!(chunks[0]["ts_ns"], "1700000000000040000");

    let (data, page) = split_bytes(
        handle.follow_next_from(1, &mut source).expect("page 2"),
        "bytes",
    );
    assert_eq!(data, response);
    let chunks = page["chunks"].as_array().expect("chunks");
    assert_eq!(
        (chunks[0]["frame"].as_u64(), chunks[0]["dir"].as_u64()),
        (Some(10), Some(1))
    );
    // The rest of the stream (FINs) has no payload: the next page is empty and done.
    let (data, page) = split_bytes(
        handle.follow_next_from(1, &mut source).expect("page 3"),
        "bytes",
    );
    if page["done"] == false {
        panic!("the stream should be done after its two payload chunks: {page}");
    }
    assert!(data.is_empty());
    assert_eq!(page["frames_read"], TCP0.len());

    // A big page holds the whole stream; offsets index the page's bytes.
    json(handle.follow_start_from("tcp", 0, &mut source));
    let (data, page) = split_bytes(
        handle.follow_next_from(1 << 20, &mut source).expect("page"),
        "bytes",
    );
    assert_eq!(page["done"], true);
    assert_eq!(data, [&request[..], &response[..]].concat());
    assert_eq!(page["chunks"][1]["offset"], request.len());

    // UDP: one chunk per datagram; the answer comes from node 1.
    let header = json(handle.follow_start_from("udp", 0, &mut source));
    assert_eq!(header["node0"]["port"], 5353);
    let (data, page) = split_bytes(
        handle.follow_next_from(1 << 20, &mut source).expect("udp"),
        "bytes",
    );
    assert_eq!(data, b"queryanswer");
    let dirs: Vec<u64> = page["chunks"]
        .as_array()
        .expect("chunks")
        .iter()
        .filter_map(|c| c["dir"].as_u64())
        .collect();
    assert_eq!(dirs, [0, 1]);
}

#[wasm_bindgen_test]
fn http_messages_of_a_stream_carry_their_bodies_as_bytes() {
    let bytes = pcap(&packets());
    let handle = index_with_handle(&bytes, 4096);
    let mut source: &[u8] = &bytes;
    let messages = handle.http_messages_from(0, &mut source).expect("messages");
    let array = js_sys::Array::from(&messages);
    assert_eq!(array.length(), 2);
    let (body, request) = split_bytes(array.get(0), "body");
    assert_eq!(request["kind"], "request");
    assert_eq!(request["method"], "GET");
    assert_eq!(request["uri"], "/");
    assert!(body.is_empty());
    let (_, response) = split_bytes(array.get(1), "body");
    assert_eq!(response["kind"], "response");
    assert_eq!(response["status"], 200);
    // Not TLS: no handshake summary.
    assert!(handle
        .tls_summary_from(0, &mut source)
        .expect("a summary or null")
        .is_null());
    // Stream 1 has no payload: no messages.
    let none = handle.http_messages_from(1, &mut source).expect("messages");
    assert_eq!(js_sys::Array::from(&none).length(), 0);
}

#[wasm_bindgen_test]
fn the_hierarchy_gets_an_http_node_for_the_frames_ending_a_message() {
    let packets = packets();
    let bytes = pcap(&packets);
    let handle = index_with_handle(&bytes, 4096);
    let mut source: &[u8] = &bytes;
    let nodes = json(handle.app_hierarchy_from(&mut source));
    // Frame 5 ends the request; the HTTP/1.0 response has no length, so it ends with the
    // server's bare FIN (frame 12), which tshark shows as tcp.segments › http.
    let request = frame(&packets[4]).len();
    let fin = frame(&packets[11]).len();
    assert_eq!(
        nodes,
        serde_json::json!([
            { "parent": "eth:ip:tcp", "proto": "http", "frames": 1, "bytes": request },
            { "parent": "eth:ip:tcp", "proto": "tcp.segments", "frames": 1, "bytes": fin },
            { "parent": "eth:ip:tcp:tcp.segments", "proto": "http", "frames": 1, "bytes": fin }
        ])
    );
}

#[wasm_bindgen_test]
fn the_session_of_a_stream_comes_from_its_frames_read_back() {
    let bytes = pcap(&packets());
    let handle = index_with_handle(&bytes, 4096);
    let mut source: &[u8] = &bytes;

    let result = json(handle.session_from(0, &mut source));
    let session = &result["session"];
    assert_eq!(session["stream"], 0);
    assert_eq!(session["client"]["addr"], "10.0.0.1");
    assert_eq!(session["client"]["port"], 40000);
    assert_eq!(session["missed_syn"], false);
    let arrows = result["ladder"]["arrows"].as_array().expect("arrows");
    let frames: Vec<u64> = arrows
        .iter()
        .map(|a| a["frame"].as_u64().expect("frame"))
        .collect();
    let expected: Vec<u64> = TCP0.iter().map(|&f| u64::from(f)).collect();
    assert_eq!(frames, expected);
    assert_eq!(arrows[0]["flags"], "SYN");

    // A stream that does not exist has no session.
    assert!(json(handle.session_from(9, &mut source)).is_null());
}
