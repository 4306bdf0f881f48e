//! HTTP on synthetic captures whose contents are known: every content coding tshark 4.0 cannot
//! decode (stacked, zstd) and those it can, chunked and until-close framing, keep-alive,
//! pipelining, HEAD and 1xx responses, a body with a gap, and the decompression-bomb cap.

use std::io::Write;

use sha2::{Digest, Sha256};
use tracematch::app::http::{export_objects, http_messages, HttpKind, HttpMessage, HttpOptions};
use tracematch::export::TsResolution;
use tracematch::pipeline::Indexer;
use tracematch::synth::http_message::{request_bytes, response_bytes};
use tracematch::synth::{
    http_conversation, Body, CapturePoint, ContentCoding, Endpoint, Framing, HttpExchange,
    Impairment, IpIdCounters, TcpConversation,
};

fn sha(b: &[u8]) -> String {
    Sha256::digest(b)
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

fn ep(s: &str, p: u16) -> Endpoint {
    Endpoint::new(s.parse().unwrap(), p)
}

fn content(seed: u32, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| b"<p>tracematch synthetic body</p>\n"[(i + seed as usize) % 33])
        .collect()
}

/// Builds a capture from conversations and returns (capture bytes, messages).
fn run(convs: Vec<TcpConversation>, options: HttpOptions) -> Vec<HttpMessage> {
    let mut ids = IpIdCounters::new(1);
    let packets: Vec<_> = convs.iter().flat_map(|c| c.packets(&mut ids)).collect();
    let mut bytes = Vec::new();
    CapturePoint::new("tap")
        .write_pcap(&packets, &mut bytes, TsResolution::Micro)
        .unwrap();
    let mut ix = Indexer::new();
    ix.push(&bytes);
    ix.finish();
    let mut src: &[u8] = &bytes;
    http_messages(&ix, &mut src, options)
}

fn conv(i: u32) -> TcpConversation {
    TcpConversation::new(
        i,
        ep("10.0.0.1", 40000 + i as u16),
        ep("10.0.0.2", 80),
        1_700_000_000_000_000_000 + i64::from(i) * 1_000_000_000,
    )
}

#[test]
fn every_coding_and_framing_decodes_to_the_original_content() {
    let codings: Vec<Vec<ContentCoding>> = vec![
        vec![],
        vec![ContentCoding::Gzip],
        vec![ContentCoding::XGzip],
        vec![ContentCoding::DeflateZlib],
        vec![ContentCoding::DeflateRaw],
        vec![ContentCoding::Br],
        vec![ContentCoding::Zstd],
        vec![ContentCoding::Gzip, ContentCoding::Gzip],
        vec![
            ContentCoding::DeflateZlib,
            ContentCoding::Br,
            ContentCoding::Zstd,
        ],
    ];
    let framings = [Framing::ContentLength, Framing::Chunked(700)];
    let mut convs = Vec::new();
    let mut want = Vec::new();
    let mut i = 0;
    for c in &codings {
        for f in framings {
            let data = content(i, 3000 + 500 * i as usize);
            let mut body = Body::plain(data.clone()).framed(f);
            for &x in c {
                body = body.coded(x);
            }
            convs.push(http_conversation(
                conv(i),
                &[HttpExchange::get(
                    &format!("/obj/{i}"),
                    "example.test",
                    "text/html",
                    body,
                )],
                false,
            ));
            want.push((i, data));
            i += 1;
        }
    }
    let msgs = run(convs, HttpOptions::default());
    for (stream, data) in want {
        let resp = msgs
            .iter()
            .find(|m| m.stream == stream && m.kind == HttpKind::Response)
            .unwrap_or_else(|| panic!("no response in stream {stream}"));
        assert_eq!(
            resp.body_sha256.as_deref(),
            Some(sha(&data).as_str()),
            "stream {stream} {:?}",
            resp.content_encoding
        );
        assert_eq!(resp.body_len, Some(data.len() as u64));
        assert!(!resp.truncated);
    }
    let objects = export_objects(&msgs);
    assert_eq!(objects.len(), 18);
    assert_eq!(
        (
            objects[0].host.as_str(),
            objects[0].path.as_str(),
            objects[0].content_type.as_str()
        ),
        ("example.test", "/obj/0", "text/html")
    );
}

#[test]
fn keep_alive_pipelining_head_continue_and_until_close() {
    let a = content(1, 1200);
    let b = content(2, 5000);
    let c = content(3, 800);
    let xs = vec![
        HttpExchange::get("/a", "h", "text/plain", Body::plain(a.clone())),
        HttpExchange {
            request: request_bytes("HEAD", "/b", "h", &[], None),
            response: response_bytes(200, "OK", &[("Content-Length", "5000")], None),
        },
        HttpExchange {
            request: request_bytes(
                "POST",
                "/c",
                "h",
                &[("Expect", "100-continue")],
                Some(&Body::plain(c.clone()).framed(Framing::Chunked(100))),
            ),
            response: [
                response_bytes(100, "Continue", &[], None),
                response_bytes(
                    200,
                    "OK",
                    &[],
                    Some(&Body::plain(b.clone()).coded(ContentCoding::Gzip)),
                ),
            ]
            .concat(),
        },
        HttpExchange::get(
            "/last",
            "h",
            "text/plain",
            Body::plain(a.clone()).framed(Framing::UntilClose),
        ),
    ];
    let msgs = run(
        vec![
            http_conversation(conv(0), &xs, false),
            http_conversation(conv(1), &xs, true),
        ],
        HttpOptions::default(),
    );
    for stream in 0..2 {
        let m: Vec<&HttpMessage> = msgs.iter().filter(|m| m.stream == stream).collect();
        let reqs: Vec<_> = m.iter().filter(|m| m.kind == HttpKind::Request).collect();
        let resps: Vec<_> = m.iter().filter(|m| m.kind == HttpKind::Response).collect();
        assert_eq!(
            reqs.iter()
                .map(|r| r.method.clone().unwrap())
                .collect::<Vec<_>>(),
            ["GET", "HEAD", "POST", "GET"],
            "stream {stream}"
        );
        assert_eq!(
            resps.iter().map(|r| r.status.unwrap()).collect::<Vec<_>>(),
            [200, 200, 100, 200, 200]
        );
        assert_eq!(
            reqs[2].body_sha256.as_deref(),
            Some(sha(&c).as_str()),
            "chunked request body"
        );
        assert_eq!(reqs[2].transfer_encoding.as_deref(), Some("chunked"));
        assert_eq!(resps[0].body_sha256.as_deref(), Some(sha(&a).as_str()));
        assert_eq!(resps[1].body_len, None, "HEAD response has no body");
        assert_eq!(resps[2].body_len, None, "100 Continue has no body");
        assert_eq!(resps[3].body_sha256.as_deref(), Some(sha(&b).as_str()));
        assert_eq!(
            resps[4].body_sha256.as_deref(),
            Some(sha(&a).as_str()),
            "until-close body"
        );
        assert!(m.windows(2).all(|w| w[0].last_frame <= w[1].last_frame));
        assert_eq!(
            resps[0].request_target,
            Some(("h".to_string(), "/a".to_string()))
        );
    }
}

#[test]
fn gap_in_body_gives_no_hash_and_bomb_is_capped() {
    let big = content(9, 20_000);
    let gap = http_conversation(
        conv(0),
        &[HttpExchange::get(
            "/gap",
            "h",
            "text/plain",
            Body::plain(big.clone()),
        )],
        false,
    )
    .impair(Impairment::NotCaptured {
        message: 1,
        segment: 3,
    });
    let zeros = vec![0u8; 3 << 20];
    let bomb = http_conversation(
        conv(1),
        &[HttpExchange::get(
            "/bomb",
            "h",
            "application/octet-stream",
            Body::plain(zeros).coded(ContentCoding::Gzip),
        )],
        false,
    );
    let after = http_conversation(
        conv(2),
        &[HttpExchange::get(
            "/ok",
            "h",
            "text/plain",
            Body::plain(big.clone()),
        )],
        false,
    );
    let msgs = run(
        vec![gap, bomb, after],
        HttpOptions {
            max_body_bytes: 1 << 20,
            ..HttpOptions::default()
        },
    );
    let resp = |s: u32| {
        msgs.iter()
            .find(|m| m.stream == s && m.kind == HttpKind::Response)
            .unwrap()
    };
    assert_eq!(resp(0).status, Some(200));
    assert_eq!(resp(0).body_sha256, None, "a body with a gap has no hash");
    assert!(resp(0)
        .body
        .as_ref()
        .is_none_or(|b| !b.windows(9).any(|w| w == b"bytes mis")));
    assert!(resp(1).truncated);
    assert_eq!(resp(1).body_len, Some(1 << 20));
    assert_eq!(resp(2).body_sha256.as_deref(), Some(sha(&big).as_str()));
    let json = serde_json::to_string(&msgs).unwrap();
    assert!(json.contains("\"kind\":\"response\""));
    assert!(json.contains("\"headers\":[[\"Host\",\"h\"]"));
    let _ = std::io::sink().write_all(json.as_bytes());
}
