//! The paged follow API ([`FollowPager`]) yields exactly the chunks of the lazy iterator
//! ([`stream_chunks`]), in the same order, whatever the page size: checked on every stream that has
//! a tshark follow oracle in the public corpus (TCP and UDP), and on a synthetic stream split across
//! many pages.

mod common;

use std::path::Path;

use tracematch::pipeline::Indexer;
use tracematch::reassembly::{
    stream_chunks, FollowChunk, FollowPager, FollowProto, TcpFollowOptions,
};

fn index(data: &[u8]) -> Indexer {
    let mut ix = Indexer::new();
    for chunk in data.chunks(1 << 20) {
        ix.push(chunk);
    }
    ix.finish();
    ix
}

fn all_at_once(ix: &Indexer, data: &[u8], proto: FollowProto, stream: u32) -> Vec<FollowChunk> {
    let mut source = data;
    let chunks = match stream_chunks(ix, &mut source, proto, stream, TcpFollowOptions::default()) {
        Some((_, chunks)) => chunks.collect(),
        None => Vec::new(),
    };
    chunks
}

/// Every page's chunks, concatenated; checks each page's size bound and the `done` flag.
fn paged(
    ix: &Indexer,
    data: &[u8],
    proto: FollowProto,
    stream: u32,
    max_bytes: usize,
) -> Vec<FollowChunk> {
    let mut source = data;
    let Some(mut pager) =
        FollowPager::new(ix, &mut source, proto, stream, TcpFollowOptions::default())
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for _ in 0..1_000_000 {
        let page = pager
            .next_page(ix, &mut source, max_bytes)
            .expect("reading from memory cannot fail");
        if !page.done {
            assert!(!page.chunks.is_empty(), "a page before the end has chunks");
        }
        // A page stops once it holds max_bytes; the last chunk may cross the limit.
        let without_last: usize = page
            .chunks
            .iter()
            .rev()
            .skip(1)
            .map(|c| c.bytes.len().max(1))
            .sum();
        assert!(without_last < max_bytes.max(1), "page over its limit");
        out.extend(page.chunks);
        if page.done {
            let again = pager
                .next_page(ix, &mut source, max_bytes)
                .expect("after the end");
            assert!(again.done && again.chunks.is_empty(), "nothing after done");
            return out;
        }
    }
    panic!("the pager never finished");
}

fn check_stream(name: &str, data: &[u8], ix: &Indexer, proto: FollowProto, stream: u32) {
    let want = all_at_once(ix, data, proto, stream);
    for max_bytes in [1usize, 700, 64 << 10] {
        let got = paged(ix, data, proto, stream, max_bytes);
        assert_eq!(
            got.len(),
            want.len(),
            "{name} {proto:?} {stream} pages of {max_bytes}: chunk count"
        );
        assert!(
            got == want,
            "{name} {proto:?} {stream} pages of {max_bytes}: chunks differ"
        );
    }
}

#[test]
fn pages_equal_the_lazy_iterator_on_every_oracle_stream() {
    let Some(cap) = common::captures_dir("pages_equal_the_lazy_iterator_on_every_oracle_stream")
    else {
        return;
    };
    let mut streams = 0;
    for row in common::manifest(&cap) {
        let dir = cap.join("public/oracle").join(&row.file).join("follow");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut wanted: Vec<(FollowProto, u32)> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let mut parts = name.strip_suffix(".txt")?.split('_');
                let proto = match parts.next()? {
                    "tcp" => FollowProto::Tcp,
                    "udp" => FollowProto::Udp,
                    _ => return None,
                };
                Some((proto, parts.next()?.parse().ok()?))
            })
            .collect();
        wanted.sort_by_key(|&(p, s)| (p == FollowProto::Udp, s));
        wanted.dedup();
        if wanted.is_empty() {
            continue;
        }
        let path = cap.join("public").join(&row.file);
        let data = std::fs::read(Path::new(&path)).expect("read capture");
        let ix = index(&data);
        for (proto, stream) in wanted {
            check_stream(&row.file, &data, &ix, proto, stream);
            streams += 1;
        }
    }
    assert!(
        streams > 200,
        "only {streams} oracle streams found (the corpus has 240+)"
    );
    eprintln!("paged follow: {streams} oracle streams identical at 3 page sizes");
}

#[test]
fn a_missing_stream_has_no_pager() {
    let data = tracematch_test_capture();
    let ix = index(&data);
    let mut source = &data[..];
    assert!(FollowPager::new(
        &ix,
        &mut source,
        FollowProto::Tcp,
        99,
        TcpFollowOptions::default()
    )
    .is_none());
    assert!(FollowPager::new(
        &ix,
        &mut source,
        FollowProto::Udp,
        0,
        TcpFollowOptions::default()
    )
    .is_none());
    // The one TCP stream, in pages of 1 byte: every data segment is its own page.
    let want = all_at_once(&ix, &data, FollowProto::Tcp, 0);
    assert!(want.len() >= 4, "{} chunks", want.len());
    assert_eq!(paged(&ix, &data, FollowProto::Tcp, 0, 1), want);
}

/// A TCP conversation with several messages each way (the project's generator).
fn tracematch_test_capture() -> Vec<u8> {
    use std::net::{IpAddr, Ipv4Addr};
    use tracematch::export::TsResolution;
    use tracematch::synth::{CapturePoint, Dir, Endpoint, IpIdCounters, TcpConversation};
    let client = Endpoint::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 40000);
    let server = Endpoint::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 80);
    let conv = TcpConversation::new(0, client, server, 1_700_000_000_000_000_000)
        .message(Dir::ToServer, b"hello ".repeat(100))
        .message(Dir::ToClient, b"world ".repeat(900))
        .message(Dir::ToServer, b"again".to_vec())
        .message(Dir::ToClient, b"bye".to_vec());
    let packets = conv.packets(&mut IpIdCounters::new(1));
    let mut out = Vec::new();
    CapturePoint::new("test")
        .write_pcap(&packets, &mut out, TsResolution::Micro)
        .expect("writing to memory");
    out
}
